// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

// Package scheduling defines the scheduler's request, endpoint and result types.
package scheduling

import (
	"fmt"

	fwkdl "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/datalayer"
	fwkrh "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/requesthandling"
)

// InferenceRequest is the scheduler's view of one inference request.
type InferenceRequest struct {
	// RequestID is the value of the request id header.
	RequestID string
	// TargetModel is the model the request will be served with.
	TargetModel string
	// Body is the parsed request body.
	Body *fwkrh.InferenceRequestBody
	// Headers are the request headers.
	Headers map[string]string
}

// Endpoint is what filters, scorers and pickers work on.
type Endpoint interface {
	GetMetadata() *fwkdl.EndpointMetadata
	GetMetrics() *fwkdl.Metrics
	String() string
	Clone() Endpoint
	fwkdl.AttributeMap
}

// ScoredEndpoint is an endpoint with its weighted score.
type ScoredEndpoint struct {
	Endpoint
	Score float64
}

// ProfileRunResult is the outcome of one scheduler profile run.
type ProfileRunResult struct {
	TargetEndpoints []Endpoint
}

// SchedulingResult holds the results of all profiles that ran.
type SchedulingResult struct {
	ProfileResults     map[string]*ProfileRunResult
	PrimaryProfileName string
}

// CycleState is scratch space shared by the plugins of one scheduling cycle.
type CycleState struct {
	storage map[string]any
}

// NewCycleState returns an empty CycleState.
func NewCycleState() *CycleState {
	return &CycleState{storage: map[string]any{}}
}

type endpoint struct {
	Metadata         *fwkdl.EndpointMetadata
	Metrics          *fwkdl.Metrics
	fwkdl.Attributes `json:"-"`
}

// NewEndpoint builds a scheduler Endpoint snapshot.
func NewEndpoint(metadata *fwkdl.EndpointMetadata, metrics *fwkdl.Metrics) Endpoint {
	return &endpoint{Metadata: metadata, Metrics: metrics, Attributes: fwkdl.Attributes{}}
}

func (e *endpoint) GetMetadata() *fwkdl.EndpointMetadata { return e.Metadata }

func (e *endpoint) GetMetrics() *fwkdl.Metrics { return e.Metrics }

func (e *endpoint) String() string {
	return fmt.Sprintf("%s %+v", e.Metadata.NamespacedName, *e.Metrics)
}

func (e *endpoint) Clone() Endpoint {
	attributes := make(fwkdl.Attributes, len(e.Attributes))
	for k, v := range e.Attributes {
		attributes[k] = v.Clone()
	}
	metadata, metrics := *e.Metadata, *e.Metrics
	return &endpoint{Metadata: &metadata, Metrics: &metrics, Attributes: attributes}
}
