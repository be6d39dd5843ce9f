// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package scheduling runs the scheduler profiles for a request.
package scheduling

import (
	"context"
	"fmt"
	"sort"
	"time"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// DefaultProfileName is the profile name used by NewScheduler.
const DefaultProfileName = "default"

// NewScheduler returns a scheduler running one profile, which is also the primary one.
func NewScheduler(profile *framework.SchedulerProfile) *Scheduler {
	return NewSchedulerWithProfiles(DefaultProfileName, map[string]*framework.SchedulerProfile{DefaultProfileName: profile})
}

// NewSchedulerWithProfiles runs every profile; the primary profile's targets become the destination.
func NewSchedulerWithProfiles(primaryProfileName string, profiles map[string]*framework.SchedulerProfile) *Scheduler {
	return &Scheduler{primaryProfileName: primaryProfileName, profiles: profiles}
}

// Scheduler picks target endpoints for requests.
type Scheduler struct {
	primaryProfileName string
	profiles           map[string]*framework.SchedulerProfile
}

// Schedule runs every profile (in name order) against the candidates.
func (s *Scheduler) Schedule(ctx context.Context, request *types.LLMRequest, candidatePods []types.Pod) (*types.SchedulingResult, error) {
	scheduleStart := time.Now()
	defer func() {
		metrics.RecordSchedulerE2ELatency(time.Since(scheduleStart))
	}()

	names := make([]string, 0, len(s.profiles))
	for name := range s.profiles {
		names = append(names, name)
	}
	sort.Strings(names)

	profileRunResults := map[string]*types.ProfileRunResult{}
	cycleState := types.NewCycleState()
	for _, name := range names {
		profile := s.profiles[name]
		profileRunResult, err := profile.Run(ctx, request, cycleState, candidatePods)
		if err != nil {
			continue // a failed profile contributes no result
		}
		profileRunResults[name] = profileRunResult
	}

	if profileRunResults[s.primaryProfileName] == nil {
		return nil, fmt.Errorf("primary profile '%s' picked no endpoint for request %s", s.primaryProfileName, request.RequestId)
	}
	return &types.SchedulingResult{ProfileResults: profileRunResults, PrimaryProfileName: s.primaryProfileName}, nil
}
