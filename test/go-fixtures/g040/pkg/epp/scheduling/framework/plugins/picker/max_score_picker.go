// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package picker

import (
	"context"
	"fmt"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// MaxScorePickerName is the picker's plugin name.
const MaxScorePickerName = "max-score-picker"

var _ framework.Picker = &MaxScorePicker{}

// MaxScorePicker picks the pod with the highest weighted score; ties go to the smallest pod name.
type MaxScorePicker struct{}

// NewMaxScorePicker returns the picker.
func NewMaxScorePicker() *MaxScorePicker {
	return &MaxScorePicker{}
}

// Name returns the plugin name.
func (p *MaxScorePicker) Name() string {
	return MaxScorePickerName
}

// Pick returns the best pod.
func (p *MaxScorePicker) Pick(ctx context.Context, _ *types.CycleState, scoredPods []*types.ScoredPod) *types.ProfileRunResult {
	log.FromContext(ctx).V(logutil.DEBUG).Info(fmt.Sprintf("Selecting a pod with the max score from %d candidates: %+v", len(scoredPods), scoredPods))
	if len(scoredPods) == 0 {
		return &types.ProfileRunResult{}
	}
	sorted := append([]*types.ScoredPod(nil), scoredPods...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Score != sorted[j].Score {
			return sorted[i].Score > sorted[j].Score
		}
		return sorted[i].GetPod().NamespacedName.String() < sorted[j].GetPod().NamespacedName.String()
	})
	return &types.ProfileRunResult{TargetPod: sorted[0].Pod}
}
