// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package framework

import (
	"context"
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

// NewSchedulerProfile returns an empty profile; plugins are added with the With* methods or AddPlugins.
func NewSchedulerProfile() *SchedulerProfile {
	return &SchedulerProfile{
		filters:          []Filter{},
		scorers:          []*WeightedScorer{},
		postCyclePlugins: []PostCycle{},
	}
}

// SchedulerProfile is one filter -> score -> pick pipeline.
type SchedulerProfile struct {
	filters          []Filter
	scorers          []*WeightedScorer
	picker           Picker
	postCyclePlugins []PostCycle
}

// WithFilters replaces the profile's filters.
func (p *SchedulerProfile) WithFilters(filters ...Filter) *SchedulerProfile {
	p.filters = filters
	return p
}

// WithScorers replaces the profile's scorers.
func (p *SchedulerProfile) WithScorers(scorers ...*WeightedScorer) *SchedulerProfile {
	p.scorers = scorers
	return p
}

// WithPicker replaces the profile's picker.
func (p *SchedulerProfile) WithPicker(picker Picker) *SchedulerProfile {
	p.picker = picker
	return p
}

// WithPostCyclePlugins replaces the profile's post-cycle plugins.
func (p *SchedulerProfile) WithPostCyclePlugins(plugins ...PostCycle) *SchedulerProfile {
	p.postCyclePlugins = plugins
	return p
}

// AddPlugins registers each plugin under every extension point it implements.
// Scorers must be passed wrapped in a WeightedScorer.
func (p *SchedulerProfile) AddPlugins(pluginObjects ...plugins.Plugin) error {
	for _, plugin := range pluginObjects {
		if ws, ok := plugin.(*WeightedScorer); ok {
			p.scorers = append(p.scorers, ws)
			plugin = ws.Scorer
		} else if s, ok := plugin.(Scorer); ok {
			return fmt.Errorf("scorer '%s' was given without a weight", s.Name())
		}
		if f, ok := plugin.(Filter); ok {
			p.filters = append(p.filters, f)
		}
		if pk, ok := plugin.(Picker); ok {
			if p.picker != nil {
				return fmt.Errorf("cannot use '%s' as picker, '%s' is already registered", pk.Name(), p.picker.Name())
			}
			p.picker = pk
		}
		if pc, ok := plugin.(PostCycle); ok {
			p.postCyclePlugins = append(p.postCyclePlugins, pc)
		}
	}
	return nil
}

// Run runs the profile's filters, then its scorers, then its picker, and finally the post-cycle plugins.
func (p *SchedulerProfile) Run(ctx context.Context, request *types.LLMRequest, cycleState *types.CycleState, podsSnapshot []types.Pod) (*types.ProfileRunResult, error) {
	pods := p.runFilterPlugins(ctx, request, cycleState, podsSnapshot)
	if len(pods) == 0 {
		return nil, errutil.Error{Code: errutil.Internal, Msg: "no pods available for the given request"}
	}
	// at least one pod survived the filters
	weightedScorePerPod := p.runScorerPlugins(ctx, request, cycleState, pods)

	result := p.runPickerPlugin(ctx, cycleState, weightedScorePerPod)

	p.runPostCyclePlugins(ctx, cycleState, result)

	return result, nil
}

func (p *SchedulerProfile) runFilterPlugins(ctx context.Context, request *types.LLMRequest, cycleState *types.CycleState, pods []types.Pod) []types.Pod {
	loggerDebug := log.FromContext(ctx).V(logutil.DEBUG)
	filteredPods := pods
	loggerDebug.Info("Before running filter plugins", "pods", filteredPods)

	for _, filter := range p.filters {
		loggerDebug.Info("Running filter plugin", "plugin", filter.Name())
		before := time.Now()
		filteredPods = filter.Filter(ctx, request, cycleState, filteredPods)
		metrics.RecordSchedulerPluginProcessingLatency(FilterPluginType, filter.Name(), time.Since(before))
		loggerDebug.Info("Filter plugin result", "plugin", filter.Name(), "pods", filteredPods)
		if len(filteredPods) == 0 {
			break
		}
	}
	loggerDebug.Info("After running filter plugins")

	return filteredPods
}

func (p *SchedulerProfile) runScorerPlugins(ctx context.Context, request *types.LLMRequest, cycleState *types.CycleState, pods []types.Pod) map[types.Pod]float64 {
	loggerDebug := log.FromContext(ctx).V(logutil.DEBUG)
	loggerDebug.Info("Before running scorer plugins", "pods", pods)

	weightedScorePerPod := make(map[types.Pod]float64, len(pods))
	for _, pod := range pods {
		weightedScorePerPod[pod] = float64(0) // every candidate starts at zero
	}
	// accumulate each scorer's weighted scores
	for _, scorer := range p.scorers {
		loggerDebug.Info("Running scorer", "scorer", scorer.Name())
		before := time.Now()
		scores := scorer.Score(ctx, request, cycleState, pods)
		metrics.RecordSchedulerPluginProcessingLatency(ScorerPluginType, scorer.Name(), time.Since(before))
		for pod, score := range scores { // weights only matter relative to each other
			weightedScorePerPod[pod] += score * float64(scorer.Weight())
		}
		loggerDebug.Info("After running scorer", "scorer", scorer.Name())
	}
	loggerDebug.Info("After running scorer plugins")

	return weightedScorePerPod
}

func (p *SchedulerProfile) runPickerPlugin(ctx context.Context, cycleState *types.CycleState, weightedScorePerPod map[types.Pod]float64) *types.ProfileRunResult {
	loggerDebug := log.FromContext(ctx).V(logutil.DEBUG)
	scoredPods := make([]*types.ScoredPod, len(weightedScorePerPod))
	i := 0
	for pod, score := range weightedScorePerPod {
		scoredPods[i] = &types.ScoredPod{Pod: pod, Score: score}
		i++
	}

	loggerDebug.Info("Before running picker plugin", "pods weighted score", fmt.Sprint(weightedScorePerPod))
	before := time.Now()
	result := p.picker.Pick(ctx, cycleState, scoredPods)
	metrics.RecordSchedulerPluginProcessingLatency(PickerPluginType, p.picker.Name(), time.Since(before))
	loggerDebug.Info("After running picker plugin", "result", result)

	return result
}

func (p *SchedulerProfile) runPostCyclePlugins(ctx context.Context, cycleState *types.CycleState, result *types.ProfileRunResult) {
	for _, plugin := range p.postCyclePlugins {
		log.FromContext(ctx).V(logutil.DEBUG).Info("Running post-cycle plugin", "plugin", plugin.Name())
		before := time.Now()
		plugin.PostCycle(ctx, cycleState, result)
		metrics.RecordSchedulerPluginProcessingLatency(PostCyclePluginType, plugin.Name(), time.Since(before))
	}
}
