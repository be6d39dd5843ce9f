// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package scorer holds scheduler scorer plugins.
package scorer

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// QueueScorerType is the plugin type of the queue scorer.
const QueueScorerType = "queue-scorer"

var _ framework.Scorer = &QueueScorer{}

// QueueScorer prefers endpoints with short waiting queues: the shortest queue
// scores 1, the longest 0, linear in between.
type QueueScorer struct {
	typedName plugins.TypedName
}

// NewQueueScorer returns the scorer named after its type.
func NewQueueScorer() *QueueScorer {
	return &QueueScorer{typedName: plugins.TypedName{Type: QueueScorerType, Name: QueueScorerType}}
}

func (s *QueueScorer) TypedName() plugins.TypedName { return s.typedName }

// Score maps each waiting-queue size onto [0, 1].
func (s *QueueScorer) Score(_ context.Context, _ *types.CycleState, _ *types.LLMRequest, pods []types.Pod) map[types.Pod]float64 {
	lowest, highest := -1, 0
	for _, pod := range pods {
		q := pod.GetMetrics().WaitingQueueSize
		if lowest < 0 || q < lowest {
			lowest = q
		}
		if q > highest {
			highest = q
		}
	}
	scores := make(map[types.Pod]float64, len(pods))
	for _, pod := range pods {
		if highest == lowest {
			scores[pod] = 1.0
			continue
		}
		q := pod.GetMetrics().WaitingQueueSize
		scores[pod] = float64(highest-q) / float64(highest-lowest)
	}
	return scores
}
