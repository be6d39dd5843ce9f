// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

// Package handlers implements the Envoy ext_proc stream of the EPP.
package handlers

import (
	"bytes"
	"context"
	"io"
	"strings"
	"time"

	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/go-logr/logr"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"sigs.k8s.io/controller-runtime/pkg/log"

	envoy "github.com/llm-d/llm-d-router/pkg/common/envoy"
	errcommon "github.com/llm-d/llm-d-router/pkg/common/error"
	logutil "github.com/llm-d/llm-d-router/pkg/common/observability/logging"
	reqcommon "github.com/llm-d/llm-d-router/pkg/common/request"
	fwkdl "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/datalayer"
	fwkrh "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/requesthandling"
	schedulingtypes "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/scheduling"
	"github.com/llm-d/llm-d-router/pkg/epp/metrics"
)

// NewStreamingServer returns a server that parses bodies with parser and
// hands requests to director.
func NewStreamingServer(director Director, parser fwkrh.Parser) *StreamingServer {
	return &StreamingServer{director: director, parser: parser}
}

// Director decides where a request goes.
type Director interface {
	HandleRequest(ctx context.Context, reqCtx *RequestContext, inferenceRequestBody *fwkrh.InferenceRequestBody) (*RequestContext, error)
	GetRandomEndpoint() *fwkdl.EndpointMetadata
}

// StreamingServer implements the ext_proc ExternalProcessor service.
type StreamingServer struct {
	director Director
	parser   fwkrh.Parser
}

// RequestContext is the state of one HTTP request over its whole stream.
type RequestContext struct {
	TargetPod                *fwkdl.EndpointMetadata
	TargetEndpoint           string
	IncomingModelName        string
	TargetModelName          string
	ObjectiveKey             string
	Priority                 int
	RequestReceivedTimestamp time.Time
	RequestSize              int
	ResponseStatusCode       string
	RequestRunning           bool
	Request                  *Request

	SchedulingRequest *schedulingtypes.InferenceRequest

	RequestState         StreamRequestState
	modelServerStreaming bool

	Response *Response

	reqHeaderResp  *extProcPb.ProcessingResponse
	reqBodyResp    []*extProcPb.ProcessingResponse
	respHeaderResp *extProcPb.ProcessingResponse
}

// Request holds what was received from the client.
type Request struct {
	Headers  map[string]string
	RawBody  []byte
	Metadata map[string]any
}

// Response holds what was received from the model server.
type Response struct {
	Headers map[string]string
}

// StreamRequestState tracks which responses were already sent to the proxy.
type StreamRequestState int

const (
	RequestReceived                  StreamRequestState = 0
	HeaderRequestResponseComplete    StreamRequestState = 1
	BodyRequestResponsesComplete     StreamRequestState = 2
	TrailerRequestResponsesComplete  StreamRequestState = 3
	ResponseReceived                 StreamRequestState = 4
	HeaderResponseResponseComplete   StreamRequestState = 5
	BodyResponseResponsesComplete    StreamRequestState = 6
	TrailerResponseResponsesComplete StreamRequestState = 7
	// RequestSkipped: the parser declined the request; it is routed to any
	// endpoint and the stream ends after the request responses.
	RequestSkipped StreamRequestState = 9
)

// recvResult is one srv.Recv() outcome passed from the reader goroutine.
type recvResult struct {
	req *extProcPb.ProcessingRequest
	err error
}

