// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package framework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// NewSchedulerProfile returns an empty profile; add plugins with the With* setters or AddPlugins.
func NewSchedulerProfile() *SchedulerProfile {
	return &SchedulerProfile{
		filters: []Filter{},
		scorers: []*WeightedScorer{},
	}
}

// SchedulerProfile is one filter -> score -> pick pipeline.
type SchedulerProfile struct {
	filters []Filter
	scorers []*WeightedScorer
	picker  Picker
}

// WithFilters replaces the filters of the profile.
func (p *SchedulerProfile) WithFilters(filters ...Filter) *SchedulerProfile {
	p.filters = filters
	return p
}

// WithScorers replaces the scorers of the profile.
func (p *SchedulerProfile) WithScorers(scorers ...*WeightedScorer) *SchedulerProfile {
	p.scorers = scorers
	return p
}

// WithPicker sets the picker of the profile.
func (p *SchedulerProfile) WithPicker(picker Picker) *SchedulerProfile {
	p.picker = picker
	return p
}

// AddPlugins registers each plugin under every profile interface it implements.
// Scorers must be passed wrapped in a WeightedScorer.
func (p *SchedulerProfile) AddPlugins(pluginObjects ...plugins.Plugin) error {
	for _, plugin := range pluginObjects {
		if ws, ok := plugin.(*WeightedScorer); ok {
			p.scorers = append(p.scorers, ws)
			plugin = ws.Scorer
		} else if s, ok := plugin.(Scorer); ok {
			return fmt.Errorf("scorer '%s' needs a weight, wrap it with NewWeightedScorer", s.TypedName())
		}
		if f, ok := plugin.(Filter); ok {
			p.filters = append(p.filters, f)
		}
		if pk, ok := plugin.(Picker); ok {
			if p.picker != nil {
				return fmt.Errorf("cannot set '%s' as picker, '%s' is already set", pk.TypedName(), p.picker.TypedName())
			}
			p.picker = pk
		}
	}
	return nil
}

func (p *SchedulerProfile) String() string {
	filterNames := make([]string, 0, len(p.filters))
	for _, f := range p.filters {
		filterNames = append(filterNames, f.TypedName().String())
	}
	scorerNames := make([]string, 0, len(p.scorers))
	for _, s := range p.scorers {
		scorerNames = append(scorerNames, fmt.Sprintf("%s: %d", s.TypedName(), s.Weight()))
	}
	pickerName := ""
	if p.picker != nil {
		pickerName = p.picker.TypedName().String()
	}
	return fmt.Sprintf("{Filters: [%s], Scorers: [%s], Picker: %s}",
		strings.Join(filterNames, ", "), strings.Join(scorerNames, ", "), pickerName)
}

// Run runs the filters, then the scorers, then the picker, and returns the picked targets.
func (p *SchedulerProfile) Run(ctx context.Context, request *types.LLMRequest, cycleState *types.CycleState, candidatePods []types.Pod) (*types.ProfileRunResult, error) {
	pods := p.runFilterPlugins(ctx, request, cycleState, candidatePods)
	if len(pods) == 0 {
		return nil, errutil.Error{Code: errutil.Internal, Msg: "no pods available for the given request"}
	}
	// at least one candidate survived the filters
	weightedScorePerPod := p.runScorerPlugins(ctx, request, cycleState, pods)

	result := p.runPickerPlugin(ctx, cycleState, weightedScorePerPod)

	return result, nil
}

func (p *SchedulerProfile) runFilterPlugins(ctx context.Context, request *types.LLMRequest, cycleState *types.CycleState, pods []types.Pod) []types.Pod {
	logger := log.FromContext(ctx)
	filteredPods := pods
	logger.V(logutil.DEBUG).Info("Before running filter plugins", "pods", filteredPods)

	for _, filter := range p.filters {
		logger.V(logutil.VERBOSE).Info("Running filter plugin", "plugin", filter.TypedName())
		before := time.Now()
		filteredPods = filter.Filter(ctx, cycleState, request, filteredPods)
		metrics.RecordPluginProcessingLatency(FilterExtensionPoint, filter.TypedName().Type, filter.TypedName().Name, time.Since(before))
		logger.V(logutil.DEBUG).Info("Completed running filter plugin successfully", "plugin", filter.TypedName(), "pods", filteredPods)
		if len(filteredPods) == 0 {
			break
		}
	}
	logger.V(logutil.VERBOSE).Info("Completed running filter plugins successfully")

	return filteredPods
}

func (p *SchedulerProfile) runScorerPlugins(ctx context.Context, request *types.LLMRequest, cycleState *types.CycleState, pods []types.Pod) map[types.Pod]float64 {
	logger := log.FromContext(ctx)
	logger.V(logutil.DEBUG).Info("Before running scorer plugins", "pods", pods)

	weightedScorePerPod := make(map[types.Pod]float64, len(pods))
	for _, pod := range pods {
		weightedScorePerPod[pod] = float64(0) // every candidate starts at zero
	}
	// each scorer adds its clamped score times its weight
	for _, scorer := range p.scorers {
		logger.V(logutil.VERBOSE).Info("Running scorer plugin", "plugin", scorer.TypedName())
		before := time.Now()
		scores := scorer.Score(ctx, cycleState, request, pods)
		metrics.RecordPluginProcessingLatency(ScorerExtensionPoint, scorer.TypedName().Type, scorer.TypedName().Name, time.Since(before))
		for pod, score := range scores {
			logger.V(logutil.DEBUG).Info("Calculated score", "plugin", scorer.TypedName(), "endpoint", pod.GetPod().NamespacedName, "score", score)
			weightedScorePerPod[pod] += enforceScoreRange(score) * float64(scorer.Weight())
		}
		logger.V(logutil.DEBUG).Info("Completed running scorer plugin successfully", "plugin", scorer.TypedName())
	}
	logger.V(logutil.VERBOSE).Info("Completed running scorer plugins successfully")

	return weightedScorePerPod
}

func (p *SchedulerProfile) runPickerPlugin(ctx context.Context, cycleState *types.CycleState, weightedScorePerPod map[types.Pod]float64) *types.ProfileRunResult {
	logger := log.FromContext(ctx)
	scoredPods := make([]*types.ScoredPod, len(weightedScorePerPod))
	i := 0
	for pod, score := range weightedScorePerPod {
		scoredPods[i] = &types.ScoredPod{Pod: pod, Score: score}
		i++
	}
	logger.V(logutil.VERBOSE).Info("Running picker plugin", "plugin", p.picker.TypedName())
	logger.V(logutil.DEBUG).Info("Candidate pods for picking", "pods-weighted-score", scoredPods)
	before := time.Now()
	result := p.picker.Pick(ctx, cycleState, scoredPods)
	metrics.RecordPluginProcessingLatency(PickerExtensionPoint, p.picker.TypedName().Type, p.picker.TypedName().Name, time.Since(before))
	logger.V(logutil.DEBUG).Info("Completed running picker plugin successfully", "plugin", p.picker.TypedName(), "result", result)

	return result
}

// enforceScoreRange clamps a raw score into [0, 1].
func enforceScoreRange(score float64) float64 {
	if score < 0 {
		return 0
	}
	if score > 1 {
		return 1
	}
	return score
}
