// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package logging

// Verbosity levels handed to logr's V(); zap renders V(n) at level -n.
const (
	DEFAULT = 2
	VERBOSE = 3
	DEBUG   = 4
	TRACE   = 5
)