// Process serves one ext_proc stream, i.e. one HTTP request.
func (s *StreamingServer) Process(srv extProcPb.ExternalProcessor_ProcessServer) error {
	ctx := srv.Context()
	logger := log.FromContext(ctx)
	loggerTrace := logger.V(logutil.TRACE)
	loggerTrace.Info("Processing")

	reqCtx := &RequestContext{
		RequestState: RequestReceived,
		Request: &Request{
			Headers:  make(map[string]string),
			Metadata: make(map[string]any),
		},
		Response: &Response{
			Headers: make(map[string]string),
		},
	}

	var body bytes.Buffer

	// A single reader goroutine feeds recvCh for the life of the stream, so the
	// loop below can select on it.
	recvCh := make(chan recvResult, 1)
	// taken before ctx is replaced in the loop
	streamDone := srv.Context().Done()
	go func() {
		for {
			req, err := srv.Recv()
			select {
			case recvCh <- recvResult{req: req, err: err}:
			case <-streamDone:
				return
			}
			if err != nil {
				return
			}
		}
	}()

	// err is reported once per request in the deferred metrics call.
	var err error
	defer func() {
		if reqCtx.ResponseStatusCode != "" {
			metrics.RecordRequestErrCounter(reqCtx.IncomingModelName, reqCtx.TargetModelName, reqCtx.ResponseStatusCode)
		} else if err != nil {
			metrics.RecordRequestErrCounter(reqCtx.IncomingModelName, reqCtx.TargetModelName, errcommon.CanonicalCode(err))
		}
		if reqCtx.RequestRunning {
			metrics.DecRunningRequests(reqCtx.IncomingModelName)
		}
	}()

	for {
		var req *extProcPb.ProcessingRequest
		var recvErr error

		select {
		case result := <-recvCh:
			req = result.req
			recvErr = result.err
		case <-ctx.Done():
			return ctx.Err()
		}

		if recvErr == io.EOF || status.Code(recvErr) == codes.Canceled {
			return nil
		}
		if recvErr != nil {
			return status.Errorf(codes.Unknown, "cannot receive stream request: %v", recvErr)
		}

		switch v := req.Request.(type) {
		case *extProcPb.ProcessingRequest_RequestHeaders:
			requestID := envoy.ExtractHeaderValue(v, reqcommon.RequestIDHeaderKey)
			// plugins keep per-request state by id, so make one up when the client sent none
			if len(requestID) == 0 {
				requestID = uuid.NewString()
				loggerTrace.Info("RequestID header is not found in the request, generated a request id")
				reqCtx.Request.Headers[reqcommon.RequestIDHeaderKey] = requestID // the director reads it from here
			}
			logger = logger.WithValues(reqcommon.RequestIDHeaderKey, requestID)
			logger.V(logutil.DEFAULT).Info("EPP received request")
			loggerTrace = logger.V(logutil.TRACE)
			ctx = log.IntoContext(ctx, logger)

			err = s.HandleRequestHeaders(ctx, reqCtx, v)
		case *extProcPb.ProcessingRequest_RequestBody:
			loggerTrace.Info("Incoming body chunk", "EoS", v.RequestBody.EndOfStream)
			// the body may arrive in several chunks
			body.Write(v.RequestBody.Body)

			if v.RequestBody.EndOfStream {
				loggerTrace.Info("decoding")
				reqCtx.Request.RawBody = bytes.Clone(body.Bytes())
				reqCtx.RequestSize = body.Len()
				body.Reset()

				parseResult, parseErr := s.parser.ParseRequest(ctx, reqCtx.Request.RawBody, reqCtx.Request.Headers)
				if parseErr != nil {
					err = errcommon.Error{Code: errcommon.BadRequest, Msg: parseErr.Error()}
					logger.Error(err, "Error parsing request")
					break
				}

				reqCtx, err = s.director.HandleRequest(ctx, reqCtx, parseResult.Body)
				if err != nil {
					logger.Error(err, "Error handling request")
					break
				}

				if reqCtx.SchedulingRequest != nil && reqCtx.SchedulingRequest.Body != nil {
					reqCtx.modelServerStreaming = reqCtx.SchedulingRequest.Body.Stream
				}

				reqCtx.reqHeaderResp = s.generateRequestHeaderResponse(ctx, reqCtx)
				reqCtx.reqBodyResp = envoy.GenerateRequestBodyResponses(reqCtx.Request.RawBody)
				metrics.RecordRequestCounter(reqCtx.IncomingModelName, reqCtx.TargetModelName, reqCtx.Priority)
				metrics.RecordRequestSizes(reqCtx.IncomingModelName, reqCtx.TargetModelName, reqCtx.RequestSize)

				if parseResult.Skip {
					reqCtx.RequestState = RequestSkipped
				}
			}
		case *extProcPb.ProcessingRequest_RequestTrailers:
			// not used
		case *extProcPb.ProcessingRequest_ResponseHeaders:
			for _, header := range v.ResponseHeaders.Headers.GetHeaders() {
				value := envoy.GetHeaderValue(header)
				loggerTrace.Info("header", "key", header.Key, "value", value)
				reqCtx.Response.Headers[header.Key] = value
				if header.Key == "status" && value != "200" {
					reqCtx.ResponseStatusCode = errcommon.ModelServerError
				} else if header.Key == "content-type" && strings.Contains(value, "text/event-stream") {
					reqCtx.modelServerStreaming = true
				}
			}
			reqCtx.RequestState = ResponseReceived
			reqCtx.respHeaderResp = &extProcPb.ProcessingResponse{
				Response: &extProcPb.ProcessingResponse_ResponseHeaders{ResponseHeaders: &extProcPb.HeadersResponse{}},
			}
		}

		// On error, answer the proxy immediately and end the stream.
		if err != nil {
			if logger.V(logutil.DEBUG).Enabled() {
				logger.V(logutil.DEBUG).Error(err, "Failed to process request", "request", req)
			} else {
				logger.Error(err, "Failed to process request")
			}
			resp, err := errcommon.BuildErrResponse(err)
			if err != nil {
				return err
			}
			if err := srv.Send(resp); err != nil {
				logger.Error(err, "Send failed")
				return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", err)
			}
			return nil
		}
		loggerTrace.Info("checking", "request state", reqCtx.RequestState)
		if err := reqCtx.updateStateAndSendIfNeeded(srv, logger); err != nil {
			return err
		}
		if reqCtx.RequestState == RequestSkipped {
			logger.V(logutil.DEFAULT).Info("EPP skipped the request")
			// end the stream so the proxy goes on without further ext_proc calls
			return nil
		}
	}
}

