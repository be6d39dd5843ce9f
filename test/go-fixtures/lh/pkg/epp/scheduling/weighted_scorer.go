// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

package scheduling

import (
	fwksched "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/scheduling"
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
