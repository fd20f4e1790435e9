package pipeline

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/ingest"
)

// edfiSideFiles are what an Ed-Fi district writes beside its exports
// (the edfi profile's district_writes): schoolId -> its code, from
// testdata/exports/README.md (schoolId = 255901 + school_id), and the
// cohorts of canonical/schools.csv (0103, the comparison school, has
// none).
var edfiSideFiles = map[string]string{
	"school_crosswalk.csv": "vendor_school_id,school_id\n2559010101,0101\n2559010102,0102\n2559010103,0103\n2559010104,0104\n",
	"school_cohorts.csv":   "school_id,ip_cohort\n0101,2012\n0102,2022\n0104,2023\n",
}

// edfiDistrict is the Ed-Fi district's own mapping: the fixture writes
// a two-or-more-races student as Ed-Fi's #Other (docs/exports/edfi.md),
// which this district reports as "Two or more".
const edfiDistrict = `
[mapping.tables.students.values.race_ethnicity]
Other = "Two or more"
`

// edfiCase is the Ed-Fi district: every SIS table from the edfi folder,
// the coaching tables from canonical/. Its canonical twin lacks what
// Ed-Fi does not hold here: percent_time (no share of time), and the
// special education and economic flags (program associations, not
// exported).
var edfiCase = profileCase{
	profiles:  []string{"edfi"},
	folders:   []string{"edfi"},
	canonical: []string{"coaches", "coaching_cycles", "coaching_sessions", "observations"},
	district:  edfiDistrict,
	extra:     edfiSideFiles,
	baseline: func(t *testing.T, dir string) {
		dropColumns(t, filepath.Join(dir, "rosters.csv"), "percent_time")
		dropColumns(t, filepath.Join(dir, "students.csv"), "special_education", "economically_disadvantaged")
	},
}

// TestProfileEdFi: the eleven Ed-Fi resources through the edfi profile,
// two district lines and its two side files give the canonical
// district's estimates. The reconciliation, from the fixture's files:
//   - schools: the 4 rows of schools.csv;
//   - students: studentSchoolAssociations has 252 rows for 150
//     students, 102 of them enrolled both years: 102 superseded;
//   - teachers: the 24 staffs each have sections in 2023 and 2024 at
//     one school: the join makes 48 rows (24 added), latest_by keeps
//     2024's (24 superseded);
//   - rosters: the 535 studentSectionAssociations, each section with one
//     staff association (114 for 114 sections): none added;
//   - assessments: 996 rows = 498 tests x (Scale score, Percentile): the
//     498 Percentile rows filtered.
func TestProfileEdFi(t *testing.T) {
	got, _ := runProfile(t, edfiCase)
	want := map[string]statsView{
		"schools":     {read: 4, loaded: 4, files: 1},
		"students":    {read: 150, loaded: 150, superseded: 102, files: 1},
		"teachers":    {read: 24, loaded: 24, superseded: 24, added: 24, files: 1},
		"rosters":     {read: 535, loaded: 535, files: 1},
		"assessments": {read: 498, loaded: 498, filtered: 498, files: 1},
	}
	for table, w := range want {
		if s := fileStats(t, got, table); s != w {
			t.Errorf("%s: %v; want %v", table, s, w)
		}
	}
}

// psCrosswalk is the PowerSchool district's school crosswalk: SchoolID
// is the School_Number (101 for 0101, docs/exports/powerschool.md).
var psCrosswalk = map[string]string{
	"school_crosswalk.csv": "vendor_school_id,school_id\n101,0101\n102,0102\n103,0103\n104,0104\n",
}

// psDistrict is the PowerSchool district's mapping: its Ethnicity codes
// (a district-defined list; docs/exports/powerschool.md).
const psDistrict = `
[mapping.tables.students.values.race_ethnicity]
W = "White"
B = "Black"
A = "Asian"
H = "Hispanic"
M = "Two or more"
`

// psCase is the PowerSchool district: students, teachers and rosters
// from the Quick Export files, the rest from canonical/. Its canonical
// twin lacks percent_time and the English learner and special education
// flags (state extension fields, not in the export).
var psCase = profileCase{
	profiles:  []string{"powerschool"},
	folders:   []string{"powerschool"},
	canonical: []string{"schools", "assessments", "coaches", "coaching_cycles", "coaching_sessions", "observations"},
	district:  psDistrict,
	extra:     psCrosswalk,
	baseline: func(t *testing.T, dir string) {
		dropColumns(t, filepath.Join(dir, "rosters.csv"), "percent_time")
		dropColumns(t, filepath.Join(dir, "students.csv"), "english_learner", "special_education")
	},
}

