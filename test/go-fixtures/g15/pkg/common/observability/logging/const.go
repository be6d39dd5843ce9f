// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package logging holds the verbosity levels used with logr's V().
package logging

// Verbosity levels; zap renders V(n) as level -n.
const (
	DEFAULT = 2
	VERBOSE = 3
	DEBUG   = 4
	TRACE   = 5
)
