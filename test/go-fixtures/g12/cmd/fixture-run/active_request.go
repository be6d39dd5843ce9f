// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package main

import (
	"context"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/requestcontrol"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// ActiveRequestType is the type of the (llm-d owned) active-request scorer.
const ActiveRequestType = "active-request-scorer"

var (
	_ framework.Scorer          = &ActiveRequest{}
	_ requestcontrol.PreRequest = &ActiveRequest{}
)

// ActiveRequest scores 1/(1+n), n being the number of requests already sent to
// the endpoint. The count is fed by its PreRequest hook.
type ActiveRequest struct {
	typedName plugins.TypedName
	mu        sync.Mutex
	counts    map[string]int
}

type requestEntry struct {
	RequestID string `json:"requestID"`
	Endpoint  string `json:"endpoint"`
}

// NewActiveRequest returns the scorer named after its type.
func NewActiveRequest() *ActiveRequest {
	return &ActiveRequest{
		typedName: plugins.TypedName{Type: ActiveRequestType, Name: ActiveRequestType},
		counts:    map[string]int{},
	}
}

func (s *ActiveRequest) TypedName() plugins.TypedName { return s.typedName }

// Score implements framework.Scorer.
func (s *ActiveRequest) Score(ctx context.Context, _ *types.CycleState, _ *types.LLMRequest, pods []types.Pod) map[types.Pod]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	scores := make(map[types.Pod]float64, len(pods))
	for _, pod := range pods {
		n := s.counts[pod.GetPod().NamespacedName.String()]
		scores[pod] = 1.0 / float64(1+n)
	}
	log.FromContext(ctx).V(logutil.DEBUG).Info("Scored pods", "scores", scores)
	return scores
}

// PreRequest implements requestcontrol.PreRequest: it counts the request against its primary target.
func (s *ActiveRequest) PreRequest(ctx context.Context, request *types.LLMRequest, schedulingResult *types.SchedulingResult) {
	if schedulingResult == nil {
		return
	}
	primary := schedulingResult.ProfileResults[schedulingResult.PrimaryProfileName]
	if primary == nil || len(primary.TargetPods) == 0 {
		log.FromContext(ctx).V(logutil.DEBUG).Info("Skipping active request accounting because targetPod is nil")
		return
	}
	key := primary.TargetPods[0].GetPod().NamespacedName.String()
	s.mu.Lock()
	s.counts[key]++
	s.mu.Unlock()
	log.FromContext(ctx).V(logutil.DEBUG).Info("Added request to cache", "requestEntry", requestEntry{RequestID: request.RequestId, Endpoint: key})
}
