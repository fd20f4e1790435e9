package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coachimpact/coachimpact/synth"
)

// exportsRoot holds fixtures shaped like six vendors' exports of one
// synthetic district, and that district's canonical files; see its
// README.md and docs/exports/.
const exportsRoot = "../testdata/exports"

// exportsDistrict is the district every fixture renders: small enough to
// keep testdata/exports under 2 MB, with no planted bad rows, so that a
// vendor-shaped run and the canonical run can be compared.
var exportsDistrict = synth.Config{Seed: 7, Schools: 4, StudentsPerGrade: 6, Years: 2, LastYear: 2024, Format: synth.FormatCSV, NoBadRows: true}

// TestExportFixtures regenerates testdata/exports in a temporary folder
// and checks that the committed files are byte-identical to the recipe
// below, so the fixtures cannot drift from it. With -update it rewrites
// the fixture folders (README.md is kept).
func TestExportFixtures(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "district")
	if _, err := synth.Generate(context.Background(), src, exportsDistrict); err != nil {
		t.Fatal(err)
	}
	d := loadDistrict(t, src)
	checkSessionsResolve(t, d)
	got := filepath.Join(tmp, "exports")
	writeExports(t, d, got)
	if *update {
		for _, v := range exportFolders {
			must(t, os.RemoveAll(filepath.Join(exportsRoot, v)))
			must(t, os.CopyFS(filepath.Join(exportsRoot, v), os.DirFS(filepath.Join(got, v))))
		}
		return
	}
	gotFiles, wantFiles := treeFiles(t, got), treeFiles(t, exportsRoot)
	wantFiles = slices.DeleteFunc(wantFiles, func(p string) bool { return p == "README.md" })
	if !slices.Equal(gotFiles, wantFiles) {
		t.Fatalf("files differ from %s (run go test ./pipeline -run TestExportFixtures -update):\n got  %q\n want %q", exportsRoot, gotFiles, wantFiles)
	}
	for _, p := range gotFiles {
		g, err := os.ReadFile(filepath.Join(got, p))
		must(t, err)
		w, err := os.ReadFile(filepath.Join(exportsRoot, p))
		must(t, err)
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from its recipe in exports_gen_test.go", p)
		}
	}
}

// checkSessionsResolve checks what docs/exports/coaching-log.md promises:
// the log names no cycle, and each session lies in exactly one cycle of
// its coach and teacher (start_date <= session_date <= end_date, a blank
// end_date open), so a profile can find the cycle from the log alone.
func checkSessionsResolve(t *testing.T, d *district) {
	t.Helper()
	for _, s := range d.sessions.rows {
		own := d.cycle[s["cycle_id"]]
		var found []string
		for _, c := range d.cycles.rows {
			if c["coach_id"] == own["coach_id"] && c["teacher_id"] == own["teacher_id"] && c["start_date"] <= s["session_date"] &&
				(c["end_date"] == "" || s["session_date"] <= c["end_date"]) {
				found = append(found, c["cycle_id"])
			}
		}
		if len(found) != 1 || found[0] != s["cycle_id"] {
			t.Errorf("session %s (cycle %s) falls in cycles %q of its coach and teacher", s["session_id"], s["cycle_id"], found)
		}
	}
}

// exportFolders are the folders of testdata/exports that the test writes.
var exportFolders = []string{"canonical", "nwea-map", "edfi", "powerschool", "iready", "star", "coaching-log"}

// treeFiles lists the files under root, slash-separated and sorted.
func treeFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	}))
	slices.Sort(out)
	return out
}

// table is one canonical CSV file: its header and its rows by column name.
type table struct {
	name string
	head []string
	rows []map[string]string
	raw  []byte
}

// readTable reads dir/name.csv as synth wrote it (FormatCSV: comma,
// canonical header) and keeps its bytes for canonical/.
func readTable(t *testing.T, dir, name string) *table {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name+".csv"))
	must(t, err)
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	must(t, err)
	tb := &table{name: name, head: recs[0], raw: b}
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, c := range tb.head {
			m[c] = r[i]
		}
		tb.rows = append(tb.rows, m)
	}
	return tb
}

// district is the canonical district with the look-ups the renderers share.
type district struct {
	tables                          []*table
	schools, teachers, coaches      *table
	students, rosters, assessments  *table
	cycles, sessions                *table
	school, teacher, student, coach map[string]map[string]string
	cycle                           map[string]map[string]string
	years                           []int
	teacherOfRecord                 map[string]string // year|student|subject -> teacher_id
	studentYears                    map[string][]int  // student -> school years with roster rows
	gradeIn                         map[string]string // year|student -> grade from the section id (K or number)
	sectionOf                       map[string]string // year|student|subject|teacher -> section_id
	fallScore                       map[string]int    // year|student|subject -> fall scale score
}

// byKey indexes a table's rows by one column.
func byKey(tb *table, key string) map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, r := range tb.rows {
		m[r[key]] = r
	}
	return m
}

// loadDistrict reads the nine canonical tables from dir and builds the
// look-ups.
func loadDistrict(t *testing.T, dir string) *district {
	t.Helper()
	d := &district{}
	for _, n := range []string{"schools", "teachers", "coaches", "students", "rosters", "assessments", "coaching_cycles", "coaching_sessions", "observations"} {
		d.tables = append(d.tables, readTable(t, dir, n))
	}
	d.schools, d.teachers, d.coaches, d.students, d.rosters, d.assessments, d.cycles, d.sessions =
		d.tables[0], d.tables[1], d.tables[2], d.tables[3], d.tables[4], d.tables[5], d.tables[6], d.tables[7]
	d.school, d.teacher, d.student = byKey(d.schools, "school_id"), byKey(d.teachers, "teacher_id"), byKey(d.students, "student_id")
	d.coach, d.cycle = byKey(d.coaches, "coach_id"), byKey(d.cycles, "cycle_id")
	d.teacherOfRecord, d.studentYears, d.gradeIn = map[string]string{}, map[string][]int{}, map[string]string{}
	d.sectionOf, d.fallScore = map[string]string{}, map[string]int{}
	best := map[string]int{}
	for _, r := range d.rosters.rows {
		y := atoi(r["school_year"])
		if !slices.Contains(d.years, y) {
			d.years = append(d.years, y)
		}
		if ys := d.studentYears[r["student_id"]]; !slices.Contains(ys, y) {
			d.studentYears[r["student_id"]] = append(ys, y)
		}
		d.gradeIn[r["school_year"]+"|"+r["student_id"]] = strings.Split(r["section_id"], "-")[1]
		d.sectionOf[r["school_year"]+"|"+r["student_id"]+"|"+r["subject"]+"|"+r["teacher_id"]] = r["section_id"]
		// Teacher of record: largest percent_time, ties to the smallest teacher_id.
		k, p := r["school_year"]+"|"+r["student_id"]+"|"+r["subject"], atoi(r["percent_time"])
		if cur, ok := d.teacherOfRecord[k]; !ok || p > best[k] || p == best[k] && r["teacher_id"] < cur {
			d.teacherOfRecord[k], best[k] = r["teacher_id"], p
		}
	}
	slices.Sort(d.years)
	for _, r := range d.assessments.rows {
		if r["window"] == "fall" {
			d.fallScore[r["school_year"]+"|"+r["student_id"]+"|"+r["subject"]] = atoi(r["scale_score"])
		}
	}
	return d
}

// atoi reads a whole number the generator wrote; anything else is a bug in
// this recipe, so it panics.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(fmt.Sprintf("not a whole number: %q", s))
	}
	return n
}

