// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package profile holds profile handlers.
package profile

import (
	"context"
	"errors"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// SingleProfileHandlerType is the type name of the handler for setups with exactly one profile.
const SingleProfileHandlerType = "single-profile-handler"

// SingleProfileHandler runs the one configured profile once, and makes it the primary one.
type SingleProfileHandler struct {
	typedName plugins.TypedName
}

// NewSingleProfileHandler returns the handler under its type name.
func NewSingleProfileHandler() *SingleProfileHandler {
	return &SingleProfileHandler{typedName: plugins.TypedName{Type: SingleProfileHandlerType, Name: SingleProfileHandlerType}}
}

// TypedName returns the handler's type and name.
func (h *SingleProfileHandler) TypedName() plugins.TypedName { return h.typedName }

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
	if len(profileResults) != 1 {
		return nil, errors.New("single profile handler is intended to be used with a single profile configuration")
	}
	primaryProfileName := ""
	for name := range profileResults {
		primaryProfileName = name
	}
	if profileResults[primaryProfileName] == nil {
		return nil, errors.New("failed to run scheduler profile '" + primaryProfileName + "'")
	}
	return &types.SchedulingResult{ProfileResults: profileResults, PrimaryProfileName: primaryProfileName}, nil
}
