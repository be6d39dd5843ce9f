// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package metrics pairs an endpoint with its scraped metrics.
package metrics

import (
	"fmt"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/datalayer"
)

// MetricsState is the metrics snapshot of one endpoint.
type MetricsState = datalayer.Metrics

// PodMetrics is what the datastore keeps per endpoint.
type PodMetrics interface {
	GetPod() *backend.Pod
	GetMetrics() *MetricsState
	String() string
}

// StaticPodMetrics is a PodMetrics whose metrics never change (no scraping in the fixture).
type StaticPodMetrics struct {
	Pod     *backend.Pod
	Metrics *MetricsState
}

// NewStaticPodMetrics returns a PodMetrics for a fixed pod and metrics snapshot.
func NewStaticPodMetrics(pod *backend.Pod, m *MetricsState) *StaticPodMetrics {
	return &StaticPodMetrics{Pod: pod, Metrics: m}
}

func (f *StaticPodMetrics) GetPod() *backend.Pod      { return f.Pod }
func (f *StaticPodMetrics) GetMetrics() *MetricsState { return f.Metrics }
func (f *StaticPodMetrics) String() string {
	return fmt.Sprintf("Pod: %v; Metrics: %v", f.Pod, f.Metrics)
}
