package ingest

import (
	"errors"
	"strings"
	"testing"
)

// resolveHeader runs header resolution on one header row of table name and
// returns canonical column -> source header, the headers not used, and the
// error.
func resolveHeader(t *testing.T, name string, header []string, renames map[string]string) (map[string]string, []string, error) {
	t.Helper()
	tb := TableByName(Tables(), name)
	if tb == nil {
		t.Fatalf("no table %s", name)
	}
	cm, _, err := findHeader(name+".csv", "", tb, [][]string{header}, []int{1}, renames, nil)
	if err != nil {
		return nil, nil, err
	}
	got := map[string]string{}
	for i, c := range tb.Columns {
		if cm.index[i] >= 0 {
			got[c.Name] = cm.source[i]
		}
	}
	return got, cm.ignored, nil
}

// TestHeaderNamesBesideIDs pins issue 13's reading of headers: a name
// column beside an ID column goes where a person would put it, in the
// priority order explicit mapping > exact canonical name > specific alias
// > generic alias; a bare entity word is a name or not used, never an ID.
func TestHeaderNamesBesideIDs(t *testing.T) {
	tests := []struct {
		name    string
		table   string
		header  []string
		renames map[string]string // normalised source -> column, as forTable gives
		want    map[string]string // canonical -> source header
		ignored []string
	}{
		{name: "DistrictBesideDistrictID", table: "schools",
			header: []string{"School ID", "School", "District ID", "District"},
			want:   map[string]string{"school_id": "School ID", "school_name": "School", "district_id": "District ID", "district_name": "District"}},
		{name: "SchoolNameBesideSchool", table: "schools",
			header: []string{"School ID", "School Name", "School", "District ID"},
			want:   map[string]string{"school_id": "School ID", "school_name": "School Name", "district_id": "District ID"}, ignored: []string{"School"}},
		{name: "StudentBesideStudentID", table: "students",
			header: []string{"Student", "Student ID", "School", "School ID", "Grade"},
			want:   map[string]string{"student_id": "Student ID", "school_id": "School ID", "grade_level": "Grade"}, ignored: []string{"Student", "School"}},
		{name: "TeacherBesideTeacherID", table: "teachers",
			header: []string{"Teacher", "Teacher ID", "School ID"},
			want:   map[string]string{"teacher_id": "Teacher ID", "school_id": "School ID"}, ignored: []string{"Teacher"}},
		{name: "CoachBesideCoachID", table: "coaches",
			header: []string{"Coach ID", "Coach"},
			want:   map[string]string{"coach_id": "Coach ID", "coach_name": "Coach"}},
		{name: "CoachBesideCoachIDInCycles", table: "coaching_cycles",
			header: []string{"Cycle ID", "Coach", "Coach ID", "Teacher ID", "School Year", "Start Date"},
			want:   map[string]string{"cycle_id": "Cycle ID", "coach_id": "Coach ID", "teacher_id": "Teacher ID", "school_year": "School Year", "start_date": "Start Date"}, ignored: []string{"Coach"}},
		{name: "ScoreBesideScaleScore", table: "assessments",
			header: []string{"Student ID", "School Year", "Test Name", "Subject", "Window", "Score", "Scale Score"},
			want:   map[string]string{"student_id": "Student ID", "school_year": "School Year", "assessment_name": "Test Name", "subject": "Subject", "window": "Window", "scale_score": "Scale Score"}, ignored: []string{"Score"}},
		{name: "DateBesideSessionDate", table: "coaching_sessions",
			header: []string{"Session ID", "Cycle ID", "Date", "Session Date", "Activity", "Minutes"},
			want:   map[string]string{"session_id": "Session ID", "cycle_id": "Cycle ID", "session_date": "Session Date", "activity": "Activity", "minutes": "Minutes"}, ignored: []string{"Date"}},
		{name: "SectionBesidePeriod", table: "rosters",
			header: []string{"School Year", "Student ID", "Teacher ID", "Subject", "Period", "Section"},
			want:   map[string]string{"school_year": "School Year", "student_id": "Student ID", "teacher_id": "Teacher ID", "subject": "Subject", "section_id": "Section"}, ignored: []string{"Period"}},
		{name: "SpecificAliasBeatsGeneric", table: "assessments",
			header: []string{"SSID", "Year", "Test", "Subject", "Window", "Score", "RIT Score"},
			want:   map[string]string{"student_id": "SSID", "school_year": "Year", "assessment_name": "Test", "subject": "Subject", "window": "Window", "scale_score": "RIT Score"}, ignored: []string{"Score"}},
		{name: "ExactBeatsAlias", table: "students",
			header: []string{"student_id", "SSID", "school_id", "grade_level"},
			want:   map[string]string{"student_id": "student_id", "school_id": "school_id", "grade_level": "grade_level"}, ignored: []string{"SSID"}},
		{name: "MappingBeatsExact", table: "assessments", renames: map[string]string{"score": "scale_score"},
			header: []string{"Student ID", "School Year", "Test Name", "Subject", "Window", "Score", "Scale Score"},
			want:   map[string]string{"student_id": "Student ID", "school_year": "School Year", "assessment_name": "Test Name", "subject": "Subject", "window": "Window", "scale_score": "Score"}, ignored: []string{"Scale Score"}},
		{name: "MappingIgnores", table: "students", renames: map[string]string{"studentid": Ignore, "ssid": "student_id"},
			header: []string{"Student ID", "SSID", "School ID", "Grade"},
			want:   map[string]string{"student_id": "SSID", "school_id": "School ID", "grade_level": "Grade"}, ignored: []string{"Student ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ignored, err := resolveHeader(t, tt.table, tt.header, tt.renames)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("columns = %v; want %v", got, tt.want)
			}
			for col, src := range tt.want {
				if got[col] != src {
					t.Errorf("%s read from %q; want %q", col, got[col], src)
				}
			}
			if strings.Join(ignored, "|") != strings.Join(tt.ignored, "|") {
				t.Errorf("not used %q; want %q", ignored, tt.ignored)
			}
		})
	}
}

