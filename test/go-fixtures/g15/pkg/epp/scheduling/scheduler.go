// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package scheduling runs the configured scheduler profiles for a request.
package scheduling

import (
	"context"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	errcommon "sigs.k8s.io/gateway-api-inference-extension/pkg/common/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/common/observability/logging"
	fwksched "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/scheduling"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
)

// Extension point names used in plugin latency metrics.
const (
	filterExtensionPoint = "Filter"
	scorerExtensionPoint = "Scorer"
	pickerExtensionPoint = "Picker"
)

// SchedulerConfig lists the profiles and the one whose result routes the request.
type SchedulerConfig struct {
	Profiles           map[string]*SchedulerProfile
	PrimaryProfileName string
}

// NewSchedulerWithConfig returns a scheduler running the given profiles.
func NewSchedulerWithConfig(config *SchedulerConfig) *Scheduler {
	return &Scheduler{profiles: config.Profiles, primaryProfileName: config.PrimaryProfileName}
}

// Scheduler runs every profile once per request.
type Scheduler struct {
	profiles           map[string]*SchedulerProfile
	primaryProfileName string
}

// Schedule finds the target endpoint(s) for request among candidateEndpoints.
func (s *Scheduler) Schedule(ctx context.Context, request *fwksched.LLMRequest, candidateEndpoints []fwksched.Endpoint) (*fwksched.SchedulingResult, error) {
	loggerVerbose := log.FromContext(ctx).V(logutil.VERBOSE)

	scheduleStart := time.Now()
	defer func() {
		metrics.RecordSchedulerE2ELatency(time.Since(scheduleStart))
	}()

	cycleState := fwksched.NewCycleState()
	profileRunResults := map[string]*fwksched.ProfileRunResult{}
	for name, profile := range s.profiles {
		loggerVerbose.Info("Running scheduler profile", "profile", name)
		profileRunResult, err := profile.Run(ctx, request, cycleState, candidateEndpoints)
		if err != nil {
			loggerVerbose.Info("failed to run scheduler profile", "profile", name, "error", err.Error())
			continue
		}
		loggerVerbose.Info("Completed running scheduler profile succuessfully", "profile", name)
		profileRunResults[name] = profileRunResult
	}

	if _, ok := profileRunResults[s.primaryProfileName]; !ok {
		return nil, errcommon.Error{Code: errcommon.Internal, Msg: "primary profile produced no result"}
	}
	return &fwksched.SchedulingResult{ProfileResults: profileRunResults, PrimaryProfileName: s.primaryProfileName}, nil
}
