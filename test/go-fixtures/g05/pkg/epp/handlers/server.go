// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package handlers

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	envoyTypePb "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"github.com/go-logr/logr"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/datastore"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
	schedulingtypes "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
	requtil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/request"
)

// NewStreamingServer returns the ext_proc server. The two destination settings come from the
// -DestinationEndpointHintMetadataNamespace and -destinationEndpointHintKey flags.
func NewStreamingServer(destinationEndpointHintMetadataNamespace, destinationEndpointHintKey string, datastore Datastore, director Director) *StreamingServer {
	return &StreamingServer{
		destinationEndpointHintMetadataNamespace: destinationEndpointHintMetadataNamespace,
		destinationEndpointHintKey:               destinationEndpointHintKey,
		datastore:                                datastore,
		director:                                 director,
	}
}

// Director decides where a request goes.
type Director interface {
	HandleRequest(ctx context.Context, reqCtx *RequestContext) (*RequestContext, error)
	GetRandomPod() *backend.Pod
}

// Datastore is the part of the datastore the handlers use.
type Datastore interface {
	PoolGet() (*datastore.InferencePool, error)
}

// StreamingServer implements Envoy's external processing service.
type StreamingServer struct {
	destinationEndpointHintKey               string
	destinationEndpointHintMetadataNamespace string
	datastore                                Datastore
	director                                 Director
}

// RequestContext is the state of one HTTP request across the ext_proc stream.
type RequestContext struct {
	TargetPod                *backend.Pod
	TargetEndpoint           string
	Model                    string
	ResolvedTargetModel      string
	RequestReceivedTimestamp time.Time
	RequestSize              int
	ResponseSize             int
	ResponseComplete         bool
	Request                  *Request
	SchedulingRequest        *schedulingtypes.LLMRequest

	RequestState         StreamRequestState
	modelServerStreaming bool

	Response *Response

	reqHeaderResp *extProcPb.ProcessingResponse
	reqBodyResp   []*extProcPb.ProcessingResponse
}

// Request holds the request headers as received and the decoded body.
type Request struct {
	Headers map[string]string
	Body    map[string]any
}

// Response holds the response headers as received.
type Response struct {
	Headers map[string]string
}

// StreamRequestState tracks which responses were already sent to Envoy.
type StreamRequestState int

const (
	RequestReceived                  StreamRequestState = 0
	HeaderRequestResponseComplete    StreamRequestState = 1
	BodyRequestResponsesComplete     StreamRequestState = 2
	TrailerRequestResponsesComplete  StreamRequestState = 3
	ResponseRecieved                 StreamRequestState = 4
	HeaderResponseResponseComplete   StreamRequestState = 5
	BodyResponseResponsesComplete    StreamRequestState = 6
	TrailerResponseResponsesComplete StreamRequestState = 7
)

