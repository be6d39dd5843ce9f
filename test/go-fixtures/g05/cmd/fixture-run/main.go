// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

// Command fixture-run pushes a few requests through the real StreamingServer.Process over an
// in-memory ext_proc stream, the way Envoy would, and reports where each request was routed.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	profile_picker "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/profile-picker"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	uberzap "go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/datastore"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/requestcontrol"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/filter"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/picker"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/scorer"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/server"
)

const (
	namespace      = "llm-d"
	targetPort     = 8000
	destinationKey = "x-gateway-destination-endpoint"
)

// fixtureEndpoints are the pool's pods with their fixed waiting-queue sizes.
var fixtureEndpoints = []struct {
	pod, ip string
	queue   int
}{
	{"vllm-a", "10.0.0.1", 0},
	{"vllm-b", "10.0.0.2", 3},
	{"vllm-c", "10.0.0.3", 6},
}

func main() {
	encoder := flag.String("encoder", "console", "zap encoder: console or json")
	mode := flag.String("mode", "development", "logger mode: development or production")
	verbosity := flag.Int("v", 2, "verbosity, like the EPP's --v")
	requests := flag.Int("requests", 3, "number of requests to send")
	noRequestID := flag.Bool("no-request-id", false, "send no x-request-id header")
	flag.Parse()

	if err := setupLogging(*encoder, *mode, *verbosity); err != nil {
		fmt.Fprintln(os.Stderr, "fixture-run:", err)
		os.Exit(2)
	}

	srv, err := buildServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixture-run:", err)
		os.Exit(1)
	}

	failed := false
	for i := 1; i <= *requests; i++ {
		requestID := fmt.Sprintf("req-%d", i)
		truthBegin(requestID)
		endpoint, err := runRequest(srv, i, requestID, !*noRequestID)
		if err == nil && endpoint == "" {
			err = fmt.Errorf("no %s in the response", destinationKey)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "fixture-run: request %d: %v\n", i, err)
			failed = true
			continue
		}
		line, _ := json.Marshal(struct {
			RequestID string `json:"requestId"`
			Endpoint  string `json:"endpoint"`
		}{requestID, endpoint})
		fmt.Fprintf(os.Stderr, "RESULT %s\n", line)
		truthEnd(endpoint)
		log.Log.Info("fixture request done", "requestId", requestID, "endpoint", endpoint)
	}
	if err := truthWrite(); err != nil {
		fmt.Fprintln(os.Stderr, "fixture-run:", err)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

// setupLogging installs the global logger the way the EPP does: controller-runtime's zap options,
// bound to flags, with caller information, writing to stdout. The level is a shared atomic level
// set after the logger is built, so production mode keeps its sampler at any -v.
func setupLogging(encoder, mode string, verbosity int) error {
	if encoder != "console" && encoder != "json" {
		return fmt.Errorf("unknown -encoder %q", encoder)
	}
	if mode != "development" && mode != "production" {
		return fmt.Errorf("unknown -mode %q", mode)
	}
	opts := zap.Options{Development: mode == "development"}
	fs := flag.NewFlagSet("zap", flag.ContinueOnError)
	opts.BindFlags(fs)
	if err := fs.Parse([]string{"-zap-encoder=" + encoder}); err != nil {
		return err
	}
	level := uberzap.NewAtomicLevelAt(zapcore.InfoLevel)
	opts.Level = level
	logger := zap.New(zap.UseFlagOptions(&opts), zap.WriteTo(os.Stdout), zap.RawZapOpts(uberzap.AddCaller()))
	level.SetLevel(zapcore.Level(-verbosity))
	log.SetLogger(logger)
	return nil
}

// buildServer wires datastore, scheduler, director and server: one profile with a filter that keeps
// every pod, active-request-scorer (weight 2), queue-scorer (weight 1) and max-score-picker.
func buildServer() (*handlers.StreamingServer, error) {
	pods := make([]*backend.Pod, 0, len(fixtureEndpoints))
	queues := map[string]int{}
	for _, ep := range fixtureEndpoints {
		pods = append(pods, &backend.Pod{
			NamespacedName: k8stypes.NamespacedName{Namespace: namespace, Name: ep.pod},
			Address:        ep.ip,
			Labels:         map[string]string{"app": "vllm"},
		})
		queues[ep.pod] = ep.queue
	}
	ds := datastore.NewDatastore(&datastore.InferencePool{
		Name: "fixture-pool", Spec: datastore.InferencePoolSpec{TargetPortNumber: targetPort},
	}, pods...)

	profile := framework.NewSchedulerProfile()
	if err := profile.AddPlugins(
		recordFilter(filter.NewKeepAllFilter()),
		framework.NewWeightedScorer(recordScorer(scorer.NewActiveRequestScorer()), 2),
		framework.NewWeightedScorer(recordScorer(scorer.NewQueueScorer(queues, 6)), 1),
		recordPicker(picker.NewMaxScorePicker()),
	); err != nil {
		return nil, err
	}
	sched := scheduling.NewSchedulerWithConfig(scheduling.NewSchedulerConfig(profile_picker.NewSingleProfileHandler(), map[string]*framework.SchedulerProfile{"default": profile}))
	director := requestcontrol.NewDirectorWithConfig(ds, sched)
	return handlers.NewStreamingServer(server.DefaultDestinationEndpointHintMetadataNamespace, server.DefaultDestinationEndpointHintKey, ds, director), nil
}

// runRequest sends request i (headers, then the whole body, then end of stream) and returns the
// destination the EPP chose. The x-request-id header is sent only if withID is set.
func runRequest(srv *handlers.StreamingServer, i int, requestID string, withID bool) (string, error) {
	headers := []*configPb.HeaderValue{
		{Key: ":path", RawValue: []byte("/v1/chat/completions")},
	}
	if withID {
		headers = append(headers, &configPb.HeaderValue{Key: "x-request-id", RawValue: []byte(requestID)})
	}
	headers = append(headers,
		&configPb.HeaderValue{Key: "content-type", RawValue: []byte("application/json")},
		&configPb.HeaderValue{Key: "authorization", RawValue: []byte("Bearer fixture-secret-token")},
	)
	body := fmt.Sprintf(`{"model":"food-review","messages":[{"role":"user","content":"SECRET-PROMPT-%d"}],"max_tokens":8}`, i)

	stream := &memStream{
		ctx: context.Background(),
		in: []*extProcPb.ProcessingRequest{
			{Request: &extProcPb.ProcessingRequest_RequestHeaders{RequestHeaders: &extProcPb.HttpHeaders{
				Headers: &configPb.HeaderMap{Headers: headers},
			}}},
			{Request: &extProcPb.ProcessingRequest_RequestBody{RequestBody: &extProcPb.HttpBody{
				Body: []byte(body), EndOfStream: true,
			}}},
		},
	}
	if err := srv.Process(stream); err != nil {
		return "", err
	}
	return inspect(stream.out)
}

// inspect finds the request-header response and reads the destination header and the destination
// metadata, which must agree.
func inspect(out []*extProcPb.ProcessingResponse) (string, error) {
	for _, resp := range out {
		if imm := resp.GetImmediateResponse(); imm != nil {
			return "", fmt.Errorf("immediate response %v: %s", imm.GetStatus().GetCode(), imm.GetBody())
		}
		rh := resp.GetRequestHeaders()
		if rh == nil {
			continue
		}
		endpoint := ""
		for _, h := range rh.GetResponse().GetHeaderMutation().GetSetHeaders() {
			if h.GetHeader().GetKey() == destinationKey {
				endpoint = string(h.GetHeader().GetRawValue())
			}
		}
		md := resp.GetDynamicMetadata().GetFields()["envoy.lb"].GetStructValue().GetFields()[destinationKey].GetStringValue()
		if md != endpoint {
			return "", fmt.Errorf("metadata endpoint %q differs from header endpoint %q", md, endpoint)
		}
		return endpoint, nil
	}
	return "", fmt.Errorf("no request header response among %d responses", len(out))
}

// memStream is an in-memory ExternalProcessor_ProcessServer: Recv hands out the queued requests and
// then io.EOF, Send collects the responses.
type memStream struct {
	grpc.ServerStream
	ctx context.Context
	in  []*extProcPb.ProcessingRequest
	out []*extProcPb.ProcessingResponse
}

var _ extProcPb.ExternalProcessor_ProcessServer = &memStream{}

func (m *memStream) Context() context.Context { return m.ctx }

func (m *memStream) Recv() (*extProcPb.ProcessingRequest, error) {
	if len(m.in) == 0 {
		return nil, io.EOF
	}
	req := m.in[0]
	m.in = m.in[1:]
	return req, nil
}

func (m *memStream) Send(resp *extProcPb.ProcessingResponse) error {
	m.out = append(m.out, resp)
	return nil
}
