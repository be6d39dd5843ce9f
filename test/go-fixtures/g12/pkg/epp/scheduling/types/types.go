// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package types holds the data the scheduling framework passes between plugins.
package types

import (
	"fmt"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	backendmetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend/metrics"
)

// LLMRequest is the scheduler's view of an inference request.
type LLMRequest struct {
	// RequestId is the x-request-id of the request.
	RequestId string
	// TargetModel is the model the request is sent to after rewrites.
	TargetModel string
	// Headers are the request headers.
	Headers map[string]string
}

// Pod is a scheduling candidate.
type Pod interface {
	GetPod() *backend.Pod
	GetMetrics() *backendmetrics.MetricsState
	String() string
}

// ScoredPod is a candidate with its weighted score.
type ScoredPod struct {
	Pod
	Score float64
}

// PodMetrics is the Pod implementation built from the datastore.
type PodMetrics struct {
	*backend.Pod
	*backendmetrics.MetricsState
}

func (pm *PodMetrics) String() string {
	if pm == nil {
		return ""
	}
	return fmt.Sprintf("%+v", *pm)
}

func (pm *PodMetrics) GetPod() *backend.Pod                     { return pm.Pod }
func (pm *PodMetrics) GetMetrics() *backendmetrics.MetricsState { return pm.MetricsState }

// ToSchedulerPodMetrics converts datastore entries into scheduling candidates.
func ToSchedulerPodMetrics(pods []backendmetrics.PodMetrics) []Pod {
	res := make([]Pod, 0, len(pods))
	for _, pm := range pods {
		res = append(res, &PodMetrics{Pod: pm.GetPod(), MetricsState: pm.GetMetrics()})
	}
	return res
}

// ProfileRunResult is the outcome of running one SchedulerProfile.
type ProfileRunResult struct {
	TargetPods []Pod
}

// SchedulingResult is the outcome of a whole scheduling cycle.
type SchedulingResult struct {
	ProfileResults     map[string]*ProfileRunResult
	PrimaryProfileName string
}
