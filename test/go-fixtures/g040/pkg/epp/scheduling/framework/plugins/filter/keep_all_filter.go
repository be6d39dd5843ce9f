// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package filter

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// KeepAllFilterName is the filter's plugin name.
const KeepAllFilterName = "keep-all-filter"

var _ framework.Filter = &KeepAllFilter{}

// KeepAllFilter lets every pod through.
type KeepAllFilter struct{}

// NewKeepAllFilter returns the filter.
func NewKeepAllFilter() *KeepAllFilter {
	return &KeepAllFilter{}
}

// Name returns the plugin name.
func (f *KeepAllFilter) Name() string {
	return KeepAllFilterName
}

// Filter returns the pods unchanged.
func (f *KeepAllFilter) Filter(_ context.Context, _ *types.LLMRequest, _ *types.CycleState, pods []types.Pod) []types.Pod {
	return pods
}
