package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// shapeDir writes minimal's district with files replaced or added (paths
// may name subfolders; "" removes a file).
func shapeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{}
	for k, v := range minimal {
		all[k] = v
	}
	for k, v := range files {
		all[k] = v
	}
	for name, body := range all {
		if body == "" {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mappingOf decodes a [mapping] section's TOML, as config.Load does.
func mappingOf(t *testing.T, text string) *Mapping {
	t.Helper()
	var c struct {
		Mapping Mapping `toml:"mapping"`
	}
	md, err := toml.Decode(text, &c)
	if err != nil {
		t.Fatal(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Fatalf("unknown keys %v", und)
	}
	if err := c.Mapping.Validate(Tables()); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return &c.Mapping
}

// column is table l's values of column name, in row order.
func column(t *testing.T, l *loaded, name string) []string {
	t.Helper()
	for i, c := range TableByName(Tables(), l.stats.Table).Columns {
		if c.Name == name {
			var out []string
			for _, r := range l.rows {
				out = append(out, r[i])
			}
			return out
		}
	}
	t.Fatalf("no column %s", name)
	return nil
}

// TestShapeTermFiles: MAP-style downloads, one folder per term. The term
// name feeds both window and school year (split); the school is named,
// resolved to its ID through the schools table; StudentsBySchool has a
// row per term and the latest term's grade wins (the first row used to).
func TestShapeTermFiles(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"schools.csv":     "school_id,school_name,district_id\n01,Oak Hill,9\n02,Elm Park,9\n",
		"students.csv":    "",
		"assessments.csv": "",
		"Fall 2023/StudentsBySchool.csv": "TermName,SchoolName,StudentID,Grade\n" +
			"Fall 2022-2023,Oak Hill,S1,2\n",
		"Spring 2024/StudentsBySchool.csv": "TermName,SchoolName,StudentID,Grade\n" +
			"Spring 2023-2024,elm park,S1,3\n",
		"Fall 2023/AssessmentResults.csv": "TermName,SchoolName,StudentID,Subject,TestRITScore\n" +
			"Fall 2022-2023,Oak Hill,S1,Mathematics,190\n",
		"Spring 2024/AssessmentResults.csv": "TermName,SchoolName,StudentID,Subject,TestRITScore\n" +
			"Spring 2023-2024,Elm Park,S1,Mathematics,201\n" +
			"Spring 2023-2024,Pine Lake,S1,Reading,199\n",
	})
	m := mappingOf(t, `
[mapping.tables.students]
files = ["*/StudentsBySchool.csv"]
latest_by = "TermName"
[[mapping.tables.students.join]]
table = "schools"
on = { SchoolName = "school_name" }
take = { school_id = "school_id" }

[mapping.tables.assessments]
files = ["**/AssessmentResults.csv"]
split = { TermName = '^(?P<window>\w+) (?P<school_year>\d{4}-\d{4})$' }
defaults = { assessment_name = "MAP Growth" }
columns = { TestRITScore = "scale_score" }
[[mapping.tables.assessments.join]]
table = "schools"
on = { SchoolName = "school_name" }
match = "name"
take = { _school = "school_id" }
`)
	got, rejects := loadDir(t, dir, m)
	st := got["students"]
	if g := column(t, st, "grade_level"); len(g) != 1 || g[0] != "3" {
		t.Errorf("students' grades %v; want the spring 2024 row's 3 alone", g)
	}
	if g := column(t, st, "school_id"); len(g) != 1 || g[0] != "02" {
		t.Errorf("students' schools %v; want 02 (\"elm park\", any case)", g)
	}
	if st.stats.RowsSuperseded != 1 || len(st.stats.Inputs) != 2 {
		t.Errorf("students: %d superseded from %d files; want 1 from 2", st.stats.RowsSuperseded, len(st.stats.Inputs))
	}
	as := got["assessments"]
	if w, y := column(t, as, "window"), column(t, as, "school_year"); strings.Join(w, ",") != "fall,spring" || strings.Join(y, ",") != "2023,2024" {
		t.Errorf("windows %v, years %v; want fall, spring of 2023, 2024", w, y)
	}
	// Pine Lake is no school: its row is rejected where it is, naming
	// what it looked for.
	var pine *RowError
	for i := range rejects {
		if errors.Is(&rejects[i], ErrNoMatch) {
			pine = &rejects[i]
		}
	}
	if pine == nil || pine.File != "Spring 2024/AssessmentResults.csv" || pine.Row != 3 || pine.Column != "SchoolName" || pine.Value != "Pine Lake" || !strings.Contains(pine.Detail, `school_name = "Pine Lake"`) {
		t.Fatalf("rejects %v; want Pine Lake's row 3 of Spring 2024/AssessmentResults.csv as no match", rejects)
	}
	if as.stats.RowsRead != 3 || as.stats.RowsLoaded != 2 || as.stats.RowsRejected != 1 {
		t.Errorf("assessments read %d, loaded %d, rejected %d; want 3, 2, 1", as.stats.RowsRead, as.stats.RowsLoaded, as.stats.RowsRejected)
	}
	if as.stats.Why["window"] != `derived: split of TermName` || as.stats.Why["student_id"] != "exact" {
		t.Errorf("why %v", as.stats.Why)
	}
}

// TestShapeReportingMethodRows: Ed-Fi's scoreResults come one row per
// reporting method; only the scale-score row is a scale score (the
// percentile row used to load as one, and the real score was rejected
// as its duplicate). The filtered rows are counted with the reason.
func TestShapeReportingMethodRows(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"assessments.csv": "",
		"studentAssessments.csv": "studentReference.studentUniqueId,schoolYearTypeReference.schoolYear,assessmentReference.assessmentIdentifier,subject,window,scoreResults.assessmentReportingMethodDescriptor,scoreResults.result\n" +
			"S1,2024,X,Math,spring,uri://ed-fi.org/AssessmentReportingMethodDescriptor#Percentile,81\n" +
			"S1,2024,X,Math,spring,uri://ed-fi.org/AssessmentReportingMethodDescriptor#Scale score,402\n",
	})
	m := mappingOf(t, `
[mapping.tables.assessments]
files = ["studentAssessments.csv"]
where = { "scoreResults.assessmentReportingMethodDescriptor" = "Scale score" }
columns = { "scoreResults.result" = "scale_score", "schoolYearTypeReference.schoolYear" = "school_year", "studentReference.studentUniqueId" = "student_id", "assessmentReference.assessmentIdentifier" = "assessment_name" }
`)
	got, rejects := loadDir(t, dir, m)
	as := got["assessments"]
	if s := column(t, as, "scale_score"); len(s) != 1 || s[0] != "402" || len(rejects) != 0 {
		t.Fatalf("scale scores %v, rejects %v; want 402 alone", s, rejects)
	}
	if as.stats.RowsFiltered != 1 || len(as.stats.Filtered) != 1 {
		t.Errorf("filtered %d %v; want the percentile row, with its reason", as.stats.RowsFiltered, as.stats.Filtered)
	}
}

