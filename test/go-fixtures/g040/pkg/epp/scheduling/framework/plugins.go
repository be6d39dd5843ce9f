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

	ProfilePickerType          = "ProfilePicker"
	ProcessProfilesResultsType = "ProcessProfilesResults"
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

// ProfileHandler decides, round by round, which profiles run for a request, and which profile's
// result routes it once they all ran.
type ProfileHandler interface {
	plugins.Plugin
	// Pick returns the profiles to run next; an empty map ends the rounds.
	Pick(ctx context.Context, request *types.LLMRequest, profiles map[string]*SchedulerProfile, profileResults map[string]*types.ProfileRunResult) map[string]*SchedulerProfile
	// ProcessResults names the primary profile once every profile ran successfully.
	ProcessResults(ctx context.Context, request *types.LLMRequest, profileResults map[string]*types.ProfileRunResult) *types.SchedulingResult
}
