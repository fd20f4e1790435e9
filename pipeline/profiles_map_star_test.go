package pipeline

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/ingest"
)

// mapDistrict is the ten-line budget's use for a district with MAP: its
// race and ethnicity categories, which MAP writes as rostered (the
// canonical district's are shorter). Schools, their IDs and cohorts come
// from the district's schools table, which MAP's school names resolve
// against, so no crosswalk file is needed.
const mapDistrict = `[mapping.values.race_ethnicity]
"Black or African American" = "Black"
"Hispanic or Latino" = "Hispanic"
"Multi-ethnic" = "Two or more"
`

// mapCase is the MAP district: the four term downloads of the 2020+
// layout through the nwea-map profile (assessments, students, rosters),
// the rest canonical. Its baseline is the canonical district without what
// MAP does not export: the students' EL, special education and economic
// flags, and the rosters' percent_time. (MAP lists the 96 tested
// students of grades 3-8; the canonical district's other 54, and their
// rosters, change no estimate.)
func mapCase() profileCase {
	return profileCase{
		profiles:  []string{"nwea-map"},
		folders:   []string{"nwea-map"},
		exclude:   []string{"legacy"},
		canonical: []string{"schools", "teachers", "coaches", "coaching_cycles", "coaching_sessions", "observations"},
		district:  mapDistrict,
		baseline: func(t *testing.T, dir string) {
			dropColumns(t, filepath.Join(dir, "students.csv"), "english_learner", "special_education", "economically_disadvantaged")
			dropColumns(t, filepath.Join(dir, "rosters.csv"), "percent_time")
		},
	}
}

// TestProfileNWEAMAP: MAP's three files per term load through the
// nwea-map profile and four district lines, and give the canonical
// district's estimates. Each reshaped table reconciles with the files:
//   - assessments: 106 + 144 + 104 + 144 rows in the four
//     AssessmentResults.csv (fall and spring 2022-23, fall and spring
//     2023-24; 0104 tests in spring only) = 498, the canonical count,
//     every one GrowthMeasureYN = TRUE and not Language Usage;
//   - students: 54 + 72 + 54 + 72 = 252 StudentsBySchool rows, one per
//     student and term, of 96 students: 96 loaded, 156 superseded by the
//     student's later term;
//   - rosters: 114 + 151 + 115 + 153 = 533 ClassAssignments rows, 304
//     distinct (year, student, teacher, class): the fall row of a class
//     listed again in spring is superseded (229).
func TestProfileNWEAMAP(t *testing.T) {
	got, _ := runProfile(t, mapCase())
	for _, c := range []struct {
		table string
		want  statsView
	}{
		{"assessments", statsView{read: 498, loaded: 498, files: 4}},
		{"students", statsView{read: 96, loaded: 96, superseded: 156, files: 4}},
		{"rosters", statsView{read: 304, loaded: 304, superseded: 229, files: 4}},
	} {
		if s := fileStats(t, got, c.table); s != c.want {
			t.Errorf("%s: %v; want %v", c.table, s, c.want)
		}
	}
	if got.Rejects != 0 {
		t.Errorf("%d rows rejected; want none", got.Rejects)
	}
	// The window and the school year both come from TermName; the
	// school from SchoolName through the schools table, never from a
	// name column read as an ID.
	for table, want := range map[string]map[string]string{
		"assessments": {"window": "derived: split of TermName", "school_year": "derived: split of TermName", "assessment_name": "=MAP Growth"},
		"students":    {"school_id": "derived: school_id of table schools matching SchoolName"},
		"rosters":     {"teacher_id": "derived: teacher_id of table teachers matching TeacherName", "school_year": "derived: split of TermName"},
	} {
		st := tableStats(t, got, table)
		for col, w := range want {
			if st.Columns[col] != w {
				t.Errorf("%s.%s came from %q; want %q", table, col, st.Columns[col], w)
			}
		}
	}
}

