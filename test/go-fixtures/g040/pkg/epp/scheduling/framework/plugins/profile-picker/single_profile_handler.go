// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

// Package profilepicker holds profile handlers.
package profilepicker

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// SingleProfileHandler runs every profile once, in the first round, and makes the first one primary.
type SingleProfileHandler struct{}

// NewSingleProfileHandler returns the handler.
func NewSingleProfileHandler() *SingleProfileHandler { return &SingleProfileHandler{} }

// Name returns the handler's name.
func (h *SingleProfileHandler) Name() string { return "single-profile" }

// Pick runs every profile in the first round, and none after.
func (h *SingleProfileHandler) Pick(_ context.Context, _ *types.LLMRequest, profiles map[string]*framework.SchedulerProfile, profileResults map[string]*types.ProfileRunResult) map[string]*framework.SchedulerProfile {
	if len(profiles) == len(profileResults) {
		return map[string]*framework.SchedulerProfile{}
	}
	return profiles
}

// ProcessResults makes the (only) profile primary.
func (h *SingleProfileHandler) ProcessResults(_ context.Context, _ *types.LLMRequest, profileResults map[string]*types.ProfileRunResult) *types.SchedulingResult {
	primaryProfileName := ""
	for name := range profileResults {
		primaryProfileName = name
	}
	return &types.SchedulingResult{ProfileResults: profileResults, PrimaryProfileName: primaryProfileName}
}
