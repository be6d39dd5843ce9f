// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package scorer

import (
	"context"
	"sync"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// ActiveRequestScorerType is the scorer's plugin type.
const ActiveRequestScorerType = "active-request-scorer"

var (
	_ framework.Scorer    = &ActiveRequestScorer{}
	_ framework.PostCycle = &ActiveRequestScorer{}
)

// ActiveRequestScorer prefers pods that were sent fewer requests: a pod that was already picked n
// times scores 1/(1+n). It learns about picks as a post-cycle plugin.
type ActiveRequestScorer struct {
	typedName plugins.TypedName
	mu        sync.Mutex
	counts    map[string]int
}

// NewActiveRequestScorer returns a scorer with no requests counted.
func NewActiveRequestScorer() *ActiveRequestScorer {
	return &ActiveRequestScorer{
		typedName: plugins.TypedName{Type: ActiveRequestScorerType, Name: ActiveRequestScorerType},
		counts:    map[string]int{},
	}
}

// TypedName returns the plugin's type and name.
func (s *ActiveRequestScorer) TypedName() plugins.TypedName {
	return s.typedName
}

// Score scores each pod by the number of requests already sent to it.
func (s *ActiveRequestScorer) Score(_ context.Context, _ *types.CycleState, _ *types.LLMRequest, pods []types.Pod) map[types.Pod]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	scores := make(map[types.Pod]float64, len(pods))
	for _, pod := range pods {
		n := s.counts[pod.GetPod().NamespacedName.String()]
		scores[pod] = 1 / (1 + float64(n))
	}
	return scores
}

// PostCycle counts the request against the picked pods.
func (s *ActiveRequestScorer) PostCycle(_ context.Context, _ *types.CycleState, res *types.ProfileRunResult) {
	if res == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pod := range res.TargetPods {
		s.counts[pod.GetPod().NamespacedName.String()]++
	}
}
