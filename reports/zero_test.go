package reports_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/pipeline"
	"github.com/coachimpact/coachimpact/reports"
	"github.com/coachimpact/coachimpact/synth"
)

// TestZeroNotSuppressed: a school that tests only in spring has no
// baseline in the first year (no fall score, no prior spring), so no
// student of that year is in the model. Alone in its cohort (the demo's
// school 0106, the spring-only one, joins in 2024 here), its 0 read
// "suppressed (n<10)" on the district's Schools sheet and in the cohort
// panel, as if there were a few students to hide, and its workbook's
// Growth sheet left the year out; they read "no baseline scores". Its
// other years keep their counts.
func TestZeroNotSuppressed(t *testing.T) {
	ctx := context.Background()
	in, out := t.TempDir(), t.TempDir()
	if _, err := synth.Generate(ctx, in, synth.Config{Seed: 3, Schools: 6, StudentsPerGrade: 30, Years: 3, Format: "csv", Cohorts: []int{2012, 2022, 2023, 2024}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(ctx, pipeline.Options{Input: in, Out: out, Config: config.Default()}); err != nil {
		t.Fatal(err)
	}
	rep := filepath.Join(out, "reports")
	schools := dataRows(t, rowsOf(t, open(t, filepath.Join(rep, reports.DistrictBook)), "Schools"), "School ID", "School")
	seen := 0
	for _, r := range schools {
		if r[0] != "0106" {
			if r[6] == "no baseline scores" {
				t.Errorf("Schools: %s %s has students with a baseline: %v", r[0], r[4], r)
			}
			continue
		}
		seen++
		want := "60" // 30 students a grade, two tested grades with a prior spring
		if r[4] == "2021-22" {
			want = "no baseline scores"
		}
		if r[6] != want {
			t.Errorf("Schools: 0106 %s students in the model %q; want %q", r[4], r[6], want)
		}
	}
	if seen != 3 {
		t.Fatalf("Schools: %d rows of school 0106; want 3 years", seen)
	}
	panel := dataRows(t, rowsOf(t, open(t, filepath.Join(rep, reports.CohortsBook)), "Cohort panel"), "Cohort", "School year")
	found := false
	for _, r := range panel {
		if r[0] == "joined 2023-24" && r[1] == "2021-22" {
			found = true
			if r[3] != "no baseline scores" {
				t.Errorf("Cohort panel: joined 2023-24 in 2021-22 reads %q; want no baseline scores", r[3])
			}
		}
		if strings.HasPrefix(r[3], "no ") && r[0] != "joined 2023-24" {
			t.Errorf("Cohort panel: %v", r)
		}
	}
	if !found {
		t.Error("Cohort panel: no row for joined 2023-24 in 2021-22")
	}
	// The school's own workbook says so for that year, and lists its
	// other years' groups as before.
	book := open(t, filepath.Join(rep, reports.SchoolsDir, "0106.xlsx"))
	growth := dataRows(t, rowsOf(t, book, "Growth"), "School year", "Subject", "Group")
	years := map[string]int{}
	for _, r := range growth {
		years[r[0]]++
		if r[0] == "2021-22" && (len(r) < 6 || r[1] != "all subjects" || r[4] != "0" || r[5] != "no baseline scores") {
			t.Errorf("0106 Growth: %v; want all subjects, 0 students, no baseline scores", r)
		}
	}
	if years["2021-22"] != 1 || years["2022-23"] != 4 || years["2023-24"] != 4 {
		t.Errorf("0106 Growth: rows per year %v; want 1 for 2021-22, 4 (2 subjects x 2 groups) for the others", years)
	}
	// Its at-a-glance reasons (why no difference is shown, in the
	// difference's column C) wrap in their cells, in rows tall enough,
	// rather than being cut by the cell beside them.
	wrapped := 0
	for i, r := range rowsOf(t, book, "Growth") {
		if len(r) < 3 || !strings.Contains(r[2], "suppressed") {
			continue
		}
		wrapped++
		ref := fmt.Sprintf("C%d", i+1)
		id, _ := book.GetCellStyle("Growth", ref)
		st, err := book.GetStyle(id)
		h, _ := book.GetRowHeight("Growth", i+1)
		if err != nil || st.Alignment == nil || !st.Alignment.WrapText || h < 2*12.75 {
			t.Errorf("0106 Growth %s %q: wraps %v, row %.2f points high", ref, r[2], st != nil && st.Alignment != nil && st.Alignment.WrapText, h)
		}
	}
	if wrapped == 0 {
		// Where no reason is left at a glance, the subject's years
		// pooled give the answer instead (issue 15 item 2).
		pooled := false
		for _, r := range rowsOf(t, book, "Growth") {
			pooled = pooled || (len(r) > 1 && strings.HasSuffix(r[0], "years pooled") && r[1] != "" && r[1] != "too few classrooms to tell")
		}
		if !pooled {
			t.Error("0106 Growth: no suppressed cell at a glance to look at, and no pooled answer")
		}
	}
	// The zeros, now shown, give no suppressed cell away: the attacks of
	// TestSuppressionAttack on the cohort panel and event time, which
	// read a text count as no students.
	db, err := model.Open(ctx, filepath.Join(out, pipeline.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := &attacker{t: t, db: db}
	cohorts := open(t, filepath.Join(rep, reports.CohortsBook))
	at.cohorts(panel, dataRows(t, rowsOf(t, cohorts, "Difference-in-differences"), "Cohort", "Years since joining"), schools)
	if at.tried == 0 {
		t.Error("no attack tried")
	}
}
