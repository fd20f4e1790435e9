package reports

import (
	"context"
	"testing"

	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
)

// TestFileNotesReshaped: the Data quality sheet says what a reshaped
// table left out and why, never a silent drop (issue 14); the counts go
// through the model's file tables as a run's do.
func TestFileNotesReshaped(t *testing.T) {
	s := ingest.Stats{
		Source:         "assessments",
		Inputs:         []ingest.InputFile{{Path: "math_2023.csv"}, {Path: "ela_2023.csv"}},
		Filtered:       map[string]int{`Rush Flag is "Y" (mapping.tables.assessments.drop)`: 41, `TestType is not "Growth"`: 1200},
		RowsSuperseded: 7,
	}
	ctx := context.Background()
	db, err := model.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.LoadFiles(ctx, []ingest.Stats{s}, nil); err != nil {
		t.Fatal(err)
	}
	files, err := inputFiles(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("%d files read back, want 1", len(files))
	}
	want := `read from 2 files: math_2023.csv, ela_2023.csv; 1,200 rows left out: TestType is not "Growth"; 41 rows left out: Rush Flag is "Y" (mapping.tables.assessments.drop); 7 rows replaced by a later row of the same key (latest_by)`
	if got := fileNotes(files[0]); got != want {
		t.Errorf("fileNotes:\n got %s\nwant %s", got, want)
	}
}
