// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package framework

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// Plugin kinds, used as the metrics label.
const (
	FilterPluginType    = "Filter"
	ScorerPluginType    = "Scorer"
	PickerPluginType    = "Picker"
	PostCyclePluginType = "PostCycle"
)

// Filter removes pods that cannot serve the request.
type Filter interface {
	plugins.Plugin
	Filter(ctx context.Context, request *types.LLMRequest, cycleState *types.CycleState, pods []types.Pod) []types.Pod
}

// Scorer gives every pod a score; the profile multiplies it by the scorer's weight.
type Scorer interface {
	plugins.Plugin
	Score(ctx context.Context, request *types.LLMRequest, cycleState *types.CycleState, pods []types.Pod) map[types.Pod]float64
}

// Picker chooses the target from the scored pods.
type Picker interface {
	plugins.Plugin
	Pick(ctx context.Context, cycleState *types.CycleState, scoredPods []*types.ScoredPod) *types.ProfileRunResult
}

// PostCycle is told the result of a profile run.
type PostCycle interface {
	plugins.Plugin
	PostCycle(ctx context.Context, cycleState *types.CycleState, res *types.ProfileRunResult)
}