// TestProfileNWEAMAPLegacy: the first fall in the pre-2020 layout
// (MeasurementScale for Subject, 64 columns, dates 9/16/2022) in place of
// the 2020+ one loads through the same profile and gives the same
// estimates; its file reads the subject from MeasurementScale.
func TestProfileNWEAMAPLegacy(t *testing.T) {
	c := mapCase()
	c.exclude = []string{"fall-2022-2023/AssessmentResults.csv"}
	got, _ := runProfile(t, c)
	st := tableStats(t, got, "assessments")
	if s := fileStats(t, got, "assessments"); s != (statsView{read: 498, loaded: 498, files: 4}) {
		t.Errorf("assessments: %v; want the 498 rows of four files", s)
	}
	var legacy *ingest.InputFile
	for i, in := range st.Inputs {
		if in.Path == "legacy/fall-2022-2023/AssessmentResults.csv" {
			legacy = &st.Inputs[i]
		}
	}
	if legacy == nil {
		t.Fatalf("legacy/fall-2022-2023/AssessmentResults.csv not read; inputs %v", inputPaths(st))
	}
	if legacy.Rows != 106 || legacy.Columns["subject"] != "MeasurementScale" {
		t.Errorf("legacy file: %d rows, subject from %q; want 106 rows, subject from MeasurementScale", legacy.Rows, legacy.Columns["subject"])
	}
}

// TestProfileNWEAMAPLatestStudentRow: StudentsBySchool lists a student
// once per term. Student 0010013 is in grade 3 in both terms of 2022-23
// and in grade 4 in both of 2023-24 (the canonical students.csv has 4):
// the students table gets grade 4, the latest term's, although the
// first file read (fall-2022-2023) says 3. Of the 96 students, 48 were
// tested in both years, with a grade a year apart.
func TestProfileNWEAMAPLatestStudentRow(t *testing.T) {
	st := loadCase(t, mapCase(), nil)["students"]
	rows, rejects := st.rows, st.rejects
	if len(rejects) != 0 {
		t.Fatalf("rejects: %v", rejects)
	}
	if len(rows) != 96 {
		t.Errorf("%d students; want 96", len(rows))
	}
	var row map[string]string
	for _, r := range rows {
		if r["student_id"] == "0010013" {
			row = r
		}
	}
	if row == nil || row["grade_level"] != "4" || row["school_id"] != "0101" {
		t.Errorf("student 0010013: %v; want grade 4 (Spring 2023-2024) at school 0101", row)
	}
}

// TestProfileNWEAMAPSchoolName: SchoolName is resolved through the
// schools table, never read as an ID. A name planted in one row that
// matches no school is rejected with ErrNoMatch, naming the file and the
// row as the user sees it (the header is row 1); student 0010020 keeps the
// school of its other row of 2023-24 (fall), and no other row is lost.
func TestProfileNWEAMAPSchoolName(t *testing.T) {
	// Row 2 of spring-2023-2024/StudentsBySchool.csv (its first data
	// row) gets a school the district does not have.
	rel := "spring-2023-2024/StudentsBySchool.csv"
	st := loadCase(t, mapCase(), func(in string) {
		path := filepath.Join(in, rel)
		recs := readRecords(t, path)
		if strings.Join(recs[1][:7], ",") != "Spring 2023-2024,Baldwin County Schools,Clear Hill Elementary School,Price,Omar,K,0010020" {
			t.Fatalf("%s row 2 is %q; this test expects student 0010020 at Clear Hill", rel, recs[1])
		}
		recs[1][2] = "Hilltop Academy"
		writeRecords(t, path, recs)
	})["students"]
	rows, rejects := st.rows, st.rejects
	if len(rejects) != 1 {
		t.Fatalf("%d rejects (first %v); want the one planted", len(rejects), rejects[:min(3, len(rejects))])
	}
	r := rejects[0]
	if !errors.Is(r.Err, ingest.ErrNoMatch) || r.File != rel || r.Row != 2 || r.Column != "SchoolName" || r.Value != "Hilltop Academy" {
		t.Errorf("reject %+v; want ErrNoMatch at %s row 2, SchoolName = Hilltop Academy", r, rel)
	}
	if len(rows) != 96 {
		t.Errorf("%d students; want all 96 (the student's fall row stands)", len(rows))
	}
	// 0010020's other row, Fall 2023-2024 at Clear Hill, stands.
	for _, row := range rows {
		if row["student_id"] == "0010020" && (row["school_id"] != "0101" || row["grade_level"] != "3") {
			t.Errorf("student 0010020: %v; want school 0101, grade 3 (its fall 2023-24 row)", row)
		}
	}
}

