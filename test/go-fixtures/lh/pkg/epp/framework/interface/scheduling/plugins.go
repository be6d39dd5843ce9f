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
