package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
)

func check(t *testing.T, input string, cfg config.Config) *CheckReport {
	t.Helper()
	rep, err := Check(context.Background(), Options{Input: input, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestCheckCoverage: the model part of a check on the catalogue's base
// district, counted by hand from testdata/badinput/base: five students
// with a fall and a spring Math score in 2024 (five growth rows), each
// on the rosters in Math (five with a teacher of record: T1 for S1 and
// S2, T2 for S3, T3 for S4 and S5, three teachers of record); one
// coaching cycle, T1's, with 135 session minutes before the spring test
// (one coached teacher, two growth rows with a coached teacher). With the
// roster-subject-codes rosters (HR100, MTH6) none has a teacher of
// record, and the subjects on one side of the link are named.
func TestCheckCoverage(t *testing.T) {
	input := baseInput(t)
	rep := check(t, input, config.Default())
	if rep.Structural() || rep.Model == nil || len(rep.Model.Reasons) > 0 {
		t.Fatalf("base district: structural %v, model %+v", rep.Structural(), rep.Model)
	}
	want := model.Coverage{SpringRows: 5, GrowthRows: 5, WithTeacher: 5, CoachedRows: 2, Rosters: 5,
		CycleTeachers: 1, Coached: 1, CoachedOfRecord: 1, OfRecord: 3,
		Subjects: []model.SubjectCoverage{{Subject: "Math", GrowthRows: 5, WithTeacher: 5, CoachedRows: 2}}}
	if got := rep.Model.Coverage; !reflect.DeepEqual(got, want) {
		t.Errorf("base coverage:\n got %+v\nwant %+v", got, want)
	}
	if len(rep.Files) != 9 || len(rep.Notes) != 0 {
		t.Errorf("base: %d files, notes %q; want the 9 tables, no notes", len(rep.Files), rep.Notes)
	}

	codeRosters(t, input)
	rep = check(t, input, config.Default())
	cov := rep.Model.Coverage
	wantU := model.Unmatched{RosterSubjects: []string{"HR100", "MTH6"}, AssessmentSubjects: []string{"Math"}}
	if cov.GrowthRows != 5 || cov.WithTeacher != 0 || cov.OfRecord != 0 || !reflect.DeepEqual(cov.Unmatched, wantU) {
		t.Errorf("subject codes: %d growth rows, %d with a teacher, %d teachers of record, unmatched %+v; want 5, 0, 0, %+v", cov.GrowthRows, cov.WithTeacher, cov.OfRecord, cov.Unmatched, wantU)
	}
	var got []string
	for _, r := range rep.Model.Reasons {
		got = append(got, r.Code)
	}
	if want := []string{model.ReasonNoTeacher, model.ReasonNoEstimate}; !slices.Equal(got, want) {
		t.Errorf("subject codes: reasons %q; want %q (the case's run.json)", got, want)
	}
}

// TestCheckRejects: the roster-teacher-names case's five roster rows
// (rows 2-6 of its rosters.csv) name teachers, not IDs: one group,
// unknown id in teacher_id, five rows, its first three values shown with
// their rows as in the file.
func TestCheckRejects(t *testing.T) {
	input := baseInput(t)
	copyFile(t, filepath.Join(catalogue, "roster-teacher-names", "rosters.csv"), filepath.Join(input, "rosters.csv"))
	rep := check(t, input, config.Default())
	i := slices.IndexFunc(rep.Files, func(f FileCheck) bool { return f.Name == "rosters.csv" })
	if i < 0 {
		t.Fatalf("no rosters.csv in %+v", rep.Files)
	}
	f := rep.Files[i]
	if f.Table != "rosters" || f.Stats.RowsRead != 5 || f.Stats.RowsRejected != 5 || len(f.Rejects) != 1 {
		t.Fatalf("rosters.csv: table %s, read %d, rejected %d, %d reject groups; want rosters, 5, 5, 1", f.Table, f.Stats.RowsRead, f.Stats.RowsRejected, len(f.Rejects))
	}
	g := f.Rejects[0]
	if !g.Is(ingest.ErrUnknownID) || g.Column != "teacher_id" || g.Rows != 5 || g.Values != 5 {
		t.Errorf("reject group %+v; want unknown id in teacher_id, 5 rows", g)
	}
	want := []RejectExample{
		{File: "rosters.csv", Row: 2, Column: "teacher_id", Value: "Ana Ruiz", Detail: "not in teachers"},
		{File: "rosters.csv", Row: 3, Column: "teacher_id", Value: "Ana Ruiz", Detail: "not in teachers"},
		{File: "rosters.csv", Row: 4, Column: "teacher_id", Value: "Ben Cole", Detail: "not in teachers"},
	}
	if !reflect.DeepEqual(g.Examples, want) {
		t.Errorf("examples:\n got %+v\nwant %+v", g.Examples, want)
	}
	if cov := rep.Model.Coverage; cov.Rosters != 0 || cov.WithTeacher != 0 || cov.GrowthRows != 5 {
		t.Errorf("coverage %+v; want no roster rows, 0 of 5 growth rows with a teacher", cov)
	}
}

// TestCheckStructural: a folder whose rosters file is under a name no
// table has, and whose teachers file lacks its ID column, is reported,
// not stopped on: rosters is missing, class_lists.csv skipped with its
// header, teachers.csv's fault names the column and keeps its header;
// the model is still built from the rest.
func TestCheckStructural(t *testing.T) {
	input := baseInput(t)
	if err := os.Rename(filepath.Join(input, "rosters.csv"), filepath.Join(input, "class_lists.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(input, "teachers.csv"), []byte("Staff,school_id,first_name\nT1,01,Ana\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := check(t, input, config.Default())
	if !rep.Structural() || !slices.Equal(rep.Missing, []string{"rosters"}) {
		t.Errorf("structural %v, missing %q; want true, rosters", rep.Structural(), rep.Missing)
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].File != "class_lists.csv" || rep.Skipped[0].Head == nil ||
		!slices.Equal(rep.Skipped[0].Head.Rows[0], []string{"school_year", "student_id", "teacher_id", "subject", "percent_time"}) {
		t.Errorf("skipped %+v; want class_lists.csv with its header", rep.Skipped)
	}
	i := slices.IndexFunc(rep.Files, func(f FileCheck) bool { return f.Name == "teachers.csv" })
	if i < 0 || rep.Files[i].Column != "teacher_id" || !strings.Contains(rep.Files[i].Error, "missing required column") || rep.Files[i].Head == nil {
		t.Errorf("teachers.csv: %+v; want its missing teacher_id and its head", rep.Files[i])
	}
	if rep.Model == nil || rep.Model.Coverage.GrowthRows != 5 || rep.Model.Coverage.Rosters != 0 {
		t.Errorf("model %+v; want the 5 growth rows, no rosters", rep.Model)
	}
}

// TestCheckWritesNothing: a check with a config naming an output folder
// creates neither it nor anything in the input folder or the temporary
// folder (DuckDB's spill folder is removed).
func TestCheckWritesNothing(t *testing.T) {
	input := baseInput(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	before := treeFiles(t, input)
	cfg := config.Default()
	cfg.Out = filepath.Join(t.TempDir(), "out")
	check(t, input, cfg)
	if after := treeFiles(t, input); !slices.Equal(before, after) {
		t.Errorf("input folder changed: %q, then %q", before, after)
	}
	if _, err := os.Stat(cfg.Out); !os.IsNotExist(err) {
		t.Errorf("the output folder exists (%v)", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary folder: %v", left)
	}
}

// TestSuggest: a folder whose rosters are class_lists.csv, with "Local
// ID" (an alias of student_id) and "Teacher Number" (no alias of
// teacher_id) in its header, gets a suggested mapping that gives the file
// to rosters and "Teacher Number" to teacher_id; it parses as a config,
// and a check with it reads the file's five rows as rosters, every
// required table present.
func TestSuggest(t *testing.T) {
	input := baseInput(t)
	b, err := os.ReadFile(filepath.Join(input, "rosters.csv"))
	if err != nil {
		t.Fatal(err)
	}
	_, rows, _ := strings.Cut(string(b), "\n")
	if err := os.WriteFile(filepath.Join(input, "class_lists.csv"), []byte("School Year,Local ID,Teacher Number,Subject,Percent Time\n"+rows), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(input, "rosters.csv")); err != nil {
		t.Fatal(err)
	}
	rep := check(t, input, config.Default())
	if !slices.Equal(rep.Missing, []string{"rosters"}) {
		t.Fatalf("missing %q; want rosters", rep.Missing)
	}
	mapping := Suggest(rep)
	for _, want := range []string{"[mapping.tables.rosters]\nfiles = [\"class_lists.csv\"]\n", "\"Teacher Number\" = \"teacher_id\""} {
		if !strings.Contains(mapping, want) {
			t.Errorf("suggested mapping lacks %q:\n%s", want, mapping)
		}
	}
	path := filepath.Join(t.TempDir(), "mapping.toml")
	if err := os.WriteFile(path, []byte(mapping), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the suggested mapping does not load: %v\n%s", err, mapping)
	}
	rep = check(t, input, cfg)
	i := slices.IndexFunc(rep.Files, func(f FileCheck) bool { return f.Name == "class_lists.csv" })
	if rep.Structural() || i < 0 || rep.Files[i].Table != "rosters" || rep.Files[i].Stats.RowsLoaded != 5 {
		t.Errorf("with the mapping: structural %v, missing %q, files %+v; want class_lists.csv's 5 rows as rosters", rep.Structural(), rep.Missing, rep.Files)
	}
	if rep.Files[i].Stats.Why["teacher_id"] != "mapping" {
		t.Errorf("teacher_id found by %q; want mapping", rep.Files[i].Stats.Why["teacher_id"])
	}
}

// TestGuessRow: how header cells are matched to a table's columns for a
// suggestion: a known spelling as is, an unknown one by its words (ID
// words aside), never a name into an ID column.
func TestGuessRow(t *testing.T) {
	rosters := ingest.TableByName(ingest.Tables(), "rosters")
	for _, tt := range []struct {
		Name   string
		Row    []string
		Want   map[string]string // column -> header
		ByWord []string          // the columns ingest would not find there, and how they were guessed
	}{
		{Name: "KnownSpellings", Row: []string{"SY", "StudentUniqueId", "Staff ID", "Course Subject"},
			Want: map[string]string{"school_year": "SY", "student_id": "StudentUniqueId", "teacher_id": "Staff ID", "subject": "Course Subject"}},
		{Name: "TeacherNumber", Row: []string{"Local ID", "Teacher Number"},
			Want: map[string]string{"student_id": "Local ID", "teacher_id": "Teacher Number"}, ByWord: []string{"teacher_id: " + byWords}},
		{Name: "NameIsNoID", Row: []string{"Student Number", "Teacher Name"},
			Want: map[string]string{"student_id": "Student Number"}},
		{Name: "CamelCase", Row: []string{"TeacherKey", "PupilId"},
			Want: map[string]string{"teacher_id": "TeacherKey"}, ByWord: []string{"teacher_id: " + byWords}},
		{Name: "EdFiDotted", Row: []string{"studentReference.studentUniqueId", "sectionReference.localCourseCode", "sectionReference.schoolYear", "staffReference.staffUniqueId"},
			// localCourseCode shares only "course" with subject's alias
			// "course subject": half its words, too few.
			Want:   map[string]string{"student_id": "studentReference.studentUniqueId", "school_year": "sectionReference.schoolYear", "teacher_id": "staffReference.staffUniqueId"},
			ByWord: []string{"school_year: " + byLastPart, "student_id: " + byLastPart, "teacher_id: " + byLastPart}},
	} {
		t.Run(tt.Name, func(t *testing.T) {
			g := guessRow(tt.Row, rosters)
			got, byWord := map[string]string{}, []string(nil)
			for i, c := range rosters.Columns {
				if g.header[i] != "" {
					got[c.Name] = g.header[i]
				}
				if g.how[i] != "" {
					byWord = append(byWord, c.Name+": "+g.how[i])
				}
			}
			if !reflect.DeepEqual(got, tt.Want) || !slices.Equal(byWord, tt.ByWord) {
				t.Errorf("got %v by words %v; want %v by words %v", got, byWord, tt.Want, tt.ByWord)
			}
		})
	}
}

// TestSuggestNameJoin: a roster whose teacher column holds names ("Ana
// Ruiz") gets, from --suggest, the join that looks each name up in
// teachers; the suggestion, used as it is, loads every row.
func TestSuggestNameJoin(t *testing.T) {
	input := baseInput(t)
	copyFile(t, filepath.Join(catalogue, "roster-teacher-names", "rosters.csv"), filepath.Join(input, "rosters.csv"))
	s := Suggest(check(t, input, config.Default()))
	if !strings.Contains(s, "[[mapping.tables.rosters.join]]") || !strings.Contains(s, `on = { "teacher_id" = ["first_name+last_name", "email"] }`) {
		t.Fatalf("suggestion:\n%s\nwant a join of rosters' teacher_id on teachers' names", s)
	}
	path := filepath.Join(t.TempDir(), "suggested.toml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the suggestion does not load as a config: %v", err)
	}
	rep := check(t, input, cfg)
	i := slices.IndexFunc(rep.Files, func(f FileCheck) bool { return f.Table == "rosters" })
	if f := rep.Files[i]; f.Stats.RowsLoaded != 5 || f.Stats.RowsRejected != 0 {
		t.Errorf("rosters with the suggestion: %d loaded, %d rejected; want 5, 0", f.Stats.RowsLoaded, f.Stats.RowsRejected)
	}
}
