// instrument test fixture: an upstream-style unit test of the g12 shape that instrument's patches break
// on purpose (they log at the default verbosity, 2), so that `check --test` has a failure of ours to report.
// The tests copy it into pkg/epp/scheduling/ of a g12 tree (the scheduler's package, where format 2 writes
// its lines when a profile run is over).

package scheduling_test

import (
	"context"
	"testing"

	"github.com/go-logr/logr/funcr"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework/plugins/picker"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// Upstream keeps the default level for one line per request, which Schedule does not write.
func TestScheduleIsQuietAtDefaultVerbosity(t *testing.T) {
	var lines []string
	logger := funcr.New(func(prefix, args string) { lines = append(lines, args) }, funcr.Options{Verbosity: logutil.DEFAULT})
	ctx := log.IntoContext(context.Background(), logger)
	pod := &types.PodMetrics{Pod: &backend.Pod{NamespacedName: k8stypes.NamespacedName{Namespace: "default", Name: "pod-a"}, Address: "10.0.0.1", Port: "8000"}}
	profile := framework.NewSchedulerProfile().WithPicker(picker.NewMaxScorePicker(1))
	result, err := scheduling.NewScheduler(profile).Schedule(ctx, &types.LLMRequest{RequestId: "r1"}, []types.Pod{pod})
	if err != nil || result == nil || len(result.ProfileResults) != 1 {
		t.Fatalf("Schedule = %v, %v; want the one profile's result", result, err)
	}
	if len(lines) != 0 {
		t.Fatalf("Schedule logged %d line(s) at the default verbosity, want none: %q", len(lines), lines)
	}
}
