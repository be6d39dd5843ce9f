// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package framework

// WeightedScorer is a Scorer together with its integer weight.
type WeightedScorer struct {
	Scorer
	weight int
}

// NewWeightedScorer wraps scorer with the given weight.
func NewWeightedScorer(scorer Scorer, weight int) *WeightedScorer {
	return &WeightedScorer{Scorer: scorer, weight: weight}
}

// Weight returns the weight of the scorer.
func (s *WeightedScorer) Weight() int {
	return s.weight
}
