// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package framework

// NewWeightedScorer wraps a scorer with its weight.
func NewWeightedScorer(scorer Scorer, weight int) *WeightedScorer {
	return &WeightedScorer{Scorer: scorer, weight: weight}
}

// WeightedScorer is a Scorer together with the weight of its scores.
type WeightedScorer struct {
	Scorer
	weight int
}

// Weight returns the scorer's weight.
func (s *WeightedScorer) Weight() int {
	return s.weight
}
