// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

// Package scheduling runs the configured scheduler profiles for a request.
package scheduling

import (
	"context"
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	logutil "github.com/llm-d/llm-d-router/pkg/common/observability/logging"
	framework "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/scheduling"
	"github.com/llm-d/llm-d-router/pkg/epp/metrics"
)

// Extension point names used in plugin latency metrics.
const (
	profilePickerExtensionPoint          = "ProfilePicker"
	filterExtensionPoint                 = "Filter"
	scorerExtensionPoint                 = "Scorer"
	pickerExtensionPoint                 = "Picker"
	processProfilesResultsExtensionPoint = "ProcessProfilesResults"
)

// SchedulerConfig holds the profile handler and the profiles it chooses from.
type SchedulerConfig struct {
	profileHandler framework.ProfileHandler
	profiles       map[string]framework.SchedulerProfile
}

// NewSchedulerConfig pairs a profile handler with its profiles.
func NewSchedulerConfig(profileHandler framework.ProfileHandler, profiles map[string]framework.SchedulerProfile) *SchedulerConfig {
	return &SchedulerConfig{profileHandler: profileHandler, profiles: profiles}
}

// NewSchedulerWithConfig returns a scheduler for the given configuration.
func NewSchedulerWithConfig(config *SchedulerConfig) *Scheduler {
	return &Scheduler{profileHandler: config.profileHandler, profiles: config.profiles}
}

// Scheduler picks target endpoints for requests.
type Scheduler struct {
	profileHandler framework.ProfileHandler
	profiles       map[string]framework.SchedulerProfile
}

// Schedule asks the profile handler, round after round, which profiles to run, runs them against
// the candidates, and lets the handler turn their results into the scheduling result.
func (s *Scheduler) Schedule(ctx context.Context, request *framework.InferenceRequest, candidateEndpoints []framework.Endpoint) (result *framework.SchedulingResult, err error) {
	loggerVerbose := log.FromContext(ctx).V(logutil.VERBOSE)

	scheduleStart := time.Now()
	defer func() {
		metrics.RecordSchedulerE2ELatency(time.Since(scheduleStart))
		metrics.RecordSchedulerAttempt(err, request.TargetModel, result)
	}()

	profileRunResults := map[string]*framework.ProfileRunResult{}
	cycleState := framework.NewCycleState()

	for { // each round asks the handler again, knowing the results so far
		loggerVerbose.Info("Running profile handler, Pick profiles", "plugin", s.profileHandler.TypedName())
		before := time.Now()
		profiles := s.profileHandler.Pick(ctx, cycleState, request, s.profiles, profileRunResults)
		metrics.RecordPluginProcessingLatency(profilePickerExtensionPoint, s.profileHandler.TypedName().Type, s.profileHandler.TypedName().Name, time.Since(before))
		loggerVerbose.Info("Completed running profile handler Pick profiles successfully", "plugin", s.profileHandler.TypedName(), "result", profiles)
		if len(profiles) == 0 { // nothing more to run
			break
		}

		for name, profile := range profiles {
			loggerVerbose.Info("Running scheduler profile", "profile", name)
			profileRunResult, err := profile.Run(ctx, request, cycleState, candidateEndpoints)
			if err != nil {
				loggerVerbose.Info("failed to run scheduler profile", "profile", name, "error", err.Error())
			} else {
				loggerVerbose.Info("Completed running scheduler profile succuessfully", "profile", name)
			}

			profileRunResults[name] = profileRunResult // nil when the run failed
		}
	}

	if len(profileRunResults) == 0 {
		err = fmt.Errorf("failed to run any scheduler profile for request %s", request.RequestID)
		return nil, err
	}

	loggerVerbose.Info("Running profile handler, ProcessResults", "plugin", s.profileHandler.TypedName())
	before := time.Now()
	result, err = s.profileHandler.ProcessResults(ctx, cycleState, request, profileRunResults)
	metrics.RecordPluginProcessingLatency(processProfilesResultsExtensionPoint, s.profileHandler.TypedName().Type, s.profileHandler.TypedName().Name, time.Since(before))
	loggerVerbose.Info("Completed running profile handler ProcessResults successfully", "plugin", s.profileHandler.TypedName())

	return result, err
}
