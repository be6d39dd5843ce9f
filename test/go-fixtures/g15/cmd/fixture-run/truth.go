// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

package main

import (
	"encoding/json"
	"flag"
	"os"

	fwksched "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/scheduling"
)

// The driver's own plugins (plugins.go) record what they see and return through these.

func truthNames(endpoints []fwksched.Endpoint) []string {
	names := make([]string, 0, len(endpoints))
	for _, e := range endpoints {
		names = append(names, e.GetMetadata().NamespacedName.String())
	}
	return names
}

func truthScoresByName(scores map[fwksched.Endpoint]float64) map[string]float64 {
	byName := make(map[string]float64, len(scores))
	for e, score := range scores {
		byName[e.GetMetadata().NamespacedName.String()] = score
	}
	return byName
}

func truthTotals(scored []*fwksched.ScoredEndpoint) map[string]float64 {
	totals := make(map[string]float64, len(scored))
	for _, e := range scored {
		totals[e.GetMetadata().NamespacedName.String()] = e.Score
	}
	return totals
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