// TestShapeExpandAndJoinMany: a homeroom course teaches Math and ELA
// (one row into two); a section's two teachers each get the row (rows =
// "many"); a cc row of a dropped enrollment (negative section) is dropped
// with its reason; internal IDs go through crosswalk files.
func TestShapeExpandAndJoinMany(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"teachers.csv": "teacher_id,school_id\nT1,01\nT2,01\n",
		"rosters.csv":  "",
		"cc.csv":       "StudentID,SectionID,Course_Number,TermYear\n9,7,HR100,2024\n9,-7,HR100,2024\n",
		"staff.csv":    "SectionID,TeacherNumber\n7,T1\n7,T2\n",
		"kids.csv":     "ID,Student_Number\n9,S1\n",
	})
	m := mappingOf(t, `
[mapping.tables.rosters]
files = ["cc.csv"]
drop = { SectionID = ["-7"] }
expand.Course_Number = { HR100 = ["Math", "ELA"] }
columns = { Course_Number = "subject", TermYear = "school_year", SectionID = "section_id" }
[[mapping.tables.rosters.join]]
file = "staff.csv"
on = { SectionID = "SectionID" }
take = { teacher_id = "TeacherNumber" }
rows = "many"
[[mapping.tables.rosters.join]]
file = "kids.csv"
on = { StudentID = "ID" }
take = { student_id = "Student_Number" }
`)
	got, rejects := loadDir(t, dir, m)
	ro := got["rosters"]
	pairs := []string{}
	for k := range ro.rows {
		pairs = append(pairs, column(t, ro, "subject")[k]+"/"+column(t, ro, "teacher_id")[k]+"/"+column(t, ro, "student_id")[k])
	}
	if strings.Join(pairs, " ") != "Math/T1/S1 Math/T2/S1 ELA/T1/S1 ELA/T2/S1" || len(rejects) != 0 {
		t.Fatalf("rosters %v, rejects %v", pairs, rejects)
	}
	if s := ro.stats; s.RowsFiltered != 1 || s.RowsAdded != 3 || s.RowsRead != 4 {
		t.Errorf("filtered %d, added %d, read %d; want 1, 3 (1 row into 2, each into 2), 4", s.RowsFiltered, s.RowsAdded, s.RowsRead)
	}
	// The join files are read, not listed as skipped or unknown.
	d, err := Scan(dir, Tables(), m, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Skipped {
		t.Errorf("skipped %s: %s", s.Name(), s.Reason)
	}
}

