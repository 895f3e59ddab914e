// Package redisstate keeps the short-lived call state that replicas of one phone line must share
// — requests already served (replay protection), the failed-authentication limit, wrong-PIN
// counts, and POST /calls's rate limits — in Redis, behind the framework's ReplayCache,
// FailedAuthStore and AttemptStore (whose Allow is also outbound's RateStore).
//
// When Redis cannot be reached, every operation fails quickly (within Options.Timeout, and at
// once for a second after a failure) and the framework decides what that means: replay protection
// and PIN lockouts fail closed, the failed-authentication limit and the /calls limits fall back
// to each process. The Store logs the moment Redis goes away and the moment it returns, once
// each, and reports its state to /readyz as a framework.Dependency.
package redisstate