// Process handles one ext_proc stream, i.e. one HTTP request and its response.
func (s *StreamingServer) Process(srv extProcPb.ExternalProcessor_ProcessServer) error {
	ctx := srv.Context()
	logger := log.FromContext(ctx)
	loggerTrace := logger.V(logutil.TRACE)
	loggerTrace.Info("Processing")

	// The request context lives as long as the stream does.
	reqCtx := &RequestContext{
		RequestState: RequestReceived,
		Request: &Request{
			Headers: make(map[string]string),
			Body:    make(map[string]any),
		},
		Response: &Response{
			Headers: make(map[string]string),
		},
	}

	var body []byte
	var err error

	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}

		req, recvErr := srv.Recv()
		if recvErr == io.EOF || status.Code(recvErr) == codes.Canceled {
			return nil
		}
		if recvErr != nil {
			logger.V(logutil.DEFAULT).Error(recvErr, "Cannot receive stream request")
			return status.Errorf(codes.Unknown, "cannot receive stream request: %v", recvErr)
		}

		switch v := req.Request.(type) {
		case *extProcPb.ProcessingRequest_RequestHeaders:
			if requestId := requtil.ExtractHeaderValue(v, requtil.RequestIdHeaderKey); len(requestId) > 0 {
				logger = logger.WithValues(requtil.RequestIdHeaderKey, requestId)
				loggerTrace = logger.V(logutil.TRACE)
				ctx = log.IntoContext(ctx, logger)
			}
			err = s.HandleRequestHeaders(ctx, reqCtx, v)
		case *extProcPb.ProcessingRequest_RequestBody:
			loggerTrace.Info("Incoming body chunk", "EoS", v.RequestBody.EndOfStream)
			body = append(body, v.RequestBody.Body...)

			// The whole body is buffered once the last chunk arrived.
			if v.RequestBody.EndOfStream {
				loggerTrace.Info("decoding")
				err = json.Unmarshal(body, &reqCtx.Request.Body)
				if err != nil {
					logger.V(logutil.DEFAULT).Error(err, "Error unmarshaling request body")
					err = errutil.Error{Code: errutil.BadRequest, Msg: "request body is not valid JSON"}
					break
				}
				body = []byte{}

				reqCtx, err = s.director.HandleRequest(ctx, reqCtx)
				if err != nil {
					logger.V(logutil.DEFAULT).Error(err, "Error handling request")
					break
				}

				var requestBodyBytes []byte
				requestBodyBytes, err = json.Marshal(reqCtx.Request.Body)
				if err != nil {
					logger.V(logutil.DEFAULT).Error(err, "Error marshalling request body")
					break
				}
				reqCtx.RequestSize = len(requestBodyBytes)
				reqCtx.reqHeaderResp = s.generateRequestHeaderResponse(reqCtx)
				reqCtx.reqBodyResp = s.generateRequestBodyResponses(requestBodyBytes)

				metrics.RecordRequestCounter(reqCtx.Model, reqCtx.ResolvedTargetModel)
				metrics.RecordRequestSizes(reqCtx.Model, reqCtx.ResolvedTargetModel, reqCtx.RequestSize)
			}
		case *extProcPb.ProcessingRequest_RequestTrailers:
			// not used
		case *extProcPb.ProcessingRequest_ResponseHeaders:
			// the fixture driver never sends a response; only the streaming flag is kept
			reqCtx.RequestState = ResponseRecieved
			for _, header := range v.ResponseHeaders.Headers.GetHeaders() {
				reqCtx.Response.Headers[header.Key] = string(header.RawValue)
				if header.Key == "content-type" && strings.Contains(string(header.RawValue), "text/event-stream") {
					reqCtx.modelServerStreaming = true
				}
			}
		case *extProcPb.ProcessingRequest_ResponseBody:
			reqCtx.ResponseSize += len(v.ResponseBody.Body)
			reqCtx.ResponseComplete = v.ResponseBody.EndOfStream
		case *extProcPb.ProcessingRequest_ResponseTrailers:
			// not used
		}

		// An error ends the stream with an immediate response.
		if err != nil {
			logger.V(logutil.DEFAULT).Error(err, "Failed to process request")
			metrics.RecordRequestErrCounter(reqCtx.Model, reqCtx.ResolvedTargetModel, errutil.CanonicalCode(err))
			if sendErr := srv.Send(buildErrResponse(err)); sendErr != nil {
				logger.V(logutil.DEFAULT).Error(sendErr, "Send failed")
				return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", sendErr)
			}
			return nil
		}
		loggerTrace.Info("checking", "request state", reqCtx.RequestState)
		if err := reqCtx.updateStateAndSendIfNeeded(srv, logger); err != nil {
			return err
		}
	}
}

// updateStateAndSendIfNeeded sends every response that is ready, in protocol order.
func (r *RequestContext) updateStateAndSendIfNeeded(srv extProcPb.ExternalProcessor_ProcessServer, logger logr.Logger) error {
	loggerTrace := logger.V(logutil.TRACE)
	// Not a switch: one pass may send several responses.
	if r.RequestState == RequestReceived && r.reqHeaderResp != nil {
		loggerTrace.Info("Sending request header response", "obj", r.reqHeaderResp)
		if err := srv.Send(r.reqHeaderResp); err != nil {
			logger.V(logutil.DEFAULT).Error(err, "error sending response")
			return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", err)
		}
		r.RequestState = HeaderRequestResponseComplete
	}
	if r.RequestState == HeaderRequestResponseComplete && len(r.reqBodyResp) > 0 {
		loggerTrace.Info("Sending request body response(s)")
		for _, resp := range r.reqBodyResp {
			if err := srv.Send(resp); err != nil {
				return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", err)
			}
		}
		r.reqBodyResp = nil
		r.RequestState = BodyRequestResponsesComplete
	}
	return nil
}

// buildErrResponse turns an error into an immediate HTTP response for Envoy.
func buildErrResponse(err error) *extProcPb.ProcessingResponse {
	code := envoyTypePb.StatusCode_InternalServerError
	if errutil.CanonicalCode(err) == errutil.BadRequest {
		code = envoyTypePb.StatusCode_BadRequest
	} else if errutil.CanonicalCode(err) == errutil.InferencePoolResourceExhausted {
		code = envoyTypePb.StatusCode_TooManyRequests
	}
	return &extProcPb.ProcessingResponse{
		Response: &extProcPb.ProcessingResponse_ImmediateResponse{
			ImmediateResponse: &extProcPb.ImmediateResponse{Status: &envoyTypePb.HttpStatus{Code: code}, Body: []byte(err.Error())},
		},
	}
}
