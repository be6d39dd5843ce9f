// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package handlers implements the Envoy ext_proc streaming server of the EPP.
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
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	backendmetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
	schedulingtypes "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
	requtil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/request"
)

// NewStreamingServer returns the ext_proc server; register it with extProcPb.RegisterExternalProcessorServer.
func NewStreamingServer(datastore Datastore, director Director) *StreamingServer {
	return &StreamingServer{
		director:  director,
		datastore: datastore,
	}
}

// Director turns a parsed request into a scheduling decision.
type Director interface {
	HandleRequest(ctx context.Context, reqCtx *RequestContext) (*RequestContext, error)
	GetRandomPod() *backend.Pod
}

// Datastore is the endpoint list as seen by the handlers.
type Datastore interface {
	PodList(predicate func(backendmetrics.PodMetrics) bool) []backendmetrics.PodMetrics
}

// StreamingServer implements extProcPb.ExternalProcessorServer.
type StreamingServer struct {
	datastore Datastore
	director  Director
}

// RequestContext is the per-request state kept while the stream is open.
type RequestContext struct {
	TargetPod                *backend.Pod
	TargetEndpoint           string
	IncomingModelName        string
	TargetModelName          string
	FairnessID               string
	ObjectiveKey             string
	RequestReceivedTimestamp time.Time
	RequestSize              int
	ResponseStatusCode       string
	Request                  *Request

	SchedulingRequest *schedulingtypes.LLMRequest

	RequestState         StreamRequestState
	modelServerStreaming bool

	Response *Response

	reqHeaderResp *extProcPb.ProcessingResponse
	reqBodyResp   []*extProcPb.ProcessingResponse
}

// Request holds the request headers (as Envoy sent them), the decoded body and the filter metadata.
type Request struct {
	Headers  map[string]string
	Body     map[string]any
	Metadata map[string]any
}

// Response holds the response headers.
type Response struct {
	Headers map[string]string
}

// StreamRequestState tracks which responses were already sent back to Envoy.
type StreamRequestState int

const (
	RequestReceived               StreamRequestState = 0
	HeaderRequestResponseComplete StreamRequestState = 1
	BodyRequestResponsesComplete  StreamRequestState = 2
	ResponseReceived              StreamRequestState = 3
)

