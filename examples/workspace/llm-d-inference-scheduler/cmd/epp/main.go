// Example workspace for instrument: reproduces the shape of llm-d-inference-scheduler
// v0.4.0's EPP binary on top of GIE v1.2.0 (written for this project, not upstream code).
//
// Everything lives in this one file because the image is built with
// `go build -o bin/epp cmd/epp/main.go` (see Dockerfile.epp).

// Command epp is the llm-d endpoint picker: an Envoy ext_proc server that
// schedules every inference request onto one of a fixed list of endpoints.
//
// With --selftest N it does not listen; it pushes N requests through the real
// StreamingServer.Process over an in-memory ext_proc stream and prints where
// each one was sent.
//
// A request counts as in flight for the active-request-scorer from the moment
// it is scheduled until its ext_proc stream ends (the proxy closes the stream
// once the response is over): a gRPC stream interceptor watches the request id
// go by and calls the scorer's Complete when the stream's handler returns.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	uberzap "go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	k8stypes "k8s.io/apimachinery/pkg/types"
	// Upstream calls ctrl.SetLogger / ctrl.Log from the controller-runtime root
	// package, which only re-exports these from pkg/log. Importing pkg/log under
	// the same name keeps the statements identical without pulling client-go in.
	ctrl "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	backendmetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/datastore"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metadata"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/requestcontrol"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/filter"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/picker"
	giescorer "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/scorer"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"

	"github.com/llm-d/llm-d-inference-scheduler/pkg/plugins/scorer"
)

const (
	defaultEndpoints  = "vllm-a=10.0.0.1:8000,vllm-b=10.0.0.2:8000,vllm-c=10.0.0.3:8000"
	defaultQueueSizes = "0,3,6"

	activeRequestWeight = 2
	queueWeight         = 1

	requestIDHeader = "x-request-id"

	selftestPath = "/v1/chat/completions"
	selftestBody = `{"model":"food-review","messages":[{"role":"user","content":"hello"}],"max_tokens":8}`
)

var (
	grpcPort     = flag.Int("grpc-port", 9002, "The gRPC port used for communicating with Envoy proxy")
	logVerbosity = flag.Int("v", logutil.DEFAULT, "number for the log level verbosity "+
		"(ignored when --zap-log-level is given)")
	namespace  = flag.String("namespace", "llm-d", "Namespace of the model-server endpoints")
	endpoints  = flag.String("endpoints", defaultEndpoints, "Comma-separated model-server endpoints, each name=ip:port")
	queueSizes = flag.String("queue-sizes", defaultQueueSizes, "Comma-separated waiting-queue sizes, one per endpoint, "+
		"in the order of --endpoints")
	activeRequestTTL = flag.Duration("active-request-ttl", scorer.DefaultRequestTimeout,
		"How long the active-request-scorer counts a request against its endpoint at most, "+
			"if the end of its ext_proc stream is never seen")
	selftest = flag.Int("selftest", 0, "If > 0, push this many requests through the ext_proc handler "+
		"in memory, print where each went, and exit instead of serving")
)

func main() {
	os.Exit(run())
}

func run() int {
	opts := zap.Options{
		Development: true,
	}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	initLogging(&opts)

	setupLog := ctrl.Log.WithName("setup")

	if flag.NArg() > 0 {
		setupLog.Error(fmt.Errorf("unexpected arguments %q", flag.Args()), "Invalid command line")
		return 2
	}
	flags := map[string]any{}
	flag.VisitAll(func(f *flag.Flag) {
		flags[f.Name] = f.Value.String()
	})
	setupLog.Info("Flags processed", "flags", flags)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	streamingServer, activeRequest, err := newStreamingServer(ctx)
	if err != nil {
		setupLog.Error(err, "Failed to set up the endpoint picker")
		return 1
	}

	if *selftest > 0 {
		if err := runSelftest(ctx, streamingServer, activeRequest.Complete, *selftest); err != nil {
			setupLog.Error(err, "Selftest failed")
			return 1
		}
		return 0
	}

	if *grpcPort <= 0 || *grpcPort > 65535 {
		setupLog.Error(fmt.Errorf("port %d out of range", *grpcPort), "Invalid --grpc-port")
		return 1
	}
	addr := net.JoinHostPort("0.0.0.0", strconv.Itoa(*grpcPort))
	setupLog.Info("Starting ext_proc gRPC server", "address", addr)
	if err := serveExtProc(ctx, addr, streamingServer, activeRequest.Complete); err != nil {
		setupLog.Error(err, "Error running the ext_proc gRPC server")
		return 1
	}
	setupLog.Info("ext_proc gRPC server stopped")
	return 0
}

