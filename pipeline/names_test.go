package pipeline

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/coachimpact/coachimpact/synth"
)

// nameColumn is one edit of an export's header: the canonical column
// renamed as a district's export spells it, and a header put before it
// whose cells the run must not read (a name, or a stray value that would
// change the estimates if it were read).
type nameColumn struct {
	col, rename string
	insert      string // "" for none
	value       func(row []string, at int) string
}

// nameOf is a person's or school's name for the ID in the row's cell.
func nameOf(prefix string) func([]string, int) string {
	return func(row []string, at int) string { return prefix + " " + row[at] }
}

func constant(v string) func([]string, int) string {
	return func([]string, int) string { return v }
}

// exportStyle rewrites the synth district's canonical CSVs as real exports
// carry them: a name column beside each ID column, a generic "Score" or
// "Date" beside the specific one, "Period" beside "Section". The stray
// cells hold values that would change the result if read (score 0, a date
// outside every school year).
var exportStyle = map[string][]nameColumn{
	"schools.csv": {{col: "school_id", rename: "School ID"}, {col: "school_name", rename: "School"},
		{col: "district_id", rename: "District ID"}, {col: "district_name", rename: "District"}},
	"teachers.csv": {{col: "teacher_id", rename: "Teacher ID", insert: "Teacher", value: nameOf("Teacher")},
		{col: "school_id", rename: "School ID", insert: "School", value: nameOf("School")}},
	"coaches.csv": {{col: "coach_id", rename: "Coach ID"}, {col: "coach_name", rename: "Coach"}},
	"students.csv": {{col: "student_id", rename: "Student ID", insert: "Student", value: nameOf("Student")},
		{col: "school_id", rename: "School ID", insert: "School", value: nameOf("School")}},
	"rosters.csv": {{col: "student_id", rename: "Student ID", insert: "Student", value: nameOf("Student")},
		{col: "teacher_id", rename: "Teacher ID", insert: "Teacher", value: nameOf("Teacher")},
		{col: "section_id", rename: "Section", insert: "Period", value: constant("P9")}},
	"assessments.csv": {{col: "student_id", rename: "Student ID", insert: "Student", value: nameOf("Student")},
		{col: "test_date", rename: "Test Date", insert: "Date", value: constant("1999-01-01")},
		{col: "scale_score", rename: "Scale Score", insert: "Score", value: constant("0")}},
	"coaching_cycles.csv": {{col: "coach_id", rename: "Coach ID", insert: "Coach", value: nameOf("Coach")},
		{col: "teacher_id", rename: "Teacher ID", insert: "Teacher", value: nameOf("Teacher")}},
	"coaching_sessions.csv": {{col: "session_date", rename: "Session Date", insert: "Date", value: constant("1999-01-01")}},
	"observations.csv": {{col: "teacher_id", rename: "Teacher ID", insert: "Teacher", value: nameOf("Teacher")},
		{col: "observation_date", rename: "Observation Date", insert: "Date", value: constant("1999-01-01")}},
}

// rewriteCSV applies edits to the CSV file at path.
func rewriteCSV(t *testing.T, path string, edits []nameColumn) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		at := slices.Index(rows[0], e.col)
		if at < 0 {
			t.Fatalf("%s: no column %s in %q", path, e.col, rows[0])
		}
		for i, row := range rows {
			if e.insert == "" {
				if i == 0 {
					row[at] = e.rename
				}
				continue
			}
			v := e.insert
			if i == 0 {
				row[at] = e.rename
			} else {
				v = e.value(row, at)
			}
			rows[i] = slices.Insert(row, at, v)
		}
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(out)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestNamesBesideIDs is issue 13's proof: a district whose exports carry
// name columns beside the ID columns (School/School ID, Student/Student
// ID, Teacher/Teacher ID, Coach/Coach ID, District/District ID,
// Score/Scale Score, Date/Session Date, Period/Section) gives the same
// estimates, to 1e-12, as the same district with the ID columns only.
// The expected numbers are the plain district's own run.
func TestNamesBesideIDs(t *testing.T) {
	plain, named := t.TempDir(), t.TempDir()
	cfg := synth.Config{Seed: 13, Schools: 6, StudentsPerGrade: 30, Years: 2, Format: synth.FormatCSV, NoBadRows: true}
	for _, dir := range []string{plain, named} {
		if _, err := synth.Generate(context.Background(), dir, cfg); err != nil {
			t.Fatal(err)
		}
	}
	for file, edits := range exportStyle {
		rewriteCSV(t, filepath.Join(named, file), edits)
	}
	want, err := runPipeline(t, plain, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, err := runPipeline(t, named, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// Every row of every table loaded alike, and every stray header
	// listed as not used.
	if fmt.Sprint(got.Tables) != fmt.Sprint(want.Tables) || got.Rejects != want.Rejects {
		t.Errorf("rows %v, %d rejected; plain district %v, %d rejected", got.Tables, got.Rejects, want.Tables, want.Rejects)
	}
	for _, f := range got.Files {
		var strays []string
		for _, e := range exportStyle[f.Source] {
			if e.insert != "" {
				strays = append(strays, e.insert)
			}
		}
		if !slices.Equal(f.IgnoredColumns, strays) {
			t.Errorf("%s: not used %q; want %q", f.Source, f.IgnoredColumns, strays)
		}
	}
	if len(got.Estimates) != len(want.Estimates) {
		t.Fatalf("%d estimates; plain district %d", len(got.Estimates), len(want.Estimates))
	}
	numbers := 0
	for i, w := range want.Estimates {
		g := got.Estimates[i]
		if g.Analysis != w.Analysis || g.Subject != w.Subject || g.Subgroup != w.Subgroup || yearOf(g.SchoolYear) != yearOf(w.SchoolYear) {
			t.Fatalf("estimate %d is %s/%s/%s; plain district %s/%s/%s", i, g.Analysis, g.Subject, g.Subgroup, w.Analysis, w.Subject, w.Subgroup)
		}
		for _, v := range []struct {
			name string
			g, w *float64
		}{{"estimate", g.Estimate, w.Estimate}, {"std_error", g.StdError, w.StdError}, {"ci_low", g.CILow, w.CILow}, {"ci_high", g.CIHigh, w.CIHigh}, {"p_value", g.PValue, w.PValue}} {
			if !sameNumber(v.g, v.w) {
				t.Errorf("%s %s %s: %s %v; plain district %v", w.Analysis, w.Subject, w.Subgroup, v.name, deref(v.g), deref(v.w))
			}
			if v.name == "estimate" && v.w != nil {
				numbers++
			}
		}
	}
	if numbers == 0 {
		t.Fatalf("no estimate is a number (all suppressed?): the comparison proves nothing")
	}
	t.Logf("%d estimates compared, %d of them numbers", len(want.Estimates), numbers)
}

func yearOf(y *int) string {
	if y == nil {
		return "all years"
	}
	return fmt.Sprint(*y)
}

func sameNumber(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) <= 1e-12*math.Max(1, math.Abs(*b))
}
