// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package scheduling defines the scheduler's request, endpoint and result types.
package scheduling

import (
	"fmt"

	fwkdl "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/datalayer"
)

// LLMRequest is the scheduler's view of one inference request.
type LLMRequest struct {
	// RequestId is the value of the request id header.
	RequestId string
	// TargetModel is the model the request will be served with.
	TargetModel string
	// Body is the parsed request body.
	Body *LLMRequestBody
	// Headers are the request headers.
	Headers map[string]string
}

// PayloadMap is a JSON body decoded into a map.
type PayloadMap map[string]any

// LLMRequestBody holds the decoded body.
type LLMRequestBody struct {
	Payload PayloadMap
	Stream  bool
}

// Endpoint is what filters, scorers and pickers work on.
type Endpoint interface {
	GetMetadata() *fwkdl.EndpointMetadata
	GetMetrics() *fwkdl.Metrics
	String() string
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
