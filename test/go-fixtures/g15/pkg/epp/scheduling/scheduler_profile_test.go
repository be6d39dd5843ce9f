// instrument test fixture: a unit test of our own, in the place upstream keeps the profile's tests.

package scheduling

import "testing"

func TestNewSchedulerProfileStartsEmpty(t *testing.T) {
	p := NewSchedulerProfile()
	if len(p.filters) != 0 || len(p.scorers) != 0 {
		t.Fatalf("a new profile has %d filters and %d scorers, want none", len(p.filters), len(p.scorers))
	}
}
