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
// teacher event study and the Callaway-Sant'Anna estimate have their rows.
func TestHowSureOverview(t *testing.T) {
	cfg := config.Default()
	cfg.Model.PriorSD, cfg.Model.Threshold = 0.3, 0.1
	out, _, db := run(t, cfg, nil)
	f := open(t, filepath.Join(out, "reports", reports.DistrictBook))
	rows := dataRows(t, rowsOf(t, f, "Overview"), "Estimate", "Subject", "Question", "What the data say")
	pct := func(p float64) string {
		switch {
		case p > 0.99:
			return "over 99%"
		case p < 0.01:
			return "under 1%"
		}
		return fmt.Sprintf("%.0f%%", 100*p)
	}
	// The impact rows' sentences, by subject.
	words := map[string]string{}
	for _, r := range rows {
		if len(r) > 3 && strings.HasPrefix(r[0], "Impact: coached vs other") {
			words[r[1]] += r[3] + "\n"
		}
	}
	checked := 0
	for subject, said := range words {
		q := "FROM estimates WHERE analysis = 'impact' AND school_year IS NULL AND subgroup = '' AND subject = ?"
		if queryInt(t, db, "SELECT count(*) "+q+" AND mde IS NOT NULL AND NOT few_coached_clusters", subject) != 1 {
			continue
		}
		est, se := queryFloat(t, db, "SELECT estimate "+q, subject), queryFloat(t, db, "SELECT std_error "+q, subject)
		pos, above := queryFloat(t, db, "SELECT prob_positive "+q, subject), queryFloat(t, db, "SELECT prob_above_threshold "+q, subject)
		// Conjugate normal: precision 1/0.3² + 1/se².
		v := 1 / (1/0.09 + 1/(se*se))
		m := v * est / (se * se)
		if want := distuv.UnitNormal.Survival(-m / math.Sqrt(v)); math.Abs(pos-want) > 1e-12 {
			t.Errorf("%s: prob_positive %v, want %v", subject, pos, want)
		}
		if want := distuv.UnitNormal.Survival((0.1 - m) / math.Sqrt(v)); math.Abs(above-want) > 1e-12 {
			t.Errorf("%s: prob_above_threshold %v, want %v", subject, above, want)
		}
		mde, ev := queryFloat(t, db, "SELECT mde "+q, subject), queryFloat(t, db, "SELECT e_value "+q, subject)
		evci := queryFloat(t, db, "SELECT e_value_ci "+q, subject)
		wantE := fmt.Sprintf("by a risk ratio of %.2f could explain it away (interval: %.2f)", ev, evci)
		if evci <= 1 {
			wantE = fmt.Sprintf("(E-value %.2f)", ev)
		}
		for _, want := range []string{
			fmt.Sprintf("could reliably detect effects of %.2f SD or larger", mde),
			fmt.Sprintf("Chance the effect is above zero: %s; above 0.10 SD: %s (prior: centred on 0.00 SD, SD 0.30)", pct(pos), pct(above)),
			wantE,
		} {
			if !strings.Contains(said, want) {
				t.Errorf("%s: %q lacks %q", subject, said, want)
			}
		}
		checked++
	}
	if len(rows) == 0 || !strings.HasPrefix(rows[len(rows)-1][0], "Schools joining: each cohort") {
		t.Errorf("no did_cs row last: %v", rows)
	}
	// Each subject's teacher event study (its overall row) has its MDE
	// line, the model's number in words.
	for _, subject := range []string{"ELA", "Math"} {
		mde := queryFloat(t, db, "SELECT mde FROM estimates WHERE analysis = 'event_study_teacher' AND event_time IS NULL AND subject = ?", subject)
		want := fmt.Sprintf("could reliably detect effects of %.2f SD or larger", mde)
		found := false
		for _, r := range rows {
			if len(r) > 3 && r[0] == "Teachers' first coached year: event study" && r[1] == subject && strings.Contains(r[3], want) {
				found = true
			}
		}
		if !found {
			t.Errorf("no event-study %s row saying %q: %v", subject, want, rows)
		}
	}
	if checked == 0 {
		t.Fatalf("no How sure rows with numbers: %v", rows)
	}
}