// initLogging installs the global logger as GIE v1.2.0's runner does: the
// zap options come from the --zap-* flags (development mode, console encoder,
// stderr), and the level is -v unless --zap-log-level was given.
func initLogging(opts *zap.Options) {
	levelFromV := true
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "zap-log-level" {
			levelFromV = false
		}
	})
	if levelFromV {
		opts.Level = uberzap.NewAtomicLevelAt(zapcore.Level(int8(-*logVerbosity)))
	}

	ctrl.SetLogger(zap.New(zap.UseFlagOptions(opts), zap.RawZapOpts(uberzap.AddCaller())))
}

// newStreamingServer wires the datastore, the scheduler (one profile) and the
// director into the ext_proc handler. It also returns the active-request
// scorer, whose Complete must be called when a request ends.
func newStreamingServer(ctx context.Context) (*handlers.StreamingServer, *scorer.ActiveRequest, error) {
	pods, err := parseEndpoints(*namespace, *endpoints, *queueSizes)
	if err != nil {
		return nil, nil, err
	}
	ds := datastore.NewStaticDatastore(pods...)

	activeRequest := scorer.NewActiveRequest(ctx, &scorer.ActiveRequestParameters{
		RequestTimeout: activeRequestTTL.String(),
	})

	profile := framework.NewSchedulerProfile()
	if err := profile.AddPlugins(
		filter.NewPassThroughFilter(),
		framework.NewWeightedScorer(activeRequest, activeRequestWeight),
		framework.NewWeightedScorer(giescorer.NewQueueScorer(), queueWeight),
		picker.NewMaxScorePicker(picker.DefaultMaxNumOfEndpoints),
	); err != nil {
		return nil, nil, fmt.Errorf("failed to build the scheduler profile: %w", err)
	}
	scheduler := scheduling.NewScheduler(profile)

	rcConfig := requestcontrol.NewConfig()
	rcConfig.AddPlugins(activeRequest)
	director := requestcontrol.NewDirector(ds, scheduler, rcConfig)

	return handlers.NewStreamingServer(ds, director), activeRequest, nil
}

// serveExtProc listens on addr (TCP), serves streamingServer as the Envoy
// ExternalProcessor and returns when ctx is done (nil) or the server fails.
// Every ext_proc stream is one request: when its handler returns, complete is
// called with the request's id.
func serveExtProc(ctx context.Context, addr string, streamingServer *handlers.StreamingServer, complete func(requestID string)) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("failed to listen on %s: %w", addr, err)
	}
	grpcServer := grpc.NewServer(grpc.StreamInterceptor(completeOnStreamEnd(complete)))
	extProcPb.RegisterExternalProcessorServer(grpcServer, streamingServer)

	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
			grpcServer.Stop()
		case <-stopped:
		}
	}()

	if err := grpcServer.Serve(lis); err != nil && ctx.Err() == nil {
		return fmt.Errorf("ext_proc server on %s failed: %w", addr, err)
	}
	return nil
}

// completeOnStreamEnd returns a stream interceptor that learns the request id
// of every ext_proc stream and, once the stream's handler has returned (the
// proxy ended the stream, or it broke), calls complete with it.
func completeOnStreamEnd(complete func(requestID string)) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if info.FullMethod != extProcPb.ExternalProcessor_Process_FullMethodName {
			return handler(srv, ss)
		}
		watched := &requestIDStream{ServerStream: ss}
		defer func() {
			if requestID := watched.requestID(); requestID != "" {
				complete(requestID)
			}
		}()
		return handler(srv, watched)
	}
}

