package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// minimal is a valid district, one line per table, used as a base that
// each structural case breaks in one place.
var minimal = map[string]string{
	"schools.csv":           "school_id,school_name,district_id\n01,A,9\n",
	"teachers.csv":          "teacher_id,school_id\nT1,01\n",
	"students.csv":          "student_id,school_id,grade_level\nS1,01,3\n",
	"rosters.csv":           "school_year,student_id,teacher_id,subject\n2024,S1,T1,Math\n",
	"assessments.csv":       "school_year,student_id,assessment_name,subject,window,scale_score\n2024,S1,X,Math,spring,400\n",
	"coaching_cycles.csv":   "cycle_id,coach_id,teacher_id,school_year,start_date\nC1,K1,T1,2024,2023-09-01\n",
	"coaching_sessions.csv": "session_id,cycle_id,session_date,activity,minutes\nS1,C1,2023-09-02,planning,30\n",
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if body == "\x00skip" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// openAll discovers and opens every source, reading each to the end, and
// returns the first error.
func openAll(dir string) error {
	mem := memory.NewGoAllocator()
	tables := Tables()
	srcs, err := Discover(dir, tables, nil, Limits{})
	if err != nil {
		return err
	}
	var present []string
	for _, s := range srcs {
		present = append(present, s.Table.Name)
	}
	keys := NewKeys(present)
	for _, s := range srcs {
		r, err := Open(context.Background(), s, nil, keys, mem, Limits{})
		if err != nil {
			return err
		}
		for r.Next() {
		}
		err = r.Err()
		r.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func TestStructuralFaults(t *testing.T) {
	tests := []struct {
		Name    string
		Change  map[string]string
		File    string
		Column  string
		Err     error
		Message string
	}{
		{Name: "Valid"},
		{Name: "MissingTable", Change: map[string]string{"rosters.csv": "\x00skip"}, Err: ErrMissingTable, Message: "rosters"},
		{Name: "MissingColumn", Change: map[string]string{"rosters.csv": "school_year,student_id,subject\n2024,S1,Math\n"}, File: "rosters.csv", Column: "teacher_id", Err: ErrMissingColumn},
		{Name: "DuplicateColumn", Change: map[string]string{"students.csv": "SSID,State ID,school_id,grade_level\nS1,S1,01,3\n"}, File: "students.csv", Column: "student_id", Err: ErrDuplicateColumn, Message: `"SSID" = "ignore"`},
		{Name: "EmptyFile", Change: map[string]string{"teachers.csv": ""}, File: "teachers.csv", Err: ErrNoHeader},
		{Name: "NoHeader", Change: map[string]string{"teachers.csv": "x,y\n1,2\n"}, File: "teachers.csv", Err: ErrNoHeader},
		{Name: "TableTwice", Change: map[string]string{"Students.CSV": minimal["students.csv"]}, Err: ErrDuplicateTable},
		{Name: "RandomBytesXLSX", Change: map[string]string{"observations.xlsx": "\x01\x02not a zip"}, File: "observations.xlsx", Err: ErrUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range minimal {
				files[k] = v
			}
			for k, v := range tt.Change {
				files[k] = v
			}
			err := openAll(writeDir(t, files))
			if tt.Err == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, tt.Err) {
				t.Fatalf("err = %v; want a *FileError wrapping %v", err, tt.Err)
			}
			if tt.File != "" && fe.File != tt.File {
				t.Errorf("File = %q; want %q (%v)", fe.File, tt.File, err)
			}
			if fe.Column != tt.Column {
				t.Errorf("Column = %q; want %q (%v)", fe.Column, tt.Column, err)
			}
			if !strings.Contains(err.Error(), tt.Message) {
				t.Errorf("message %q does not mention %q", err, tt.Message)
			}
		})
	}
}

func TestMapping(t *testing.T) {
	files := map[string]string{}
	for k, v := range minimal {
		files[k] = v
	}
	files["rosters.csv"] = "YEAR,ID,INSTRUCTOR_NUMBER,CONTENT_AREA,INSTRUCTOR_WEIGHT\n2023_2024,S1,T1,MATHEMATICS,0.5\n"
	files["assessments.csv"] = "YEAR,ID,CONTENT_AREA,SCALE_SCORE,ACHIEVEMENT_LEVEL\n2023_2024,S1,MATHEMATICS,400,Proficient\n2023_2024,S1,READING,,No Score\n"
	m := &Mapping{
		Columns: map[string]string{"ID": "student_id", "YEAR": "school_year", "CONTENT_AREA": "subject", "INSTRUCTOR_NUMBER": "teacher_id"},
		Values:  map[string]map[string]string{"subject": {"MATHEMATICS": "Math", "READING": "ELA"}},
		Tables: map[string]TableMapping{
			"rosters":     {Columns: map[string]string{"INSTRUCTOR_WEIGHT": "percent_time"}, Scale: map[string]float64{"percent_time": 100}},
			"assessments": {Columns: map[string]string{"SCALE_SCORE": "scale_score", "ACHIEVEMENT_LEVEL": "performance_level"}, Values: map[string]map[string]string{"performance_level": {"Proficient": "3", "No Score": ""}}, Defaults: map[string]string{"window": "spring", "assessment_name": "State test"}},
		},
	}
	if err := m.Validate(Tables()); err != nil {
		t.Fatal(err)
	}
	tables, rejects := loadDir(t, writeDir(t, files), m)
	if got := tables["rosters"].rows; len(got) != 1 || strings.Join(got[0], ",") != "2024,S1,T1,Math,NULL,50" {
		t.Errorf("rosters = %q", got)
	}
	if got := tables["assessments"].rows; len(got) != 1 || strings.Join(got[0], ",") != "2024,S1,NULL,State test,Math,spring,NULL,400,3,NULL" {
		t.Errorf("assessments = %q", got)
	}
	if len(rejects) != 1 || rejects[0].Column != "scale_score" || !errors.Is(rejects[0].Err, ErrMissing) || rejects[0].Row != 3 {
		t.Errorf("rejects = %v; want the blank score on row 3", rejects)
	}
	if c := tables["assessments"].stats.Columns["window"]; c != "=spring" {
		t.Errorf("manifest column window = %q", c)
	}

	bad := &Mapping{Columns: map[string]string{"X": "no_such"}, Tables: map[string]TableMapping{"grades": {}, "rosters": {Scale: map[string]float64{"subject": 2}}}}
	err := bad.Validate(Tables())
	for _, want := range []string{"no_such", "unknown table \"grades\"", "column \"subject\" is not a number"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to mention %s", err, want)
		}
	}
}
