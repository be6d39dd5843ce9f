// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

// Package scheduling runs the scheduler profiles for a request.
package scheduling

import (
	"context"
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// SchedulerConfig holds the profile handler and the profiles it chooses from.
type SchedulerConfig struct {
	profileHandler framework.ProfileHandler
	profiles       map[string]*framework.SchedulerProfile
}

// NewSchedulerConfig pairs a profile handler with its profiles.
func NewSchedulerConfig(profileHandler framework.ProfileHandler, profiles map[string]*framework.SchedulerProfile) *SchedulerConfig {
	return &SchedulerConfig{profileHandler: profileHandler, profiles: profiles}
}

// NewSchedulerWithConfig returns a scheduler for the given configuration.
func NewSchedulerWithConfig(config *SchedulerConfig) *Scheduler {
	return &Scheduler{profileHandler: config.profileHandler, profiles: config.profiles}
}

// Scheduler runs the scheduler profiles for a request.
type Scheduler struct {
	profileHandler framework.ProfileHandler
	profiles       map[string]*framework.SchedulerProfile
}

// Schedule asks the profile handler, round after round, which profiles to run, runs them against
// the candidates, and lets the handler turn their results into the scheduling result.
func (s *Scheduler) Schedule(ctx context.Context, request *types.LLMRequest, candidatePods []types.Pod) (*types.SchedulingResult, error) {
	logger := log.FromContext(ctx).WithValues("request", request)
	loggerDebug := logger.V(logutil.DEBUG)

	scheduleStart := time.Now()
	defer func() {
		metrics.RecordSchedulerE2ELatency(time.Since(scheduleStart))
	}()

	profileRunResults := map[string]*types.ProfileRunResult{}
	cycleState := types.NewCycleState()

	for { // each round asks the handler again, knowing the results so far
		loggerDebug.Info("Running profile handler, Pick profiles", "plugin", s.profileHandler.TypedName().Type)
		before := time.Now()
		profiles := s.profileHandler.Pick(ctx, cycleState, request, s.profiles, profileRunResults)
		metrics.RecordSchedulerPluginProcessingLatency(framework.ProfilePickerType, s.profileHandler.TypedName().Type, time.Since(before))
		loggerDebug.Info("After running profile handler Pick profiles", "plugin", s.profileHandler.TypedName().Type, "result", profiles)
		if len(profiles) == 0 { // nothing more to run
			break
		}

		for name, profile := range profiles {
			loggerDebug.Info("Running scheduler profile", "name", name)
			profileRunResult, err := profile.Run(ctx, request, cycleState, candidatePods)
			if err != nil {
				loggerDebug.Info("failed to run scheduler profile", "profile", name, "error", err.Error())
			} else {
				loggerDebug.Info("After running scheduler profile succuessfully", "name", name)
			}

			profileRunResults[name] = profileRunResult // nil when the run failed
		}
	}

	if len(profileRunResults) == 0 {
		return nil, fmt.Errorf("failed to run any scheduler profile for the request - %s", request)
	}

	loggerDebug.Info("Running profile handler, ProcessResults", "plugin", s.profileHandler.TypedName().Type)
	before := time.Now()
	result, err := s.profileHandler.ProcessResults(ctx, cycleState, request, profileRunResults)
	metrics.RecordSchedulerPluginProcessingLatency(framework.ProcessProfilesResultsType, s.profileHandler.TypedName().Type, time.Since(before))
	loggerDebug.Info("After running profile handler ProcessResults", "plugin", s.profileHandler.TypedName().Type)

	return result, err
}
