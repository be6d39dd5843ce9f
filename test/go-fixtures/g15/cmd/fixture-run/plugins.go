// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

package main

import (
	"context"
	"errors"
	"net"
	"sort"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/plugin"
	fwksched "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/scheduling"
)

// activeCounts counts the requests already sent to each "ip:port"; requests
// run one after the other, so no locking is needed.
type activeCounts map[string]int

func hostPort(e fwksched.Endpoint) string {
	return net.JoinHostPort(e.GetMetadata().GetIPAddress(), e.GetMetadata().GetPort())
}

// keepAllFilter keeps every endpoint.
type keepAllFilter struct{}

func (f *keepAllFilter) TypedName() plugin.TypedName {
	return plugin.TypedName{Type: "keep-all-filter", Name: "keep-all-filter"}
}

func (f *keepAllFilter) Filter(_ context.Context, _ *fwksched.CycleState, _ *fwksched.LLMRequest, endpoints []fwksched.Endpoint) []fwksched.Endpoint {
	truthFiltered(truthPlugin(f.TypedName()), truthNames(endpoints), truthNames(endpoints))
	return endpoints
}

// activeRequestScorer scores 1/(1+n), n = requests already sent to the endpoint.
type activeRequestScorer struct {
	counts activeCounts
}

func (s *activeRequestScorer) TypedName() plugin.TypedName {
	return plugin.TypedName{Type: "active-request-scorer", Name: "active-request-scorer"}
}

func (s *activeRequestScorer) Score(_ context.Context, _ *fwksched.CycleState, _ *fwksched.LLMRequest, endpoints []fwksched.Endpoint) map[fwksched.Endpoint]float64 {
	scores := make(map[fwksched.Endpoint]float64, len(endpoints))
	for _, e := range endpoints {
		scores[e] = 1 / float64(1+s.counts[hostPort(e)])
	}
	truthScored(truthPlugin(s.TypedName()), truthScoresByName(scores))
	return scores
}

// queueScorer scores 1 - queue/6 from the endpoint's waiting queue size.
type queueScorer struct{}

func (s *queueScorer) TypedName() plugin.TypedName {
	return plugin.TypedName{Type: "queue-scorer", Name: "queue-scorer"}
}

func (s *queueScorer) Score(_ context.Context, _ *fwksched.CycleState, _ *fwksched.LLMRequest, endpoints []fwksched.Endpoint) map[fwksched.Endpoint]float64 {
	scores := make(map[fwksched.Endpoint]float64, len(endpoints))
	for _, e := range endpoints {
		scores[e] = 1 - float64(e.GetMetrics().WaitingQueueSize)/6
	}
	truthScored(truthPlugin(s.TypedName()), truthScoresByName(scores))
	return scores
}

// maxScorePicker picks the single highest-scored endpoint, ties broken by name.
type maxScorePicker struct{}

func (p *maxScorePicker) TypedName() plugin.TypedName {
	return plugin.TypedName{Type: "max-score-picker", Name: "max-score-picker"}
}

func (p *maxScorePicker) Pick(_ context.Context, _ *fwksched.CycleState, scoredEndpoints []*fwksched.ScoredEndpoint) *fwksched.ProfileRunResult {
	if len(scoredEndpoints) == 0 {
		truthPickedFrom(truthPlugin(p.TypedName()), truthTotals(scoredEndpoints), []string{})
		return &fwksched.ProfileRunResult{}
	}
	sorted := append([]*fwksched.ScoredEndpoint(nil), scoredEndpoints...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Score != sorted[j].Score {
			return sorted[i].Score > sorted[j].Score
		}
		return sorted[i].GetMetadata().NamespacedName.String() < sorted[j].GetMetadata().NamespacedName.String()
	})
	truthPickedFrom(truthPlugin(p.TypedName()), truthTotals(scoredEndpoints), truthNames([]fwksched.Endpoint{sorted[0].Endpoint}))
	return &fwksched.ProfileRunResult{TargetEndpoints: []fwksched.Endpoint{sorted[0].Endpoint}}
}

// singleProfileHandler runs the one configured profile once and makes it primary.
type singleProfileHandler struct{}

func (h *singleProfileHandler) TypedName() plugin.TypedName {
	return plugin.TypedName{Type: "single-profile-handler", Name: "single-profile-handler"}
}

func (h *singleProfileHandler) Pick(_ context.Context, _ *fwksched.CycleState, _ *fwksched.LLMRequest, profiles map[string]fwksched.SchedulerProfile,
	results map[string]*fwksched.ProfileRunResult) map[string]fwksched.SchedulerProfile {
	if len(results) == len(profiles) {
		return map[string]fwksched.SchedulerProfile{}
	}
	return profiles
}

func (h *singleProfileHandler) ProcessResults(_ context.Context, _ *fwksched.CycleState, _ *fwksched.LLMRequest,
	results map[string]*fwksched.ProfileRunResult) (*fwksched.SchedulingResult, error) {
	for name, result := range results {
		if result == nil {
			return nil, errors.New("failed to run scheduler profile '" + name + "'")
		}
		return &fwksched.SchedulingResult{ProfileResults: results, PrimaryProfileName: name}, nil
	}
	return nil, errors.New("no profile ran")
}
