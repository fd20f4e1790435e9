package reports

import (
	"testing"

	"github.com/coachimpact/coachimpact/ingest"
)

// TestFileNotesReshaped: the Data quality sheet says what a reshaped
// table left out and why, never a silent drop (issue 14).
func TestFileNotesReshaped(t *testing.T) {
	s := ingest.Stats{
		Inputs:         []ingest.InputFile{{Path: "math_2023.csv"}, {Path: "ela_2023.csv"}},
		Filtered:       map[string]int{`Rush Flag is "Y" (mapping.tables.assessments.drop)`: 41, `TestType is not "Growth"`: 1200},
		RowsSuperseded: 7,
	}
	want := `read from 2 files: math_2023.csv, ela_2023.csv; 1,200 rows left out: TestType is not "Growth"; 41 rows left out: Rush Flag is "Y" (mapping.tables.assessments.drop); 7 rows replaced by a later row of the same key (latest_by)`
	if got := fileNotes(s); got != want {
		t.Errorf("fileNotes:\n got %s\nwant %s", got, want)
	}
}
