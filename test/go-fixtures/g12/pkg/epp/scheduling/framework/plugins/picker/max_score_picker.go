// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package picker holds scheduler picker plugins.
package picker

import (
	"context"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// MaxScorePickerType is the plugin type of the max-score picker.
const MaxScorePickerType = "max-score-picker"

// DefaultMaxNumOfEndpoints is how many endpoints the picker returns by default.
const DefaultMaxNumOfEndpoints = 1

var _ framework.Picker = &MaxScorePicker{}

// MaxScorePicker returns the highest-scored endpoints; equal scores are ordered by endpoint name.
type MaxScorePicker struct {
	typedName         plugins.TypedName
	maxNumOfEndpoints int
}

// NewMaxScorePicker returns a picker that keeps at most maxNumOfEndpoints endpoints.
func NewMaxScorePicker(maxNumOfEndpoints int) *MaxScorePicker {
	if maxNumOfEndpoints <= 0 {
		maxNumOfEndpoints = DefaultMaxNumOfEndpoints
	}
	return &MaxScorePicker{
		typedName:         plugins.TypedName{Type: MaxScorePickerType, Name: MaxScorePickerType},
		maxNumOfEndpoints: maxNumOfEndpoints,
	}
}

func (p *MaxScorePicker) TypedName() plugins.TypedName { return p.typedName }

// Pick sorts the candidates by score (then name) and returns the first ones.
func (p *MaxScorePicker) Pick(ctx context.Context, _ *types.CycleState, scoredPods []*types.ScoredPod) *types.ProfileRunResult {
	log.FromContext(ctx).V(logutil.DEBUG).Info("Selecting pods from candidates sorted by max score",
		"max-num-of-endpoints", p.maxNumOfEndpoints, "num-of-candidates", len(scoredPods), "scored-pods", scoredPods)

	sort.SliceStable(scoredPods, func(i, j int) bool {
		if scoredPods[i].Score != scoredPods[j].Score {
			return scoredPods[i].Score > scoredPods[j].Score
		}
		return scoredPods[i].GetPod().NamespacedName.String() < scoredPods[j].GetPod().NamespacedName.String()
	})

	n := min(p.maxNumOfEndpoints, len(scoredPods))
	targetPods := make([]types.Pod, n)
	for i := 0; i < n; i++ {
		targetPods[i] = scoredPods[i]
	}
	return &types.ProfileRunResult{TargetPods: targetPods}
}