// TestProfileNWEAMAPFilters: what a real AssessmentResults file holds
// beside the growth tests. Planted in a copy of
// spring-2023-2024/AssessmentResults.csv, after student 0010020's
// Reading test (RIT 215, row 3): a retest in the same term
// (GrowthMeasureYN = FALSE, RIT 230) and a Language Usage test (Subject
// "Language Arts" like Reading, RIT 240). Both are filtered with their
// reasons and 0010020's spring 2024 ELA score stays the Reading 215: 144
// + 2 rows, 144 read. And a Grade of 13 (kindergarten in older files)
// planted on 0010020's StudentsBySchool row of the same term reads as K;
// a student missing from that list keeps its tests, without a grade. A
// district's own drop keys replace the profile's, to take Language Usage.
func TestProfileNWEAMAPFilters(t *testing.T) {
	plant := func(in string) {
		rel := filepath.Join("spring-2023-2024", "AssessmentResults.csv")
		recs := readRecords(t, filepath.Join(in, rel))
		col := func(name string) int { return slices.Index(recs[0], name) }
		reading := recs[2]
		if reading[col("StudentID")] != "0010020" || reading[col("Course")] != "Reading" || reading[col("TestRITScore")] != "215" {
			t.Fatalf("%s row 3 is not 0010020's Reading test of RIT 215", rel)
		}
		retest := slices.Clone(reading)
		retest[col("GrowthMeasureYN")], retest[col("TestID")], retest[col("TestRITScore")] = "FALSE", "799999001", "230"
		usage := slices.Clone(reading)
		usage[col("Course")], usage[col("TestName")], usage[col("TestID")], usage[col("TestRITScore")] = "Language Usage", "Growth: Language 2-5 CCSS 2010 V2", "799999002", "240"
		recs = append(recs, retest, usage)
		writeRecords(t, filepath.Join(in, rel), recs)

		sbs := filepath.Join(in, "spring-2023-2024", "StudentsBySchool.csv")
		students := readRecords(t, sbs)
		if students[1][6] != "0010020" || students[1][10] != "3" {
			t.Fatalf("StudentsBySchool row 2 is %v; want 0010020 in grade 3", students[1])
		}
		students[1][10] = "13"
		// 0010019 left out of the spring list (it is in fall's): its spring
		// tests keep their scores, without a grade.
		if students[2][6] != "0010019" {
			t.Fatalf("StudentsBySchool row 3 is %v; want 0010019", students[2])
		}
		students = slices.Delete(students, 2, 3)
		writeRecords(t, sbs, students)
	}
	as := loadCase(t, mapCase(), plant)["assessments"]
	rows, rejects, st := as.rows, as.rejects, as.stats
	if len(rejects) != 0 {
		t.Fatalf("rejects: %v", rejects[:min(3, len(rejects))])
	}
	if len(rows) != 498 || st.RowsRead != 498 || st.RowsFiltered != 2 {
		t.Errorf("%d tests; read %d, filtered %d; want 498, 498, 2", len(rows), st.RowsRead, st.RowsFiltered)
	}
	if want := map[string]int{
		`GrowthMeasureYN is not "TRUE" (profile nwea-map, tables.assessments.where)`: 1,
		`Course is "Language Usage" (profile nwea-map, tables.assessments.drop)`:     1,
	}; !maps.Equal(st.Filtered, want) {
		t.Errorf("filtered %v; want %v", st.Filtered, want)
	}
	found := 0
	for _, r := range rows {
		if r["student_id"] == "0010020" && r["school_year"] == "2024" && r["window"] == "spring" && r["subject"] == "ELA" {
			found++
			if r["scale_score"] != "215" || r["grade_level"] != "0" {
				t.Errorf("0010020's spring 2024 ELA test: RIT %s, grade %s; want the Reading 215, grade K (0)", r["scale_score"], r["grade_level"])
			}
		}
	}
	if found != 1 {
		t.Errorf("0010020 has %d spring 2024 ELA tests; want 1", found)
	}
	var ungraded []string
	for _, r := range rows {
		if r["grade_level"] == "" {
			ungraded = append(ungraded, r["student_id"]+" "+r["school_year"]+" "+r["window"]+" "+r["subject"])
		}
	}
	slices.Sort(ungraded)
	if want := []string{"0010019 2024 spring ELA", "0010019 2024 spring Math"}; !slices.Equal(ungraded, want) {
		t.Errorf("tests without a grade: %v; want %v", ungraded, want)
	}

	// A district that takes Language Usage for ELA writes the profile's
	// drop keys naming Reading (two lines over the profile): the 250
	// Reading tests of the four files go (the retest already went by
	// GrowthMeasureYN; canonical/assessments.csv has 250 ELA and 248 Math
	// rows), and 0010020's ELA score is Language Usage's 240.
	lu := mapCase()
	lu.district = "[mapping.tables.assessments]\ndrop = { Course = \"Reading\", MeasurementScale = \"Reading\" }\n"
	as = loadCase(t, lu, plant)["assessments"]
	rows, rejects, st = as.rows, as.rejects, as.stats
	if len(rejects) != 0 || len(rows) != 249 || st.Filtered[`Course is "Reading" (mapping.tables.assessments.drop)`] != 250 {
		t.Errorf("Language Usage for ELA: %d rejects, %d tests, filtered %v; want none, 248 Math + 1, 250 Reading", len(rejects), len(rows), st.Filtered)
	}
	for _, r := range rows {
		if r["subject"] == "ELA" && (r["student_id"] != "0010020" || r["scale_score"] != "240") {
			t.Errorf("ELA test %v; want only 0010020's Language Usage 240", r)
		}
	}
}