// requestIDStream is a grpc.ServerStream that notes the request id as the
// messages go by: from the x-request-id header of the RequestHeaders message
// or, when the proxy sent none, from the x-request-id the EPP generated and
// sets on the request in its RequestHeaders response.
type requestIDStream struct {
	grpc.ServerStream

	mu       sync.Mutex
	received string // from the proxy's RequestHeaders message
	sent     string // from the EPP's RequestHeaders response
}

func (s *requestIDStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if req, ok := m.(*extProcPb.ProcessingRequest); ok {
		if headers := req.GetRequestHeaders(); headers != nil {
			if value := findRequestID(headers.GetHeaders().GetHeaders()); value != "" {
				s.mu.Lock()
				s.received = value
				s.mu.Unlock()
			}
		}
	}
	return nil
}

func (s *requestIDStream) SendMsg(m any) error {
	if resp, ok := m.(*extProcPb.ProcessingResponse); ok {
		if headers := resp.GetRequestHeaders(); headers != nil {
			set := headers.GetResponse().GetHeaderMutation().GetSetHeaders()
			values := make([]*configPb.HeaderValue, 0, len(set))
			for _, option := range set {
				values = append(values, option.GetHeader())
			}
			if value := findRequestID(values); value != "" {
				s.mu.Lock()
				s.sent = value
				s.mu.Unlock()
			}
		}
	}
	return s.ServerStream.SendMsg(m)
}

// requestID is the id the scheduler saw: the proxy's, else the generated one.
func (s *requestIDStream) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.received != "" {
		return s.received
	}
	return s.sent
}

// findRequestID returns the x-request-id value (key matched case-insensitively;
// RawValue, else Value), or "".
func findRequestID(headers []*configPb.HeaderValue) string {
	for _, header := range headers {
		if !strings.EqualFold(header.GetKey(), requestIDHeader) {
			continue
		}
		if raw := header.GetRawValue(); len(raw) > 0 {
			return string(raw)
		}
		if header.GetValue() != "" {
			return header.GetValue()
		}
	}
	return ""
}

// parseEndpoints turns "name=ip:port,..." and "q1,q2,..." into datastore entries.
// Names get the "-rank-0" suffix GIE v1.1+ gives to the first target port.
func parseEndpoints(ns, endpointList, queueList string) ([]backendmetrics.PodMetrics, error) {
	specs := splitList(endpointList)
	if len(specs) == 0 {
		return nil, errors.New("--endpoints lists no endpoint")
	}
	queues := splitList(queueList)
	if len(queues) != len(specs) {
		return nil, fmt.Errorf("--queue-sizes has %d entries but --endpoints has %d", len(queues), len(specs))
	}

	seen := map[string]bool{}
	pods := make([]backendmetrics.PodMetrics, 0, len(specs))
	for i, spec := range specs {
		name, hostPort, ok := strings.Cut(spec, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("endpoint %q: want name=ip:port", spec)
		}
		if seen[name] {
			return nil, fmt.Errorf("endpoint %q is listed twice", name)
		}
		seen[name] = true
		ip, port, err := net.SplitHostPort(strings.TrimSpace(hostPort))
		if err != nil || ip == "" || port == "" {
			return nil, fmt.Errorf("endpoint %q: want name=ip:port", spec)
		}
		queue, err := strconv.Atoi(queues[i])
		if err != nil || queue < 0 {
			return nil, fmt.Errorf("queue size %q: want a non-negative integer", queues[i])
		}

		pods = append(pods, backendmetrics.NewStaticPodMetrics(&backend.Pod{
			NamespacedName: k8stypes.NamespacedName{Namespace: ns, Name: name + "-rank-0"},
			PodName:        name,
			Address:        ip,
			Port:           port,
			MetricsHost:    net.JoinHostPort(ip, port),
			Labels:         map[string]string{"app": "vllm"},
		}, &backendmetrics.MetricsState{WaitingQueueSize: queue}))
	}
	return pods, nil
}

