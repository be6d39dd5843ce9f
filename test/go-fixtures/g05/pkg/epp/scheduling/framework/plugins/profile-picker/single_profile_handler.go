// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

// Package profilepicker holds profile handlers.
package profilepicker

import (
	"context"
	"errors"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// SingleProfileHandler runs the one configured profile once, and makes it the primary one.
type SingleProfileHandler struct {
	tn plugins.TypedName
}

// NewSingleProfileHandler returns the handler under its type name.
func NewSingleProfileHandler() *SingleProfileHandler {
	return &SingleProfileHandler{tn: plugins.TypedName{Type: "single-profile", Name: "single-profile"}}
}

// TypedName returns the handler's type and name.
func (h *SingleProfileHandler) TypedName() plugins.TypedName { return h.tn }

// Pick runs every profile in the first round, and none after.
func (h *SingleProfileHandler) Pick(_ context.Context, _ *types.CycleState, _ *types.LLMRequest, profiles map[string]*framework.SchedulerProfile,
	profileResults map[string]*types.ProfileRunResult) map[string]*framework.SchedulerProfile {
	if len(profiles) == len(profileResults) {
		return map[string]*framework.SchedulerProfile{}
	}
	return profiles
}

// ProcessResults makes the single profile primary; its failure fails the request.
func (h *SingleProfileHandler) ProcessResults(_ context.Context, _ *types.CycleState, _ *types.LLMRequest,
	profileResults map[string]*types.ProfileRunResult) (*types.SchedulingResult, error) {
	for name, result := range profileResults {
		if result == nil {
			return nil, errors.New("failed to run scheduler profile '" + name + "'")
		}
		return &types.SchedulingResult{ProfileResults: profileResults, PrimaryProfileName: name}, nil
	}
	return nil, errors.New("no profile ran")
}
