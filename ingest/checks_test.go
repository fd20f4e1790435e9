package ingest

import "testing"

// TestChecksBind binds every table's checks (Table.checks) as Open does:
// a check that reads a column its table lacks panics here, not on a
// district's first file.
func TestChecksBind(t *testing.T) {
	for _, tb := range Tables() {
		t.Run(tb.Name, func(t *testing.T) {
			var faults []RowError
			v := &rowView{t: tb, row: make([]cell, len(tb.Columns)), keys: NewKeys(nil), faults: &faults}
			for i, c := range tb.checks {
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("check %d: %v", i, p)
						}
					}()
					c(v)
				}()
			}
		})
	}
}

// TestCheckOfMissingColumnPanics pins that binding names the table and the
// column a misdeclared check reads.
func TestCheckOfMissingColumnPanics(t *testing.T) {
	tb := &Table{Name: "t", Columns: []Column{{Name: "a"}}}
	var faults []RowError
	v := &rowView{t: tb, row: make([]cell, 1), faults: &faults}
	defer func() {
		p := recover()
		want := "ingest: a check of table t reads column test_date, which it lacks"
		if p != want {
			t.Errorf("panic %v, want %q", p, want)
		}
	}()
	inSchoolYear("test_date", "a")(v)
}

// TestAbsentNotes: each optional table says what a run does without it,
// beside its declaration; a required table needs no such note.
func TestAbsentNotes(t *testing.T) {
	want := map[string]string{
		"coaches":      "coach IDs are taken as given",
		"observations": "the teacher-practice analysis is skipped",
	}
	for _, tb := range Tables() {
		if tb.Required && tb.Absent != "" {
			t.Errorf("%s: required, yet has an absent note %q", tb.Name, tb.Absent)
		}
		if w, ok := want[tb.Name]; ok && tb.AbsentNote() != w {
			t.Errorf("%s: AbsentNote() = %q, want %q", tb.Name, tb.AbsentNote(), w)
		}
	}
	if got := (&Table{Name: "x"}).AbsentNote(); got != "empty" {
		t.Errorf("a table with no Absent: AbsentNote() = %q, want %q", got, "empty")
	}
}
