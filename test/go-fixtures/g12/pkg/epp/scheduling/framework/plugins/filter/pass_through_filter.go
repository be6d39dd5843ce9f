// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package filter holds scheduler filter plugins.
package filter

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// PassThroughFilterType is the plugin type of the filter that keeps every candidate.
const PassThroughFilterType = "pass-through-filter"

var _ framework.Filter = &PassThroughFilter{}

// PassThroughFilter keeps every candidate.
type PassThroughFilter struct {
	typedName plugins.TypedName
}

// NewPassThroughFilter returns the filter named after its type.
func NewPassThroughFilter() *PassThroughFilter {
	return &PassThroughFilter{typedName: plugins.TypedName{Type: PassThroughFilterType, Name: PassThroughFilterType}}
}

func (f *PassThroughFilter) TypedName() plugins.TypedName { return f.typedName }

// Filter returns the candidates unchanged.
func (f *PassThroughFilter) Filter(_ context.Context, _ *types.CycleState, _ *types.LLMRequest, pods []types.Pod) []types.Pod {
	return pods
}
