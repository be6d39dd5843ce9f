// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Command fixture-run pushes requests through StreamingServer.Process the way Envoy would.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	uberzap "go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
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
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/scorer"
)

func main() {
	encoder := flag.String("encoder", "console", "zap encoder: console or json")
	mode := flag.String("mode", "development", "development (no sampling) or production (sampling)")
	verbosity := flag.Int("v", 2, "log verbosity (zap level -v)")
	requests := flag.Int("requests", 3, "number of requests")
	noRequestID := flag.Bool("no-request-id", false, "send no x-request-id header")
	flag.Parse()

	err := run(*encoder, *mode, *verbosity, *requests, *noRequestID)
	if truthErr := truthWrite(); err == nil {
		err = truthErr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixture-run:", err)
		os.Exit(1)
	}
}

// newLogger installs the global logger the way the G12 runner does (zap.Options
// bound to flags, so -zap-encoder picks the encoder and RFC3339 time applies).
// The level starts at Info so that production mode always gets its sampler,
// and is lowered to -v afterwards.
func newLogger(encoder, mode string, verbosity int) error {
	level := uberzap.NewAtomicLevelAt(zapcore.InfoLevel)
	opts := zap.Options{
		DestWriter: os.Stdout,
		Level:      &level,
		ZapOpts:    []uberzap.Option{uberzap.AddCaller()},
	}
	switch mode {
	case "development":
		opts.Development = true
	case "production":
		opts.Development = false
	default:
		return fmt.Errorf("unknown -mode %q", mode)
	}
	fs := flag.NewFlagSet("zap", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	opts.BindFlags(fs)
	if err := fs.Parse([]string{"-zap-encoder", encoder}); err != nil {
		return err
	}
	log.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	level.SetLevel(zapcore.Level(-verbosity))
	return nil
}

func newEndpoint(pod, ip string, queue int) backendmetrics.PodMetrics {
	return backendmetrics.NewStaticPodMetrics(&backend.Pod{
		NamespacedName: k8stypes.NamespacedName{Namespace: "llm-d", Name: pod + "-rank-0"},
		PodName:        pod,
		Address:        ip,
		Port:           "8000",
		MetricsHost:    ip + ":8000",
		Labels:         map[string]string{"app": "vllm"},
	}, &backendmetrics.MetricsState{WaitingQueueSize: queue})
}

func run(encoder, mode string, verbosity, requests int, noRequestID bool) error {
	if err := newLogger(encoder, mode, verbosity); err != nil {
		return err
	}

	ds := datastore.NewStaticDatastore(
		newEndpoint("vllm-a", "10.0.0.1", 0),
		newEndpoint("vllm-b", "10.0.0.2", 3),
		newEndpoint("vllm-c", "10.0.0.3", 6),
	)

	activeRequest := NewActiveRequest()
	schedulerProfile := framework.NewSchedulerProfile()
	if err := schedulerProfile.AddPlugins(
		recordFilter(filter.NewPassThroughFilter()),
		framework.NewWeightedScorer(recordScorer(activeRequest), 2),
		framework.NewWeightedScorer(recordScorer(scorer.NewQueueScorer()), 1),
		recordPicker(picker.NewMaxScorePicker(1)),
	); err != nil {
		return err
	}
	scheduler := scheduling.NewScheduler(schedulerProfile)

	rcConfig := requestcontrol.NewConfig()
	rcConfig.AddPlugins(activeRequest)
	director := requestcontrol.NewDirector(ds, scheduler, rcConfig)
	server := handlers.NewStreamingServer(ds, director)

	for i := 1; i <= requests; i++ {
		requestID := fmt.Sprintf("req-%d", i)
		truthBegin(requestID)
		endpoint, err := sendRequest(server, i, requestID, noRequestID)
		if err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		line, _ := json.Marshal(struct {
			RequestID string `json:"requestId"`
			Endpoint  string `json:"endpoint"`
		}{requestID, endpoint})
		fmt.Fprintf(os.Stderr, "RESULT %s\n", line)
		truthEnd(endpoint)
		log.Log.Info("fixture request done", "requestId", requestID, "endpoint", endpoint)
	}
	return nil
}

func header(key, value string) *configPb.HeaderValue {
	return &configPb.HeaderValue{Key: key, RawValue: []byte(value)}
}

// sendRequest runs one headers + body exchange and returns the destination endpoint.
func sendRequest(server *handlers.StreamingServer, i int, requestID string, noRequestID bool) (string, error) {
	headers := []*configPb.HeaderValue{
		header(":path", "/v1/chat/completions"),
		header("content-type", "application/json"),
		header("authorization", "Bearer fixture-secret-token"),
	}
	if !noRequestID {
		headers = append(headers, header("x-request-id", requestID))
	}
	body := fmt.Sprintf(`{"model":"food-review","messages":[{"role":"user","content":"SECRET-PROMPT-%d"}],"max_tokens":8}`, i)

	stream := newMemStream(context.Background(),
		&extProcPb.ProcessingRequest{Request: &extProcPb.ProcessingRequest_RequestHeaders{
			RequestHeaders: &extProcPb.HttpHeaders{Headers: &configPb.HeaderMap{Headers: headers}},
		}},
		&extProcPb.ProcessingRequest{Request: &extProcPb.ProcessingRequest_RequestBody{
			RequestBody: &extProcPb.HttpBody{Body: []byte(body), EndOfStream: true},
		}},
	)
	if err := server.Process(stream); err != nil {
		return "", err
	}
	for _, resp := range stream.responses {
		for _, hvo := range resp.GetRequestHeaders().GetResponse().GetHeaderMutation().GetSetHeaders() {
			if hvo.GetHeader().GetKey() == metadata.DestinationEndpointKey && len(hvo.GetHeader().GetRawValue()) > 0 {
				return string(hvo.GetHeader().GetRawValue()), nil
			}
		}
	}
	return "", fmt.Errorf("no %s header in the %d responses", metadata.DestinationEndpointKey, len(stream.responses))
}
