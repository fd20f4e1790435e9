package reports_test

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/reports"
)

// TestMainTestsNamed: with [model.main_tests] naming the district's Math
// test (in another case) and an ELA test nobody took, run.json's
// spring_tests say Math's main test was chosen by the config and ELA's by
// most takers in every year; a note says so, and the district workbook's
// About and Data quality sheets show both.
func TestMainTestsNamed(t *testing.T) {
	cfg := config.Default()
	cfg.Model.MainTests = map[string]string{"Math": "district benchmark", "ELA": "State Reading"}
	out, man, _ := run(t, cfg, nil)
	var years []string
	for _, st := range man.SpringTests {
		if !st.Main {
			continue
		}
		want := model.SpringTest{SchoolYear: st.SchoolYear, Subject: st.Subject, Assessment: "District Benchmark", Students: st.Students, Main: true, ChosenBy: model.ChosenByConfig}
		if st.Subject == "ELA" {
			want.ChosenBy, want.Configured = model.ChosenByMostTakers, "State Reading"
			years = append(years, strconv.Itoa(st.SchoolYear))
		}
		if st != want {
			t.Errorf("spring test %+v; want %+v", st, want)
		}
	}
	if len(years) != 3 { // synth's three years
		t.Fatalf("ELA main tests in %v; want three years", years)
	}
	note := `model.main_tests names "State Reading" for ELA, which has no spring z-scores in school years ` + strings.Join(years, ", ") + ": there the main test is the one with the most takers ("
	i := slices.IndexFunc(man.Notes, func(n string) bool { return strings.HasPrefix(n, note) })
	if i < 0 {
		t.Fatalf("run.json notes %q; want one starting %q", man.Notes, note)
	}
	if slices.ContainsFunc(man.Notes, func(n string) bool { return strings.Contains(n, "for Math") }) {
		t.Errorf("run.json notes %q: Math's named test was taken", man.Notes)
	}

	f := open(t, filepath.Join(out, "reports", reports.DistrictBook))
	roles := map[string]int{}
	for _, r := range dataRows(t, rowsOf(t, f, "About"), "School year", "Subject", "Test") {
		if len(r) > 4 {
			roles[r[1]+": "+r[4]]++
		}
	}
	for _, want := range []string{"Math: main test (named in the config)", `ELA: main test (most takers: "State Reading", named in the config, has no spring scores this year)`} {
		if roles[want] != 3 {
			t.Errorf("About roles %v; want 3 of %q", roles, want)
		}
	}
	if !slices.ContainsFunc(rowsOf(t, f, "Data quality"), func(r []string) bool { return slices.Contains(r, man.Notes[i]) }) {
		t.Errorf("Data quality does not show the note %q", man.Notes[i])
	}
}

// TestGradesCountedBackSynth: synth's students table gives each student's
// grade in the student's last year, and the district tests a grade a
// year, so blanking every tested grade in assessments.csv must give the
// same grades back by counting, and the very same estimates; run.json and
// the Data quality sheet say how many grades were counted back.
func TestGradesCountedBackSynth(t *testing.T) {
	_, graded, _ := run(t, config.Default(), nil)
	var blanked int
	out, counted, db := run(t, config.Default(), func(dir string) { blanked = blankGrades(t, filepath.Join(dir, "assessments.csv")) })
	if blanked == 0 {
		t.Fatal("no tested grade blanked")
	}
	if len(graded.Estimates) == 0 || len(graded.Estimates) != len(counted.Estimates) {
		t.Fatalf("%d estimates with tested grades, %d counted back", len(graded.Estimates), len(counted.Estimates))
	}
	for i, g := range graded.Estimates {
		c := counted.Estimates[i]
		if g.Analysis != c.Analysis || g.Subject != c.Subject || g.NStudents != c.NStudents || !samePtr(g.Estimate, c.Estimate) || !samePtr(g.StdError, c.StdError) {
			t.Errorf("estimate %d (%s %s %s): %v ± %v, n %d with tested grades; counted back %v ± %v, n %d",
				i, g.Analysis, g.Subject, g.Subgroup, val(g.Estimate), val(g.StdError), g.NStudents, val(c.Estimate), val(c.StdError), c.NStudents)
		}
	}
	loaded := queryInt(t, db, "SELECT count(*) FROM scores WHERE grade_source = 'students'")
	if loaded == 0 || queryInt(t, db, "SELECT count(*) FROM scores WHERE grade_source <> 'students'") != 0 {
		t.Errorf("%d scores counted back; want all", loaded)
	}
	note := strconv.Itoa(loaded) + " scores had no tested grade; grade taken from the students table, counted back from "
	i := slices.IndexFunc(counted.Notes, func(n string) bool { return strings.HasPrefix(n, note) })
	if i < 0 {
		t.Fatalf("run.json notes %q; want one starting %q", counted.Notes, note)
	}
	if slices.ContainsFunc(graded.Notes, func(n string) bool { return strings.Contains(n, "no tested grade") }) {
		t.Errorf("run.json notes %q with every grade tested", graded.Notes)
	}
	f := open(t, filepath.Join(out, "reports", reports.DistrictBook))
	if !slices.ContainsFunc(rowsOf(t, f, "Data quality"), func(r []string) bool { return slices.Contains(r, counted.Notes[i]) }) {
		t.Errorf("Data quality does not show the note %q", counted.Notes[i])
	}
}

// blankGrades empties the grade_level column of the CSV file at path and
// returns how many values it emptied.
func blankGrades(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(string(b)))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "grade_level")
	if col < 0 {
		t.Fatalf("%s: no grade_level column in %v", path, recs[0])
	}
	n := 0
	for _, rec := range recs[1:] {
		if col < len(rec) && rec[col] != "" {
			rec[col], n = "", n+1
		}
	}
	var sb strings.Builder
	w := csv.NewWriter(&sb)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return n
}

// val is *p, or nil.
func val(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// samePtr reports whether a and b are both nil or equal to 1e-9.
func samePtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*a))
}
