package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/xuri/excelize/v2"
)

// loaded is what a test sees of one table: its rows as text.
type loaded struct {
	stats Stats
	rows  [][]string // cells formatted by cellText
}

// loadDir ingests every source in dir in load order, as the pipeline does,
// without DuckDB, and returns each table's rows and all rejects.
func loadDir(t *testing.T, dir string, m *Mapping) (map[string]*loaded, []RowError) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tables := Tables()
	srcs, err := Discover(dir, tables, m, Limits{})
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	var present []string
	for _, s := range srcs {
		present = append(present, s.Table.Name)
	}
	keys := NewKeys(present)
	out := map[string]*loaded{}
	var rejects []RowError
	for _, src := range srcs {
		r, err := Open(context.Background(), src, m, keys, mem, Limits{})
		if err != nil {
			t.Fatalf("Open %s: %v", src.Name(), err)
		}
		l := &loaded{}
		for r.Next() {
			rec := r.Record()
			for i := 0; i < int(rec.NumRows()); i++ {
				row := make([]string, rec.NumCols())
				for j := range row {
					row[j] = cellText(rec.Column(j), i)
				}
				l.rows = append(l.rows, row)
			}
		}
		if err := r.Err(); err != nil {
			t.Fatalf("read %s: %v", src.Name(), err)
		}
		l.stats = r.Stats()
		rejects = append(rejects, r.Rejects...)
		r.Release()
		out[src.Table.Name] = l
	}
	return out, rejects
}

func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.Int32:
		return fmt.Sprint(x.Value(i))
	case *array.Float64:
		return fmt.Sprint(x.Value(i))
	case *array.Boolean:
		return fmt.Sprint(x.Value(i))
	case *array.Date32:
		return Date(x.Value(i)).String()
	}
	return a.ValueStr(i)
}