// TestProfileNWEAMAPNameIsNoID: without the profile, a StudentsBySchool
// file read as students.csv has SchoolName and DistrictName and no
// school ID: the header resolution takes neither name as school_id, and
// the file stops with school_id missing, instead of loading names as
// IDs. (With the profile, TestProfileNWEAMAP shows school_id made by
// the join on the schools table.)
func TestProfileNWEAMAPNameIsNoID(t *testing.T) {
	c := mapCase()
	c.folders = nil
	c.canonical = append(c.canonical, "rosters", "assessments")
	in := inputOf(t, c)
	copyFile(t, filepath.Join(exportsDir, "nwea-map", "fall-2022-2023", "StudentsBySchool.csv"), filepath.Join(in, "students.csv"))
	srcs, err := ingest.Discover(in, ingest.Tables(), nil, ingest.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.Table.Name != "students" {
			continue
		}
		r, err := ingest.Open(context.Background(), s, nil, ingest.NewKeys(nil), memory.NewGoAllocator(), ingest.Limits{})
		if r != nil {
			r.Release()
		}
		var fe *ingest.FileError
		if !errors.Is(err, ingest.ErrMissingColumn) || !errors.As(err, &fe) || fe.Column != "school_id" {
			t.Errorf("students.csv from StudentsBySchool: %v; want school_id missing (ErrMissingColumn)", err)
		}
		return
	}
	t.Fatal("no source gives students")
}

// starCase is the Star district: the four Star files through the star
// profile for assessments, every other table canonical.
func starCase() profileCase {
	return profileCase{
		profiles:  []string{"star"},
		folders:   []string{"star"},
		canonical: []string{"schools", "teachers", "coaches", "students", "rosters", "coaching_cycles", "coaching_sessions", "observations"},
	}
}

// TestProfileStar: the four Star files (SM_v2 and SR_v2 in a folder per
// year) load through the star profile alone and give the canonical
// district's estimates (ScaledScore = 2 x canonical + 40: every z is the
// same). 125 + 125 + 123 + 125 rows (2022-23 Math, Reading, 2023-24
// Math, Reading) = 498 tests, each loaded once. The test's name is the
// product, from the file's name, never the AssessmentID GUID.
func TestProfileStar(t *testing.T) {
	got, _ := runProfile(t, starCase())
	if s := fileStats(t, got, "assessments"); s != (statsView{read: 498, loaded: 498, files: 4}) {
		t.Errorf("assessments: %v; want the 498 rows of four files", s)
	}
	st := tableStats(t, got, "assessments")
	if want := []string{"2022-2023/SM_v2.csv", "2022-2023/SR_v2.csv", "2023-2024/SM_v2.csv", "2023-2024/SR_v2.csv"}; !slices.Equal(inputPaths(st), want) {
		t.Errorf("inputs %v; want %v", inputPaths(st), want)
	}
	for _, in := range st.Inputs {
		if !slices.Contains(in.IgnoredColumns, "AssessmentID") || in.Columns["assessment_name"] != "derived: from the file's path" {
			t.Errorf("%s: assessment_name from %q, AssessmentID ignored %v; want the file's path and AssessmentID unused", in.Path, in.Columns["assessment_name"], slices.Contains(in.IgnoredColumns, "AssessmentID"))
		}
	}
	// Each subject's spring test is one product, taken by the 72 spring
	// testers of each year.
	var tests []string
	for _, s := range got.SpringTests {
		tests = append(tests, strconv.Itoa(s.SchoolYear)+" "+s.Subject+" "+s.Assessment+" "+strconv.FormatInt(s.Students, 10))
	}
	if want := []string{"2023 ELA Star Reading 72", "2023 Math Star Math 72", "2024 ELA Star Reading 72", "2024 Math Star Math 72"}; !slices.Equal(tests, want) {
		t.Errorf("spring tests %v; want %v", tests, want)
	}
}

