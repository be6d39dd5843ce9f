// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

package handlers

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/types/known/structpb"

	envoy "github.com/llm-d/llm-d-router/pkg/common/envoy"
	errcommon "github.com/llm-d/llm-d-router/pkg/common/error"
	"github.com/llm-d/llm-d-router/pkg/epp/metadata"
)

// HandleRequestHeaders copies the request headers into reqCtx. A request without
// a body is routed to a random endpoint right away.
func (s *StreamingServer) HandleRequestHeaders(ctx context.Context, reqCtx *RequestContext, req *extProcPb.ProcessingRequest_RequestHeaders) error {
	reqCtx.RequestReceivedTimestamp = time.Now()

	// end of stream on the headers: no body and no trailers follow
	if req.RequestHeaders.EndOfStream {
		endpoint := s.director.GetRandomEndpoint()
		if endpoint == nil {
			return errcommon.Error{Code: errcommon.Internal, Msg: "no endpoint available to serve the request"}
		}
		reqCtx.TargetPod = endpoint
		reqCtx.TargetEndpoint = net.JoinHostPort(endpoint.GetIPAddress(), endpoint.GetPort())
		reqCtx.RequestSize = 0
		reqCtx.reqHeaderResp = s.generateRequestHeaderResponse(ctx, reqCtx)
		return nil
	}

	for _, header := range req.RequestHeaders.Headers.Headers {
		reqCtx.Request.Headers[header.Key] = envoy.GetHeaderValue(header)
		switch strings.ToLower(header.Key) {
		case metadata.ObjectiveKey:
			reqCtx.ObjectiveKey = reqCtx.Request.Headers[header.Key]
		case metadata.ModelNameRewriteKey:
			reqCtx.TargetModelName = reqCtx.Request.Headers[header.Key]
		}
	}
	return nil
}

func (s *StreamingServer) generateRequestHeaderResponse(ctx context.Context, reqCtx *RequestContext) *extProcPb.ProcessingResponse {
	return &extProcPb.ProcessingResponse{
		Response: &extProcPb.ProcessingResponse_RequestHeaders{
			RequestHeaders: &extProcPb.HeadersResponse{
				Response: &extProcPb.CommonResponse{
					ClearRouteCache: true,
					HeaderMutation: &extProcPb.HeaderMutation{
						SetHeaders: s.generateHeaders(ctx, reqCtx),
					},
				},
			},
		},
		DynamicMetadata: s.generateMetadata(reqCtx.TargetEndpoint),
	}
}

func (s *StreamingServer) generateHeaders(_ context.Context, reqCtx *RequestContext) []*configPb.HeaderValueOption {
	// the destination header always comes first
	headers := []*configPb.HeaderValueOption{
		{
			Header: &configPb.HeaderValue{
				Key:      metadata.DestinationEndpointKey,
				RawValue: []byte(reqCtx.TargetEndpoint),
			},
		},
	}
	if reqCtx.RequestSize > 0 {
		// the body may have been rewritten, so its length is set again
		headers = append(headers, &configPb.HeaderValueOption{
			Header: &configPb.HeaderValue{
				Key:      "Content-Length",
				RawValue: []byte(strconv.Itoa(reqCtx.RequestSize)),
			},
		})
	}
	for key, value := range reqCtx.Request.Headers {
		if isSystemOwnedHeader(key) {
			continue
		}
		headers = append(headers, &configPb.HeaderValueOption{
			Header: &configPb.HeaderValue{Key: key, RawValue: []byte(value)},
		})
	}
	return headers
}

func (s *StreamingServer) generateMetadata(endpoint string) *structpb.Struct {
	return &structpb.Struct{
		Fields: map[string]*structpb.Value{
			metadata.DestinationEndpointNamespace: {
				Kind: &structpb.Value_StructValue{
					StructValue: &structpb.Struct{
						Fields: map[string]*structpb.Value{
							metadata.DestinationEndpointKey: {
								Kind: &structpb.Value_StringValue{StringValue: endpoint},
							},
						},
					},
				},
			},
		},
	}
}

// isSystemOwnedHeader reports headers the EPP sets itself or the proxy owns.
func isSystemOwnedHeader(key string) bool {
	key = strings.ToLower(key)
	return strings.HasPrefix(key, ":") || key == "content-length" || key == metadata.DestinationEndpointKey
}