// TestShapeIgnoreFiles: a file named in ignore_files is not read and
// says so.
func TestShapeIgnoreFiles(t *testing.T) {
	dir := shapeDir(t, map[string]string{"ProgramAssignments.csv": "student_id,program\nS1,ESL\n", "coaches.csv": "coach_id,coach_name\nK1,Kim\n"})
	m := mappingOf(t, `
[mapping]
ignore_files = ["programassignments.csv", "coaches.*"]
`)
	d, err := Scan(dir, Tables(), m, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range d.Skipped {
		got = append(got, s.File+": "+s.Reason)
	}
	want := "ProgramAssignments.csv: ignored (mapping.ignore_files) coaches.csv: ignored (mapping.ignore_files)"
	if strings.Join(got, " ") != want {
		t.Errorf("skipped %q; want %q", got, want)
	}
	for _, s := range d.Sources {
		if s.Table.Name == "coaches" {
			t.Errorf("coaches read from %s, which is ignored", s.File)
		}
	}
}

// TestShapeHeaderResolution: within a reshaped table a header resolves
// as in any file: a bare "District" is a name, never the district ID, so
// a file that has no other district column is missing one.
func TestShapeHeaderResolution(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"schools.csv":          "",
		"a/schools_export.csv": "School Number,School,District\n01,Oak Hill,Baldwin County\n",
	})
	m := mappingOf(t, `
[mapping.tables.schools]
files = ["*/schools_export.csv"]
`)
	d, err := Scan(dir, Tables(), m, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), d.Sources[0], m, NewKeys(nil), memory.NewGoAllocator(), Limits{})
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrMissingColumn) || fe.File != "a/schools_export.csv" || fe.Column != "district_id" || !strings.Contains(err.Error(), `a bare "District" header is taken to hold names`) {
		t.Fatalf("Open = %v; want district_id missing in a/schools_export.csv, District read as a name", err)
	}
}

// TestShapeValidate: a reshaping key that cannot work is a config error
// naming it, before any file is read.
func TestShapeValidate(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`[mapping.tables.assessments]
derive = { window = "season(test_date)" }`, `mapping.tables.assessments.derive.window: "season(test_date)": unknown function "season"`},
		{`[mapping.tables.assessments]
split = { TermName = '(\w+) (\d+)' }`, `has no named group`},
		{`[mapping.tables.assessments]
split = { TermName = '(?P<term>\w+)' }`, `mapping.tables.assessments.split: table assessments has no column "term"`},
		{`[[mapping.tables.rosters.join]]
file = "staff.csv"
on = { SectionID = "SectionID" }`, `mapping.tables.rosters.join[0]: take names no column to bring`},
		{`[[mapping.tables.rosters.join]]
table = "staf"
on = { A = "B" }
take = { teacher_id = "C" }`, `mapping.tables.rosters.join[0].table: unknown table "staf"`},
		{`[[mapping.tables.rosters.join]]
table = "teachers"
on = { A = "email_address" }
take = { teacher_id = "teacher_id" }`, `table teachers has no column "email_address"`},
		{`[mapping.tables.students]
files = ["/etc/passwd"]`, `a pattern is relative to the input folder`},
		{`[mapping.tables.rosters]
from = "coaching_sessions"`, `only coaching_cycles can be made from another table`},
		{`[[mapping.tables.schools.join]]
table = "schools"
on = { A = "school_name" }
take = { school_id = "school_id" }`, `mapping.tables.schools.join[0].table = "schools": a join reads a table that loads before schools (none)`},
	} {
		var cfg struct {
			Mapping Mapping `toml:"mapping"`
		}
		if _, err := toml.Decode(c.text, &cfg); err != nil {
			t.Fatal(err)
		}
		err := cfg.Mapping.Validate(Tables())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\nValidate() = %v\nwant it to say %s", c.text, err, c.want)
		}
	}
}

