package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWildcard: a filter value with "*" matches any text in its place,
// in any case; without one a value is compared whole (holds).
func TestWildcard(t *testing.T) {
	tests := []struct {
		p, v string
		want bool
	}{
		{"-*", "-20044", true}, {"-*", "20044", false}, {"-*", "-", true},
		{"*", "", true}, {"*flag", "Red Rush Flag", true}, {"*flag", "Flags", false},
		{"a*b*c", "AxxBxxC", true}, {"a*b*c", "acb", false}, {"ab*ba", "aba", false},
	}
	for _, tt := range tests {
		if got := wildcard(tt.p, tt.v); got != tt.want {
			t.Errorf("wildcard(%q, %q) = %v; want %v", tt.p, tt.v, got, tt.want)
		}
	}
	if !holds(TextList{"-*"}, " -3200 ") || holds(TextList{"-"}, "-3200") {
		t.Errorf(`holds: "-*" must take " -3200 ", a plain "-" must not`)
	}
	if !holds(TextList{"Scale*"}, "uri://ed-fi.org/AssessmentReportingMethodDescriptor#Scale score") {
		t.Errorf("holds: a pattern must match a descriptor URI by its code value")
	}
}

// TestIfFn: if(flag, a, b) is a for a yes, b for a no or a blank, and a
// flag that is neither fails with ErrBadBool.
func TestIfFn(t *testing.T) {
	for _, tt := range []struct{ flag, want string }{{"true", "A"}, {"Y", "A"}, {"1", "A"}, {"false", "B"}, {"0", "B"}, {" ", "B"}} {
		if got, err := ifFn(tt.flag, "A", "B"); err != nil || got != tt.want {
			t.Errorf("ifFn(%q) = %q, %v; want %q", tt.flag, got, err, tt.want)
		}
	}
	if _, err := ifFn("maybe", "A", "B"); !errors.Is(err, ErrBadBool) {
		t.Errorf("ifFn(maybe) err = %v; want ErrBadBool", err)
	}
}

// TestShapeFlagsAndCodes reads a students file the way an Ed-Fi and a
// PowerSchool export need: a value map keyed by descriptor code values
// (Limited = Y) over full URIs of any namespace, race_ethnicity made by
// if() from a Hispanic flag, and rows dropped by a wildcard filter
// (status "-*"). The expected rows are worked by hand from the file; the
// source's checksum is CombineSums of its one part's.
func TestShapeFlagsAndCodes(t *testing.T) {
	dir := t.TempDir()
	base, _ := filepath.Glob(filepath.Join("..", "testdata", "badinput", "base", "*.csv"))
	for _, p := range base {
		if filepath.Base(p) == "students.csv" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644)
	}
	kids := "student_id,school_id,grade_level,status,hisp,race,lep\n" +
		"S1,01,3,0,true,uri://ed-fi.org/RaceDescriptor#White,uri://ed-fi.org/LimitedEnglishProficiencyDescriptor#NotLimited\n" +
		"S2,01,3,0,false,uri://district.example.org/RaceDescriptor#White,uri://district.example.org/LimitedEnglishProficiencyDescriptor#Limited\n" +
		"S3,01,4,-2,false,White,Limited\n" + // dropped: status -2
		"S4,02,3,0,,Black - African American,NotLimited\n" + // a blank flag is no
		"S5,02,4,0,maybe,White,Limited\n" // rejected: the flag is not yes/no
	if err := os.WriteFile(filepath.Join(dir, "kids.csv"), []byte(kids), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &Mapping{Tables: map[string]TableMapping{"students": {
		File:    "kids.csv",
		Drop:    map[string]TextList{"status": {"-*"}},
		Derive:  map[string]string{"race_ethnicity": "if(hisp, hisp, race)"},
		Columns: map[string]string{"lep": "english_learner"},
		Values: map[string]map[string]string{
			"race_ethnicity":  {"true": "Hispanic", "Black - African American": "Black"},
			"english_learner": {"Limited": "Y", "NotLimited": "N"},
		},
	}}}
	if err := m.Validate(Tables()); err != nil {
		t.Fatal(err)
	}
	got, rejects := loadDir(t, dir, m)
	st := got["students"]
	// Columns: student_id, school_id, grade_level, gender, race_ethnicity, english_learner, ...
	var lead []string
	for _, r := range st.rows {
		lead = append(lead, r[0]+" "+r[4]+" "+r[5])
	}
	want := []string{"S1 Hispanic false", "S2 White true", "S4 Black false"}
	if fmt.Sprint(lead) != fmt.Sprint(want) {
		t.Errorf("students = %v; want %v", lead, want)
	}
	if st.stats.RowsFiltered != 1 || st.stats.RowsRejected != 1 {
		t.Errorf("filtered %d, rejected %d; want 1 (S3) and 1 (S5)", st.stats.RowsFiltered, st.stats.RowsRejected)
	}
	var mine []RowError
	for _, r := range rejects {
		if r.File == "kids.csv" {
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 || mine[0].Row != 6 || mine[0].Column != "hisp" || !errors.Is(mine[0].Err, ErrBadBool) {
		t.Errorf("rejects = %v; want kids.csv row 6, hisp: not yes/no", mine)
	}
	sum := sha256.Sum256([]byte(kids))
	if want := CombineSums([]string{"kids.csv"}, []string{hex.EncodeToString(sum[:])}); st.stats.SHA256 != want {
		t.Errorf("SHA256 = %s; want CombineSums of kids.csv's, %s", st.stats.SHA256, want)
	}
}

// TestProfileWithOwnSteps: a mapping that adds a reshaping key (an
// expand) to a table a profile gives, without naming files of its own,
// reads the table through the profile's files with both sets of steps
// (was: the profile was passed over and no file matched). links.csv's
// one "Both" row becomes a Math and an ELA row.
func TestProfileWithOwnSteps(t *testing.T) {
	dir := t.TempDir()
	base, _ := filepath.Glob(filepath.Join("..", "testdata", "badinput", "base", "*.csv"))
	for _, p := range base {
		if filepath.Base(p) == "rosters.csv" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644)
	}
	links := "school_year,student_id,teacher_id,course\n2024,S1,T1,Both\n2024,S2,T1,Math\n"
	if err := os.WriteFile(filepath.Join(dir, "links.csv"), []byte(links), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &Mapping{
		Profiles: []Profile{{Name: "sis", Tables: map[string]TableMapping{"rosters": {Files: []string{"links*.csv"}, Columns: map[string]string{"course": "subject"}}}}},
		Tables:   map[string]TableMapping{"rosters": {Expand: map[string]map[string]TextList{"course": {"Both": {"Math", "ELA"}}}}},
	}
	got, _ := loadDir(t, dir, m)
	ro := got["rosters"]
	if ro == nil {
		t.Fatal("rosters not loaded")
	}
	var subj []string
	for _, r := range ro.rows {
		subj = append(subj, r[1]+" "+r[3])
	}
	if want := []string{"S1 Math", "S1 ELA", "S2 Math"}; fmt.Sprint(subj) != fmt.Sprint(want) || ro.stats.RowsAdded != 1 {
		t.Errorf("rosters = %v, %d added; want %v and 1", subj, ro.stats.RowsAdded, want)
	}
}
