// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

package scheduling

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	errcommmon "sigs.k8s.io/gateway-api-inference-extension/pkg/common/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/common/observability/logging"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/plugin"
	fwksched "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/scheduling"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
)

// NewSchedulerProfile returns an empty profile; the picker is set later.
func NewSchedulerProfile() *SchedulerProfile {
	return &SchedulerProfile{
		filters: []fwksched.Filter{},
		scorers: []*WeightedScorer{},
	}
}

// SchedulerProfile is one filter -> scorer -> picker pipeline.
type SchedulerProfile struct {
	filters []fwksched.Filter
	scorers []*WeightedScorer
	picker  fwksched.Picker
}

// WithFilters replaces the profile's filters.
func (p *SchedulerProfile) WithFilters(filters ...fwksched.Filter) *SchedulerProfile {
	p.filters = filters
	return p
}

// WithScorers replaces the profile's weighted scorers.
func (p *SchedulerProfile) WithScorers(scorers ...*WeightedScorer) *SchedulerProfile {
	p.scorers = scorers
	return p
}

// WithPicker replaces the profile's picker.
func (p *SchedulerProfile) WithPicker(picker fwksched.Picker) *SchedulerProfile {
	p.picker = picker
	return p
}

// AddPlugins registers each plugin under every extension point it implements.
// Scorers must come wrapped in a WeightedScorer.
func (p *SchedulerProfile) AddPlugins(pluginObjects ...plugin.Plugin) error {
	for _, plugin := range pluginObjects {
		if weighted, ok := plugin.(*WeightedScorer); ok {
			p.scorers = append(p.scorers, weighted)
			plugin = weighted.Scorer
		} else if scorer, ok := plugin.(fwksched.Scorer); ok {
			return fmt.Errorf("scorer '%s' needs a weight; wrap it with NewWeightedScorer", scorer.TypedName())
		}
		if filter, ok := plugin.(fwksched.Filter); ok {
			p.filters = append(p.filters, filter)
		}
		if picker, ok := plugin.(fwksched.Picker); ok {
			if p.picker != nil {
				return fmt.Errorf("cannot add picker '%s': picker '%s' is already set", picker.TypedName(), p.picker.TypedName())
			}
			p.picker = picker
		}
	}
	return nil
}

func (p *SchedulerProfile) String() string {
	filterNames := make([]string, len(p.filters))
	for i, filter := range p.filters {
		filterNames[i] = filter.TypedName().String()
	}
	scorerNames := make([]string, len(p.scorers))
	for i, scorer := range p.scorers {
		scorerNames[i] = fmt.Sprintf("%s: %f", scorer.TypedName(), scorer.Weight())
	}
	return fmt.Sprintf("{Filters: [%s], Scorers: [%s], Picker: %s}",
		strings.Join(filterNames, ", "), strings.Join(scorerNames, ", "), p.picker.TypedName())
}

// Run filters the candidates, scores what is left and lets the picker choose.
func (p *SchedulerProfile) Run(ctx context.Context, request *fwksched.LLMRequest, cycleState *fwksched.CycleState, candidateEndpoints []fwksched.Endpoint) (*fwksched.ProfileRunResult, error) {
	endpoints := p.runFilterPlugins(ctx, request, cycleState, candidateEndpoints)
	if len(endpoints) == 0 {
		return nil, errcommmon.Error{Code: errcommmon.Internal, Msg: "no endpoints available for the given request"}
	}
	// at least one endpoint survived the filters
	weightedScorePerEndpoint := p.runScorerPlugins(ctx, request, cycleState, endpoints)

	result := p.runPickerPlugin(ctx, cycleState, weightedScorePerEndpoint)

	return result, nil
}

