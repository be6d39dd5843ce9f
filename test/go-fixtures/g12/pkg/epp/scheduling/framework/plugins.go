// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package framework defines the scheduler plugin interfaces and the SchedulerProfile.
package framework

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// Extension points, used as the metrics label of plugin latencies.
const (
	FilterExtensionPoint = "Filter"
	ScorerExtensionPoint = "Scorer"
	PickerExtensionPoint = "Picker"

	ProfilePickerExtensionPoint          = "ProfilePicker"
	ProcessProfilesResultsExtensionPoint = "ProcessProfilesResults"
)

// Filter removes candidates that cannot serve the request.
type Filter interface {
	plugins.Plugin
	Filter(ctx context.Context, cycleState *types.CycleState, request *types.LLMRequest, pods []types.Pod) []types.Pod
}

// Scorer gives every candidate a score in [0, 1].
type Scorer interface {
	plugins.Plugin
	Score(ctx context.Context, cycleState *types.CycleState, request *types.LLMRequest, pods []types.Pod) map[types.Pod]float64
}

// Picker selects the target(s) among the scored candidates.
type Picker interface {
	plugins.Plugin
	Pick(ctx context.Context, cycleState *types.CycleState, scoredPods []*types.ScoredPod) *types.ProfileRunResult
}

// ProfileHandler decides, round by round, which profiles run for a request, and which profile's
// result routes it once they have run.
type ProfileHandler interface {
	plugins.Plugin
	// Pick returns the profiles to run next; an empty map ends the rounds.
	Pick(ctx context.Context, cycleState *types.CycleState, request *types.LLMRequest, profiles map[string]*SchedulerProfile,
		profileResults map[string]*types.ProfileRunResult) map[string]*SchedulerProfile
	// ProcessResults names the primary profile. A profile whose run failed has a nil result.
	ProcessResults(ctx context.Context, cycleState *types.CycleState, request *types.LLMRequest,
		profileResults map[string]*types.ProfileRunResult) (*types.SchedulingResult, error)
}
