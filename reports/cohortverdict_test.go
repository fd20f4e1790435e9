package reports_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/reports"
)

// TestCohortVerdicts reads cohorts.xlsx's At a glance back: every cohort
// with students in the latest year has a row per subject whose effect and
// interval are the model's impact estimate within the cohort's schools
// (impact_subgroup "ip_cohort = Y"; all years pooled, named so, where
// the latest year has no interval), whose verdict is the one that
// interval decides, and whose district figure is the model's impact
// estimate for the subject and the same years; each cohort has a sentence naming
// it.
func TestCohortVerdicts(t *testing.T) {
	out, _, db := run(t, config.Default(), nil)
	rows := rowsOf(t, open(t, filepath.Join(out, "reports", reports.CohortsBook)), "At a glance")
	glance := dataRows(t, rows, "Cohort", "Subject")
	latest := queryInt(t, db, "SELECT max(school_year) FROM estimates WHERE analysis = 'impact'")
	want := queryInt(t, db, `SELECT count(*) FROM estimates WHERE analysis = 'impact_subgroup' AND subgroup LIKE 'ip_cohort = %'
		AND subject <> 'All' AND school_year = ?`, latest)
	if len(glance) != want || want == 0 {
		t.Fatalf("%d verdict rows, want %d (the cohorts' subjects of %d)", len(glance), want, latest)
	}
	shown, pooled := 0, 0
	for _, r := range glance {
		cohort := 1 + yearOfCohort(t, r[0])
		year := int64(latest)
		if r[2] == "all years pooled" {
			year, pooled = 0, pooled+1
		}
		cond := "analysis = 'impact_subgroup' AND subgroup = ? AND subject = ? AND coalesce(school_year, 0) = ?"
		args := []any{"ip_cohort = " + strconv.Itoa(cohort), r[1], year}
		if queryInt(t, db, "SELECT count(*) FROM estimates WHERE "+cond+" AND ci_low IS NOT NULL AND NOT suppressed", args...) == 0 {
			if r[3] != "too few classrooms to tell" {
				t.Errorf("%v: no interval in the model, verdict %q", r, r[3])
			}
			continue
		}
		est := queryFloat(t, db, "SELECT estimate FROM estimates WHERE "+cond, args...)
		lo := queryFloat(t, db, "SELECT ci_low FROM estimates WHERE "+cond, args...)
		hi := queryFloat(t, db, "SELECT ci_high FROM estimates WHERE "+cond, args...)
		if !near(r[4], est) || !near(r[5], lo) || !near(r[6], hi) {
			t.Errorf("%v: effect and interval, want %.9f [%.9f, %.9f] (the model's)", r, est, lo, hi)
		}
		if w := wantWords(lo, hi); r[3] != w {
			t.Errorf("%v: verdict %q, want %q", r, r[3], w)
		}
		dist := queryFloat(t, db, "SELECT estimate FROM estimates WHERE analysis = 'impact' AND coalesce(subgroup, '') = '' AND subject = ? AND coalesce(school_year, 0) = ?", r[1], year)
		if !near(r[11], dist) {
			t.Errorf("%v: district figure %q, want %.9f", r, r[11], dist)
		}
		shown++
	}
	if shown == 0 {
		t.Error("no cohort verdict with an interval")
	}
	text := strings.Join(firstLines(rows), "\n")
	for _, r := range glance {
		if !strings.Contains(text, "schools that joined in "+strings.TrimPrefix(r[0], "Schools that joined ")) {
			t.Errorf("no sentence names %q:\n%s", r[0], text)
		}
	}
	t.Logf("%d verdicts with an interval, %d of them pooled", shown, pooled)
}

// yearOfCohort is the first year of "Schools that joined 2021-22".
func yearOfCohort(t *testing.T, label string) int {
	t.Helper()
	var y int
	if _, err := fmt.Sscanf(strings.TrimPrefix(label, "Schools that joined "), "%d-", &y); err != nil {
		t.Fatalf("cohort %q: %v", label, err)
	}
	return y
}

// firstLines are a sheet's lines above its first table's header.
func firstLines(rows [][]string) []string {
	var out []string
	for _, r := range rows[1:] {
		if len(r) > 1 {
			break
		}
		if len(r) == 1 {
			out = append(out, r[0])
		}
	}
	return out
}
