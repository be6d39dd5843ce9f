// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package request holds helpers reading the ext_proc request messages.
package request

import (
	"strings"

	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

const (
	// RequestIdHeaderKey is the header carrying the request id.
	RequestIdHeaderKey = "x-request-id"
)

// ExtractHeaderValue returns the raw value of headerKey (matched case-insensitively), or "".
func ExtractHeaderValue(req *extProcPb.ProcessingRequest_RequestHeaders, headerKey string) string {
	wanted := strings.ToLower(headerKey)
	if req == nil || req.RequestHeaders == nil || req.RequestHeaders.Headers == nil {
		return ""
	}
	for _, hv := range req.RequestHeaders.Headers.Headers {
		if strings.ToLower(hv.Key) == wanted {
			return string(hv.RawValue)
		}
	}
	return ""
}