// TestShapeJSONLines: Ed-Fi resources saved as JSON lines read as their
// flattened CSV would: nested references are dotted headers.
func TestShapeJSONLines(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"students.csv": "",
		"studentSchoolAssociations.jsonl": `{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":"01"},"entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Third grade","schoolYear":2023}
{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":"01"},"entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Fourth grade","schoolYear":2024}
`,
	})
	m := mappingOf(t, `
[mapping.tables.students]
files = ["studentSchoolAssociations.jsonl"]
latest_by = "schoolYear"
columns = { "studentReference.studentUniqueId" = "student_id", "schoolReference.schoolId" = "school_id", entryGradeLevelDescriptor = "grade_level" }
`)
	got, rejects := loadDir(t, dir, m)
	if g := column(t, got["students"], "grade_level"); len(g) != 1 || g[0] != "4" || len(rejects) != 0 {
		t.Fatalf("grades %v, rejects %v; want 4 (the 2024 row)", g, rejects)
	}
	if r := got["students"].stats.Inputs[0]; r.HeaderRow != 0 || r.Rows != 2 {
		t.Errorf("input %+v", r)
	}
}

// TestShapeStepWithoutHeader: a step of the district's own mapping whose
// header no file has (a typing slip) stops the run naming the key, rather
// than doing nothing.
func TestShapeStepWithoutHeader(t *testing.T) {
	dir := shapeDir(t, map[string]string{})
	m := mappingOf(t, `
[mapping.tables.assessments]
files = ["assessments.csv"]
drop = { "Rush Flagg" = "Y" }
`)
	d, err := Scan(dir, Tables(), m, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Sources {
		if s.Table.Name != "assessments" {
			continue
		}
		_, err := Open(context.Background(), s, m, NewKeys(nil), memory.NewGoAllocator(), Limits{})
		if !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), "mapping.tables.assessments.drop.Rush Flagg: no file has the header it reads") {
			t.Fatalf("Open = %v", err)
		}
		return
	}
	t.Fatal("no assessments source")
}

// TestShapeDuplicateNamesFile: a duplicate key in a reshaped table names
// the file and row of the first, not a position in the merged rows.
func TestShapeDuplicateNamesFile(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"students.csv":   "",
		"a/students.csv": "student_id,school_id,grade_level\nS1,01,3\n",
		"b/students.csv": "student_id,school_id,grade_level\nS2,01,3\nS1,01,4\n",
	})
	m := mappingOf(t, `
[mapping.tables.students]
files = ["*/students.csv"]
`)
	_, rejects := loadDir(t, dir, m)
	if len(rejects) != 1 || rejects[0].File != "b/students.csv" || rejects[0].Row != 3 || rejects[0].Detail != "first on row 2 of a/students.csv" {
		t.Fatalf("rejects %+v; want b/students.csv row 3, first on row 2 of a/students.csv", rejects)
	}
}

// TestProfileUnread: a vendor's file a profile in use does not need is
// listed as not needed, naming the profile, not as an unknown table.
func TestProfileUnread(t *testing.T) {
	dir := shapeDir(t, map[string]string{"sections.export.text": "ID\tSchoolID\n1\t101\n"})
	m := &Mapping{Profiles: []Profile{{Name: "powerschool", Unread: []string{"**/sections.export*.text"}}}}
	d, err := Scan(dir, Tables(), m, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Skipped) != 1 || d.Skipped[0].Reason != "not needed (profile powerschool reads the tables from the vendor's other files)" {
		t.Errorf("skipped %+v", d.Skipped)
	}
}

// TestShapeStrayCells: a row of a reshaped file with cells beyond its
// header is rejected, naming its file and row, never read with the cells
// cut off.
func TestShapeStrayCells(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"students.csv":   "",
		"a/students.csv": "student_id,school_id,grade_level\nS1,01,3\nS2,01,3,0555-1234\n",
	})
	m := mappingOf(t, `
[mapping.tables.students]
files = ["*/students.csv"]
`)
	got, rejects := loadDir(t, dir, m)
	if len(rejects) != 1 || !errors.Is(&rejects[0], ErrMalformedRow) || rejects[0].File != "a/students.csv" || rejects[0].Row != 3 {
		t.Fatalf("rejects %+v; want row 3 of a/students.csv malformed", rejects)
	}
	if st := got["students"].stats; st.RowsRead != 2 || st.RowsLoaded != 1 || st.RowsRejected != 1 {
		t.Errorf("read %d, loaded %d, rejected %d; want 2, 1, 1", st.RowsRead, st.RowsLoaded, st.RowsRejected)
	}
}

