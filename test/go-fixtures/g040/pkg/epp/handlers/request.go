// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package handlers

import (
	"context"
	"strconv"
	"time"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/types/known/structpb"
	"sigs.k8s.io/controller-runtime/pkg/log"

	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// HandleRequestHeaders records the request headers. A request without a body (end of stream on the
// headers) is sent to a random pod right away.
func (s *StreamingServer) HandleRequestHeaders(ctx context.Context, reqCtx *RequestContext, req *extProcPb.ProcessingRequest_RequestHeaders) error {
	reqCtx.RequestReceivedTimestamp = time.Now()

	if req.RequestHeaders.EndOfStream {
		pod := s.director.GetRandomPod()
		if pod == nil {
			return errutil.Error{Code: errutil.Internal, Msg: "no pods available in datastore"}
		}
		pool, err := s.datastore.PoolGet()
		if err != nil {
			return err
		}
		reqCtx.TargetEndpoint = pod.Address + ":" + strconv.Itoa(int(pool.Spec.TargetPortNumber))
		reqCtx.RequestSize = 0
		reqCtx.reqHeaderResp = s.generateRequestHeaderResponse(reqCtx)
		log.FromContext(ctx).V(logutil.VERBOSE).Info("Request without body sent to a random pod", "endpoint", reqCtx.TargetEndpoint)
		return nil
	}

	for _, header := range req.RequestHeaders.Headers.Headers {
		if header.RawValue != nil {
			reqCtx.Request.Headers[header.Key] = string(header.RawValue)
		} else {
			reqCtx.Request.Headers[header.Key] = header.Value
		}
	}
	return nil
}

// generateRequestBodyResponses returns the (possibly rewritten) request body for Envoy, in one chunk.
func (s *StreamingServer) generateRequestBodyResponses(requestBodyBytes []byte) []*extProcPb.ProcessingResponse {
	mutation := &extProcPb.BodyMutation{Mutation: &extProcPb.BodyMutation_StreamedResponse{
		StreamedResponse: &extProcPb.StreamedBodyResponse{Body: requestBodyBytes, EndOfStream: true},
	}}
	return []*extProcPb.ProcessingResponse{{Response: &extProcPb.ProcessingResponse_RequestBody{
		RequestBody: &extProcPb.BodyResponse{Response: &extProcPb.CommonResponse{BodyMutation: mutation}},
	}}}
}

// generateRequestHeaderResponse tells Envoy the destination twice: as a request header and as
// dynamic metadata, so that gateways can use either.
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
				Key:      s.destinationEndpointHintKey,
				RawValue: []byte(reqCtx.TargetEndpoint),
			},
		},
	}
	if reqCtx.RequestSize > 0 {
		// the body may have been rewritten, so its length is sent again
		headers = append(headers, &configPb.HeaderValueOption{
			Header: &configPb.HeaderValue{
				Key:      "Content-Length",
				RawValue: []byte(strconv.Itoa(reqCtx.RequestSize)),
			},
		})
	}
	// pass the request headers on
	for key, value := range reqCtx.Request.Headers {
		headers = append(headers, &configPb.HeaderValueOption{
			Header: &configPb.HeaderValue{
				Key:      key,
				RawValue: []byte(value),
			},
		})
	}
	return headers
}

func (s *StreamingServer) generateMetadata(endpoint string) *structpb.Struct {
	targetEndpointValue := &structpb.Struct{
		Fields: map[string]*structpb.Value{
			s.destinationEndpointHintKey: {
				Kind: &structpb.Value_StringValue{StringValue: endpoint},
			},
		},
	}
	dynamicMetadata := targetEndpointValue
	if s.destinationEndpointHintMetadataNamespace != "" {
		// wrap the endpoint in the configured namespace
		dynamicMetadata = &structpb.Struct{
			Fields: map[string]*structpb.Value{
				s.destinationEndpointHintMetadataNamespace: {
					Kind: &structpb.Value_StructValue{StructValue: targetEndpointValue},
				},
			},
		}
	}
	return dynamicMetadata
}
