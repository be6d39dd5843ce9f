// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

// Package scheduling runs the scheduler profiles for a request.
package scheduling

import (
	"context"
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// Datastore is what the scheduler reads the pods from.
type Datastore interface {
	PodGetAll() []*backend.Pod
}

// SchedulerConfig holds the profile handler and the profiles it chooses from.
type SchedulerConfig struct {
	profileHandler framework.ProfileHandler
	profiles       map[string]*framework.SchedulerProfile
}

// NewSchedulerConfig pairs a profile handler with its profiles.
func NewSchedulerConfig(profileHandler framework.ProfileHandler, profiles map[string]*framework.SchedulerProfile) *SchedulerConfig {
	return &SchedulerConfig{profileHandler: profileHandler, profiles: profiles}
}

// NewSchedulerWithConfig returns a scheduler reading pods from datastore.
func NewSchedulerWithConfig(datastore Datastore, config *SchedulerConfig) *Scheduler {
	return &Scheduler{datastore: datastore, profileHandler: config.profileHandler, profiles: config.profiles}
}

// Scheduler runs the scheduler profiles for a request.
type Scheduler struct {
	datastore      Datastore
	profileHandler framework.ProfileHandler
	profiles       map[string]*framework.SchedulerProfile
}

// Schedule finds the target pod for the request: the profile handler picks the profiles of each
// round until it picks none, every picked profile runs on one snapshot of the pods, and the handler
// turns the results into the scheduling result.
func (s *Scheduler) Schedule(ctx context.Context, request *types.LLMRequest) (*types.SchedulingResult, error) {
	logger := log.FromContext(ctx).WithValues("request", request)
	loggerDebug := logger.V(logutil.DEBUG)

	// One snapshot for every cycle of this request, so that all profiles see the same pods.
	podsSnapshot := types.ToSchedulerPodMetrics(s.datastore.PodGetAll())
	loggerDebug.Info(fmt.Sprintf("Scheduling a request, Metrics: %+v", podsSnapshot))

	profileRunResults := map[string]*types.ProfileRunResult{}
	cycleState := types.NewCycleState()

	for { // each round asks the handler again, knowing the results so far
		before := time.Now()
		profiles := s.profileHandler.Pick(ctx, request, s.profiles, profileRunResults)
		metrics.RecordSchedulerPluginProcessingLatency(framework.ProfilePickerType, s.profileHandler.Name(), time.Since(before))
		if len(profiles) == 0 { // nothing more to run
			break
		}

		for name, profile := range profiles {
			profileRunResult, err := profile.Run(ctx, request, cycleState, podsSnapshot)
			if err != nil {
				return nil, fmt.Errorf("failed to run all required scheduling profiles - %w", err)
			}

			profileRunResults[name] = profileRunResult
		}
	}

	if len(profileRunResults) == 0 {
		return nil, fmt.Errorf("failed to run any SchedulingProfile for the request - %s", request)
	}

	before := time.Now()
	result := s.profileHandler.ProcessResults(ctx, request, profileRunResults)
	metrics.RecordSchedulerPluginProcessingLatency(framework.ProcessProfilesResultsType, s.profileHandler.Name(), time.Since(before))

	return result, nil
}
