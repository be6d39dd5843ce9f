// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

package scheduling

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/plugin"
)

// Filter removes endpoints that cannot serve the request.
type Filter interface {
	plugin.Plugin
	Filter(ctx context.Context, cycleState *CycleState, request *LLMRequest, endpoints []Endpoint) []Endpoint
}

// Scorer scores endpoints in [0, 1].
type Scorer interface {
	plugin.Plugin
	Score(ctx context.Context, cycleState *CycleState, request *LLMRequest, endpoints []Endpoint) map[Endpoint]float64
}

// Picker selects the target endpoint(s) from the scored candidates.
type Picker interface {
	plugin.Plugin
	Pick(ctx context.Context, cycleState *CycleState, scoredEndpoints []*ScoredEndpoint) *ProfileRunResult
}
