// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Command fixture-run pushes requests through StreamingServer.Process over an
// in-memory ext_proc stream, the way Envoy would, and prints where each went.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	uberzap "go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc/metadata"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	fwkdl "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/datalayer"
	fwksched "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/scheduling"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/requestcontrol"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling"
)

const destinationHeader = "x-gateway-destination-endpoint"

func main() {
	encoder := flag.String("encoder", "console", "zap encoder: console or json")
	mode := flag.String("mode", "development", "development or production")
	verbosity := flag.Int("v", 2, "log verbosity (zap level -v)")
	requests := flag.Int("requests", 3, "number of requests")
	noRequestID := flag.Bool("no-request-id", false, "send no x-request-id header")
	flag.Parse()

	if err := setupLogging(*encoder, *mode, *verbosity); err != nil {
		fmt.Fprintln(os.Stderr, "fixture-run:", err)
		os.Exit(2)
	}

	active := activeCounts{}
	server := newServer(active)

	failed := false
	for i := 1; i <= *requests; i++ {
		id := fmt.Sprintf("req-%d", i)
		truthBegin(id)
		endpoint, err := runOne(server, i, id, !*noRequestID)
		if err != nil {
			fmt.Fprintf(os.Stderr, "fixture-run: request %s: %v\n", id, err)
			failed = true
			continue
		}
		active[endpoint]++
		line, _ := json.Marshal(struct {
			RequestID string `json:"requestId"`
			Endpoint  string `json:"endpoint"`
		}{id, endpoint})
		fmt.Fprintf(os.Stderr, "RESULT %s\n", line)
		truthEnd(endpoint)
		log.Log.Info("fixture request done", "requestId", id, "endpoint", endpoint)
	}
	if err := truthWrite(); err != nil {
		fmt.Fprintln(os.Stderr, "fixture-run:", err)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

// setupLogging installs controller-runtime's global logger on stdout. As in the
// EPP from v1.3.1 on, the level starts at Info while the logger is built (so
// production mode keeps its sampler) and is lowered to -v afterwards.
func setupLogging(encoder, mode string, verbosity int) error {
	var dev bool
	switch mode {
	case "development":
		dev = true
	case "production":
		dev = false
	default:
		return fmt.Errorf("unknown -mode %q", mode)
	}
	if encoder != "console" && encoder != "json" {
		return fmt.Errorf("unknown -encoder %q", encoder)
	}
	level := uberzap.NewAtomicLevelAt(zapcore.InfoLevel)
	opts := zap.Options{
		Development: dev,
		DestWriter:  os.Stdout,
		Level:       &level,
		ZapOpts:     []uberzap.Option{uberzap.AddCaller()},
	}
	fs := flag.NewFlagSet("zap", flag.ContinueOnError)
	opts.BindFlags(fs)
	if err := fs.Parse([]string{"--zap-encoder=" + encoder}); err != nil {
		return err
	}
	log.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	level.SetLevel(zapcore.Level(-verbosity))
	return nil
}

func newServer(active activeCounts) *handlers.StreamingServer {
	pods := []struct {
		name, address string
		queue         int
	}{
		{"vllm-a", "10.0.0.1", 0},
		{"vllm-b", "10.0.0.2", 3},
		{"vllm-c", "10.0.0.3", 6},
	}
	endpoints := make([]fwksched.Endpoint, 0, len(pods))
	for _, pod := range pods {
		meta := &fwkdl.EndpointMetadata{
			NamespacedName: types.NamespacedName{Namespace: "llm-d", Name: pod.name + "-rank-0"},
			PodName:        pod.name,
			Address:        pod.address,
			Port:           "8000",
			MetricsHost:    pod.address + ":8000",
			Labels:         map[string]string{"app": "vllm"},
		}
		endpoints = append(endpoints, fwksched.NewEndpoint(meta, &fwkdl.Metrics{WaitingQueueSize: pod.queue}))
	}

	profile := scheduling.NewSchedulerProfile().
		WithFilters(&keepAllFilter{}).
		WithScorers(
			scheduling.NewWeightedScorer(&activeRequestScorer{counts: active}, 2),
			scheduling.NewWeightedScorer(&queueScorer{}, 1),
		).
		WithPicker(&maxScorePicker{})
	scheduler := scheduling.NewSchedulerWithConfig(scheduling.NewSchedulerConfig(&singleProfileHandler{},
		map[string]fwksched.SchedulerProfile{"default": profile}))
	director := requestcontrol.NewDirectorWithConfig(staticDatastore(endpoints), scheduler)
	return handlers.NewStreamingServer(director)
}

type staticDatastore []fwksched.Endpoint

func (s staticDatastore) PodList() []fwksched.Endpoint { return s }

// runOne sends headers, one end-of-stream body and EOF, and returns the
// destination the EPP put in its request header response.
func runOne(server *handlers.StreamingServer, i int, id string, withID bool) (string, error) {
	headers := []*configPb.HeaderValue{{Key: ":path", RawValue: []byte("/v1/chat/completions")}}
	if withID {
		headers = append(headers, &configPb.HeaderValue{Key: "x-request-id", RawValue: []byte(id)})
	}
	headers = append(headers,
		&configPb.HeaderValue{Key: "content-type", RawValue: []byte("application/json")},
		&configPb.HeaderValue{Key: "authorization", RawValue: []byte("Bearer fixture-secret-token")},
	)
	body := fmt.Sprintf(`{"model":"food-review","messages":[{"role":"user","content":"SECRET-PROMPT-%d"}],"max_tokens":8}`, i)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream := &fakeStream{ctx: ctx, in: []*extProcPb.ProcessingRequest{
		{Request: &extProcPb.ProcessingRequest_RequestHeaders{RequestHeaders: &extProcPb.HttpHeaders{
			Headers: &configPb.HeaderMap{Headers: headers},
		}}},
		{Request: &extProcPb.ProcessingRequest_RequestBody{RequestBody: &extProcPb.HttpBody{
			Body: []byte(body), EndOfStream: true,
		}}},
	}}
	if err := server.Process(stream); err != nil {
		return "", fmt.Errorf("process: %w", err)
	}
	for _, resp := range stream.out {
		if ir := resp.GetImmediateResponse(); ir != nil {
			return "", fmt.Errorf("immediate response %v: %s", ir.GetStatus().GetCode(), ir.GetBody())
		}
		for _, h := range resp.GetRequestHeaders().GetResponse().GetHeaderMutation().GetSetHeaders() {
			if h.GetHeader().GetKey() == destinationHeader {
				if v := string(h.GetHeader().GetRawValue()); v != "" {
					return v, nil
				}
			}
		}
	}
	return "", fmt.Errorf("no %s header in the responses", destinationHeader)
}

// fakeStream is an in-memory extProcPb.ExternalProcessor_ProcessServer.
type fakeStream struct {
	ctx context.Context
	mu  sync.Mutex
	in  []*extProcPb.ProcessingRequest
	out []*extProcPb.ProcessingResponse
}

func (f *fakeStream) Send(resp *extProcPb.ProcessingResponse) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.out = append(f.out, resp)
	return nil
}

func (f *fakeStream) Recv() (*extProcPb.ProcessingRequest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.in) == 0 {
		return nil, io.EOF
	}
	req := f.in[0]
	f.in = f.in[1:]
	return req, nil
}

func (f *fakeStream) Context() context.Context     { return f.ctx }
func (f *fakeStream) SetHeader(metadata.MD) error  { return nil }
func (f *fakeStream) SendHeader(metadata.MD) error { return nil }
func (f *fakeStream) SetTrailer(metadata.MD)       {}
func (f *fakeStream) SendMsg(any) error            { return nil }
func (f *fakeStream) RecvMsg(any) error            { return io.EOF }
