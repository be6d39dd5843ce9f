// Command schedule-cost measures one Scheduler.Schedule cycle of a fixture (copied into the
// fixture's module as cmd/schedule-cost by bench/schedule-cost.mjs and test/go/cost.test.ts):
// allocations, bytes allocated and bytes logged per cycle, with the EPP's controller-runtime zap
// logger in the request context, writing to a counting sink. It prints one JSON object.
//
// The logger is built with its level already at -v, as GIE up to v1.2 builds it, so that
// controller-runtime installs no sampler at --v >= 2 and every figure is deterministic.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	uberzap "go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	backendmetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/filter"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/picker"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/scorer"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// countingSink counts the bytes zap writes.
type countingSink struct{ n int64 }

func (c *countingSink) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
func (c *countingSink) Sync() error                 { return nil }

// kvScorer and loadScorer are two more scorers of the same form as queue-scorer, so a cycle runs three.
type kvScorer struct{ name string }

func (s *kvScorer) TypedName() plugins.TypedName {
	return plugins.TypedName{Type: s.name, Name: s.name}
}
func (s *kvScorer) Score(_ context.Context, _ *types.CycleState, _ *types.LLMRequest, pods []types.Pod) map[types.Pod]float64 {
	scores := make(map[types.Pod]float64, len(pods))
	for i, pod := range pods {
		scores[pod] = float64(i%10) / 10
	}
	return scores
}

func main() {
	endpoints := flag.Int("endpoints", 8, "endpoints per cycle")
	verbosity := flag.Int("v", 2, "the EPP's --v")
	encoder := flag.String("encoder", "json", "json (production config) or console (development config)")
	cycles := flag.Int("cycles", 200, "measured cycles")
	flag.Parse()

	sink := &countingSink{}
	level := uberzap.NewAtomicLevelAt(zapcore.Level(-*verbosity))
	opts := zap.Options{Development: *encoder == "console", Level: &level, DestWriter: sink, ZapOpts: []uberzap.Option{uberzap.AddCaller()}}
	if *encoder == "json" {
		opts.Encoder = zapcore.NewJSONEncoder(uberzap.NewProductionEncoderConfig())
	}
	// The request logger as the EPP has it in the scheduler (G12): the request id the EPP generates
	// when the client sends none, then what the director adds.
	priority := 0
	logger := zap.New(zap.UseFlagOptions(&opts)).
		WithValues("x-request-id", "3f0c6a52-8d1e-4b8e-9d7a-2c5f1e0b7a41").
		WithValues("objectiveKey", "", "incomingModelName", "food-review", "targetModelName", "food-review", "priority", &priority)
	ctx := log.IntoContext(context.Background(), logger)

	pods := make([]types.Pod, 0, *endpoints)
	for i := 0; i < *endpoints; i++ {
		ip := fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
		pods = append(pods, backendmetrics.NewStaticPodMetrics(&backend.Pod{
			NamespacedName: k8stypes.NamespacedName{Namespace: "llm-d", Name: fmt.Sprintf("vllm-%03d-rank-0", i)},
			PodName:        fmt.Sprintf("vllm-%03d", i), Address: ip, Port: "8000", MetricsHost: ip + ":8000",
			Labels: map[string]string{"app": "vllm", "llm-d.ai/role": "decode"},
		}, &backendmetrics.MetricsState{
			ActiveModels: map[string]int{"food-review": 1}, WaitingModels: map[string]int{}, MaxActiveModels: 4,
			RunningQueueSize: i % 3, WaitingQueueSize: i % 7, KVCacheUsagePercent: float64(i%5) / 5,
			KvCacheMaxTokenCapacity: 65536, CacheBlockSize: 16, CacheNumGPUBlocks: 4096, UpdateTime: time.Unix(1764547200, 0).UTC(),
		}))
	}
	profile := framework.NewSchedulerProfile()
	if err := profile.AddPlugins(
		filter.NewPassThroughFilter(),
		framework.NewWeightedScorer(scorer.NewQueueScorer(), 1),
		framework.NewWeightedScorer(&kvScorer{name: "kv-cache-utilization-scorer"}, 2),
		framework.NewWeightedScorer(&kvScorer{name: "prefix-cache-scorer"}, 3),
		picker.NewMaxScorePicker(1),
	); err != nil {
		panic(err)
	}
	scheduler := scheduling.NewScheduler(profile)
	request := &types.LLMRequest{RequestId: "bench-request-0001", TargetModel: "food-review", Headers: map[string]string{}}
	cycle := func() {
		if _, err := scheduler.Schedule(ctx, request, pods); err != nil {
			panic(err)
		}
	}
	for i := 0; i < 20; i++ { // warm up: first-use allocations (zap pools, caller cache) are not per cycle
		cycle()
	}
	sink.n = 0
	var before, after runtime.MemStats
	runtime.GC()
	// No collection while measuring: a collection empties zap's pools, and refilling them would
	// show up as allocations of whichever build happened to collect.
	debug.SetGCPercent(-1)
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := 0; i < *cycles; i++ {
		cycle()
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	n := float64(*cycles)
	out, _ := json.Marshal(map[string]any{
		"endpoints":           *endpoints,
		"v":                   *verbosity,
		"encoder":             *encoder,
		"allocsPerCycle":      float64(after.Mallocs-before.Mallocs) / n,
		"allocBytesPerCycle":  float64(after.TotalAlloc-before.TotalAlloc) / n,
		"loggedBytesPerCycle": float64(sink.n) / n,
		"nsPerCycle":          float64(elapsed.Nanoseconds()) / n,
	})
	fmt.Fprintln(os.Stdout, string(out))
}
