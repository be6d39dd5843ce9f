// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package types

import (
	"fmt"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
)

// LLMRequest is what the scheduler knows about one inference request.
type LLMRequest struct {
	// RequestId is the x-request-id header of the request (empty when the header is absent).
	RequestId string
	// TargetModel is the model the request is sent to after resolution.
	TargetModel string
	Prompt      string
	Headers     map[string]string
}

func (r *LLMRequest) String() string {
	return fmt.Sprintf("RequestId: %s, TargetModel: %s, PromptLength: %d, Headers: %v", r.RequestId, r.TargetModel, len(r.Prompt), r.Headers)
}

// Pod is a scheduling candidate.
type Pod interface {
	GetPod() *backend.Pod
	String() string
}

// ScoredPod is a candidate with its weighted score.
type ScoredPod struct {
	Pod
	Score float64
}

// PodMetrics is the snapshot of a pod taken for one scheduling cycle (the fixture keeps no metrics).
type PodMetrics struct {
	*backend.Pod
}

func (pm *PodMetrics) String() string {
	return fmt.Sprintf("%+v", *pm)
}

func (pm *PodMetrics) GetPod() *backend.Pod {
	return pm.Pod
}

// ToSchedulerPodMetrics wraps the datastore's pods as scheduling candidates.
func ToSchedulerPodMetrics(pods []*backend.Pod) []Pod {
	out := make([]Pod, 0, len(pods))
	for _, p := range pods {
		out = append(out, &PodMetrics{Pod: p})
	}
	return out
}

// ProfileRunResult is what one scheduler profile picked.
type ProfileRunResult struct {
	TargetPods []Pod
}

// SchedulingResult holds the results of all profiles that ran, and names the primary one.
type SchedulingResult struct {
	ProfileResults     map[string]*ProfileRunResult
	PrimaryProfileName string
}
