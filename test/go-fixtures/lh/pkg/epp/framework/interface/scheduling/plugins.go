// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

package scheduling

import (
	"context"

	"github.com/llm-d/llm-d-router/pkg/epp/framework/interface/plugin"
)

// Filter removes endpoints that cannot serve the request.
type Filter interface {
	plugin.Plugin
	Filter(ctx context.Context, cycleState *CycleState, request *InferenceRequest, endpoints []Endpoint) []Endpoint
}

// Scorer scores endpoints in [0, 1].
type Scorer interface {
	plugin.Plugin
	Score(ctx context.Context, cycleState *CycleState, request *InferenceRequest, endpoints []Endpoint) map[Endpoint]float64
}

// Picker selects the target endpoint(s) from the scored candidates.
type Picker interface {
	plugin.Plugin
	Pick(ctx context.Context, cycleState *CycleState, scoredEndpoints []*ScoredEndpoint) *ProfileRunResult
}

// SchedulerProfile runs one profile's filters, scorers and picker.
type SchedulerProfile interface {
	Run(ctx context.Context, request *InferenceRequest, cycleState *CycleState, candidateEndpoints []Endpoint) (*ProfileRunResult, error)
}

// ProfileHandler decides, round by round, which profiles run for a request, and which profile's
// result routes it once they have run.
type ProfileHandler interface {
	plugin.Plugin
	// Pick returns the profiles to run next; an empty map ends the rounds.
	Pick(ctx context.Context, cycleState *CycleState, request *InferenceRequest, profiles map[string]SchedulerProfile,
		profileResults map[string]*ProfileRunResult) map[string]SchedulerProfile
	// ProcessResults names the primary profile. A profile whose run failed has a nil result.
	ProcessResults(ctx context.Context, cycleState *CycleState, request *InferenceRequest,
		profileResults map[string]*ProfileRunResult) (*SchedulingResult, error)
}
