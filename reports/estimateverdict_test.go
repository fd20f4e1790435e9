package reports

import "testing"

// TestEstimateVerdict: an estimate with no interval says why in the
// model's own words, and only a collinear design gets the plain sentence
// for it; an interval decides the verdict.
func TestEstimateVerdict(t *testing.T) {
	num := func(v float64) any { return v }
	for _, c := range []struct {
		name    string
		e       est
		verdict verdict
		why     string
	}{
		{"interval", est{v: []any{num(0.2), num(0.05), num(0.1), num(0.3)}}, verdictMore, ""},
		{"suppressed", est{v: make([]any, 6), suppressed: true}, verdictTooFew, "too few students or classrooms to publish"},
		{"no coached students", est{v: make([]any, 6), note: "no coached students"}, verdictTooFew, "no coached students"},
		{"collinear", est{v: make([]any, 6), note: "not estimated: regressors are collinear (no variation left after the fixed effects)"},
			verdictTooFew, "coached and other classrooms cannot be told apart within grades"},
	} {
		v, why := estimateVerdict(c.e)
		if v != c.verdict || why != c.why {
			t.Errorf("%s: %v, %q; want %v, %q", c.name, v, why, c.verdict, c.why)
		}
	}
}
