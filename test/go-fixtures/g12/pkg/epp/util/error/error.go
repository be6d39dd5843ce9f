// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package error is the EPP's coded error type.
package error

import (
	"errors"
	"fmt"
)

// Error is an error with a canonical code the handlers map to an HTTP status.
type Error struct {
	Code string
	Msg  string
}

const (
	Unknown                        = "Unknown"
	BadRequest                     = "BadRequest"
	Internal                       = "Internal"
	ServiceUnavailable             = "ServiceUnavailable"
	ModelServerError               = "ModelServerError"
	BadConfiguration               = "BadConfiguration"
	InferencePoolResourceExhausted = "InferencePoolResourceExhausted"
)

func (e Error) Error() string {
	return fmt.Sprintf("inference gateway: %s - %s", e.Code, e.Msg)
}

// CanonicalCode returns the code of an Error, or Unknown.
func CanonicalCode(err error) string {
	var e Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Unknown
}
