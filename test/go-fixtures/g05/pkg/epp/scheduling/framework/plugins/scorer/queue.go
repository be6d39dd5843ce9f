// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package scorer

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// QueueScorerType is the scorer's plugin type.
const QueueScorerType = "queue-scorer"

var _ framework.Scorer = &QueueScorer{}

// QueueScorer prefers pods with shorter waiting queues. The fixture has no metrics scraping, so the
// queue sizes are fixed per pod name; a pod with queue q scores 1 - q/maxQueue.
type QueueScorer struct {
	typedName plugins.TypedName
	queues    map[string]int
	maxQueue  int
}

// NewQueueScorer returns a scorer for the given fixed queue sizes, keyed by pod name.
func NewQueueScorer(queues map[string]int, maxQueue int) *QueueScorer {
	return &QueueScorer{typedName: plugins.TypedName{Type: QueueScorerType, Name: QueueScorerType}, queues: queues, maxQueue: maxQueue}
}

// TypedName returns the plugin's type and name.
func (s *QueueScorer) TypedName() plugins.TypedName {
	return s.typedName
}

// Score scores each pod by its waiting queue size.
func (s *QueueScorer) Score(_ context.Context, _ *types.CycleState, _ *types.LLMRequest, pods []types.Pod) map[types.Pod]float64 {
	scores := make(map[types.Pod]float64, len(pods))
	for _, pod := range pods {
		scores[pod] = 1 - float64(s.queues[pod.GetPod().NamespacedName.Name])/float64(s.maxQueue)
	}
	return scores
}