// updateStateAndSendIfNeeded sends whatever responses are ready, keeping the
// order headers -> body for both directions.
func (r *RequestContext) updateStateAndSendIfNeeded(srv extProcPb.ExternalProcessor_ProcessServer, logger logr.Logger) error {
	loggerTrace := logger.V(logutil.TRACE)
	if r.RequestState == RequestReceived && r.reqHeaderResp != nil {
		loggerTrace.Info("Sending request header response", "obj", r.reqHeaderResp)
		if err := srv.Send(r.reqHeaderResp); err != nil {
			logger.Error(err, "error sending response")
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
		metrics.IncRunningRequests(r.IncomingModelName)
		r.RequestRunning = true
		r.reqBodyResp = nil
	}
	if r.RequestState == ResponseReceived && r.respHeaderResp != nil {
		loggerTrace.Info("Sending response header response", "obj", r.respHeaderResp)
		if err := srv.Send(r.respHeaderResp); err != nil {
			return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", err)
		}
		r.RequestState = HeaderResponseResponseComplete
	}
	// skipped requests: send the fallback routing without state changes
	if r.RequestState == RequestSkipped {
		if r.reqHeaderResp != nil {
			if err := srv.Send(r.reqHeaderResp); err != nil {
				logger.Error(err, "error sending response")
				return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", err)
			}
		}
		for _, response := range r.reqBodyResp {
			if err := srv.Send(response); err != nil {
				logger.Error(err, "error sending response")
				return status.Errorf(codes.Unknown, "failed to send response back to Envoy: %v", err)
			}
		}
	}
	return nil
}
