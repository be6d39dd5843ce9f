// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package filter

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// KeepAllFilterType is the filter's plugin type.
const KeepAllFilterType = "keep-all-filter"

var _ framework.Filter = &KeepAllFilter{}

// KeepAllFilter lets every pod through.
type KeepAllFilter struct {
	typedName plugins.TypedName
}

// NewKeepAllFilter returns the filter, named after its type.
func NewKeepAllFilter() *KeepAllFilter {
	return &KeepAllFilter{typedName: plugins.TypedName{Type: KeepAllFilterType, Name: KeepAllFilterType}}
}

// TypedName returns the plugin's type and name.
func (f *KeepAllFilter) TypedName() plugins.TypedName {
	return f.typedName
}

// Filter returns the pods unchanged.
func (f *KeepAllFilter) Filter(_ context.Context, _ *types.CycleState, _ *types.LLMRequest, pods []types.Pod) []types.Pod {
	return pods
}
