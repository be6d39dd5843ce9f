// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package error

import "fmt"

// Error is the error type the endpoint picker returns to Envoy; Code selects the HTTP status.
type Error struct {
	Code string
	Msg  string
}

// Codes understood by the handlers when they build an immediate response.
const (
	Unknown                        = "Unknown"
	BadRequest                     = "BadRequest"
	Internal                       = "Internal"
	InferencePoolResourceExhausted = "InferencePoolResourceExhausted"
)

func (e Error) Error() string {
	return fmt.Sprintf("inference gateway: %s - %s", e.Code, e.Msg)
}

// CanonicalCode returns the Code of an Error, or Unknown for any other error.
func CanonicalCode(err error) string {
	if e, ok := err.(Error); ok {
		return e.Code
	}
	return Unknown
}
