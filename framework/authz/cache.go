package authz

import "sync"

// outcome is what the decision cache holds: Casbin's answer and the index of the p line it named.
type outcome struct {
	allowed bool
	rule    int // index into Authorizer.rules; -1 for a default deny
	err     error
}

// decisionCache is a bounded map of outcomes, keyed by appendKey's bytes. When full it drops an
// entry the map's iteration order picks, which is close enough to random for a cache whose keys
// are (route, permission, mentioned principals): the working set is small, and the bound only
// guards memory against a flood of principal sets the policy names.
type decisionCache struct {
	mu  sync.RWMutex
	m   map[string]outcome
	max int
}

func newDecisionCache(max int) *decisionCache {
	return &decisionCache{m: make(map[string]outcome, min(max, 1024)), max: max}
}

// get looks key up without allocating: the compiler turns m[string(key)] into a lookup that does
// not copy the bytes.
func (c *decisionCache) get(key []byte) (outcome, bool) {
	c.mu.RLock()
	o, ok := c.m[string(key)]
	c.mu.RUnlock()
	return o, ok
}

func (c *decisionCache) put(key string, o outcome) {
	c.mu.Lock()
	if _, ok := c.m[key]; !ok && len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[key] = o
	c.mu.Unlock()
}

func (c *decisionCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// keyPool holds the buffers Decide builds cache keys in.
var keyPool = sync.Pool{New: func() any { b := make([]byte, 0, 128); return &b }}
