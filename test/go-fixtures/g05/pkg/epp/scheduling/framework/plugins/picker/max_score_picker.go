// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package picker

import (
	"context"
	"fmt"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// MaxScorePickerType is the picker's plugin type.
const MaxScorePickerType = "max-score-picker"

var _ framework.Picker = &MaxScorePicker{}

// MaxScorePicker picks the maxNumOfEndpoints pods with the highest weighted scores; ties go to the
// smallest pod name.
type MaxScorePicker struct {
	typedName         plugins.TypedName
	maxNumOfEndpoints int
}

// NewMaxScorePicker returns a picker that picks one pod.
func NewMaxScorePicker() *MaxScorePicker {
	return &MaxScorePicker{
		typedName:         plugins.TypedName{Type: MaxScorePickerType, Name: MaxScorePickerType},
		maxNumOfEndpoints: 1,
	}
}

// TypedName returns the plugin's type and name.
func (p *MaxScorePicker) TypedName() plugins.TypedName {
	return p.typedName
}

// Pick returns the best pods, best first.
func (p *MaxScorePicker) Pick(ctx context.Context, _ *types.CycleState, scoredPods []*types.ScoredPod) *types.ProfileRunResult {
	log.FromContext(ctx).V(logutil.DEBUG).Info(fmt.Sprintf("Selecting maximum '%d' pods from %d candidates sorted by max score: %+v",
		p.maxNumOfEndpoints, len(scoredPods), scoredPods))
	sorted := append([]*types.ScoredPod(nil), scoredPods...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Score != sorted[j].Score {
			return sorted[i].Score > sorted[j].Score
		}
		return sorted[i].GetPod().NamespacedName.String() < sorted[j].GetPod().NamespacedName.String()
	})
	if len(sorted) > p.maxNumOfEndpoints {
		sorted = sorted[:p.maxNumOfEndpoints]
	}
	targetPods := make([]types.Pod, len(sorted))
	for i, sp := range sorted {
		targetPods[i] = sp.Pod
	}
	return &types.ProfileRunResult{TargetPods: targetPods}
}