// TestShapeJoinOnTableFile: a join may read a table's own file as a
// crosswalk (rosters naming teachers, looked up in teachers.csv); the
// file is still read as its table.
func TestShapeJoinOnTableFile(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"teachers.csv": "teacher_id,school_id,first_name,last_name\nT1,01,Ann,Lee\n",
		"rosters.csv":  "school_year,student_id,teacher_id,subject\n2024,S1,\"Lee, Ann\",Math\n",
	})
	m := mappingOf(t, `
[[mapping.tables.rosters.join]]
file = "teachers.csv"
on = { teacher_id = "first_name+last_name" }
match = "name"
take = { teacher_id = "teacher_id" }
`)
	got, rejects := loadDir(t, dir, m)
	if got["teachers"] == nil || len(got["teachers"].rows) != 1 || len(rejects) != 0 {
		t.Fatalf("teachers %v, rejects %v; want teachers.csv read as teachers too", got["teachers"], rejects)
	}
	if ids := column(t, got["rosters"], "teacher_id"); len(ids) != 1 || ids[0] != "T1" {
		t.Errorf("rosters' teachers %v; want T1", ids)
	}
}

// TestShapeUnnest: Ed-Fi's studentAssessments as the API gives them (JSON
// lines, scoreResults an array of objects) read as the exploded CSV
// export does: one row per score result, the scale-score row kept, the
// percentile brought from the same test's percentile row.
func TestShapeUnnest(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"assessments.csv": "",
		"studentAssessments.jsonl": `{"studentAssessmentIdentifier":"g1","studentReference":{"studentUniqueId":"S1"},"schoolYear":2024,"assessment":"X","subject":"Math","window":"spring","scoreResults":[{"assessmentReportingMethodDescriptor":"uri://ed-fi.org/AssessmentReportingMethodDescriptor#Percentile","result":"81"},{"assessmentReportingMethodDescriptor":"uri://ed-fi.org/AssessmentReportingMethodDescriptor#Scale score","result":"402"}]}
`,
	})
	m := mappingOf(t, `
[mapping.tables.assessments]
files = ["studentAssessments.jsonl"]
unnest = "scoreResults"
where = { "scoreResults.assessmentReportingMethodDescriptor" = "Scale score" }
columns = { "scoreResults.result" = "scale_score", schoolYear = "school_year", "studentReference.studentUniqueId" = "student_id", assessment = "assessment_name", studentAssessmentIdentifier = "ignore" }
[[mapping.tables.assessments.join]]
file = "studentAssessments.jsonl"
unnest = "scoreResults"
on = { studentAssessmentIdentifier = "studentAssessmentIdentifier" }
where = { "scoreResults.assessmentReportingMethodDescriptor" = "Percentile" }
take = { percentile = "scoreResults.result" }
`)
	got, rejects := loadDir(t, dir, m)
	as := got["assessments"]
	if s, p := column(t, as, "scale_score"), column(t, as, "percentile"); len(rejects) != 0 || len(s) != 1 || s[0] != "402" || p[0] != "81" {
		t.Fatalf("scale scores %v, percentiles %v, rejects %v; want 402 and 81", s, p, rejects)
	}
	if st := as.stats; st.RowsAdded != 1 || st.RowsFiltered != 1 {
		t.Errorf("added %d, filtered %d; want 1 (two results of one test), 1 (the percentile row)", st.RowsAdded, st.RowsFiltered)
	}
}

// TestTextHeaderTie: a text file whose name names no table and whose
// header fits two tables equally is not read, and says which two and the
// line that settles it.
func TestTextHeaderTie(t *testing.T) {
	// Six columns of rosters and six of assessments, each with its
	// required ones.
	dir := shapeDir(t, map[string]string{"export.txt": "school_year,student_id,teacher_id,subject,section_id,percent_time,assessment_name,window,scale_score\n2024,S1,T1,Math,A,100,X,spring,400\n"})
	d, err := Scan(dir, Tables(), nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := `its header fits "rosters" and "assessments" equally well; say which with [mapping.tables.rosters] file = "export.txt"`
	if len(d.Skipped) != 1 || d.Skipped[0].Reason != want {
		t.Errorf("skipped %+v; want export.txt: %s", d.Skipped, want)
	}
}