// TestHeaderBareDistrictIsNoID pins that a bare "District" (a name) never
// becomes district_id: the schools file without an ID column is missing
// it, and the message says how to read the header as IDs if it holds them.
func TestHeaderBareDistrictIsNoID(t *testing.T) {
	_, _, err := resolveHeader(t, "schools", []string{"School ID", "School Name", "District"}, nil)
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrMissingColumn) || fe.Column != "district_id" {
		t.Fatalf("err = %v; want a missing district_id", err)
	}
	if want := `[mapping.tables.schools.columns] "District" = "district_id"`; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q does not say %s", err, want)
	}
}

// TestHeaderRealTie pins that two headers of equal standing for one column
// stop the run with the mapping line that settles it.
func TestHeaderRealTie(t *testing.T) {
	tests := []struct {
		table   string
		header  []string
		renames map[string]string
		column  string
		want    string
	}{
		{"assessments", []string{"Student ID", "School Year", "Test Name", "Subject", "Window", "Score", "Points"}, map[string]string{"points": "scale_score", "score": "scale_score"}, "scale_score",
			`headers "Score" and "Points" are both mapped to scale_score: keep one of the two [mapping] lines`},
		{"students", []string{"SSID", "State ID", "School ID", "Grade"}, nil, "student_id",
			`columns "SSID" and "State ID" both read as student_id: add [mapping.tables.students.columns] "SSID" = "ignore" (or map one to another column)`},
		{"assessments", []string{"Student ID", "School Year", "Test Name", "Subject", "Window", "Score", "Scale Score", "scale_score"}, nil, "scale_score",
			`columns "Scale Score" and "scale_score" both read as scale_score: add [mapping.tables.assessments.columns] "Scale Score" = "ignore" (or map one to another column)`},
	}
	for _, tt := range tests {
		t.Run(tt.table+"/"+tt.column, func(t *testing.T) {
			_, _, err := resolveHeader(t, tt.table, tt.header, tt.renames)
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, ErrDuplicateColumn) || fe.Column != tt.column {
				t.Fatalf("err = %v; want %s given twice", err, tt.column)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// TestNoHeaderNamesMissingColumns pins issue 13's item 3: a header row that
// names too few columns is reported with what it lacks.
func TestNoHeaderNamesMissingColumns(t *testing.T) {
	tb := TableByName(Tables(), "students")
	rows := [][]string{{"Student ID", "First Name", "Last Name", "Birthdate"}, {"S1", "Ana", "Ruiz", "2015-01-02"}}
	_, _, err := findHeader("students.csv", "", tb, rows, []int{1, 2}, nil, nil)
	if !errors.Is(err, ErrNoHeader) {
		t.Fatalf("err = %v; want ErrNoHeader", err)
	}
	want := "students.csv: no header row found: the best candidate, row 1, lacks the required columns school_id, grade_level"
	if err.Error() != want {
		t.Errorf("message\n%q\nwant\n%q", err, want)
	}
}

// TestMappingIgnore pins that a mapping can drop a column, in every table
// ([mapping.columns]) or in one ([mapping.tables.X.columns]), and settles
// a tie that way.
func TestMappingIgnore(t *testing.T) {
	for _, m := range []*Mapping{
		{Columns: map[string]string{"State ID": Ignore}},
		{Tables: map[string]TableMapping{"students": {Columns: map[string]string{"State ID": Ignore}}}},
	} {
		if err := m.Validate(Tables()); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		files := map[string]string{}
		for k, v := range minimal {
			files[k] = v
		}
		files["students.csv"] = "SSID,State ID,school_id,grade_level\nS1,X9,01,3\n"
		tables, rejects := loadDir(t, writeDir(t, files), m)
		st := tables["students"]
		if len(rejects) != 0 || len(st.rows) != 1 || st.rows[0][0] != "S1" {
			t.Errorf("students = %q, rejects %v; want S1 read from SSID", st.rows, rejects)
		}
		if got := st.stats.IgnoredColumns; len(got) != 1 || got[0] != "State ID" {
			t.Errorf("ignored %q; want State ID", got)
		}
	}
}

// TestMappingSameHeaderTwice pins that two mapping keys one header matches
// (they differ only in case, space or punctuation) are a config error when
// they disagree, not a run-to-run chance.
func TestMappingSameHeaderTwice(t *testing.T) {
	m := &Mapping{Columns: map[string]string{"Student ID": Ignore, "student_id": "student_id", "SSID": "student_id", "ssid": "student_id"},
		Tables: map[string]TableMapping{"rosters": {Columns: map[string]string{"Per": "section_id", "PER": "percent_time"}}}}
	err := m.Validate(Tables())
	for _, want := range []string{`mapping.columns: "Student ID" and "student_id" name the same header but map it to "ignore" and "student_id"`,
		`mapping.tables.rosters.columns: "PER" and "Per" name the same header but map it to "percent_time" and "section_id"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v\nwant it to say %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "SSID") {
		t.Errorf("Validate() = %v; SSID and ssid agree", err)
	}
}

// TestMappingFileTwice pins issue 14's rule for one file given to two
// tables (a form log that is both sessions and observations): each table
// reads it, every run alike (issue 13 found the winner changed from run
// to run; it was then refused).
func TestMappingFileTwice(t *testing.T) {
	m := &Mapping{Tables: map[string]TableMapping{
		"rosters": {File: "export.csv"},
		"coaches": {File: "Export.CSV"},
	}}
	if err := m.Validate(Tables()); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	files := map[string]string{}
	for k, v := range minimal {
		files[k] = v
	}
	files["export.csv"] = files["rosters.csv"]
	delete(files, "rosters.csv")
	dir := writeDir(t, files)
	for i := 0; i < 20; i++ {
		srcs, err := Discover(dir, Tables(), m, Limits{})
		if err != nil {
			t.Fatalf("Discover() = %v", err)
		}
		var got []string
		for _, s := range srcs {
			if s.File == "export.csv" {
				got = append(got, s.Table.Name)
			}
		}
		if strings.Join(got, ",") != "coaches,rosters" {
			t.Fatalf("run %d: export.csv read as %v, want coaches then rosters", i, got)
		}
	}
}

// TestMappingValuesSameKey pins that two value-map keys that differ only
// in case but map to different values are a config error: the lower-case
// fallback would pick one by chance.
func TestMappingValuesSameKey(t *testing.T) {
	m := &Mapping{Values: map[string]map[string]string{"subject": {"MATH": "Math", "math": "ELA"}}}
	want := `mapping.values.subject: "MATH" and "math" differ only in case but map to "Math" and "ELA"`
	if err := m.Validate(Tables()); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Validate() = %v\nwant it to say %s", err, want)
	}
}