// TestProfilePowerSchool: the five tab-separated .export.text files
// through the powerschool profile, six district lines and its
// crosswalk give the canonical district's estimates. Reconciliation: the
// 150 students and 24 teachers of their files; cc.export.text's 538 rows
// = 535 enrolments + 3 dropped ones (negative SectionID), filtered.
func TestProfilePowerSchool(t *testing.T) {
	got, _ := runProfile(t, psCase)
	want := map[string]statsView{
		"students": {read: 150, loaded: 150, files: 1},
		"teachers": {read: 24, loaded: 24, files: 1},
		"rosters":  {read: 535, loaded: 535, filtered: 3, files: 1},
	}
	for table, w := range want {
		if s := fileStats(t, got, table); s != w {
			t.Errorf("%s: %v; want %v", table, s, w)
		}
	}
	// sections.export.text is read by nothing (CC has the section, course
	// and teacher): listed as skipped, not lost.
	if len(got.Skipped) != 1 || got.Skipped[0].File != "sections.export.text" {
		t.Errorf("skipped = %v; want sections.export.text alone", got.Skipped)
	}
}

// loadedTable is one table as a profile loads it: its rows by column
// name (cells as text), its stats and rejects.
type loadedTable struct {
	rows    []map[string]string
	stats   ingest.Stats
	rejects []ingest.RowError
}

// loadCase copies the case's input folder (inputOf), lets edit change
// it, and loads every table through the case's profiles and district
// mapping, as a run does.
func loadCase(t *testing.T, c profileCase, edit func(dir string)) map[string]*loadedTable {
	t.Helper()
	in := inputOf(t, c)
	if edit != nil {
		edit(in)
	}
	cfg := profileConfig(t, c)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srcs, err := ingest.Discover(in, ingest.Tables(), &cfg.Mapping, ingest.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var present []string
	for _, s := range srcs {
		present = append(present, s.Table.Name)
	}
	keys := ingest.NewKeys(present)
	out := map[string]*loadedTable{}
	for _, src := range srcs {
		r, err := ingest.Open(context.Background(), src, &cfg.Mapping, keys, mem, ingest.Limits{})
		if err != nil {
			t.Fatalf("open %s: %v", src.Name(), err)
		}
		l := &loadedTable{}
		for r.Next() {
			rec := r.Record()
			for k := 0; k < int(rec.NumRows()); k++ {
				row := map[string]string{}
				for j, f := range rec.Schema().Fields() {
					row[f.Name] = cellString(rec.Column(j), k)
				}
				l.rows = append(l.rows, row)
			}
		}
		if err := r.Err(); err != nil {
			t.Fatalf("read %s: %v", src.Name(), err)
		}
		l.stats, l.rejects = r.Stats(), r.Rejects
		r.Release()
		out[src.Table.Name] = l
	}
	return out
}

// cellString is row k of an Arrow column as text ("" for null).
func cellString(a arrow.Array, k int) string {
	if a.IsNull(k) {
		return ""
	}
	switch a := a.(type) {
	case *array.String:
		return a.Value(k)
	case *array.Int32:
		return strconv.Itoa(int(a.Value(k)))
	case *array.Float64:
		return strconv.FormatFloat(a.Value(k), 'f', -1, 64)
	case *array.Date32:
		return a.Value(k).FormattedString()
	case *array.Boolean:
		if a.Value(k) {
			return "Y"
		}
		return "N"
	}
	return a.ValueStr(k)
}

// canonicalRows reads canonical/table.csv as rows by column name.
func canonicalRows(t *testing.T, table string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(exportsDir, "canonical", table+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = r[i]
		}
		out = append(out, row)
	}
	return out
}

// tuples is the sorted set of rows' values of cols, "|"-joined; a grade
// of canonical's "K" is 0, as it loads.
func tuples(rows []map[string]string, cols ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		v := make([]string, len(cols))
		for i, c := range cols {
			v[i] = r[c]
			if c == "grade_level" && v[i] == "K" {
				v[i] = "0"
			}
		}
		if s := strings.Join(v, "|"); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// sameTuples fails unless got and want have the same tuples of cols,
// naming the first that differs.
func sameTuples(t *testing.T, what string, got, want []map[string]string, cols ...string) {
	t.Helper()
	g, w := tuples(got, cols...), tuples(want, cols...)
	if slices.Equal(g, w) {
		return
	}
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			t.Errorf("%s (%s): %d tuples, canonical %d; first difference %q, canonical %q", what, strings.Join(cols, ", "), len(g), len(w), g[i], w[i])
			return
		}
	}
	t.Errorf("%s (%s): %d tuples, canonical %d", what, strings.Join(cols, ", "), len(g), len(w))
}