// TestProfileStarFilters: what a real Star file holds beside one test per
// window. Planted in a copy of 2023-2024/SM_v2.csv: a deactivated test, a
// progress-monitoring test between windows (no window name), and a
// retest an hour later the same day with a higher score, each above the
// test it copies. The first two are filtered with their reasons, the
// retest supersedes the student's first spring test (latest_by
// CompletedDateLocal, by time within the day, not by file order), and
// the 123 rows of the file give 123 tests again.
func TestProfileStarFilters(t *testing.T) {
	rel := "2023-2024/SM_v2.csv"
	var spring []string // the first spring test, copied three times
	var col func(name string) int
	edit := func(in string) {
		path := filepath.Join(in, rel)
		recs := readRecords(t, path)
		col = func(name string) int { return slices.Index(recs[0], name) }
		for _, r := range recs[1:] {
			if r[col("ScreeningPeriodWindowName")] == "Spring" {
				spring = r
				break
			}
		}
		if spring == nil {
			t.Fatal("no spring test in " + rel)
		}
		// Each copy goes right after the header, before the test it
		// copies: the file's order would favour the original.
		plant := func(change func(r []string)) {
			r := slices.Clone(spring)
			r[col("AssessmentID")] = "00000000-0000-0000-0000-00000000000" + strconv.Itoa(len(recs))
			change(r)
			recs = slices.Insert(recs, 1, r)
		}
		plant(func(r []string) {
			r[col("AssessmentStatus")] = "Deactivated"
			r[col("DeactivationReason")] = "Test was invalid"
		})
		plant(func(r []string) { r[col("ScreeningPeriodWindowName")] = "" })
		plant(func(r []string) {
			// The same day, an hour later, ten points higher.
			local := r[col("CompletedDateLocal")]
			day, clock, _ := strings.Cut(local, " ")
			h, m, _ := strings.Cut(clock, ":")
			hour, err := strconv.Atoi(h)
			if err != nil || hour > 22 {
				t.Fatalf("%s: CompletedDateLocal %q: want a time before 23:00", rel, local)
			}
			r[col("CompletedDateLocal")] = day + " " + strconv.Itoa(hour+1) + ":" + m
			score, _ := strconv.Atoi(r[col("ScaledScore")])
			r[col("ScaledScore")] = strconv.Itoa(score + 10)
		})
		writeRecords(t, path, recs)
	}
	as := loadCase(t, starCase(), edit)["assessments"]
	rows, rejects, st := as.rows, as.rejects, as.stats
	if len(rejects) != 0 {
		t.Fatalf("rejects: %v", rejects)
	}
	// 498 + 3 rows in the files = 498 read + 2 filtered + 1 superseded.
	if len(rows) != 498 || st.RowsRead != 498 || st.RowsFiltered != 2 || st.RowsSuperseded != 1 {
		t.Errorf("%d tests; read %d, filtered %d, superseded %d; want 498, 498, 2, 1", len(rows), st.RowsRead, st.RowsFiltered, st.RowsSuperseded)
	}
	if want := map[string]int{
		`AssessmentStatus is not "Active" (profile star, tables.assessments.where)`: 1,
		`ScreeningPeriodWindowName is "" (profile star, tables.assessments.drop)`:   1,
	}; !maps.Equal(st.Filtered, want) {
		t.Errorf("filtered %v; want %v", st.Filtered, want)
	}
	student := spring[col("StudentIdentifier")]
	score, _ := strconv.Atoi(spring[col("ScaledScore")])
	found := 0
	for _, r := range rows {
		if r["student_id"] == student && r["school_year"] == "2024" && r["window"] == "spring" && r["subject"] == "Math" {
			found++
			if r["scale_score"] != strconv.Itoa(score+10) {
				t.Errorf("student %s's spring 2024 Math score %s; want the retest's %d", student, r["scale_score"], score+10)
			}
		}
	}
	if found != 1 {
		t.Errorf("student %s has %d spring 2024 Math tests; want 1", student, found)
	}
}

// tableStats is the run's Stats of table.
func tableStats(t *testing.T, m *Manifest, table string) ingest.Stats {
	t.Helper()
	for _, f := range m.Files {
		if f.Table == table {
			return f
		}
	}
	t.Fatalf("no file gives %s", table)
	return ingest.Stats{}
}

func inputPaths(st ingest.Stats) []string {
	var out []string
	for _, in := range st.Inputs {
		out = append(out, in.Path)
	}
	return out
}