func splitList(list string) []string {
	items := []string{}
	for _, item := range strings.Split(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// runSelftest sends n requests through StreamingServer.Process and prints
// "selftest request <id> -> <endpoint>" for each one on stdout. Each request
// is over once its stream is: complete is called with its id right after.
func runSelftest(ctx context.Context, streamingServer *handlers.StreamingServer, complete func(requestID string), n int) error {
	failed := 0
	for i := 1; i <= n; i++ {
		requestID := fmt.Sprintf("selftest-%d", i)
		endpoint, err := selftestRequest(ctx, streamingServer, requestID)
		complete(requestID)
		if err != nil {
			fmt.Fprintf(os.Stderr, "selftest request %s failed: %v\n", requestID, err)
			failed++
			continue
		}
		fmt.Printf("selftest request %s -> %s\n", requestID, endpoint)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d selftest requests got no %s", failed, n, metadata.DestinationEndpointKey)
	}
	return nil
}

// selftestRequest plays Envoy for one request: headers, then the whole body
// with EndOfStream, then end of stream. It returns the destination endpoint.
func selftestRequest(ctx context.Context, streamingServer *handlers.StreamingServer, requestID string) (string, error) {
	stream := &selftestStream{
		ctx: ctx,
		pending: []*extProcPb.ProcessingRequest{
			{Request: &extProcPb.ProcessingRequest_RequestHeaders{
				RequestHeaders: &extProcPb.HttpHeaders{Headers: &configPb.HeaderMap{Headers: []*configPb.HeaderValue{
					{Key: ":path", RawValue: []byte(selftestPath)},
					{Key: requestIDHeader, RawValue: []byte(requestID)},
				}}},
			}},
			{Request: &extProcPb.ProcessingRequest_RequestBody{
				RequestBody: &extProcPb.HttpBody{Body: []byte(selftestBody), EndOfStream: true},
			}},
		},
	}
	if err := streamingServer.Process(stream); err != nil {
		return "", err
	}

	for _, resp := range stream.sent {
		if immediate := resp.GetImmediateResponse(); immediate != nil {
			return "", fmt.Errorf("immediate response %d: %s", immediate.GetStatus().GetCode(), immediate.GetBody())
		}
		for _, option := range resp.GetRequestHeaders().GetResponse().GetHeaderMutation().GetSetHeaders() {
			header := option.GetHeader()
			if header.GetKey() != metadata.DestinationEndpointKey {
				continue
			}
			if value := string(header.GetRawValue()); value != "" {
				return value, nil
			}
			if header.GetValue() != "" {
				return header.GetValue(), nil
			}
		}
	}
	return "", fmt.Errorf("none of the %d responses sets %s", len(stream.sent), metadata.DestinationEndpointKey)
}

// selftestStream is an in-memory extProcPb.ExternalProcessor_ProcessServer:
// Recv hands out the pending requests and then io.EOF; Send records responses.
// Like a real gRPC stream context, ctx carries no logger.
type selftestStream struct {
	grpc.ServerStream
	ctx     context.Context
	pending []*extProcPb.ProcessingRequest
	sent    []*extProcPb.ProcessingResponse
}

var _ extProcPb.ExternalProcessor_ProcessServer = &selftestStream{}

func (s *selftestStream) Context() context.Context { return s.ctx }

func (s *selftestStream) Recv() (*extProcPb.ProcessingRequest, error) {
	if len(s.pending) == 0 {
		return nil, io.EOF
	}
	next := s.pending[0]
	s.pending = s.pending[1:]
	return next, nil
}

func (s *selftestStream) Send(resp *extProcPb.ProcessingResponse) error {
	s.sent = append(s.sent, resp)
	return nil
}
