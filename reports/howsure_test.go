package reports_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/reports"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestHowSureOverview: with [model] prior_sd 0.3 and threshold 0.1, the
// Overview's "How sure are we?" rows say, per subject, the model's MDE,
// its chances (which are the conjugate posterior's for that prior,
// recomputed here from the estimate and SE) and E-values, in words; the
// Callaway-Sant'Anna estimate has its row.
func TestHowSureOverview(t *testing.T) {
	cfg := config.Default()
	cfg.Model.PriorSD, cfg.Model.Threshold = 0.3, 0.1
	out, _, db := run(t, cfg, nil)
	f := open(t, filepath.Join(out, "reports", reports.DistrictBook))
	rows := dataRows(t, rowsOf(t, f, "Overview"), "Estimate", "Subject", "How large an effect could this district detect?")
	pct := func(p float64) string {
		switch {
		case p > 0.99:
			return "over 99%"
		case p < 0.01:
			return "under 1%"
		}
		return fmt.Sprintf("%.0f%%", 100*p)
	}
	checked := 0
	for _, r := range rows {
		if !strings.HasPrefix(r[0], "Impact: coached vs other") {
			continue
		}
		r = r[1:]
		q := "FROM estimates WHERE analysis = 'impact' AND school_year IS NULL AND subgroup = '' AND subject = ?"
		if queryInt(t, db, "SELECT count(*) "+q+" AND mde IS NOT NULL AND NOT few_coached_clusters", r[0]) != 1 {
			continue
		}
		est, se := queryFloat(t, db, "SELECT estimate "+q, r[0]), queryFloat(t, db, "SELECT std_error "+q, r[0])
		pos, above := queryFloat(t, db, "SELECT prob_positive "+q, r[0]), queryFloat(t, db, "SELECT prob_above_threshold "+q, r[0])
		// Conjugate normal: precision 1/0.3² + 1/se².
		v := 1 / (1/0.09 + 1/(se*se))
		m := v * est / (se * se)
		if want := distuv.UnitNormal.Survival(-m / math.Sqrt(v)); math.Abs(pos-want) > 1e-12 {
			t.Errorf("%s: prob_positive %v, want %v", r[0], pos, want)
		}
		if want := distuv.UnitNormal.Survival((0.1 - m) / math.Sqrt(v)); math.Abs(above-want) > 1e-12 {
			t.Errorf("%s: prob_above_threshold %v, want %v", r[0], above, want)
		}
		mde, ev := queryFloat(t, db, "SELECT mde "+q, r[0]), queryFloat(t, db, "SELECT e_value "+q, r[0])
		for col, want := range map[int]string{
			1: fmt.Sprintf("could reliably detect effects of %.2f SD or larger", mde),
			2: fmt.Sprintf("Chance the effect is above zero: %s; above 0.10 SD: %s (prior belief: centred on 0.00 SD, SD 0.30", pct(pos), pct(above)),
			3: fmt.Sprintf("(E-value %.2f)", ev),
		} {
			if !strings.Contains(r[col], want) {
				t.Errorf("%s: %q lacks %q", r[0], r[col], want)
			}
		}
		checked++
	}
	if len(rows) == 0 || !strings.HasPrefix(rows[len(rows)-1][0], "Schools joining: each cohort") {
		t.Errorf("no did_cs row last: %v", rows)
	}
	if checked == 0 {
		t.Fatalf("no How sure row with numbers: %v", rows)
	}
}