// Process handles one ext_proc stream (one HTTP request).
func (s *StreamingServer) Process(srv extProcPb.ExternalProcessor_ProcessServer) error {
	ctx := srv.Context()
	logger := log.FromContext(ctx)
	loggerTrace := logger.V(logutil.TRACE)
	loggerTrace.Info("Processing")

	reqCtx := &RequestContext{
		RequestState: RequestReceived,
		Request: &Request{
			Headers:  make(map[string]string),
			Body:     make(map[string]any),
			Metadata: make(map[string]any),
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
			return status.Errorf(codes.Unknown, "cannot receive stream request: %v", recvErr)
		}

		switch v := req.Request.(type) {
		case *extProcPb.ProcessingRequest_RequestHeaders:
			requestID := requtil.ExtractHeaderValue(v, requtil.RequestIdHeaderKey)
			// plugins keep per-request state keyed by the id, so every request gets one
			if len(requestID) == 0 {
				requestID = uuid.NewString()
				loggerTrace.Info("RequestID header is not found in the request, generated a request id")
				reqCtx.Request.Headers[requtil.RequestIdHeaderKey] = requestID // the director reads it from here
			}
			logger = logger.WithValues(requtil.RequestIdHeaderKey, requestID)
			loggerTrace = logger.V(logutil.TRACE)
			ctx = log.IntoContext(ctx, logger)

			err = s.HandleRequestHeaders(reqCtx, v)
		case *extProcPb.ProcessingRequest_RequestBody:
			loggerTrace.Info("Incoming body chunk", "EoS", v.RequestBody.EndOfStream)
			body = append(body, v.RequestBody.Body...)

			// the whole body is buffered: decode it and schedule
			if v.RequestBody.EndOfStream {
				loggerTrace.Info("decoding")
				if errUnmarshal := json.Unmarshal(body, &reqCtx.Request.Body); errUnmarshal != nil {
					err = errutil.Error{Code: errutil.BadRequest, Msg: "Error unmarshaling request body"}
					break
				}
				body = []byte{}

				reqCtx, err = s.director.HandleRequest(ctx, reqCtx)
				if err != nil {
					logger.V(logutil.DEFAULT).Error(err, "Error handling request")
					break
				}

				requestBodyBytes, err := json.Marshal(reqCtx.Request.Body)
				if err != nil {
					logger.V(logutil.DEFAULT).Error(err, "Error marshalling request body")
					break
				}
				reqCtx.RequestSize = len(requestBodyBytes)
				reqCtx.reqHeaderResp = s.generateRequestHeaderResponse(reqCtx)
				reqCtx.reqBodyResp = s.generateRequestBodyResponses(requestBodyBytes)

				metrics.RecordRequestCounter(reqCtx.IncomingModelName, reqCtx.TargetModelName)
			}
		case *extProcPb.ProcessingRequest_RequestTrailers:
			// not used
		case *extProcPb.ProcessingRequest_ResponseHeaders:
			for _, header := range v.ResponseHeaders.Headers.GetHeaders() {
				value := string(header.RawValue)
				loggerTrace.Info("header", "key", header.Key, "value", value)
				if header.Key == "status" && value != "200" {
					reqCtx.ResponseStatusCode = errutil.ModelServerError
				} else if header.Key == "content-type" && strings.Contains(value, "text/event-stream") {
					reqCtx.modelServerStreaming = true
				}
				reqCtx.Response.Headers[header.Key] = value
			}
			reqCtx.RequestState = ResponseReceived // the fixture sends no response-side mutations
		}

		// an error ends the stream with an immediate response
		if err != nil {
			if logger.V(logutil.DEBUG).Enabled() {
				logger.V(logutil.DEBUG).Error(err, "Failed to process request", "request", req)
			} else {
				logger.V(logutil.DEFAULT).Error(err, "Failed to process request")
			}
			resp, err := buildErrResponse(err)
			if err != nil {
				return err
			}
			if err := srv.Send(resp); err != nil {
				logger.V(logutil.DEFAULT).Error(err, "Send failed")
				return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", err)
			}
			return nil
		}
		loggerTrace.Info("checking", "request state", reqCtx.RequestState)
		if err := reqCtx.updateStateAndSendIfNeeded(srv, logger); err != nil {
			return err
		}
	}
}

// updateStateAndSendIfNeeded sends every response that is ready, in header -> body order.
func (r *RequestContext) updateStateAndSendIfNeeded(srv extProcPb.ExternalProcessor_ProcessServer, logger logr.Logger) error {
	loggerTrace := logger.V(logutil.TRACE)
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
		for _, response := range r.reqBodyResp {
			if err := srv.Send(response); err != nil {
				return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", err)
			}
		}
		r.RequestState = BodyRequestResponsesComplete
		r.reqBodyResp = nil
	}
	return nil
}

func buildErrResponse(err error) (*extProcPb.ProcessingResponse, error) {
	var code envoyTypePb.StatusCode
	switch errutil.CanonicalCode(err) {
	case errutil.InferencePoolResourceExhausted:
		code = envoyTypePb.StatusCode_TooManyRequests
	case errutil.Internal:
		code = envoyTypePb.StatusCode_InternalServerError
	case errutil.ServiceUnavailable:
		code = envoyTypePb.StatusCode_ServiceUnavailable
	case errutil.BadRequest:
		code = envoyTypePb.StatusCode_BadRequest
	case errutil.BadConfiguration:
		code = envoyTypePb.StatusCode_NotFound
	default:
		return nil, status.Errorf(status.Code(err), "failed to handle request: %v", err)
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