func (p *SchedulerProfile) runFilterPlugins(ctx context.Context, request *fwksched.LLMRequest, cycleState *fwksched.CycleState, endpoints []fwksched.Endpoint) []fwksched.Endpoint {
	logger := log.FromContext(ctx)
	filteredEndpoints := endpoints
	logger.V(logutil.DEBUG).Info("Before running filter plugins", "endpoints", filteredEndpoints)

	for _, filter := range p.filters {
		logger.V(logutil.VERBOSE).Info("Running filter plugin", "plugin", filter.TypedName())
		before := time.Now()
		filteredEndpoints = filter.Filter(ctx, cycleState, request, filteredEndpoints)
		metrics.RecordPluginProcessingLatency(filterExtensionPoint, filter.TypedName().Type, filter.TypedName().Name, time.Since(before))
		logger.V(logutil.DEBUG).Info("Completed running filter plugin successfully", "plugin", filter.TypedName(), "endpoints", filteredEndpoints)
		if len(filteredEndpoints) == 0 {
			logger.V(logutil.VERBOSE).Info("Filter eliminated all endpoints", "plugin", filter.TypedName(), "endpointsBefore", len(endpoints))
			break
		}
	}
	logger.V(logutil.VERBOSE).Info("Completed running filter plugins", "remainingEndpoints", len(filteredEndpoints))

	return filteredEndpoints
}

func (p *SchedulerProfile) runScorerPlugins(ctx context.Context, request *fwksched.LLMRequest, cycleState *fwksched.CycleState, endpoints []fwksched.Endpoint) map[fwksched.Endpoint]float64 {
	logger := log.FromContext(ctx)
	logger.V(logutil.DEBUG).Info("Before running scorer plugins", "endpoints", endpoints)

	weightedScorePerEndpoint := make(map[fwksched.Endpoint]float64, len(endpoints))
	for _, endpoint := range endpoints {
		weightedScorePerEndpoint[endpoint] = float64(0) // every candidate starts at zero
	}
	// each scorer adds its clamped score times its weight
	for _, scorer := range p.scorers {
		logger.V(logutil.VERBOSE).Info("Running scorer plugin", "plugin", scorer.TypedName())
		before := time.Now()
		scores := scorer.Score(ctx, cycleState, request, endpoints)
		metrics.RecordPluginProcessingLatency(scorerExtensionPoint, scorer.TypedName().Type, scorer.TypedName().Name, time.Since(before))
		for endpoint, score := range scores {
			logger.V(logutil.DEBUG).Info("Calculated score", "plugin", scorer.TypedName(), "endpoint", endpoint.GetMetadata().NamespacedName, "score", score)
			weightedScorePerEndpoint[endpoint] += enforceScoreRange(score) * scorer.Weight()
		}
		logger.V(logutil.DEBUG).Info("Completed running scorer plugin successfully", "plugin", scorer.TypedName())
	}
	logger.V(logutil.VERBOSE).Info("Completed running scorer plugins successfully")

	return weightedScorePerEndpoint
}

func (p *SchedulerProfile) runPickerPlugin(ctx context.Context, cycleState *fwksched.CycleState, weightedScorePerEndpoint map[fwksched.Endpoint]float64) *fwksched.ProfileRunResult {
	logger := log.FromContext(ctx)
	scoredEndpoints := make([]*fwksched.ScoredEndpoint, len(weightedScorePerEndpoint))
	i := 0
	for endpoint, score := range weightedScorePerEndpoint {
		scoredEndpoints[i] = &fwksched.ScoredEndpoint{Endpoint: endpoint, Score: score}
		i++
	}
	logger.V(logutil.VERBOSE).Info("Running picker plugin", "plugin", p.picker.TypedName())
	logger.V(logutil.DEBUG).Info("Candidate pods for picking", "endpoints-weighted-score", scoredEndpoints)
	before := time.Now()
	result := p.picker.Pick(ctx, cycleState, scoredEndpoints)
	metrics.RecordPluginProcessingLatency(pickerExtensionPoint, p.picker.TypedName().Type, p.picker.TypedName().Name, time.Since(before))
	logger.V(logutil.DEBUG).Info("Completed running picker plugin successfully", "plugin", p.picker.TypedName(), "result", result)

	return result
}

// enforceScoreRange clamps a raw score to [0, 1].
func enforceScoreRange(score float64) float64 {
	if score < 0 {
		return 0
	}
	if score > 1 {
		return 1
	}
	return score
}
