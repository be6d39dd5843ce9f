// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package scheduling

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// NewSchedulerWithConfig returns a scheduler that runs every given profile; primaryProfileName
// names the profile whose result decides the destination.
func NewSchedulerWithConfig(profiles map[string]*framework.SchedulerProfile, primaryProfileName string) *Scheduler {
	return &Scheduler{profiles: profiles, primaryProfileName: primaryProfileName}
}

// Scheduler runs the scheduler profiles for a request.
type Scheduler struct {
	profiles           map[string]*framework.SchedulerProfile
	primaryProfileName string
}

// Schedule finds the target pods for the request among the candidate pods.
func (s *Scheduler) Schedule(ctx context.Context, request *types.LLMRequest, candidatePods []types.Pod) (*types.SchedulingResult, error) {
	logger := log.FromContext(ctx).WithValues("request", request)
	loggerDebug := logger.V(logutil.DEBUG)

	cycleState := types.NewCycleState()
	profileRunResults := map[string]*types.ProfileRunResult{}
	for name, profile := range s.profiles {
		loggerDebug.Info("Running scheduler profile", "name", name)
		profileRunResult, err := profile.Run(ctx, request, cycleState, candidatePods)
		if err != nil {
			loggerDebug.Info("failed to run scheduler profile", "profile", name, "error", err.Error())
			continue
		}
		profileRunResults[name] = profileRunResult
	}

	if _, ok := profileRunResults[s.primaryProfileName]; !ok {
		return nil, errutil.Error{Code: errutil.InferencePoolResourceExhausted, Msg: "failed to run the primary scheduler profile"}
	}
	return &types.SchedulingResult{ProfileResults: profileRunResults, PrimaryProfileName: s.primaryProfileName}, nil
}
