// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package handlers

import (
	"net"
	"strconv"
	"time"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/types/known/structpb"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metadata"
	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
)

const defaultFairnessID = "default-flow"

// HandleRequestHeaders copies the request headers into reqCtx. A request without
// a body is routed to a random endpoint right away.
func (s *StreamingServer) HandleRequestHeaders(reqCtx *RequestContext, req *extProcPb.ProcessingRequest_RequestHeaders) error {
	reqCtx.RequestReceivedTimestamp = time.Now()

	if req.RequestHeaders.EndOfStream {
		pod := s.director.GetRandomPod()
		if pod == nil {
			return errutil.Error{Code: errutil.Internal, Msg: "no pods available in datastore"}
		}
		reqCtx.TargetEndpoint = net.JoinHostPort(pod.GetIPAddress(), pod.GetPort())
		reqCtx.RequestSize = 0
		reqCtx.reqHeaderResp = s.generateRequestHeaderResponse(reqCtx)
		return nil
	}

	for _, header := range req.RequestHeaders.Headers.Headers {
		if header.RawValue != nil {
			reqCtx.Request.Headers[header.Key] = string(header.RawValue)
		} else {
			reqCtx.Request.Headers[header.Key] = header.Value
		}
		switch header.Key {
		case metadata.FlowFairnessIDKey:
			reqCtx.FairnessID = reqCtx.Request.Headers[header.Key]
			delete(reqCtx.Request.Headers, header.Key)
		case metadata.ObjectiveKey:
			reqCtx.ObjectiveKey = reqCtx.Request.Headers[header.Key]
			delete(reqCtx.Request.Headers, header.Key)
		case metadata.ModelNameRewriteKey:
			reqCtx.TargetModelName = reqCtx.Request.Headers[header.Key]
			delete(reqCtx.Request.Headers, header.Key)
		}
	}
	if reqCtx.FairnessID == "" {
		reqCtx.FairnessID = defaultFairnessID
	}
	return nil
}

func (s *StreamingServer) generateRequestBodyResponses(requestBodyBytes []byte) []*extProcPb.ProcessingResponse {
	return []*extProcPb.ProcessingResponse{{
		Response: &extProcPb.ProcessingResponse_RequestBody{
			RequestBody: &extProcPb.BodyResponse{
				Response: &extProcPb.CommonResponse{
					BodyMutation: &extProcPb.BodyMutation{
						Mutation: &extProcPb.BodyMutation_StreamedResponse{
							StreamedResponse: &extProcPb.StreamedBodyResponse{Body: requestBodyBytes, EndOfStream: true},
						},
					},
				},
			},
		},
	}}
}

// generateRequestHeaderResponse tells Envoy where to send the request, both as a
// header and as dynamic metadata.
func (s *StreamingServer) generateRequestHeaderResponse(reqCtx *RequestContext) *extProcPb.ProcessingResponse {
	return &extProcPb.ProcessingResponse{
		Response: &extProcPb.ProcessingResponse_RequestHeaders{
			RequestHeaders: &extProcPb.HeadersResponse{
				Response: &extProcPb.CommonResponse{
					ClearRouteCache: true,
					HeaderMutation: &extProcPb.HeaderMutation{
						SetHeaders: s.generateHeaders(reqCtx),
					},
				},
			},
		},
		DynamicMetadata: s.generateMetadata(reqCtx.TargetEndpoint),
	}
}

func (s *StreamingServer) generateHeaders(reqCtx *RequestContext) []*configPb.HeaderValueOption {
	headers := []*configPb.HeaderValueOption{
		{
			Header: &configPb.HeaderValue{
				Key:      metadata.DestinationEndpointKey,
				RawValue: []byte(reqCtx.TargetEndpoint),
			},
		},
	}
	if reqCtx.RequestSize > 0 {
		headers = append(headers, &configPb.HeaderValueOption{
			Header: &configPb.HeaderValue{
				Key:      "Content-Length",
				RawValue: []byte(strconv.Itoa(reqCtx.RequestSize)),
			},
		})
	}
	for key, value := range reqCtx.Request.Headers {
		headers = append(headers, &configPb.HeaderValueOption{
			Header: &configPb.HeaderValue{Key: key, RawValue: []byte(value)},
		})
	}
	return headers
}

func (s *StreamingServer) generateMetadata(endpoint string) *structpb.Struct {
	return &structpb.Struct{
		Fields: map[string]*structpb.Value{
			metadata.DestinationEndpointNamespace: structpb.NewStructValue(&structpb.Struct{
				Fields: map[string]*structpb.Value{
					metadata.DestinationEndpointKey: structpb.NewStringValue(endpoint),
				},
			}),
		},
	}
}