// TestEdFiPercentileRow: each test's Percentile row is filtered by the
// where on assessmentReportingMethodDescriptor (498 of them, with that
// reason) and feeds percentile through the join on the same test's
// identifier: every loaded row's scale score, percentile, performance
// level (Advanced = 4...), date and grade (from the descriptor) are
// canonical/assessments.csv's, window by window.
func TestEdFiPercentileRow(t *testing.T) {
	got := loadCase(t, edfiCase, nil)["assessments"]
	reason := `scoreResults.assessmentReportingMethodDescriptor is not "Scale score" (profile edfi, tables.assessments.where)`
	if n := got.stats.Filtered[reason]; n != 498 || len(got.stats.Filtered) != 1 {
		t.Errorf("filtered = %v; want %d rows for %q", got.stats.Filtered, 498, reason)
	}
	sameTuples(t, "assessments", got.rows, canonicalRows(t, "assessments"),
		"school_year", "student_id", "subject", "window", "test_date", "grade_level", "scale_score", "percentile", "performance_level")
	if w := got.stats.Why["percentile"]; !strings.HasPrefix(w, "derived: scoreResults.result of studentAssessments.csv") {
		t.Errorf("percentile found as %q; want the join on the Percentile row", w)
	}
}

// TestEdFiLatestEnrolment: a student's studentSchoolAssociations of
// both years give the later year's school and grade, whatever the
// file's order: with the rows reversed (2024's first), the students are
// still canonical/students.csv's (its grade is the last year's), and the
// 102 earlier rows are superseded. Sex, race (Hispanic by
// hispanicLatinoEthnicity over the race) and English proficiency come
// from the descriptors of the LEA association.
func TestEdFiLatestEnrolment(t *testing.T) {
	reverse := func(dir string) {
		path := filepath.Join(dir, "studentSchoolAssociations.csv")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		body := lines[1:]
		slices.Reverse(body)
		if err := os.WriteFile(path, []byte(lines[0]+"\n"+strings.Join(body, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := loadCase(t, edfiCase, reverse)["students"]
	if got.stats.RowsSuperseded != 102 || got.stats.RowsLoaded != 150 {
		t.Errorf("students: %d loaded, %d superseded; want 150 and 102", got.stats.RowsLoaded, got.stats.RowsSuperseded)
	}
	sameTuples(t, "students", got.rows, canonicalRows(t, "students"),
		"student_id", "school_id", "grade_level", "gender", "race_ethnicity", "english_learner")
}

// TestEdFiSchools: schools.csv's long schoolId becomes the district's
// code by its crosswalk, ip_cohort comes from its cohorts file (0103,
// which it does not list, has none: the comparison school) and the
// SchoolCategoryDescriptor URI is read as its code (Elementary School:
// elementary), as canonical/schools.csv has them. Without the crosswalk
// the run stops, naming the file it looks for: the profile never takes
// 2559010101 for a school code.
func TestEdFiSchools(t *testing.T) {
	got := loadCase(t, edfiCase, nil)["schools"]
	sameTuples(t, "schools", got.rows, canonicalRows(t, "schools"), "school_id", "school_name", "level", "ip_cohort")

	c := edfiCase
	c.extra = map[string]string{"school_cohorts.csv": edfiSideFiles["school_cohorts.csv"]}
	_, err := Run(context.Background(), Options{Input: inputOf(t, c), Out: t.TempDir(), Config: profileConfig(t, c)})
	var fe *ingest.FileError
	if !errors.As(err, &fe) || !errors.Is(err, ingest.ErrMissingTable) || !strings.Contains(err.Error(), "school_crosswalk.csv") {
		t.Errorf("run without the crosswalk: %v; want a missing-table error naming school_crosswalk.csv", err)
	}
}

// TestEdFiYearFolders: a district that pulls the ODS once per school
// year has one folder per year (2023/, 2024/) holding that year's
// associations, and may save a resource as JSON lines. Split so (the
// year's rows of studentSchoolAssociations, studentSectionAssociations
// and staffSectionAssociations in its folder; staffs.csv as
// staffs.jsonl), the students, teachers and rosters are still canonical's
// and students read both folders' files.
func TestEdFiYearFolders(t *testing.T) {
	byYear := func(dir, name string, yearCol string) {
		rows := readRecords(t, filepath.Join(dir, name))
		y := slices.Index(rows[0], yearCol)
		parts := map[string][][]string{}
		for _, r := range rows[1:] {
			parts[r[y]] = append(parts[r[y]], r)
		}
		for year, body := range parts {
			writeRecords(t, filepath.Join(dir, year, name), append([][]string{rows[0]}, body...))
		}
		os.Remove(filepath.Join(dir, name))
	}
	split := func(dir string) {
		byYear(dir, "studentSchoolAssociations.csv", "schoolYearTypeReference.schoolYear")
		byYear(dir, "studentSectionAssociations.csv", "sectionReference.schoolYear")
		byYear(dir, "staffSectionAssociations.csv", "sectionReference.schoolYear")
		staffs := readRecords(t, filepath.Join(dir, "staffs.csv"))
		var b strings.Builder
		for _, r := range staffs[1:] {
			obj := map[string]any{}
			for i, h := range staffs[0] {
				obj[h] = r[i]
			}
			obj["yearsOfPriorProfessionalExperience"], _ = strconv.Atoi(r[slices.Index(staffs[0], "yearsOfPriorProfessionalExperience")])
			line, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(append(line, '\n'))
		}
		os.WriteFile(filepath.Join(dir, "staffs.jsonl"), []byte(b.String()), 0o644)
		os.Remove(filepath.Join(dir, "staffs.csv"))
	}
	got := loadCase(t, edfiCase, split)
	sameTuples(t, "students", got["students"].rows, canonicalRows(t, "students"), "student_id", "school_id", "grade_level")
	sameTuples(t, "teachers", got["teachers"].rows, canonicalRows(t, "teachers"), "teacher_id", "school_id", "first_name", "last_name", "years_experience")
	sameTuples(t, "rosters", got["rosters"].rows, canonicalRows(t, "rosters"), "school_year", "student_id", "teacher_id", "subject")
	if in := got["students"].stats.Inputs; len(in) != 2 || in[0].Path != "2023/studentSchoolAssociations.csv" {
		t.Errorf("students read from %v; want 2023/ and 2024/studentSchoolAssociations.csv", in)
	}
}

// TestEdFiRosterJoins: rosters are studentSectionAssociations x
// staffSectionAssociations x courseOfferings x courses: every loaded
// (year, student, teacher, subject) is canonical/rosters.csv's, the
// subject from academicSubjectDescriptor. With a second teacher added to
// one section (a co-teacher on the same section, as Ed-Fi allows), that
// section's students get one roster row per teacher (rows = "many"):
// 0101-3-01-M of 2023 has 6 students, so T000102 (of the same school)
// added to it gives 6 rows more.
func TestEdFiRosterJoins(t *testing.T) {
	got := loadCase(t, edfiCase, nil)["rosters"]
	canon := canonicalRows(t, "rosters")
	sameTuples(t, "rosters", got.rows, canon, "school_year", "student_id", "teacher_id", "subject")

	coteach := func(dir string) {
		path := filepath.Join(dir, "staffSectionAssociations.csv")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		extra := "T000102,MATH-3,2559010101,2023,0101-3-01-M,2022-2023 Full Year,uri://ed-fi.org/ClassroomPositionDescriptor#Support Teacher,2022-08-14,2023-05-31\n"
		if err := os.WriteFile(path, append(b, extra...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	two := loadCase(t, edfiCase, coteach)["rosters"]
	var students []string
	for _, r := range two.rows {
		if r["section_id"] == "0101-3-01-M" && r["school_year"] == "2023" && r["teacher_id"] == "T000102" {
			students = append(students, r["student_id"])
		}
	}
	if two.stats.RowsAdded != 6 || len(students) != 6 {
		t.Errorf("co-taught section: %d rows added, %d rows of the co-teacher; want 6 and 6", two.stats.RowsAdded, len(students))
	}
	if two.stats.RowsLoaded != 541 || two.stats.RowsRejected != 0 {
		t.Errorf("co-taught section: %d loaded, %d rejected; want 535 + 6 and none", two.stats.RowsLoaded, two.stats.RowsRejected)
	}
}

// TestPowerSchoolInternalIDs: CC's StudentID and TeacherID are
// PowerSchool's internal Students.ID and Teachers.ID; the joins to
// student.export.text and teachers.export.text give every loaded roster
// row the district's Student_Number and TeacherNumber (each (year,
// student, teacher, subject) is canonical/rosters.csv's), CreditType
// gives the subject, and no dropped enrolment (negative SectionID)
// remains: the 3 are filtered with the drop's reason. SchoolID 101 is
// 0101 by the crosswalk, in students and teachers.
func TestPowerSchoolInternalIDs(t *testing.T) {
	got := loadCase(t, psCase, nil)
	ro := got["rosters"]
	sameTuples(t, "rosters", ro.rows, canonicalRows(t, "rosters"), "school_year", "student_id", "teacher_id", "subject")
	reason := `SectionID is "-*" (profile powerschool, tables.rosters.drop)`
	if n := ro.stats.Filtered[reason]; n != 3 || len(ro.stats.Filtered) != 1 {
		t.Errorf("filtered = %v; want 3 rows for %q", ro.stats.Filtered, reason)
	}
	for _, r := range ro.rows {
		if strings.HasPrefix(r["section_id"], "-") {
			t.Errorf("a dropped enrolment loaded: %v", r)
		}
	}
	if in := ro.stats.Inputs; len(in) != 1 || in[0].Path != "cc.export.text" {
		t.Errorf("rosters read from %v; want cc.export.text", in)
	}
	sameTuples(t, "students", got["students"].rows, canonicalRows(t, "students"), "student_id", "school_id", "grade_level", "gender", "race_ethnicity", "economically_disadvantaged")
	sameTuples(t, "teachers", got["teachers"].rows, canonicalRows(t, "teachers"), "teacher_id", "school_id", "first_name", "last_name")
}

// TestPowerSchoolUnknownSchool: a SchoolID the district's crosswalk
// does not list is not zero-padded into some code: the student is
// rejected, no match, naming the crosswalk. One student of 101 is moved
// to 105 in a copy.
func TestPowerSchoolUnknownSchool(t *testing.T) {
	move := func(dir string) {
		path := filepath.Join(dir, "student.export.text")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Replace(string(b), "\t0010001\t101\t", "\t0010001\t105\t", 1)
		if s == string(b) {
			t.Fatal("student 0010001 of school 101 not found")
		}
		os.WriteFile(path, []byte(s), 0o644)
	}
	st := loadCase(t, psCase, move)["students"]
	if st.stats.RowsLoaded != 149 || len(st.rejects) != 1 {
		t.Fatalf("students: %d loaded, rejects %v; want 149 and student 0010001's", st.stats.RowsLoaded, st.rejects)
	}
	r := st.rejects[0]
	if !errors.Is(r.Err, ingest.ErrNoMatch) || r.Row != 2 || r.Column != "SchoolID" || !strings.Contains(r.Error(), "school_crosswalk.csv") {
		t.Errorf("reject = %v; want row 2, SchoolID 105: no match in school_crosswalk.csv", r.Error())
	}
}

// TestPowerSchoolHomeroom: an elementary homeroom course teaches Math and
// ELA in one section. The fixture has none (its courses are MATH-n and
// ELA-n), so a copy plants one: school 101's grade-3 classes of 2023 and
// 2024 become HR-3 (a student's ELA-3 CC row renamed and the MATH-3 row
// of the same teacher and term removed; HR-3 added to courses).
// Three district lines expand HR-3 into MATH-3 and ELA-3: each HR-3 row
// becomes two (rows added = the HR-3 rows), and the estimates are the
// canonical district's again.
func TestPowerSchoolHomeroom(t *testing.T) {
	var hr int
	plant := func(dir string) {
		cc := readTSV(t, filepath.Join(dir, "cc.export.text"))
		col := func(name string) int { return slices.Index(cc[0], name) }
		sc, cn, st, tid, term, sec := col("SchoolID"), col("Course_Number"), col("StudentID"), col("TeacherID"), col("TermID"), col("SectionID")
		// A dropped enrolment (negative SectionID) stays as it is.
		in101 := func(r []string, course string) bool {
			return r[sc] == "101" && r[cn] == course && !strings.HasPrefix(r[sec], "-")
		}
		// Only a student's MATH-3 and ELA-3 rows with the same teacher and
		// term become one HR-3 row: a class taught in one subject only
		// stays as it is.
		key := func(r []string) string { return r[st] + "|" + r[tid] + "|" + r[term] }
		math, ela := map[string]bool{}, map[string]bool{}
		for _, r := range cc[1:] {
			if in101(r, "MATH-3") {
				math[key(r)] = true
			}
			if in101(r, "ELA-3") {
				ela[key(r)] = true
			}
		}
		out := [][]string{cc[0]}
		for _, r := range cc[1:] {
			switch {
			case in101(r, "MATH-3") && ela[key(r)]:
				continue
			case in101(r, "ELA-3") && math[key(r)]:
				r[cn] = "HR-3"
				hr++
			}
			out = append(out, r)
		}
		writeTSV(t, filepath.Join(dir, "cc.export.text"), out)
		courses := readTSV(t, filepath.Join(dir, "courses.export.text"))
		courses = append(courses, []string{"699", "99", "HR-3", "Homeroom 3", "1", "HR"})
		writeTSV(t, filepath.Join(dir, "courses.export.text"), courses)
	}
	c := psCase
	c.district = psDistrict + `
[mapping.tables.rosters.expand.Course_Number]
"HR-3" = ["MATH-3", "ELA-3"]
`
	got := loadCase(t, c, plant)["rosters"]
	if hr == 0 || got.stats.RowsAdded != hr || got.stats.RowsLoaded != 535 {
		t.Errorf("rosters: %d added, %d loaded; want the %d HR-3 rows added and 535 loaded", got.stats.RowsAdded, got.stats.RowsLoaded, hr)
	}
	sameTuples(t, "rosters", got.rows, canonicalRows(t, "rosters"), "school_year", "student_id", "teacher_id", "subject")
}

func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\r\n"), "\n") {
		out = append(out, strings.Split(strings.TrimSuffix(l, "\r"), "\t"))
	}
	return out
}

// writeTSV writes rows as PowerSchool does: tab-separated, CRLF.
func writeTSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s\r\n", strings.Join(r, "\t"))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestProfileEdFiJSONLines: studentAssessments as the ODS/API returns
// them, one JSON object per test with scoreResults an array (not the
// exploded CSV), give the same estimates: unnest makes the 498 objects
// 996 rows (498 added), the percentile rows are filtered and brought
// back by the self-join, as from the CSV.
func TestProfileEdFiJSONLines(t *testing.T) {
	asJSON := func(t *testing.T, dir string) {
		t.Helper()
		path := filepath.Join(dir, "studentAssessments.csv")
		recs := readRecords(t, path)
		byID := map[string]map[string]any{}
		var order []string
		for _, r := range recs[1:] {
			row := map[string]string{}
			for i, h := range recs[0] {
				row[h] = r[i]
			}
			id := row["studentAssessmentIdentifier"]
			obj := byID[id]
			if obj == nil {
				obj = map[string]any{}
				for h, v := range row {
					if !strings.HasPrefix(h, "scoreResults.") {
						setJSONPath(obj, h, v)
					}
				}
				byID[id], order = obj, append(order, id)
			}
			res := map[string]any{}
			for h, v := range row {
				if rest, ok := strings.CutPrefix(h, "scoreResults."); ok {
					res[rest] = v
				}
			}
			list, _ := obj["scoreResults"].([]any)
			obj["scoreResults"] = append(list, res)
		}
		var b strings.Builder
		for _, id := range order {
			line, err := json.Marshal(byID[id])
			if err != nil {
				t.Fatal(err)
			}
			b.Write(append(line, '\n'))
		}
		if err := os.WriteFile(filepath.Join(dir, "studentAssessments.jsonl"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Remove(path)
	}
	got, _ := runProfileWith(t, edfiCase, asJSON)
	if s, want := fileStats(t, got, "assessments"), (statsView{read: 498, loaded: 498, filtered: 498, added: 498, files: 1}); s != want {
		t.Errorf("assessments: %v; want %v", s, want)
	}
}

// setJSONPath sets obj's value at an Ed-Fi flattened name:
// "studentReference.studentUniqueId", "performanceLevels[0].x".
func setJSONPath(obj map[string]any, path, v string) {
	head, rest, nested := strings.Cut(path, ".")
	name, idx, isArray := strings.Cut(strings.TrimSuffix(head, "]"), "[")
	if isArray {
		i, _ := strconv.Atoi(idx)
		list, _ := obj[name].([]any)
		for len(list) <= i {
			list = append(list, map[string]any{})
		}
		obj[name] = list
		if !nested {
			list[i] = v
			return
		}
		setJSONPath(list[i].(map[string]any), rest, v)
		return
	}
	if !nested {
		obj[name] = v
		return
	}
	child, _ := obj[name].(map[string]any)
	if child == nil {
		child = map[string]any{}
		obj[name] = child
	}
	setJSONPath(child, rest, v)
}
