// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

// Package error defines the EPP's coded error type.
package error

import (
	"errors"

	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	envoyTypePb "github.com/envoyproxy/go-control-plane/envoy/type/v3"
)

// Error codes.
const (
	Unknown            = "Unknown"
	BadRequest         = "BadRequest"
	Internal           = "Internal"
	ServiceUnavailable = "ServiceUnavailable"
	ResourceExhausted  = "ResourceExhausted"
	ModelServerError   = "ModelServerError"
)

// Error carries a code next to its message.
type Error struct {
	Code string
	Msg  string
}

func (e Error) Error() string {
	return e.Code + " - " + e.Msg
}

// CanonicalCode returns the code of err, or Unknown.
func CanonicalCode(err error) string {
	var e Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Unknown
}

// BuildErrResponse turns err into an immediate ext_proc response.
func BuildErrResponse(err error) (*extProcPb.ProcessingResponse, error) {
	code := envoyTypePb.StatusCode_InternalServerError
	switch CanonicalCode(err) {
	case BadRequest:
		code = envoyTypePb.StatusCode_BadRequest
	case ResourceExhausted:
		code = envoyTypePb.StatusCode_TooManyRequests
	case ServiceUnavailable:
		code = envoyTypePb.StatusCode_ServiceUnavailable
	}
	return &extProcPb.ProcessingResponse{
		Response: &extProcPb.ProcessingResponse_ImmediateResponse{
			ImmediateResponse: &extProcPb.ImmediateResponse{
				Status: &envoyTypePb.HttpStatus{Code: code},
				Body:   []byte(err.Error()),
			},
		},
	}, nil
}
