// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

func truthNames(pods []types.Pod) []string {
	names := make([]string, 0, len(pods))
	for _, pod := range pods {
		names = append(names, pod.GetPod().NamespacedName.String())
	}
	return names
}

type truthFilter struct{ inner framework.Filter }

func (w truthFilter) TypedName() plugins.TypedName { return w.inner.TypedName() }

func (f truthFilter) Filter(ctx context.Context, cycleState *types.CycleState, request *types.LLMRequest, pods []types.Pod) []types.Pod {
	kept := f.inner.Filter(ctx, cycleState, request, pods)
	truthFiltered(truthPlugin{f.TypedName().Type, f.TypedName().Name}, truthNames(pods), truthNames(kept))
	return kept
}

type truthScorer struct{ inner framework.Scorer }

func (w truthScorer) TypedName() plugins.TypedName { return w.inner.TypedName() }

func (s truthScorer) Score(ctx context.Context, cycleState *types.CycleState, request *types.LLMRequest, pods []types.Pod) map[types.Pod]float64 {
	scores := s.inner.Score(ctx, cycleState, request, pods)
	byName := make(map[string]float64, len(scores))
	for pod, score := range scores {
		byName[pod.GetPod().NamespacedName.String()] = score
	}
	truthScored(truthPlugin{s.TypedName().Type, s.TypedName().Name}, byName)
	return scores
}

type truthPicker struct{ inner framework.Picker }

func (w truthPicker) TypedName() plugins.TypedName { return w.inner.TypedName() }

func (p truthPicker) Pick(ctx context.Context, cycleState *types.CycleState, scoredPods []*types.ScoredPod) *types.ProfileRunResult {
	result := p.inner.Pick(ctx, cycleState, scoredPods)
	totals := make(map[string]float64, len(scoredPods))
	for _, scored := range scoredPods {
		totals[scored.GetPod().NamespacedName.String()] = scored.Score
	}
	picked := []string{}
	if result != nil {
		picked = truthNames(result.TargetPods)
	}
	truthPickedFrom(truthPlugin{p.TypedName().Type, p.TypedName().Name}, totals, picked)
	return result
}

// recordFilter, recordScorer and recordPicker wrap a plugin in its recorder when -truth is given.
func recordFilter(f framework.Filter) framework.Filter {
	if !truthOn() {
		return f
	}
	return truthFilter{f}
}

func recordScorer(s framework.Scorer) framework.Scorer {
	if !truthOn() {
		return s
	}
	return truthScorer{s}
}

func recordPicker(p framework.Picker) framework.Picker {
	if !truthOn() {
		return p
	}
	return truthPicker{p}
}

// -truth FILE: what each request's scheduling really computed, recorded by the driver's plugins
// (or wrappers around them) as it happens, so a test can hold the instrumented lines against it
// without trusting the code that writes them (bench/drift/README.md).

var truthPath = flag.String("truth", "", "write what each request's scheduling computed, as JSON, to FILE")

// truthWeights are the weights buildServer gives the scorers: a scorer does not know its own.
var truthWeights = map[string]float64{"active-request-scorer": 2, "queue-scorer": 1}

type truthPlugin struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type truthFilterRun struct {
	truthPlugin
	Kept []string `json:"kept"`
}

type truthScorerRun struct {
	truthPlugin
	Weight float64            `json:"weight"`
	Scores map[string]float64 `json:"scores"`
}

// truthRequest is one request: endpoints are namespace/name, in the order the plugins saw them.
type truthRequest struct {
	RequestID  string             `json:"requestId"`
	Candidates []string           `json:"candidates"`
	Filters    []truthFilterRun   `json:"filters"`
	Scorers    []truthScorerRun   `json:"scorers"`
	Totals     map[string]float64 `json:"totals"`
	Picker     *truthPlugin       `json:"picker"`
	Picked     []string           `json:"picked"`
	Endpoint   string             `json:"endpoint"`
}

var truthRequests []*truthRequest

func truthOn() bool { return *truthPath != "" }

// truthBegin starts the record of the next request; requests run one after the other.
func truthBegin(requestID string) {
	if truthOn() {
		truthRequests = append(truthRequests, &truthRequest{RequestID: requestID, Filters: []truthFilterRun{}, Scorers: []truthScorerRun{}, Picked: []string{}})
	}
}

func truthCurrent() *truthRequest {
	if len(truthRequests) == 0 {
		return nil
	}
	return truthRequests[len(truthRequests)-1]
}

func truthEnd(endpoint string) {
	if r := truthCurrent(); r != nil {
		r.Endpoint = endpoint
	}
}

func truthFiltered(p truthPlugin, in, out []string) {
	if r := truthCurrent(); r != nil {
		if len(r.Filters) == 0 {
			r.Candidates = in
		}
		r.Filters = append(r.Filters, truthFilterRun{p, out})
	}
}

func truthScored(p truthPlugin, scores map[string]float64) {
	if r := truthCurrent(); r != nil {
		r.Scorers = append(r.Scorers, truthScorerRun{p, truthWeights[p.Type], scores})
	}
}

func truthPickedFrom(p truthPlugin, totals map[string]float64, picked []string) {
	if r := truthCurrent(); r != nil {
		r.Picker, r.Totals, r.Picked = &p, totals, picked
	}
}

func truthWrite() error {
	if !truthOn() {
		return nil
	}
	data, err := json.MarshalIndent(struct {
		Requests []*truthRequest `json:"requests"`
	}{truthRequests}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(*truthPath, append(data, '\n'), 0o644)
}