// isoDate reads a 2006-01-02 date the generator wrote.
func isoDate(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// hashN is a deterministic draw in 0..n-1 from the key: the same district
// always renders the same files.
func hashN(n int, key ...string) int {
	s := sha256.Sum256([]byte(strings.Join(key, "\x00")))
	return int(binary.BigEndian.Uint64(s[:8]) % uint64(n))
}

// guid is a deterministic version-4-shaped GUID for the key.
func guid(key ...string) string {
	s := sha256.Sum256([]byte("guid\x00" + strings.Join(key, "\x00")))
	s[6] = s[6]&0x0f | 0x40
	s[8] = s[8]&0x3f | 0x80
	h := fmt.Sprintf("%x", s[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

var (
	firstNames = []string{"Ava", "Liam", "Maya", "Noah", "Zoe", "Eli", "Nia", "Owen", "Ivy", "Jude", "Lena", "Omar", "Ruby", "Theo", "Aria", "Cole", "Dana", "Ezra", "Gia", "Hugo"}
	lastNames  = []string{"Adams", "Baker", "Chen", "Dixon", "Ellis", "Flores", "Grant", "Hayes", "Irwin", "Jones", "Khan", "Lopez", "Moore", "Nguyen", "Ortiz", "Price", "Reyes", "Shaw", "Tran", "Wells"}
)

// studentName gives a synthetic student a name (synth's students have none).
func studentName(id string) (first, middle, last string) {
	return firstNames[hashN(len(firstNames), "first", id)], string(rune('A' + hashN(26, "mi", id))), lastNames[hashN(len(lastNames), "last", id)]
}

// birthDate puts a student's birthday in the year that makes them the
// grade's usual age on September 1 of year-1 (the fall of school year year).
func birthDate(id string, grade int, year int) time.Time {
	return time.Date(year-1-6-grade, 9, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -hashN(365, "dob", id)-1)
}

// gradeNum reads a grade code ("K" or a number) as K=0.
func gradeNum(g string) int {
	if g == "K" || g == "KG" {
		return 0
	}
	return atoi(g)
}

// grade is the student's grade in school year y (from the section id).
func (d *district) grade(y int, student string) int {
	g, ok := d.gradeIn[strconv.Itoa(y)+"|"+student]
	if !ok {
		panic("no roster row for " + student)
	}
	return gradeNum(g)
}

// schoolYearText is a school year as vendors write it: 2024 -> "2023-2024".
func schoolYearText(y int) string { return fmt.Sprintf("%d-%d", y-1, y) }

// usDate is MM/DD/YYYY.
func usDate(t time.Time) string { return t.Format("01/02/2006") }

// out collects the files of one render.
type out struct {
	t    *testing.T
	root string
}

// csvFile writes rows under the header with encoding/csv (RFC 4180
// quoting); comma is the delimiter, crlf the line end.
func (o out) csvFile(rel string, head []string, rows [][]string, comma rune, crlf bool) {
	o.t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = comma, crlf
	must(o.t, w.Write(head))
	for _, r := range rows {
		if len(r) != len(head) {
			o.t.Fatalf("%s: row of %d cells under %d columns", rel, len(r), len(head))
		}
		must(o.t, w.Write(r))
	}
	w.Flush()
	must(o.t, w.Error())
	o.bytes(rel, b.Bytes())
}

// bytes writes b as root/rel, creating folders.
func (o out) bytes(rel string, b []byte) {
	o.t.Helper()
	p := filepath.Join(o.root, filepath.FromSlash(rel))
	must(o.t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(o.t, os.WriteFile(p, b, 0o644))
}

// exportRow fills a row of head from the named values; columns not named
// stay blank, as the unused columns of a real export do.
func exportRow(head []string, vals map[string]string) []string {
	r := make([]string, len(head))
	for i, c := range head {
		r[i] = vals[c]
	}
	return r
}

// writeExports renders the district into root: canonical/ and one folder
// per vendor format.
func writeExports(t *testing.T, d *district, root string) {
	o := out{t: t, root: root}
	for _, tb := range d.tables {
		o.bytes("canonical/"+tb.name+".csv", tb.raw)
	}
	writeMAP(o, d)
	writeEdFi(o, d)
	writePowerSchool(o, d)
	writeIReady(o, d)
	writeStar(o, d)
	writeCoachingLog(o, d)
}

// testDate is the synth test date of an assessment row.
func testDate(r map[string]string) time.Time { return isoDate(r["test_date"]) }

// zOf is synth's z of a score: (scale_score - 200 - 10·grade)/15.
func zOf(r map[string]string) float64 {
	return (float64(atoi(r["scale_score"])) - 200 - 10*float64(atoi(r["grade_level"]))) / 15
}

// teacherName is a teacher's first and last name.
func teacherName(d *district, id string) (first, last string) {
	tr := d.teacher[id]
	return tr["first_name"], tr["last_name"]
}

// email is the district's address for a staff member: first initial and
// last name.
func email(first, last string) string {
	return strings.ToLower(first[:1]+last) + "@baldwin.k12.example.org"
}

// round1 writes x with one decimal.
func round1(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', 1, 64) }

// Headers of the public sample exports each layout copies (see docs/exports).
const (
	map2020Header   = "TermName,DistrictName,District_StateID,SchoolName,School_StateID,StudentID,Student_StateID,Subject,Course,GrowthMeasureYN,NormsReferenceData,WISelectedAYFall,WISelectedAYWinter,WISelectedAYSpring,WIPreviousAYFall,WIPreviousAYWinter,WIPreviousAYSpring,TestType,TestName,TestID,TestStartDate,TestStartTime,TestDurationMinutes,TestRITScore,TestStandardError,TestPercentile,AchievementQuintile,PercentCorrect,RapidGuessingPercentage,FallToFallProjectedGrowth,FallToFallObservedGrowth,FallToFallObservedGrowthSE,FallToFallMetProjectedGrowth,FallToFallConditionalGrowthIndex,FallToFallConditionalGrowthPercentile,FallToFallGrowthQuintile,FallToWinterProjectedGrowth,FallToWinterObservedGrowth,FallToWinterObservedGrowthSE,FallToWinterMetProjectedGrowth,FallToWinterConditionalGrowthIndex,FallToWinterConditionalGrowthPercentile,FallToWinterGrowthQuintile,FallToSpringProjectedGrowth,FallToSpringObservedGrowth,FallToSpringObservedGrowthSE,FallToSpringMetProjectedGrowth,FallToSpringConditionalGrowthIndex,FallToSpringConditionalGrowthPercentile,FallToSpringGrowthQuintile,WinterToWinterProjectedGrowth,WinterToWinterObservedGrowth,WinterToWinterObservedGrowthSE,WinterToWinterMetProjectedGrowth,WinterToWinterConditionalGrowthIndex,WinterToWinterConditionalGrowthPercentile,WinterToWinterGrowthQuintile,WinterToSpringProjectedGrowth,WinterToSpringObservedGrowth,WinterToSpringObservedGrowthSE,WinterToSpringMetProjectedGrowth,WinterToSpringConditionalGrowthIndex,WinterToSpringConditionalGrowthPercentile,WinterToSpringGrowthQuintile,SpringToSpringProjectedGrowth,SpringToSpringObservedGrowth,SpringToSpringObservedGrowthSE,SpringToSpringMetProjectedGrowth,SpringToSpringConditionalGrowthIndex,SpringToSpringConditionalGrowthPercentile,SpringToSpringGrowthQuintile,LexileScore,LexileMin,LexileMax,QuantileScore,QuantileMin,QuantileMax,Goal1Name,Goal1RitScore,Goal1StdErr,Goal1Range,Goal1Adjective,Goal2Name,Goal2RitScore,Goal2StdErr,Goal2Range,Goal2Adjective,Goal3Name,Goal3RitScore,Goal3StdErr,Goal3Range,Goal3Adjective,Goal4Name,Goal4RitScore,Goal4StdErr,Goal4Range,Goal4Adjective,Goal5Name,Goal5RitScore,Goal5StdErr,Goal5Range,Goal5Adjective,Goal6Name,Goal6RitScore,Goal6StdErr,Goal6Range,Goal6Adjective,Goal7Name,Goal7RitScore,Goal7StdErr,Goal7Range,Goal7Adjective,Goal8Name,Goal8RitScore,Goal8StdErr,Goal8Range,Goal8Adjective,TypicalFallToFallGrowth,TypicalFallToWinterGrowth,TypicalFallToSpringGrowth,TypicalWinterToWinterGrowth,TypicalWinterToSpringGrowth,TypicalSpringToSpringGrowth,ProjectedProficiencyStudy1,ProjectedProficiencyLevel1,ProjectedProficiencyStudy2,ProjectedProficiencyLevel2,ProjectedProficiencyStudy3,ProjectedProficiencyLevel3,ProjectedProficiencyStudy4,ProjectedProficiencyLevel4,ProjectedProficiencyStudy5,ProjectedProficiencyLevel5,ProjectedProficiencyStudy6,ProjectedProficiencyLevel6,ProjectedProficiencyStudy7,ProjectedProficiencyLevel7,ProjectedProficiencyStudy8,ProjectedProficiencyLevel8,ProjectedProficiencyStudy9,ProjectedProficiencyLevel9,ProjectedProficiencyStudy10,ProjectedProficiencyLevel10"
	maplegacyHeader = "TermName,StudentID,SchoolName,MeasurementScale,Discipline,GrowthMeasureYN,TestType,TestName,TestID,TestStartDate,TestDurationMinutes,TestRITScore,TestStandardError,TestPercentile,TypicalFallToFallGrowth,TypicalSpringToSpringGrowth,TypicalFallToSpringGrowth,TypicalFallToWinterGrowth,RITtoReadingScore,RITtoReadingMin,RITtoReadingMax,Goal1Name,Goal1RitScore,Goal1StdErr,Goal1Range,Goal1Adjective,Goal2Name,Goal2RitScore,Goal2StdErr,Goal2Range,Goal2Adjective,Goal3Name,Goal3RitScore,Goal3StdErr,Goal3Range,Goal3Adjective,Goal4Name,Goal4RitScore,Goal4StdErr,Goal4Range,Goal4Adjective,Goal5Name,Goal5RitScore,Goal5StdErr,Goal5Range,Goal5Adjective,Goal6Name,Goal6RitScore,Goal6StdErr,Goal6Range,Goal6Adjective,Goal7Name,Goal7RitScore,Goal7StdErr,Goal7Range,Goal7Adjective,Goal8Name,Goal8RitScore,Goal8StdErr,Goal8Range,Goal8Adjective,TestStartTime,PercentCorrect,ProjectedProficiency"
	irmathHeader    = "Last Name,First Name,Student ID,Student Grade,Academic Year,School,Enrolled,User Name,Sex,Hispanic or Latino,Race,English Language Learner,Special Education,Economically Disadvantaged,Migrant,Class(es),Class Teacher(s),Report Group(s),Start Date,Completion Date,Baseline Diagnostic (Y/N),Most Recent Diagnostic (Y/N),Duration (min),Rush Flag,Overall Scale Score,Overall Placement,Overall Relative Placement,Percentile,Grouping,Quantile Measure,Quantile Range,Number and Operations Scale Score,Number and Operations Placement,Number and Operations Relative Placement,Algebra and Algebraic Thinking Scale Score,Algebra and Algebraic Thinking Placement,Algebra and Algebraic Thinking Relative Placement,Measurement and Data Scale Score,Measurement and Data Placement,Measurement and Data Relative Placement,Geometry Scale Score,Geometry Placement,Geometry Relative Placement,Diagnostic Language,Diagnostic Gain,Annual Typical Growth Measure,Annual Stretch Growth Measure,Percent Progress to Annual Typical Growth (%),Percent Progress to Annual Stretch Growth (%),Mid On Grade Level Scale Score,Proficiency if Student Shows No Additional Growth,Projection if Student Achieves Typical Growth,Projection if Student Achieves Stretch Growth"
	irelaHeader     = "Last Name,First Name,Student ID,Student Grade,Academic Year,School,Enrolled,User Name,Sex,Hispanic or Latino,Race,English Language Learner,Special Education,Economically Disadvantaged,Migrant,Class(es),Class Teacher(s),Report Group(s),Start Date,Completion Date,Baseline Diagnostic (Y/N),Most Recent Diagnostic (Y/N),Duration (min),Rush Flag,Overall Scale Score,Overall Placement,Overall Relative Placement,Percentile,Grouping,Lexile Measure,Lexile Range,Phonological Awareness Scale Score,Phonological Awareness Placement,Phonological Awareness Relative Placement,Phonics Scale Score,Phonics Placement,Phonics Relative Placement,High-Frequency Words Scale Score,High-Frequency Words Placement,High-Frequency Words Relative Placement,Vocabulary Scale Score,Vocabulary Placement,Vocabulary Relative Placement,Reading Comprehension: Overall Scale Score,Reading Comprehension: Overall Placement,Reading Comprehension: Overall Relative Placement,Reading Comprehension: Literature Scale Score,Reading Comprehension: Literature Placement,Reading Comprehension: Literature Relative Placement,Reading Comprehension: Informational Text Scale Score,Reading Comprehension: Informational Text Placement,Reading Comprehension: Informational Text Relative Placement,Diagnostic Gain,Annual Typical Growth Measure,Annual Stretch Growth Measure,Percent Progress to Annual Typical Growth (%),Percent Progress to Annual Stretch Growth (%),Mid On Grade Level Scale Score,Reading Difficulty Indicator (Y/N),Proficiency if Student Shows No Additional Growth,Projection if Student Achieves Typical Growth,Projection if Student Achieves Stretch Growth"
	smHeader        = "RenaissanceClientID,SchoolYear,SchoolYearStartDate,SchoolYearEndDate,StudentRenaissanceID,StudentSourcedID,StudentIdentifier,StudentUserID,StudentStateID,StudentEmail,StudentFirstName,StudentMiddleName,StudentLastName,Gender,BirthDate,MultiRace,HispanicOrLatino,AmericanIndianOrAlaskaNative,Asian,BlackOrAfricanAmerican,NativeHawaiianOrOtherPacificIslander,White,CurrentGrade,EnrollmentStatus,DistrictRenaissanceID,DistrictSourcedID,DistrictIdentifier,DistrictStateID,DistrictName,SchoolRenaissanceID,SchoolSourcedID,SchoolIdentifier,SchoolStateID,SchoolName,CourseRenaissanceID,CourseSourcedID,CourseCode,CourseName,ClassRenaissanceID,ClassSourcedID,ClassCode,GroupID,GroupOrClassName,TeacherRenaissanceID,TeacherSourcedID,TeacherIdentifier,TeacherUserID,TeacherStateID,TeacherEmail,TeacherFirstName,TeacherMiddleName,TeacherLastName,AssessmentID,LaunchDate,CompletedDate,CompletedDateLocal,AssessmentNumber,AssessmentType,AssessmentStatus,DeactivationReason,GradePlacement,Grade,ExtraTime,Audio,ScaledScore,StandardErrorOfMeasurement,RaschScore,UnifiedScore,PartnershipForAssessmentOfReadinessForCollegeAndCareers,SmarterBalancedAssessmentConsortium,OpenGrowthScore,GradeEquivalent,PercentileRank,NormalCurveEquivalent,TotalTimeInSeconds,TotalCorrect,TotalPossible,StudentGrowthPercentileFallFall,StudentGrowthPercentileFallSpring,StudentGrowthPercentileFallWinter,StudentGrowthPercentileSpringFall,StudentGrowthPercentileSpringSpring,StudentGrowthPercentileWinterSpring,ScreeningPeriodWindowName,ScreeningWindowStartDate,ScreeningWindowEndDate,RenaissanceBenchmarkCategoryName,RenaissanceBenchmarkCategoryLevel,RenaissanceBenchmarkCategoryNumberOfLevels,RenaissanceBenchmarkCategoryMinPercentileRank,RenaissanceBenchmarkCategoryMaxPercentileRank,StateBenchmarkAssessmentName,StateBenchmarkCategoryName,StateBenchmarkProficient,StateBenchmarkCategoryLevel,StateBenchmarkNumberOfCategoryLevels,StateBenchmarkMinScaledScore,StateBenchmarkMaxScaledScore,DistrictBenchmarkCategoryName,DistrictBenchmarkProficient,DistrictBenchmarkCategoryLevel,DistrictBenchmarkNumberOfCategoryLevels,DistrictBenchmarkMinPercentileRank,DistrictBenchmarkMaxPercentileRank,SchoolBenchmarkCategoryName,SchoolBenchmarkProficient,SchoolBenchmarkCategoryLevel,SchoolBenchmarkNumberOfCategoryLevels,SchoolBenchmarkMinPercentileRank,SchoolBenchmarkMaxPercentileRank,CurrentSGP,Quantile,TakenAt,TakenAtByIPAddress,StudentDisplayID,TeacherDisplayID,SATBenchmarkCategory,ACTBenchmarkCategory"
	srHeader        = "RenaissanceClientID,SchoolYear,SchoolYearStartDate,SchoolYearEndDate,StudentRenaissanceID,StudentSourcedID,StudentIdentifier,StudentUserID,StudentStateID,StudentEmail,StudentFirstName,StudentMiddleName,StudentLastName,Gender,BirthDate,MultiRace,HispanicOrLatino,AmericanIndianOrAlaskaNative,Asian,BlackOrAfricanAmerican,NativeHawaiianOrOtherPacificIslander,White,CurrentGrade,EnrollmentStatus,DistrictRenaissanceID,DistrictSourcedID,DistrictIdentifier,DistrictStateID,DistrictName,SchoolRenaissanceID,SchoolSourcedID,SchoolIdentifier,SchoolStateID,SchoolName,CourseRenaissanceID,CourseSourcedID,CourseCode,CourseName,ClassRenaissanceID,ClassSourcedID,ClassCode,GroupID,GroupOrClassName,TeacherRenaissanceID,TeacherSourcedID,TeacherIdentifier,TeacherUserID,TeacherStateID,TeacherEmail,TeacherFirstName,TeacherMiddleName,TeacherLastName,AssessmentID,LaunchDate,CompletedDate,CompletedDateLocal,AssessmentNumber,AssessmentType,AssessmentStatus,DeactivationReason,GradePlacement,Grade,ExtraTime,ScaledScore,StandardErrorOfMeasurement,RaschScore,UnifiedScore,PartnershipForAssessmentOfReadinessForCollegeAndCareers,SmarterBalancedAssessmentConsortium,OpenGrowthScore,GradeEquivalent,PercentileRank,NormalCurveEquivalent,InstructionalReadingLevel,EstimatedOralReadingFluency,LowerZoneOfProximalDevelopment,UpperZoneOfProximalDevelopment,Lexile,LowerLexileZoneOfProximalDevelopment,UpperLexileZoneOfProximalDevelopment,TotalTimeInSeconds,TotalCorrect,TotalPossible,Grade3_AssessmentAttempts,Grade3_PassingStatus,Grade3_PassingScore,StudentGrowthPercentileFallFall,StudentGrowthPercentileFallSpring,StudentGrowthPercentileFallWinter,StudentGrowthPercentileSpringFall,StudentGrowthPercentileSpringSpring,StudentGrowthPercentileWinterSpring,ScreeningPeriodWindowName,ScreeningWindowStartDate,ScreeningWindowEndDate,RenaissanceBenchmarkCategoryName,RenaissanceBenchmarkCategoryLevel,RenaissanceBenchmarkCategoryNumberOfLevels,RenaissanceBenchmarkCategoryMinPercentileRank,RenaissanceBenchmarkCategoryMaxPercentileRank,StateBenchmarkAssessmentName,StateBenchmarkCategoryName,StateBenchmarkProficient,StateBenchmarkCategoryLevel,StateBenchmarkNumberOfCategoryLevels,StateBenchmarkMinScaledScore,StateBenchmarkMaxScaledScore,DistrictBenchmarkCategoryName,DistrictBenchmarkProficient,DistrictBenchmarkCategoryLevel,DistrictBenchmarkNumberOfCategoryLevels,DistrictBenchmarkMinPercentileRank,DistrictBenchmarkMaxPercentileRank,SchoolBenchmarkCategoryName,SchoolBenchmarkProficient,SchoolBenchmarkCategoryLevel,SchoolBenchmarkNumberOfCategoryLevels,SchoolBenchmarkMinPercentileRank,SchoolBenchmarkMaxPercentileRank,CurrentSGP,TakenAt,TakenAtByIPAddress,StudentDisplayID,TeacherDisplayID,SATBenchmarkCategory,ACTBenchmarkCategory"
)

// MAP Growth: one download per term (fall and spring of each year), each
// holding AssessmentResults.csv, StudentsBySchool.csv and
// ClassAssignments.csv; plus the first fall once more in the pre-2020
// AssessmentResults layout under legacy/. See docs/exports/nwea-map.md.
func writeMAP(o out, d *district) {
	type term struct {
		year   int
		window string
	}
	var terms []term
	for _, y := range d.years {
		terms = append(terms, term{y, "fall"}, term{y, "spring"})
	}
	head := strings.Split(map2020Header, ",")
	legacy := strings.Split(maplegacyHeader, ",")
	sbs := []string{"TermName", "DistrictName", "SchoolName", "StudentLastName", "StudentFirstName", "StudentMI", "StudentID", "StudentDateOfBirth", "StudentEthnicGroup", "StudentGender", "Grade"}
	ca := []string{"TermName", "StudentID", "SchoolName", "ClassName", "TeacherName"}
	testID := 700000000
	for _, tm := range terms {
		name := strings.ToUpper(tm.window[:1]) + tm.window[1:] + " " + schoolYearText(tm.year)
		dir := "nwea-map/" + tm.window + "-" + schoolYearText(tm.year) + "/"
		var res, leg, studs, classes [][]string
		seen := map[string]bool{}
		for _, r := range d.assessments.rows {
			if atoi(r["school_year"]) != tm.year || r["window"] != tm.window {
				continue
			}
			s := d.student[r["student_id"]]
			sc := d.school[s["school_id"]]
			g, score, pct := atoi(r["grade_level"]), atoi(r["scale_score"]), atoi(r["percentile"])
			testID += 1 + hashN(997, "testid", r["student_id"], r["subject"], name)
			v := map[string]string{
				"TermName": name, "DistrictName": sc["district_name"], "SchoolName": sc["school_name"],
				"StudentID": r["student_id"], "GrowthMeasureYN": "TRUE", "NormsReferenceData": "2020",
				"WISelectedAYFall": "4", "TestType": "Survey With Goals", "TestID": strconv.Itoa(testID),
				"TestStartDate": usDate(testDate(r)), "TestStartTime": fmt.Sprintf("%d:%02d:%02d", 8+hashN(5, "h", r["student_id"], name), hashN(60, "m", r["student_id"], r["subject"], name), hashN(60, "s", r["student_id"], r["subject"], name)),
				"TestDurationMinutes": strconv.Itoa(35 + hashN(40, "dur", r["student_id"], r["subject"], name)),
				"TestRITScore":        strconv.Itoa(score), "TestStandardError": round1(2.9 + float64(hashN(6, "se", r["student_id"], r["subject"], name))/10),
				"TestPercentile": r["percentile"], "AchievementQuintile": quintile(pct),
				"PercentCorrect": strconv.Itoa(40 + hashN(30, "pc", r["student_id"], r["subject"], name)), "RapidGuessingPercentage": "0",
				"TypicalFallToSpringGrowth": strconv.Itoa(max(4, 14-g)), "TypicalFallToFallGrowth": strconv.Itoa(max(3, 12-g)), "TypicalSpringToSpringGrowth": strconv.Itoa(max(3, 12-g)),
			}
			if tm.window == "spring" {
				v["WISelectedAYSpring"] = "32"
				if f, ok := d.fallScore[r["school_year"]+"|"+r["student_id"]+"|"+r["subject"]]; ok {
					v["FallToSpringProjectedGrowth"] = v["TypicalFallToSpringGrowth"]
					v["FallToSpringObservedGrowth"] = strconv.Itoa(score - f)
					v["FallToSpringObservedGrowthSE"] = "4.2"
					if score-f >= max(4, 14-g) {
						v["FallToSpringMetProjectedGrowth"] = "Yes"
					} else {
						v["FallToSpringMetProjectedGrowth"] = "No"
					}
				}
			}
			goals := []string{"Operations and Algebraic Thinking", "Number and Operations", "Measurement and Data", "Geometry"}
			if r["subject"] == "Math" {
				v["Subject"], v["Course"], v["MeasurementScale"], v["Discipline"] = "Mathematics", "Math K-12", "Mathematics", "Mathematics"
				v["TestName"] = "Growth: Math 2-5 CCSS 2010"
				if g >= 6 {
					v["TestName"] = "Growth: Math 6+ CCSS 2010"
					goals = []string{"Operations and Algebraic Thinking", "The Real and Complex Number Systems", "Geometry", "Statistics and Probability"}
				}
			} else {
				v["Subject"], v["Course"], v["MeasurementScale"], v["Discipline"] = "Language Arts", "Reading", "Reading", "Reading"
				v["TestName"] = "Growth: Reading 2-5 CCSS 2010 V3"
				if g >= 6 {
					v["TestName"] = "Growth: Reading 6+ CCSS 2010 V3"
				}
				goals = []string{"Literary Text: Key Ideas and Details", "Literary Text: Language, Craft, and Structure", "Informational Text: Key Ideas and Details", "Vocabulary: Acquisition and Use"}
				lex := max(100, 10*(score-180))
				v["LexileScore"], v["LexileMin"], v["LexileMax"] = fmt.Sprintf("%dL", lex), fmt.Sprintf("%dL", lex-100), fmt.Sprintf("%dL", lex+50)
				v["RITtoReadingScore"], v["RITtoReadingMin"], v["RITtoReadingMax"] = strconv.Itoa(lex), strconv.Itoa(lex-100), strconv.Itoa(lex+50)
			}
			for i, gn := range goals {
				gs := score - 6 + hashN(13, "goal", strconv.Itoa(i), r["student_id"], r["subject"], name)
				p := fmt.Sprintf("Goal%d", i+1)
				v[p+"Name"], v[p+"RitScore"], v[p+"StdErr"] = gn, strconv.Itoa(gs), "6.1"
				v[p+"Range"], v[p+"Adjective"] = fmt.Sprintf("%d-%d", gs-6, gs+6), quintile(pct)
			}
			res = append(res, exportRow(head, v))
			// The pre-2020 layout: Mathematics/Reading in MeasurementScale,
			// dates without leading zeros, times with AM/PM.
			lv := cloneVals(v)
			lv["TestStartDate"] = testDate(r).Format("1/2/2006")
			lv["TestStartTime"] = fmt.Sprintf("%d:%s:00 AM", 8+hashN(4, "h", r["student_id"], name), fmt.Sprintf("%02d", hashN(60, "m", r["student_id"], r["subject"], name)))
			lv["ProjectedProficiency"] = map[string]string{"Low": "Level 1", "LoAvg": "Level 2", "Avg": "Level 2", "HiAvg": "Level 3", "High": "Level 4"}[quintile(pct)]
			leg = append(leg, exportRow(legacy, lv))
			if seen[r["student_id"]] {
				continue
			}
			seen[r["student_id"]] = true
			first, mi, last := studentName(r["student_id"])
			studs = append(studs, exportRow(sbs, map[string]string{
				"TermName": name, "DistrictName": sc["district_name"], "SchoolName": sc["school_name"],
				"StudentLastName": last, "StudentFirstName": first, "StudentMI": mi, "StudentID": r["student_id"],
				"StudentDateOfBirth": birthDate(r["student_id"], g, tm.year).Format("1/2/2006"),
				"StudentEthnicGroup": mapEthnic[s["race_ethnicity"]], "StudentGender": s["gender"], "Grade": strconv.Itoa(g),
			}))
			for _, subj := range []string{"Math", "ELA"} {
				for _, tid := range d.teachersOf(tm.year, r["student_id"], subj) {
					tf, tl := teacherName(d, tid)
					sec := d.sectionOf[r["school_year"]+"|"+r["student_id"]+"|"+subj+"|"+tid]
					classes = append(classes, exportRow(ca, map[string]string{
						"TermName": name, "StudentID": r["student_id"], "SchoolName": sc["school_name"],
						"ClassName": fmt.Sprintf("%s %s - %s", subj, strings.Split(sec, "-")[1], strings.Split(sec, "-")[2]), "TeacherName": tl + ", " + tf,
					}))
				}
			}
		}
		o.csvFile(dir+"AssessmentResults.csv", head, res, ',', true)
		o.csvFile(dir+"StudentsBySchool.csv", sbs, studs, ',', true)
		o.csvFile(dir+"ClassAssignments.csv", ca, classes, ',', true)
		if tm == terms[0] {
			o.csvFile("nwea-map/legacy/"+tm.window+"-"+schoolYearText(tm.year)+"/AssessmentResults.csv", legacy, leg, ',', true)
		}
	}
}

// cloneVals copies a row's named values.
func cloneVals(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// teachersOf lists the student's roster teachers in a subject and year,
// in roster order.
func (d *district) teachersOf(y int, student, subject string) []string {
	var ids []string
	for _, r := range d.rosters.rows {
		if r["student_id"] == student && r["subject"] == subject && atoi(r["school_year"]) == y {
			ids = append(ids, r["teacher_id"])
		}
	}
	return ids
}

// quintile is MAP's AchievementQuintile of a percentile.
func quintile(p int) string {
	switch {
	case p < 21:
		return "Low"
	case p < 41:
		return "LoAvg"
	case p < 61:
		return "Avg"
	case p < 81:
		return "HiAvg"
	}
	return "High"
}

// mapEthnic is the StudentEthnicGroup text for synth's race_ethnicity.
var mapEthnic = map[string]string{"White": "White", "Black": "Black or African American", "Hispanic": "Hispanic or Latino", "Asian": "Asian", "Two or more": "Multi-ethnic"}

// Ed-Fi: ODS/API resources flattened to CSV, one file per resource: a
// nested reference becomes dotted columns (studentReference.studentUniqueId),
// a one-element collection [0] columns, and studentAssessments.scoreResults
// one row per reporting method. See docs/exports/edfi.md.
const (
	edfiLEA       = "255901"
	edfiNamespace = "uri://baldwin.k12.example.org/Assessment"
)

// edfiSchoolID is the Ed-Fi schoolId of a canonical school_id.
func edfiSchoolID(schoolID string) string { return edfiLEA + schoolID }

// edfiGrade is the GradeLevelDescriptor URI of grade g (K=0).
func edfiGrade(g int) string {
	names := []string{"Kindergarten", "First grade", "Second grade", "Third grade", "Fourth grade", "Fifth grade", "Sixth grade", "Seventh grade", "Eighth grade", "Ninth grade", "Tenth grade", "Eleventh grade", "Twelfth grade"}
	return "uri://ed-fi.org/GradeLevelDescriptor#" + names[g]
}

// edfiSubject is the AcademicSubjectDescriptor URI of a canonical subject.
func edfiSubject(s string) string {
	if s == "Math" {
		return "uri://ed-fi.org/AcademicSubjectDescriptor#Mathematics"
	}
	return "uri://ed-fi.org/AcademicSubjectDescriptor#English Language Arts"
}

// yearStart and yearEnd are the first and last instructional days the
// fixtures use for school year y.
func yearStart(y int) time.Time { return time.Date(y-1, 8, 14, 0, 0, 0, 0, time.UTC) }
func yearEnd(y int) time.Time   { return time.Date(y, 5, 31, 0, 0, 0, 0, time.UTC) }

// section is one class as a SIS holds it: a course of a grade and subject
// taught by one teacher. synth's section_id is shared by Math and ELA and
// by a co-teacher; a SIS has one section per course and teacher.
type section struct {
	year                          int
	school, sectionID, subject    string
	teacher, grade, course, ident string
	lead                          bool // the section's own teacher, not a co-teacher
	students                      []string
}

// sections derives the SIS sections from the rosters, in roster order.
func (d *district) sections() []*section {
	count := map[string]int{}
	for _, r := range d.rosters.rows {
		count[r["school_year"]+"|"+r["section_id"]+"|"+r["subject"]+"|"+r["teacher_id"]]++
	}
	lead := map[string]string{}
	for k, n := range count {
		p := strings.Split(k, "|")
		sk := p[0] + "|" + p[1] + "|" + p[2]
		if cur, ok := lead[sk]; !ok || n > count[sk+"|"+cur] || n == count[sk+"|"+cur] && p[3] < cur {
			lead[sk] = p[3]
		}
	}
	var out []*section
	idx := map[string]*section{}
	for _, r := range d.rosters.rows {
		k := r["school_year"] + "|" + r["section_id"] + "|" + r["subject"] + "|" + r["teacher_id"]
		s := idx[k]
		if s == nil {
			p := strings.Split(r["section_id"], "-")
			code := map[string]string{"Math": "MATH", "ELA": "ELA"}[r["subject"]] + "-" + p[1]
			s = &section{year: atoi(r["school_year"]), school: p[0], sectionID: r["section_id"], subject: r["subject"], teacher: r["teacher_id"], grade: p[1], course: code}
			s.lead = lead[r["school_year"]+"|"+r["section_id"]+"|"+r["subject"]] == r["teacher_id"]
			s.ident = r["section_id"] + "-" + code[:1]
			if !s.lead {
				s.ident += "-" + r["teacher_id"]
			}
			idx[k] = s
			out = append(out, s)
		}
		s.students = append(s.students, r["student_id"])
	}
	return out
}

func writeEdFi(o out, d *district) {
	const dir = "edfi/"
	head := []string{"schoolId", "nameOfInstitution", "localEducationAgencyReference.localEducationAgencyId", "educationOrganizationCategories[0].educationOrganizationCategoryDescriptor", "schoolCategories[0].schoolCategoryDescriptor"}
	var rows [][]string
	for _, s := range d.schools.rows {
		cat := map[string]string{"elementary": "Elementary School", "middle": "Middle School", "high": "High School"}[s["level"]]
		rows = append(rows, []string{edfiSchoolID(s["school_id"]), s["school_name"], edfiLEA, "uri://ed-fi.org/EducationOrganizationCategoryDescriptor#School", "uri://ed-fi.org/SchoolCategoryDescriptor#" + cat})
	}
	o.csvFile(dir+"schools.csv", head, rows, ',', false)

	head = []string{"studentUniqueId", "firstName", "middleName", "lastSurname", "birthDate"}
	eoa := []string{"educationOrganizationReference.educationOrganizationId", "studentReference.studentUniqueId", "sexDescriptor", "hispanicLatinoEthnicity", "races[0].raceDescriptor", "limitedEnglishProficiencyDescriptor"}
	ssa := []string{"studentReference.studentUniqueId", "schoolReference.schoolId", "schoolYearTypeReference.schoolYear", "entryDate", "entryGradeLevelDescriptor", "exitWithdrawDate"}
	var eoaRows, ssaRows [][]string
	rows = nil
	for _, s := range d.students.rows {
		ys := d.studentYears[s["student_id"]]
		first, mi, last := studentName(s["student_id"])
		rows = append(rows, []string{s["student_id"], first, mi, last, birthDate(s["student_id"], d.grade(ys[0], s["student_id"]), ys[0]).Format("2006-01-02")})
		race := map[string]string{"White": "White", "Black": "Black - African American", "Asian": "Asian", "Hispanic": "White", "Two or more": "Other"}[s["race_ethnicity"]]
		lep := "uri://ed-fi.org/LimitedEnglishProficiencyDescriptor#NotLimited"
		if s["english_learner"] == "Y" {
			lep = "uri://ed-fi.org/LimitedEnglishProficiencyDescriptor#Limited"
		}
		eoaRows = append(eoaRows, []string{edfiLEA, s["student_id"], "uri://ed-fi.org/SexDescriptor#" + map[string]string{"F": "Female", "M": "Male"}[s["gender"]],
			strconv.FormatBool(s["race_ethnicity"] == "Hispanic"), "uri://ed-fi.org/RaceDescriptor#" + race, lep})
		// One association per school year: the student re-enrols each year.
		for _, y := range ys {
			ssaRows = append(ssaRows, []string{s["student_id"], edfiSchoolID(s["school_id"]), strconv.Itoa(y), yearStart(y).Format("2006-01-02"), edfiGrade(d.grade(y, s["student_id"])), ""})
		}
	}
	o.csvFile(dir+"students.csv", head, rows, ',', false)
	o.csvFile(dir+"studentEducationOrganizationAssociations.csv", eoa, eoaRows, ',', false)
	o.csvFile(dir+"studentSchoolAssociations.csv", ssa, ssaRows, ',', false)

	head = []string{"staffUniqueId", "firstName", "lastSurname", "yearsOfPriorProfessionalExperience", "electronicMails[0].electronicMailAddress", "electronicMails[0].electronicMailTypeDescriptor"}
	rows = nil
	for _, tr := range d.teachers.rows {
		rows = append(rows, []string{tr["teacher_id"], tr["first_name"], tr["last_name"], tr["years_experience"], email(tr["first_name"], tr["last_name"]), "uri://ed-fi.org/ElectronicMailTypeDescriptor#Work"})
	}
	o.csvFile(dir+"staffs.csv", head, rows, ',', false)

	secs := d.sections()
	session := func(y int) string { return schoolYearText(y) + " Full Year" }
	courses := []string{"courseCode", "educationOrganizationReference.educationOrganizationId", "courseTitle", "numberOfParts", "academicSubjectDescriptor", "offeredGradeLevels[0].gradeLevelDescriptor"}
	offer := []string{"localCourseCode", "schoolReference.schoolId", "sessionReference.schoolId", "sessionReference.schoolYear", "sessionReference.sessionName", "courseReference.courseCode", "courseReference.educationOrganizationId", "localCourseTitle"}
	sref := []string{"sectionReference.localCourseCode", "sectionReference.schoolId", "sectionReference.schoolYear", "sectionReference.sectionIdentifier", "sectionReference.sessionName"}
	sech := []string{"sectionIdentifier", "courseOfferingReference.localCourseCode", "courseOfferingReference.schoolId", "courseOfferingReference.schoolYear", "courseOfferingReference.sessionName", "sectionName"}
	staffSec := append([]string{"staffReference.staffUniqueId"}, append(slices.Clone(sref), "classroomPositionDescriptor", "beginDate", "endDate")...)
	studSec := append([]string{"studentReference.studentUniqueId"}, append(slices.Clone(sref), "beginDate", "endDate", "homeroomIndicator")...)
	var cRows, oRows, sRows, stRows, suRows [][]string
	seenC, seenO := map[string]bool{}, map[string]bool{}
	for _, s := range secs {
		title := map[string]string{"Math": "Mathematics", "ELA": "English Language Arts"}[s.subject] + " " + s.grade
		if !seenC[s.course] {
			seenC[s.course] = true
			cRows = append(cRows, []string{s.course, edfiLEA, title, "1", edfiSubject(s.subject), edfiGrade(gradeNum(s.grade))})
		}
		sid, y := edfiSchoolID(s.school), strconv.Itoa(s.year)
		if ok := s.school + "|" + y + "|" + s.course; !seenO[ok] {
			seenO[ok] = true
			oRows = append(oRows, []string{s.course, sid, sid, y, session(s.year), s.course, edfiLEA, title})
		}
		ref := []string{s.course, sid, y, s.ident, session(s.year)}
		sRows = append(sRows, []string{s.ident, s.course, sid, y, session(s.year), title + " - " + d.teacher[s.teacher]["last_name"]})
		pos := "uri://ed-fi.org/ClassroomPositionDescriptor#Teacher of Record"
		if !s.lead {
			pos = "uri://ed-fi.org/ClassroomPositionDescriptor#Support Teacher"
		}
		stRows = append(stRows, append(append([]string{s.teacher}, ref...), pos, yearStart(s.year).Format("2006-01-02"), yearEnd(s.year).Format("2006-01-02")))
		for _, st := range s.students {
			suRows = append(suRows, append(append([]string{st}, ref...), yearStart(s.year).Format("2006-01-02"), yearEnd(s.year).Format("2006-01-02"), "false"))
		}
	}
	o.csvFile(dir+"courses.csv", courses, cRows, ',', false)
	o.csvFile(dir+"courseOfferings.csv", offer, oRows, ',', false)
	o.csvFile(dir+"sections.csv", sech, sRows, ',', false)
	o.csvFile(dir+"staffSectionAssociations.csv", staffSec, stRows, ',', false)
	o.csvFile(dir+"studentSectionAssociations.csv", studSec, suRows, ',', false)

	head = []string{"studentAssessmentIdentifier", "assessmentReference.assessmentIdentifier", "assessmentReference.namespace", "studentReference.studentUniqueId", "schoolYearTypeReference.schoolYear", "administrationDate", "whenAssessedGradeLevelDescriptor", "performanceLevels[0].assessmentReportingMethodDescriptor", "performanceLevels[0].performanceLevelDescriptor", "scoreResults.assessmentReportingMethodDescriptor", "scoreResults.resultDatatypeTypeDescriptor", "scoreResults.result"}
	rows = nil
	levels := []string{"", "Below Basic", "Basic", "Proficient", "Advanced"}
	for _, r := range d.assessments.rows {
		id := guid("edfi", r["school_year"], r["student_id"], r["subject"], r["window"])
		base := []string{id, r["assessment_name"] + " " + map[string]string{"Math": "Mathematics", "ELA": "ELA"}[r["subject"]], edfiNamespace, r["student_id"], r["school_year"],
			r["test_date"] + "T09:00:00", edfiGrade(atoi(r["grade_level"])), "uri://ed-fi.org/AssessmentReportingMethodDescriptor#Proficiency level",
			"uri://ed-fi.org/PerformanceLevelDescriptor#" + levels[atoi(r["performance_level"])]}
		rows = append(rows,
			append(slices.Clone(base), "uri://ed-fi.org/AssessmentReportingMethodDescriptor#Scale score", "uri://ed-fi.org/ResultDatatypeTypeDescriptor#Integer", r["scale_score"]),
			append(slices.Clone(base), "uri://ed-fi.org/AssessmentReportingMethodDescriptor#Percentile", "uri://ed-fi.org/ResultDatatypeTypeDescriptor#Integer", r["percentile"]))
	}
	o.csvFile(dir+"studentAssessments.csv", head, rows, ',', false)
}

// PowerSchool: tab-separated *.export.text files as Quick Export writes
// them (field names on the first line, CRLF line ends), keyed by
// PowerSchool's internal numbers. See docs/exports/powerschool.md.
func writePowerSchool(o out, d *district) {
	const dir = "powerschool/"
	psSchool := func(id string) string { return strconv.Itoa(atoi(id)) } // School_Number is a number: 0101 -> 101
	internal := map[string]int{}
	head := []string{"DCID", "ID", "Student_Number", "SchoolID", "Grade_Level", "First_Name", "Middle_Name", "Last_Name", "Gender", "DOB", "FedEthnicity", "Ethnicity", "LunchStatus", "Enroll_Status", "EntryDate", "ExitDate", "State_StudentNumber"}
	var rows [][]string
	last := d.years[len(d.years)-1]
	for i, s := range d.students.rows {
		ys := d.studentYears[s["student_id"]]
		first, mi, lastName := studentName(s["student_id"])
		id := 4100 + 3*i
		internal[s["student_id"]] = id
		status, exit := "0", ""
		if ys[len(ys)-1] < last {
			status, exit = "2", usDate(yearEnd(ys[len(ys)-1]).AddDate(0, 0, 1))
		}
		lunch := "P"
		if s["economically_disadvantaged"] == "Y" {
			lunch = "F"
		}
		rows = append(rows, []string{strconv.Itoa(90000 + i), strconv.Itoa(id), s["student_id"], psSchool(s["school_id"]), strconv.Itoa(gradeNum(s["grade_level"])),
			first, mi, lastName, s["gender"], usDate(birthDate(s["student_id"], d.grade(ys[0], s["student_id"]), ys[0])),
			map[bool]string{true: "1", false: "0"}[s["race_ethnicity"] == "Hispanic"], psEthnicity[s["race_ethnicity"]], lunch, status,
			usDate(yearStart(ys[0])), exit, "AL" + s["student_id"]})
	}
	o.csvFile(dir+"student.export.text", head, rows, '\t', true)

	tid := map[string]int{}
	head = []string{"DCID", "ID", "TeacherNumber", "First_Name", "Last_Name", "SchoolID", "Email_Addr", "Status", "Users_DCID"}
	rows = nil
	for i, tr := range d.teachers.rows {
		tid[tr["teacher_id"]] = 310 + 7*i
		rows = append(rows, []string{strconv.Itoa(1200 + i), strconv.Itoa(tid[tr["teacher_id"]]), tr["teacher_id"], tr["first_name"], tr["last_name"], psSchool(tr["school_id"]), email(tr["first_name"], tr["last_name"]), "1", strconv.Itoa(2200 + i)})
	}
	o.csvFile(dir+"teachers.export.text", head, rows, '\t', true)

	secs := d.sections()
	head = []string{"DCID", "ID", "Course_Number", "Course_Name", "Credit_Hours", "CreditType"}
	rows = nil
	seen := map[string]bool{}
	for _, s := range secs {
		if !seen[s.course] {
			seen[s.course] = true
			rows = append(rows, []string{strconv.Itoa(600 + len(rows)), strconv.Itoa(60 + len(rows)), s.course, map[string]string{"Math": "Math", "ELA": "English Language Arts"}[s.subject] + " " + s.grade, "1", map[string]string{"Math": "MATH", "ELA": "ENG"}[s.subject]})
		}
	}
	o.csvFile(dir+"courses.export.text", head, rows, '\t', true)

	termID := func(y int) int { return (y - 1 - 1990) * 100 } // full-year term: PowerSchool year number × 100
	head = []string{"DCID", "ID", "SchoolID", "Course_Number", "Section_Number", "TermID", "Teacher", "Expression", "Room", "No_of_students"}
	cch := []string{"DCID", "ID", "StudentID", "SectionID", "SchoolID", "TermID", "Course_Number", "Section_Number", "TeacherID", "DateEnrolled", "DateLeft", "Expression"}
	rows = nil
	var cc [][]string
	ccID := 50000
	dropped := 0
	for i, s := range secs {
		secID := 20000 + 11*i
		num := strings.Split(s.sectionID, "-")[2]
		if !s.lead {
			num += "C"
		}
		expr := map[string]string{"Math": "2(A)", "ELA": "1(A)"}[s.subject]
		rows = append(rows, []string{strconv.Itoa(30000 + i), strconv.Itoa(secID), psSchool(s.school), s.course, num, strconv.Itoa(termID(s.year)), strconv.Itoa(tid[s.teacher]), expr, "R" + strconv.Itoa(100+hashN(60, "room", s.ident)), strconv.Itoa(len(s.students))})
		for _, st := range s.students {
			ccID += 3
			cc = append(cc, []string{strconv.Itoa(ccID + 700000), strconv.Itoa(ccID), strconv.Itoa(internal[st]), strconv.Itoa(secID), psSchool(s.school), strconv.Itoa(termID(s.year)), s.course, num, strconv.Itoa(tid[s.teacher]),
				usDate(yearStart(s.year)), usDate(yearEnd(s.year).AddDate(0, 0, 1)), expr})
			// A dropped enrolment: PowerSchool keeps it with SectionID and
			// TermID negated; it is not a roster row.
			if s.lead && dropped < 3 && hashN(40, "drop", st, s.ident) == 0 {
				dropped++
				ccID += 3
				cc = append(cc, []string{strconv.Itoa(ccID + 700000), strconv.Itoa(ccID), strconv.Itoa(internal[st]), strconv.Itoa(-secID), psSchool(s.school), strconv.Itoa(-termID(s.year)), s.course, num, strconv.Itoa(tid[s.teacher]),
					usDate(yearStart(s.year)), usDate(yearStart(s.year)), expr})
			}
		}
	}
	o.csvFile(dir+"sections.export.text", head, rows, '\t', true)
	o.csvFile(dir+"cc.export.text", cch, cc, '\t', true)
}

// psEthnicity is the district's Ethnicity code for synth's race_ethnicity
// (PowerSchool's Ethnicity field holds district-defined codes).
var psEthnicity = map[string]string{"White": "W", "Black": "B", "Hispanic": "H", "Asian": "A", "Two or more": "M"}

// i-Ready: Diagnostic Results, one file per subject and school year. A
// few tests have an earlier rushed attempt (Rush Flag set, a short
// duration, a low score) before the valid retake. Scale scores are
// 2 × synth's, an affine map that leaves every z score as it was. See
// docs/exports/iready.md.
func writeIReady(o out, d *district) {
	for _, y := range d.years {
		for _, subj := range []string{"Math", "ELA"} {
			head := strings.Split(irmathHeader, ",")
			if subj == "ELA" {
				head = strings.Split(irelaHeader, ",")
			}
			var rows [][]string
			last := map[string]int{} // student -> index of their latest valid row
			for _, r := range d.assessments.rows {
				if atoi(r["school_year"]) != y || r["subject"] != subj {
					continue
				}
				s := d.student[r["student_id"]]
				first, _, lastName := studentName(r["student_id"])
				g, score, pct := atoi(r["grade_level"]), 2*atoi(r["scale_score"]), atoi(r["percentile"])
				tor := d.teacherOfRecord[r["school_year"]+"|"+r["student_id"]+"|"+subj]
				tf, tl := teacherName(d, tor)
				place, rel := iReadyPlacement(g, pct)
				v := map[string]string{
					"Last Name": lastName, "First Name": first, "Student ID": r["student_id"], "Student Grade": strconv.Itoa(g),
					"Academic Year": schoolYearText(y), "School": d.school[s["school_id"]]["school_name"], "Enrolled": "Enrolled",
					"User Name": "s" + r["student_id"], "Sex": map[string]string{"F": "female", "M": "male"}[s["gender"]],
					"Hispanic or Latino": map[bool]string{true: "Y", false: "N"}[s["race_ethnicity"] == "Hispanic"],
					"Race":               iReadyRace[s["race_ethnicity"]], "English Language Learner": s["english_learner"], "Special Education": s["special_education"],
					"Economically Disadvantaged": s["economically_disadvantaged"],
					"Class(es)":                  fmt.Sprintf("%s %d - %s - %s", subj, g, tl, strings.Split(d.sectionOf[r["school_year"]+"|"+r["student_id"]+"|"+subj+"|"+tor], "-")[2]),
					"Class Teacher(s)":           tl + ", " + tf,
					"Start Date":                 usDate(testDate(r)), "Completion Date": usDate(testDate(r)),
					"Baseline Diagnostic (Y/N)": map[bool]string{true: "Y", false: "N"}[r["window"] == "fall"], "Most Recent Diagnostic (Y/N)": "N",
					"Duration (min)":      strconv.Itoa(30 + hashN(50, "dur", r["student_id"], subj, r["window"], r["school_year"])),
					"Overall Scale Score": strconv.Itoa(score), "Overall Placement": place, "Overall Relative Placement": rel,
					"Percentile": r["percentile"], "Grouping": strconv.Itoa(1 + hashN(4, "grp", r["student_id"], subj)),
					"Diagnostic Language": "English", "Annual Typical Growth Measure": strconv.Itoa(max(8, 30-3*g)), "Annual Stretch Growth Measure": strconv.Itoa(max(15, 45-3*g)),
					"Mid On Grade Level Scale Score": strconv.Itoa(2 * (200 + 10*g)), "Diagnostic Gain": "0",
				}
				if subj == "Math" {
					q := max(0, 5*(score-350))
					v["Quantile Measure"], v["Quantile Range"] = fmt.Sprintf("%dQ", q), fmt.Sprintf("%dQ-%dQ", max(0, q-50), q+50)
				} else {
					l := max(0, 5*(score-300))
					v["Lexile Measure"], v["Lexile Range"] = fmt.Sprintf("%dL", l), fmt.Sprintf("%dL-%dL", max(0, l-100), l+50)
					v["Reading Difficulty Indicator (Y/N)"] = "Not Provided"
				}
				if f, ok := d.fallScore[r["school_year"]+"|"+r["student_id"]+"|"+subj]; ok && r["window"] == "spring" {
					v["Diagnostic Gain"] = strconv.Itoa(score - 2*f)
				}
				for i, c := range head {
					if c == "Overall Scale Score" || !strings.HasSuffix(c, " Scale Score") || strings.HasPrefix(c, "Mid On") {
						continue
					}
					dom := strings.TrimSuffix(c, " Scale Score")
					ds := score - 12 + hashN(25, "dom", strconv.Itoa(i), r["student_id"], subj, r["window"], r["school_year"])
					p, rp := iReadyPlacement(g, min(99, max(1, pct-10+hashN(21, "dp", strconv.Itoa(i), r["student_id"], subj, r["window"]))))
					v[c], v[dom+" Placement"], v[dom+" Relative Placement"] = strconv.Itoa(ds), p, rp
				}
				// A rushed first attempt, then the valid retake.
				if hashN(12, "rush", r["student_id"], subj, r["window"], r["school_year"]) == 0 {
					rv := cloneVals(v)
					day := testDate(r).AddDate(0, 0, -7)
					rv["Start Date"], rv["Completion Date"] = usDate(day), usDate(day)
					rv["Duration (min)"] = strconv.Itoa(5 + hashN(12, "rdur", r["student_id"], subj))
					rv["Rush Flag"] = []string{"Yellow Rush Flag", "Red Rush Flag"}[hashN(2, "flag", r["student_id"], subj, r["window"])]
					rv["Baseline Diagnostic (Y/N)"] = "N"
					rv["Overall Scale Score"] = strconv.Itoa(score - 40 - hashN(40, "rs", r["student_id"], subj))
					rp, rrel := iReadyPlacement(g, max(1, pct/3))
					rv["Overall Placement"], rv["Overall Relative Placement"] = rp, rrel
					rows = append(rows, exportRow(head, rv))
				}
				last[r["student_id"]] = len(rows)
				rows = append(rows, exportRow(head, v))
			}
			for _, i := range last {
				rows[i][slices.Index(head, "Most Recent Diagnostic (Y/N)")] = "Y"
			}
			o.csvFile(fmt.Sprintf("iready/diagnostic_results_%s_%s.csv", map[string]string{"Math": "math", "ELA": "ela"}[subj], schoolYearText(y)), head, rows, ',', true)
		}
	}
}

// iReadyPlacement is the placement and relative placement the fixtures
// give a grade and percentile.
func iReadyPlacement(g, pct int) (string, string) {
	gn := func(g int) string {
		if g <= 0 {
			return "K"
		}
		return strconv.Itoa(g)
	}
	switch {
	case pct >= 50:
		return "Mid " + gn(g), "Mid or Above Grade Level"
	case pct >= 30:
		return "Early " + gn(g), "Early On Grade Level"
	case pct >= 12:
		return "Level " + gn(g-1), "1 Grade Level Below"
	case pct >= 4:
		return "Level " + gn(g-2), "2 Grade Levels Below"
	}
	return "Level " + gn(g-3), "3 or More Grade Levels Below"
}

var iReadyRace = map[string]string{"White": "White", "Black": "Black or African American", "Hispanic": "White", "Asian": "Asian", "Two or more": "Two or More Races"}

// Star: Star Math (SM) and Star Reading (SR) data exports, one file per
// subject and school year, in the full v2 layout (118 and 126 columns).
// ScaledScore = 2 × synth's score + 40 and UnifiedScore = synth's + 650:
// affine, so z scores are unchanged. See docs/exports/star.md.
func writeStar(o out, d *district) {
	for _, y := range d.years {
		for _, subj := range []string{"Math", "ELA"} {
			head, file := strings.Split(smHeader, ","), "SM"
			if subj == "ELA" {
				head, file = strings.Split(srHeader, ","), "SR"
			}
			var rows [][]string
			number := map[string]int{}
			for _, r := range d.assessments.rows {
				if atoi(r["school_year"]) != y || r["subject"] != subj {
					continue
				}
				s := d.student[r["student_id"]]
				sc := d.school[s["school_id"]]
				first, mi, last := studentName(r["student_id"])
				g, pct, z := atoi(r["grade_level"]), atoi(r["percentile"]), zOf(r)
				tor := d.teacherOfRecord[r["school_year"]+"|"+r["student_id"]+"|"+subj]
				tf, tl := teacherName(d, tor)
				sec := strings.Split(d.sectionOf[r["school_year"]+"|"+r["student_id"]+"|"+subj+"|"+tor], "-")[2]
				number[r["student_id"]]++
				at := testDate(r).Add(time.Duration(13*60+hashN(240, "t", r["student_id"], subj, r["window"])) * time.Minute)
				secs := 900 + hashN(900, "secs", r["student_id"], subj, r["window"])
				win, ws, we := "Fall", time.Date(y-1, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(y-1, 10, 15, 0, 0, 0, 0, time.UTC)
				gp := round1(float64(g) + 0.1)
				if r["window"] == "spring" {
					win, ws, we, gp = "Spring", time.Date(y, 4, 20, 0, 0, 0, 0, time.UTC), time.Date(y, 5, 31, 0, 0, 0, 0, time.UTC), round1(float64(g)+0.8)
				}
				cat, lvl, lo, hi := starBenchmark(pct)
				race := func(k string) string { return map[bool]string{true: "Yes", false: "No"}[s["race_ethnicity"] == k] }
				v := map[string]string{
					"RenaissanceClientID": "7215540", "SchoolYear": schoolYearText(y), "SchoolYearStartDate": yearStart(y).Format("1/2/2006"), "SchoolYearEndDate": time.Date(y, 6, 30, 0, 0, 0, 0, time.UTC).Format("1/2/2006"),
					"StudentRenaissanceID": guid("star-student", r["student_id"]), "StudentSourcedID": r["student_id"], "StudentIdentifier": r["student_id"], "StudentUserID": "s" + r["student_id"],
					"StudentFirstName": first, "StudentMiddleName": mi, "StudentLastName": last, "Gender": s["gender"],
					"BirthDate": birthDate(r["student_id"], g, y).Format("1/2/2006"), "MultiRace": race("Two or more"), "HispanicOrLatino": race("Hispanic"),
					"AmericanIndianOrAlaskaNative": "No", "Asian": race("Asian"), "BlackOrAfricanAmerican": race("Black"), "NativeHawaiianOrOtherPacificIslander": "No", "White": race("White"),
					"CurrentGrade": strconv.Itoa(g), "EnrollmentStatus": "Enrolled",
					"DistrictRenaissanceID": guid("star-district", sc["district_id"]), "DistrictSourcedID": "vchClientID=7215540", "DistrictName": sc["district_name"],
					"SchoolRenaissanceID": guid("star-school", s["school_id"]), "SchoolSourcedID": "vchSISSchoolID=" + s["school_id"], "SchoolIdentifier": s["school_id"], "SchoolName": sc["school_name"],
					"CourseRenaissanceID": guid("star-course", subj, strconv.Itoa(g)), "CourseCode": map[string]string{"Math": "MATH-", "ELA": "ELA-"}[subj] + strconv.Itoa(g), "CourseName": fmt.Sprintf("%s %d", subj, g),
					"ClassRenaissanceID": guid("star-class", strconv.Itoa(y), s["school_id"], sec, subj, tor), "ClassCode": sec, "GroupOrClassName": tl + ", " + tf + " - " + sec,
					"TeacherRenaissanceID": guid("star-teacher", tor), "TeacherSourcedID": tor, "TeacherIdentifier": tor, "TeacherUserID": tor, "TeacherEmail": email(tf, tl),
					"TeacherFirstName": tf, "TeacherLastName": tl,
					"AssessmentID": guid("star-test", r["school_year"], r["student_id"], subj, r["window"]),
					"LaunchDate":   at.Add(-time.Duration(secs) * time.Second).Format("1/2/06 15:04"), "CompletedDate": at.Format("1/2/06 15:04"), "CompletedDateLocal": at.Add(-6 * time.Hour).Format("1/2/06 15:04"),
					"AssessmentNumber": strconv.Itoa(number[r["student_id"]]), "AssessmentType": "Enterprise", "AssessmentStatus": "Active",
					"GradePlacement": gp, "Grade": strconv.Itoa(g), "ExtraTime": "No",
					"ScaledScore": strconv.Itoa(2*atoi(r["scale_score"]) + 40), "StandardErrorOfMeasurement": fmt.Sprintf("%.6f", 0.35+float64(hashN(60, "sem", r["student_id"], subj, r["window"]))/1000),
					"RaschScore": fmt.Sprintf("%.3f", z+float64(g)/2), "UnifiedScore": strconv.Itoa(atoi(r["scale_score"]) + 650),
					"GradeEquivalent": round1(min(12.9, max(0, float64(g)+0.1+1.5*z))), "PercentileRank": r["percentile"],
					"NormalCurveEquivalent": round1(min(99, max(1, 50+21.06*z))), "TotalTimeInSeconds": strconv.Itoa(secs),
					"TotalCorrect": strconv.Itoa(12 + hashN(20, "tc", r["student_id"], subj, r["window"])), "TotalPossible": "34",
					"ScreeningPeriodWindowName": win, "ScreeningWindowStartDate": ws.Format("1/2/2006"), "ScreeningWindowEndDate": we.Format("1/2/2006"),
					"RenaissanceBenchmarkCategoryName": cat, "RenaissanceBenchmarkCategoryLevel": lvl, "RenaissanceBenchmarkCategoryNumberOfLevels": "4",
					"RenaissanceBenchmarkCategoryMinPercentileRank": lo, "RenaissanceBenchmarkCategoryMaxPercentileRank": hi,
					"DistrictBenchmarkCategoryName": cat, "DistrictBenchmarkProficient": map[bool]string{true: "Yes", false: "No"}[pct >= 40], "DistrictBenchmarkCategoryLevel": lvl,
					"DistrictBenchmarkNumberOfCategoryLevels": "4", "DistrictBenchmarkMinPercentileRank": lo, "DistrictBenchmarkMaxPercentileRank": hi,
					"TakenAt": "school", "TakenAtByIPAddress": "school", "StudentDisplayID": r["student_id"], "TeacherDisplayID": tor,
				}
				if subj == "ELA" {
					l := max(0, 10*(atoi(r["scale_score"])-180))
					v["Lexile"], v["InstructionalReadingLevel"] = fmt.Sprintf("%dL", l), round1(max(0.5, float64(g)-0.5+z))
				} else {
					v["Quantile"] = fmt.Sprintf("%dQ", max(0, 10*(atoi(r["scale_score"])-190)))
				}
				rows = append(rows, exportRow(head, v))
			}
			o.csvFile(fmt.Sprintf("star/%s/%s_v2.csv", schoolYearText(y), file), head, rows, ',', true)
		}
	}
}

// starBenchmark is Renaissance's default four benchmark categories by
// percentile rank: name, level, min and max percentile.
func starBenchmark(p int) (string, string, string, string) {
	switch {
	case p >= 40:
		return "At/Above Benchmark", "1", "40", "99"
	case p >= 25:
		return "On Watch", "2", "25", "39"
	case p >= 10:
		return "Intervention", "3", "10", "24"
	}
	return "Urgent Intervention", "4", "1", "9"
}

// The coaching log: a Google Form's responses sheet downloaded as CSV, one
// row per session a coach logged, in the order submitted. See
// docs/exports/coaching-log.md.
func writeCoachingLog(o out, d *district) {
	head := []string{"Timestamp", "Email Address", "Teacher", "School", "Date of session", "Type of support", "Duration", "Focus area", "Partnership principles used", "Notes"}
	type sub struct {
		at  time.Time
		row []string
	}
	var subs []sub
	for i, s := range d.sessions.rows {
		c := d.cycle[s["cycle_id"]]
		co := d.coach[c["coach_id"]]
		cf, cl, _ := strings.Cut(co["coach_name"], " ")
		tf, tl := teacherName(d, c["teacher_id"])
		teacher := []string{tf + " " + tl, email(tf, tl), tl + ", " + tf, strings.ToLower(tf + " " + tl)}[hashN(4, "tn", s["session_id"])]
		day := isoDate(s["session_date"])
		at := day.Add(time.Duration(15*60+hashN(4*60, "ts", s["session_id"]))*time.Minute).Add(time.Duration(hashN(60, "sec", s["session_id"]))*time.Second).AddDate(0, 0, hashN(4, "late", s["session_id"]))
		var principles []string
		for _, p := range strings.Split(s["principles"], ";") {
			if p != "" {
				principles = append(principles, strings.ToUpper(p[:1])+p[1:])
			}
		}
		note := logNotes[hashN(len(logNotes), "note", s["session_id"])]
		if i%17 == 5 {
			note += "\nNext step: " + strings.ToLower(logNotes[hashN(len(logNotes), "next", s["session_id"])])
		}
		subs = append(subs, sub{at, []string{at.Format("1/2/2006 15:04:05"), email(cf, cl), teacher, d.school[d.teacher[c["teacher_id"]]["school_id"]]["school_name"],
			day.Format("1/2/2006"), logActivity[s["activity"]], logDuration(atoi(s["minutes"]), s["session_id"]), c["focus_area"], strings.Join(principles, ", "), note}})
	}
	slices.SortStableFunc(subs, func(a, b sub) int { return a.at.Compare(b.at) })
	rows := make([][]string, len(subs))
	for i, s := range subs {
		rows[i] = s.row
	}
	o.csvFile("coaching-log/Coaching Log (Responses) - Form Responses 1.csv", head, rows, ',', true)
}

var logActivity = map[string]string{"planning": "Planning meeting", "modeling": "Modeling / demo lesson", "co-teaching": "Co-teaching", "observation": "Observation", "video review": "Video review", "debrief": "Debrief / reflection", "data meeting": "Data meeting"}

var logNotes = []string{"Looked at exit tickets together", "Set a goal for student talk", "Teacher tried turn-and-talk, went well", "Reviewed the unit plan, chose one strategy", "Watched 10 minutes of video, teacher picked the moment", "Talked through the data, three students to watch"}

// logDuration writes minutes as coaches type them in a free-text box.
func logDuration(m int, key string) string {
	forms := map[int][]string{
		30: {"30 min", "1/2 hour", "30", "0:30", "half hour"},
		45: {"45 min", "3/4 hour", "45 minutes", "0:45"},
		60: {"1 hour", "60 min", "1:00", "1 hr"},
		90: {"1:30", "1.5 hours", "90 minutes", "1 1/2 hours"},
	}[m]
	if forms == nil {
		return fmt.Sprintf("%d min", m)
	}
	return forms[hashN(len(forms), "dur", key)]
}
