// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package request

import (
	"strings"

	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

// RequestIdHeaderKey is the header that carries the request id.
const RequestIdHeaderKey = "x-request-id"

// ExtractHeaderValue returns the raw value of the named header, matching the name case-insensitively.
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
