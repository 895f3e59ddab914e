// Package principals authenticates HTTP requests into effective principals, the way Pyramid's
// security policies do: it only says who a request is, and never refuses one.
package principals
