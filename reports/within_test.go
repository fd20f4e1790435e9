package reports_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/synth"
)

// TestWithinOverview reads the Overview's same-teacher sections and the
// Impact sheet's event-study rows back from district.xlsx of a district
// with selection planted: each row's effect, interval and teachers are
// the estimates table's, the verdict words follow the interval, the
// event study's line says its pre-trend p, and the event-time rows are
// labelled by year since the first coached year.
func TestWithinOverview(t *testing.T) {
	out, _, db := runSynth(t, synth.Config{Seed: 3, Schools: 16, StudentsPerGrade: 30, Years: 4, Format: "csv", Jump: 0.1, Selection: 2}, config.Default(), nil)
	f := open(t, filepath.Join(out, "reports", "district.xlsx"))
	rows := rowsOf(t, f, "Overview")
	for _, sec := range []struct {
		analysis, teachers, where string
	}{
		{model.AnalysisWithinTeacher, "Teachers seen coached and not", "TRUE"},
		{model.AnalysisEventStudyTeacher, "Teachers first coached", "event_time IS NULL"},
	} {
		got := dataRows(t, rows, "Subject", "Years", "Verdict", "What the data say", "Effect (SD)", "95% CI low", "95% CI high", sec.teachers)
		want := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM estimates WHERE analysis = '%s' AND %s", sec.analysis, sec.where))
		if len(got) != want || want == 0 {
			t.Fatalf("%s: %d Overview rows, want %d (one per estimate) and some", sec.analysis, len(got), want)
		}
		for _, r := range got {
			q := fmt.Sprintf("FROM estimates WHERE analysis = '%s' AND %s AND subject = ?", sec.analysis, sec.where)
			if queryInt(t, db, "SELECT count(*) "+q+" AND NOT suppressed AND estimate IS NOT NULL", r[0]) == 0 {
				continue
			}
			est, lo, hi := queryFloat(t, db, "SELECT estimate "+q, r[0]), queryFloat(t, db, "SELECT ci_low "+q, r[0]), queryFloat(t, db, "SELECT ci_high "+q, r[0])
			if !sameFloat(r[4], est) || !sameFloat(r[5], lo) || !sameFloat(r[6], hi) {
				t.Errorf("%s %s: effect %s [%s, %s], want %v [%v, %v]", sec.analysis, r[0], r[4], r[5], r[6], est, lo, hi)
			}
			if n := queryInt(t, db, "SELECT n_coached_teachers "+q, r[0]); r[7] != fmt.Sprint(n) {
				t.Errorf("%s %s: teachers %s, want %d", sec.analysis, r[0], r[7], n)
			}
			few := queryInt(t, db, "SELECT few_coached_clusters::INTEGER "+q, r[0]) == 1
			verdict := "no clear difference"
			switch {
			case few:
				verdict = "too few coached teachers to tell"
			case lo > 0:
				verdict = "clearly more growth"
			case hi < 0:
				verdict = "clearly less growth"
			}
			if r[2] != verdict {
				t.Errorf("%s %s: verdict %q, want %q (interval [%v, %v], few %v)", sec.analysis, r[0], r[2], verdict, lo, hi, few)
			}
			if sec.analysis == model.AnalysisEventStudyTeacher && !few {
				p := queryFloat(t, db, "SELECT pretrend_p_value "+q, r[0])
				if !strings.Contains(r[3], fmt.Sprintf("p = %.3f", p)) {
					t.Errorf("event study %s: %q does not give the pre-trend p %.3f", r[0], r[3], p)
				}
			}
		}
	}

	impact := rowsOf(t, f, "Impact")
	labels := map[string]int{}
	for _, r := range impact {
		if len(r) > 2 && r[0] == "Teachers' first coached year: event study" {
			labels[r[2]]++
		}
	}
	for _, e := range []int{-1, 0, 1} {
		label := fmt.Sprintf("year %d", e)
		if e < 0 {
			label += " (placebo)"
		}
		if n := queryInt(t, db, "SELECT count(*) FROM estimates WHERE analysis = ? AND event_time = ?", model.AnalysisEventStudyTeacher, e); labels[label] != n || n == 0 {
			t.Errorf("Impact sheet: %d rows labelled %q, want %d (the event-time rows) and some", labels[label], label, n)
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM estimates WHERE analysis = ? AND event_time IS NULL", model.AnalysisEventStudyTeacher); labels["all years"] != n {
		t.Errorf("Impact sheet: %d overall event-study rows, want %d", labels["all years"], n)
	}
}
