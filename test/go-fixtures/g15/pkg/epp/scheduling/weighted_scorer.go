// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

package scheduling

import (
	fwksched "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/scheduling"
)

// NewWeightedScorer attaches a weight to a scorer.
func NewWeightedScorer(scorer fwksched.Scorer, weight float64) *WeightedScorer {
	return &WeightedScorer{Scorer: scorer, weight: weight}
}

// WeightedScorer is a scorer together with its weight.
type WeightedScorer struct {
	fwksched.Scorer
	weight float64
}

// Weight returns the scorer's weight.
func (s *WeightedScorer) Weight() float64 {
	return s.weight
}
