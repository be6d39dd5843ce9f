// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package envoy holds helpers for ext_proc messages.
package envoy

import (
	"strings"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

// GetHeaderValue prefers RawValue and falls back to Value.
func GetHeaderValue(header *configPb.HeaderValue) string {
	if len(header.RawValue) > 0 {
		return string(header.RawValue)
	}
	return header.Value
}

// ExtractHeaderValue finds headerKey (case-insensitive) in req.
func ExtractHeaderValue(req *extProcPb.ProcessingRequest_RequestHeaders, headerKey string) string {
	if req == nil || req.RequestHeaders == nil || req.RequestHeaders.Headers == nil {
		return ""
	}
	for _, header := range req.RequestHeaders.Headers.Headers {
		if strings.EqualFold(header.Key, headerKey) {
			return GetHeaderValue(header)
		}
	}
	return ""
}

// GenerateRequestBodyResponses returns the body response(s) replacing the request body.
func GenerateRequestBodyResponses(body []byte) []*extProcPb.ProcessingResponse {
	return []*extProcPb.ProcessingResponse{{
		Response: &extProcPb.ProcessingResponse_RequestBody{
			RequestBody: &extProcPb.BodyResponse{
				Response: &extProcPb.CommonResponse{
					BodyMutation: &extProcPb.BodyMutation{
						Mutation: &extProcPb.BodyMutation_StreamedResponse{
							StreamedResponse: &extProcPb.StreamedBodyResponse{Body: body, EndOfStream: true},
						},
					},
				},
			},
		},
	}}
}