// copyFixture copies testdata/name into a temporary folder and returns it.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", name, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// sheetRows writes rows onto a new sheet; a float64 in a date column is an
// Excel date cell (serial with a date format); an excelize.Cell is written
// as given (formulas with cached values).
func writeSheet(t *testing.T, f *excelize.File, sheet string, rows [][]any) {
	t.Helper()
	if _, err := f.NewSheet(sheet); err != nil {
		t.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			if d, ok := v.(Date); ok {
				v = excelize.Cell{Value: float64(int(d) + 25569), StyleID: dateStyle}
			}
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
}

func saveBook(t *testing.T, f *excelize.File, path string) {
	t.Helper()
	if idx, err := f.GetSheetIndex("Sheet1"); err == nil && idx >= 0 && len(f.GetSheetList()) > 1 {
		f.DeleteSheet("Sheet1")
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// quirkyDistrict is testdata/quirky plus two workbooks: students.xlsx with a
// title row, and coaching.xlsx with a sheet per table, date cells and a
// formula cell.
func quirkyDistrict(t *testing.T) string {
	dir := copyFixture(t, "quirky")
	f := excelize.NewFile()
	writeSheet(t, f, "Students", [][]any{
		{"Student list, spring 2024"},
		{},
		{"StudentUniqueId", "School Code", "Grade", "ELL", "SPED", "Econ Disadv"},
		{"00012", "0101", "K", "Yes", "No", "Yes"},
		{"00013", "0101", "05", "No", "No", "No"},
		{"00014", "0102", 7, "N", "Y", "TRUE"},
		{"00012", "0102", "3", "No", "No", "No"},
		{"00015", "0101", "Q", "No", "No", "No"},
		{"00016", "0101", "4", "maybe", "No", "No"},
	})
	saveBook(t, f, filepath.Join(dir, "students.xlsx"))

	f = excelize.NewFile()
	writeSheet(t, f, "coaching_cycles", [][]any{
		{"cycle_id", "coach_id", "teacher_id", "school_year", "start_date", "end_date", "stage_reached", "goal_met"},
		{"CY1", "C1", "T001", 2024, d(2023, 9, 1), d(2023, 12, 1), "Improve", "Y"},
		{"CY2", "C1", "T002", "2023-24", d(2024, 1, 8), nil, "learn", "N"},
		{"CY3", "C1", "T001", "2023-25", d(2024, 1, 8), nil, "learn", "N"},
		{"CY4", "C1", "T003", 2024, d(2024, 3, 1), d(2024, 2, 1), "learn", ""},
	})
	writeSheet(t, f, "coaching_sessions", [][]any{
		{"session_id", "cycle_id", "session_date", "activity", "minutes", "principles"},
		{"S1", "CY1", d(2023, 9, 5), "planning", 45, "voice; choice"},
		{"S2", "CY1", d(2023, 10, 5), "modeling", 60, ""},
		{"S3", "CY2", d(2024, 1, 10), "debrief", -30, "dialogue"},
		{"S4", "CY2", d(2024, 8, 1), "debrief", 30, "dialogue"},
		{"S5", "CY3", d(2024, 1, 10), "debrief", 30, "dialogue"},
		{"S6", "CY2", d(2024, 2, 10), "co-teaching", excelize.Cell{Formula: "30+15", Value: 45}, "praxis"},
		{"S7", "CY1", d(2023, 11, 1), `=HYPERLINK("http://x","y")`, 30, "reflection"},
	})
	saveBook(t, f, filepath.Join(dir, "coaching.xlsx"))
	return dir
}

type rej struct {
	File   string
	Row    int
	Column string
	Reason error
}

func TestQuirkyDistrict(t *testing.T) {
	dir := quirkyDistrict(t)
	tables, rejects := loadDir(t, dir, nil)

	var got []rej
	for _, r := range rejects {
		got = append(got, rej{File: r.File, Row: r.Row, Column: r.Column, Reason: r.Err})
	}
	want := []rej{
		{"teachers.csv", 7, "school_id", ErrUnknownID},
		{"students.xlsx", 7, "student_id", ErrDuplicateKey},
		{"students.xlsx", 8, "grade_level", ErrBadGrade},
		{"students.xlsx", 9, "english_learner", ErrBadBool},
		{"rosters.csv", 6, "student_id", ErrUnknownID},
		{"rosters.csv", 7, "teacher_id", ErrUnknownID},
		{"rosters.csv", 8, "percent_time", ErrRange},
		{"assessments.csv", 5, "test_date", ErrBadDate},
		{"assessments.csv", 7, "school_year+student_id+assessment_name+subject+window", ErrDuplicateKey},
		{"assessments.csv", 8, "test_date", ErrOutsideYear},
		{"coaching.xlsx", 4, "school_year", ErrBadYear},
		{"coaching.xlsx", 5, "end_date", ErrDateOrder},
		{"coaching.xlsx", 4, "minutes", ErrRange},
		{"coaching.xlsx", 5, "session_date", ErrOutsideYear},
		{"coaching.xlsx", 6, "cycle_id", ErrUnknownID},
	}
	if len(got) != len(want) {
		t.Errorf("got %d rejects, want %d:", len(got), len(want))
		for _, r := range rejects {
			t.Logf("  %v", &r)
		}
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.File != w.File || g.Row != w.Row || g.Column != w.Column || !errors.Is(g.Reason, w.Reason) {
			t.Errorf("reject %d = %+v; want %+v", i, g, w)
		}
	}

	counts := map[string][3]int{}
	for name, l := range tables {
		s := l.stats
		if s.RowsRead != s.RowsLoaded+s.RowsRejected {
			t.Errorf("%s: read %d != loaded %d + rejected %d", name, s.RowsRead, s.RowsLoaded, s.RowsRejected)
		}
		if len(l.rows) != s.RowsLoaded {
			t.Errorf("%s: %d rows in batches, stats say %d", name, len(l.rows), s.RowsLoaded)
		}
		counts[name] = [3]int{s.RowsRead, s.RowsLoaded, s.RowsRejected}
	}
	wantCounts := map[string][3]int{
		"schools": {2, 2, 0}, "teachers": {4, 3, 1}, "students": {6, 3, 3}, "rosters": {7, 4, 3},
		"assessments": {7, 4, 3}, "coaching_cycles": {4, 2, 2}, "coaching_sessions": {7, 4, 3},
	}
	if !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("counts = %v\nwant %v", counts, wantCounts)
	}

	// Values normalised as DOMAIN.md says; leading zeros kept.
	check := func(table string, want [][]string) {
		t.Helper()
		got := tables[table].rows
		sort.Slice(got, func(i, j int) bool { return fmt.Sprint(got[i]) < fmt.Sprint(got[j]) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s rows:\n got %q\nwant %q", table, got, want)
		}
	}
	check("schools", [][]string{
		{"0101", "Oak Elementary", "001", "Demo District", "elementary", "2022"},
		{"0102", "Pine Middle", "001", "Demo District", "middle", "NULL"},
	})
	check("students", [][]string{
		{"00012", "0101", "0", "NULL", "NULL", "true", "false", "true"},
		{"00013", "0101", "5", "NULL", "NULL", "false", "false", "false"},
		{"00014", "0102", "7", "NULL", "NULL", "false", "true", "true"},
	})
	check("rosters", [][]string{
		{"2024", "00012", "T001", "Math", "S1", "NULL"},
		{"2024", "00013", "T001", "Math", "S1", "60"},
		{"2024", "00013", "T002", "Math", "S2", "40"},
		{"2024", "00014", "T003", "ELA", "S3", "100"},
	})
	check("assessments", [][]string{
		{"2024", "00012", "NULL", "Bench", "Math", "fall", "2023-09-15", "400", "2", "NULL"},
		{"2024", "00012", "NULL", "Bench", "Math", "spring", "2024-05-01", "420", "3", "NULL"},
		{"2024", "00013", "NULL", "Bench", "Math", "fall", "2023-09-15", "390", "NULL", "NULL"},
		{"2024", "00014", "NULL", "Bench", "ELA", "spring", "2024-05-01", "380", "1", "NULL"},
	})
	check("coaching_cycles", [][]string{
		{"CY1", "C1", "T001", "2024", "2023-09-01", "2023-12-01", "NULL", "NULL", "improve", "true"},
		{"CY2", "C1", "T002", "2024", "2024-01-08", "NULL", "NULL", "NULL", "learn", "false"},
	})
	check("coaching_sessions", [][]string{
		{"S1", "CY1", "2023-09-05", "planning", "45", "voice;choice"},
		{"S2", "CY1", "2023-10-05", "modeling", "60", "NULL"},
		{"S6", "CY2", "2024-02-10", "co-teaching", "45", "praxis"},
		{"S7", "CY1", "2023-11-01", `=HYPERLINK("http://x","y")`, "30", "reflection"},
	})
	if s := tables["teachers"].stats; s.HeaderRow != 3 {
		t.Errorf("teachers header row = %d, want 3 (below a title and a blank row)", s.HeaderRow)
	}
}

func TestRowErrorMessage(t *testing.T) {
	e := &RowError{File: "students.csv", Row: 14, Column: "grade_level", Value: "Q", Err: ErrBadGrade}
	if got, want := e.Error(), `students.csv: row 14, column grade_level: unrecognised grade "Q"`; got != want {
		t.Errorf("Error() = %s; want %s", got, want)
	}
	fe := &FileError{File: "rosters.csv", Column: "teacher_id", Err: ErrMissingColumn}
	if got, want := fe.Error(), "rosters.csv: column teacher_id: missing required column"; got != want {
		t.Errorf("Error() = %s; want %s", got, want)
	}
}

func TestNoAmbiguousAliases(t *testing.T) {
	for _, tb := range Tables() {
		seen := map[string]string{}
		for _, c := range tb.Columns {
			for _, a := range append([]string{c.Name}, c.Aliases...) {
				n := normalize(a)
				if prev, ok := seen[n]; ok && prev != c.Name {
					t.Errorf("table %s: %q means both %s and %s", tb.Name, a, prev, c.Name)
				}
				seen[n] = c.Name
			}
		}
	}
}
