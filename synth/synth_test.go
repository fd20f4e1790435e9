package synth

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func mustGenerate(t testing.TB, dir string, cfg Config) *Truth {
	t.Helper()
	truth, err := Generate(context.Background(), dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return truth
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	ta, tb := mustGenerate(t, a, Config{}), mustGenerate(t, b, Config{})
	if !reflect.DeepEqual(ta, tb) {
		t.Error("same config, different truth")
	}
	read, err := ReadTruth(filepath.Join(a, TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read, ta) {
		t.Errorf("ReadTruth = %+v, want the returned %+v", read, ta)
	}
	names, err := filepath.Glob(filepath.Join(a, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pa := range names {
		name := filepath.Base(pa)
		got = append(got, name)
		pb := filepath.Join(b, name)
		if filepath.Ext(name) == ".xlsx" {
			// Cells are deterministic; excelize may order zip entries differently.
			if ea, eb := zipEntries(t, pa), zipEntries(t, pb); !reflect.DeepEqual(ea, eb) {
				t.Errorf("%s: contents differ", name)
			}
			continue
		}
		if !bytes.Equal(readFile(t, pa), readFile(t, pb)) {
			t.Errorf("%s: bytes differ", name)
		}
	}
	want := []string{"assessments.csv", "coaching.xlsx", "observations.csv", "rosters.csv", "schools.csv",
		"students.xlsx", "teachers.xlsx", "truth.json"}
	if !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
}

// TestDefaultDistrict checks the default district in both formats against
// its truth, reading the files as an ingest would.
func TestDefaultDistrict(t *testing.T) {
	t.Parallel()
	mixedDir, csvDir := t.TempDir(), t.TempDir()
	start := time.Now()
	mixed := mustGenerate(t, mixedDir, Config{})
	mixedTime := time.Since(start)
	start = time.Now()
	plain := mustGenerate(t, csvDir, Config{Format: FormatCSV})
	t.Logf("generated in %v (mixed), %v (csv)", mixedTime, time.Since(start))

	t.Run("Size", func(t *testing.T) {
		count := func(key string) int { return mixed.Files[key].RowsRead - mixed.Files[key].RowsRejected }
		students, assessments := count("students.xlsx"), count("assessments.csv")
		t.Logf("schools %d, teachers %d, students %d, roster rows %d, assessment rows %d, cycles %d, sessions %d, observations %d",
			count("schools.csv"), count("teachers.xlsx"), students, count("rosters.csv"), assessments,
			count("coaching.xlsx#coaching_cycles"), count("coaching.xlsx#coaching_sessions"), count("observations.csv"))
		if n := studentCount(&mixed.Config); n != students {
			t.Errorf("studentCount = %d, files hold %d", n, students)
		}
		if students < 14000 || students > 18000 {
			t.Errorf("students = %d, want ~15k", students)
		}
		if assessments < 85000 || assessments > 110000 {
			t.Errorf("assessment rows = %d, want ~100k", assessments)
		}
		if n := len(mixed.Impact); n != 8 {
			t.Errorf("%d impact cells, want 4 years x 2 subjects", n)
		}
		for _, c := range mixed.Impact {
			if c.Expected <= 0 || c.CoachedStudents < 100 || c.CoachedStudents*5 > c.Students*2 {
				t.Errorf("impact cell %+v: want an effect, >= 100 coached students, <= 40%% of them", c)
			}
		}
		if mixed.DiD <= 0 || mixed.DiD >= mixed.Overall {
			t.Errorf("DiD %v: want in (0, Overall %v)", mixed.DiD, mixed.Overall)
		}
	})

	t.Run("SameDataBothFormats", func(t *testing.T) {
		a, b := *mixed, *plain
		a.Files, b.Files, a.Rejects, b.Rejects = nil, nil, nil, nil
		a.Config.Format = FormatCSV
		if !reflect.DeepEqual(a, b) {
			t.Errorf("truths differ:\nmixed %+v\ncsv   %+v", a, b)
		}
		byTable := func(tr *Truth) map[string]FileTruth {
			m := map[string]FileTruth{}
			for _, f := range tr.Files {
				m[f.Table] = f
			}
			return m
		}
		if a, b := byTable(mixed), byTable(plain); !reflect.DeepEqual(a, b) {
			t.Errorf("row counts differ:\nmixed %v\ncsv   %v", a, b)
		}
		// The same rejects at the same rows, bar the file names.
		unfiled := func(rs []Reject) []Reject {
			out := slices.Clone(rs)
			for i := range out {
				out[i].File = ""
			}
			slices.SortFunc(out, func(a, b Reject) int { return strings.Compare(a.Table+a.Column, b.Table+b.Column) })
			return out
		}
		if a, b := unfiled(mixed.Rejects), unfiled(plain.Rejects); len(a) != 9 || !reflect.DeepEqual(a, b) {
			t.Errorf("rejects differ or are not 9:\nmixed %+v\ncsv   %+v", a, b)
		}
	})

	for _, tc := range []struct {
		name  string
		dir   string
		truth *Truth
	}{{"Mixed", mixedDir, mixed}, {"CSV", csvDir, plain}} {
		t.Run("Files"+tc.name, func(t *testing.T) {
			checkFiles(t, tc.dir, tc.truth)
		})
	}

	t.Run("TruthFromFiles", func(t *testing.T) {
		checkTruthFromFiles(t, csvDir, plain)
	})
}

// TestTruthJumpCap checks the truth of a district planting a jump and a
// cap on the hours (Jump, HoursCap) against the files, and that its
// expected effects are the jump plus the capped per-hour effect.
func TestTruthJumpCap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := Config{Schools: 6, StudentsPerGrade: 20, Years: 3, Format: FormatCSV, NoBadRows: true,
		Jump: 0.1, PerHour: 0.01, HoursCap: 5}
	truth, err := Generate(context.Background(), dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if truth.Jump != 0.1 || truth.HoursCap != 5 {
		t.Errorf("truth Jump %v HoursCap %v, want 0.1 and 5", truth.Jump, truth.HoursCap)
	}
	for _, c := range truth.Impact {
		// Coached students have hours > 0 and at most 5 of them count:
		// 0.1 + 0.01·(mean capped hours in (0, 5]).
		if c.CoachedStudents > 0 && (c.Expected <= 0.1 || c.Expected > 0.1+0.01*5+1e-12) {
			t.Errorf("cell %+v: Expected want in (0.1, 0.15]", c)
		}
	}
	checkTruthFromFiles(t, dir, truth)
}

// TestTruthSelection: with Selection 2 the coached teacher-years have
// weaker value-added than the uncoached ones by well over a tenth of an SD
// (the 6-school seed-7 district's gap is -0.20; with weights exp(-2z) the
// coached draw's mean z sits about 1.3 teacher SDs, 0.2 SD, below the
// rest); with none the gap is noise (-0.007 there).
func TestTruthSelection(t *testing.T) {
	t.Parallel()
	cfg := Config{Seed: 7, Schools: 6, StudentsPerGrade: 20, Format: FormatCSV, NoBadRows: true}
	none := mustGenerate(t, t.TempDir(), cfg)
	cfg.Selection = 2
	sel := mustGenerate(t, t.TempDir(), cfg)
	if none.Selection != 0 || math.Abs(none.SelectionGap) > 0.05 {
		t.Errorf("no selection: Selection %v, gap %v; want 0 and |gap| <= 0.05", none.Selection, none.SelectionGap)
	}
	if sel.Selection != 2 || sel.SelectionGap > -0.1 {
		t.Errorf("Selection 2: truth Selection %v, gap %v; want 2 and gap < -0.1", sel.Selection, sel.SelectionGap)
	}
}

func TestXLSXCells(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustGenerate(t, dir, Config{Schools: 3, StudentsPerGrade: 24})
	f, err := excelize.OpenFile(filepath.Join(dir, "students.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if typ, err := f.GetCellType("Students", "A2"); err != nil || typ != excelize.CellTypeInlineString {
		t.Errorf("students A2 type %v (%v), want an inline string", typ, err)
	}
	books, err := excelize.OpenFile(filepath.Join(dir, "coaching.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer books.Close()
	if got := books.GetSheetList(); !slices.Equal(got, []string{"coaches", "coaching_cycles", "coaching_sessions"}) {
		t.Errorf("coaching.xlsx sheets %q", got)
	}
	style, err := books.GetCellStyle("coaching_cycles", "E2")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := books.GetStyle(style); err != nil || s.NumFmt != 14 {
		t.Errorf("start_date style %+v (%v), want NumFmt 14", s, err)
	}
	if v, _ := books.GetCellValue("coaching_cycles", "E2"); !strings.Contains(v, "-") {
		t.Errorf("start_date shows %q, want a formatted date", v)
	}
	staff, err := excelize.OpenFile(filepath.Join(dir, "teachers.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer staff.Close()
	if v, _ := staff.GetCellValue("Staff", "A1"); v != "Staff export - generated 2024-06-30" {
		t.Errorf("teachers A1 = %q", v)
	}
}

// aliases maps the mixed format's headers to canonical column names.
func aliases() map[string]string {
	m := map[string]string{}
	for _, tb := range []struct{ header, cols []string }{
		{mixedSchoolsHeader, schoolsCols}, {mixedTeachersHeader, teachersCols},
		{mixedStudentsHeader, studentsCols}, {mixedRostersHeader, rostersCols},
		{mixedAssessmentsHeader, mixedAssessmentsCols},
	} {
		for i, h := range tb.header {
			m[h] = tb.cols[i]
		}
	}
	return m
}

// checkFiles checks that every file's data rows and planted rejects are as
// the truth says, and that each reject's row holds its value.
func checkFiles(t *testing.T, dir string, truth *Truth) {
	rejected := map[string]int{}
	for _, r := range truth.Rejects {
		rejected[r.File]++
	}
	type file struct {
		rows   [][]string // index = row number - 1
		header int        // row number of the header
	}
	files := map[string]file{}
	for key, ft := range truth.Files {
		rows, header := readTable(t, dir, key)
		files[key] = file{rows, header}
		var data int
		for _, r := range rows[header:] {
			if slices.ContainsFunc(r, func(s string) bool { return s != "" }) {
				data++
			} else {
				t.Errorf("%s: blank row among the data", key)
			}
		}
		if data != ft.RowsRead {
			t.Errorf("%s: %d data rows, truth says %d", key, data, ft.RowsRead)
		}
		if rejected[key] != ft.RowsRejected {
			t.Errorf("%s: %d rejects listed, truth says %d", key, rejected[key], ft.RowsRejected)
		}
	}
	alias := aliases()
	for _, r := range truth.Rejects {
		f := files[r.File]
		if r.Row <= f.header || r.Row > len(f.rows) {
			t.Errorf("reject %+v: no such row", r)
			continue
		}
		col := -1
		for i, h := range f.rows[f.header-1] {
			if h == r.Column || alias[h] == r.Column {
				col = i
			}
		}
		if col < 0 {
			t.Errorf("reject %+v: no column", r)
			continue
		}
		got := f.rows[r.Row-1][col]
		if strings.HasSuffix(r.Column, "_date") && strings.Contains(r.File, ".xlsx") {
			serial, _ := strconv.Atoi(got)
			got = date(serial - excelEpoch).String()
		}
		if got != r.Value {
			t.Errorf("reject %+v: cell holds %q", r, got)
		}
	}
}

// readTable returns the rows of a file or sheet (index = row number - 1)
// and the row number of its header. xlsx values are raw (dates as serials).
func readTable(t *testing.T, dir, key string) ([][]string, int) {
	t.Helper()
	file, sheet, _ := strings.Cut(key, "#")
	path := filepath.Join(dir, file)
	if filepath.Ext(file) == ".xlsx" {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if sheet == "" {
			sheet = f.GetSheetName(0)
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if file == "teachers.xlsx" {
			return rows, 3
		}
		return rows, 1
	}
	b := readFile(t, path)
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(b))
	switch {
	case bytes.Count(b[:bytes.IndexByte(b, '\n')], []byte{'\t'}) > 0:
		r.Comma = '\t'
	case bytes.Count(b[:bytes.IndexByte(b, '\n')], []byte{';'}) > 0:
		r.Comma = ';'
	}
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if lines := bytes.Count(b, []byte{'\n'}); lines != len(rows) {
		t.Errorf("%s: %d lines for %d records", key, lines, len(rows))
	}
	return rows, 1
}

// checkTruthFromFiles recomputes the truth from the CSV-format files the way
// the pipeline must: drop the bad rows, link students to their teacher of
// record, sum coaching hours up to the spring test. It also fits spring
// score on coached and fall score per grade, subject and year.
func checkTruthFromFiles(t *testing.T, dir string, truth *Truth) {
	type record func(column string) string
	table := func(name string) []record {
		rows, _ := readTable(t, dir, name+".csv")
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		out := make([]record, 0, len(rows)-1)
		for _, r := range rows[1:] {
			out = append(out, func(c string) string { return r[col[c]] })
		}
		return out
	}
	parseDate := func(s string) (date, bool) {
		tm, err := time.Parse("2006-01-02", s)
		if err != nil {
			return 0, false
		}
		return mkDate(tm.Year(), int(tm.Month()), tm.Day()), true
	}
	cfg := truth.Config
	firstYear := cfg.LastYear - cfg.Years + 1

	cohort := map[string]int{}
	for _, s := range table("schools") {
		cohort[s("school_id")], _ = strconv.Atoi(s("ip_cohort"))
	}
	schoolOf := map[string]string{}
	for _, tc := range table("teachers") {
		schoolOf[tc("teacher_id")] = tc("school_id")
	}
	students := map[string]bool{}
	for _, s := range table("students") {
		if _, err := strconv.Atoi(s("grade_level")); err == nil || s("grade_level") == "K" {
			students[s("student_id")] = true
		}
	}
	type teacherYear struct {
		teacher string
		year    int
	}
	cycles := map[string]teacherYear{}
	for _, c := range table("coaching_cycles") {
		if y, err := strconv.Atoi(c("school_year")); err == nil {
			cycles[c("cycle_id")] = teacherYear{c("teacher_id"), y}
		}
	}
	type session struct {
		day     date
		minutes int
	}
	sessions := map[teacherYear][]session{}
	for _, s := range table("coaching_sessions") {
		c, ok := cycles[s("cycle_id")]
		d, okDate := parseDate(s("session_date"))
		m, err := strconv.Atoi(s("minutes"))
		if ok && okDate && err == nil && m >= 0 && d >= mkDate(c.year-1, 7, 1) && d <= mkDate(c.year, 6, 30) {
			sessions[c] = append(sessions[c], session{d, m})
		}
	}
	type key struct {
		year             int
		student, subject string
	}
	type link struct {
		teacher string
		pct     int
	}
	tor := map[key]link{}
	for _, r := range table("rosters") {
		if schoolOf[r("teacher_id")] == "" {
			continue // unknown teacher
		}
		y, _ := strconv.Atoi(r("school_year"))
		pct, _ := strconv.Atoi(r("percent_time"))
		k := key{y, r("student_id"), r("subject")}
		if cur, ok := tor[k]; !ok || pct > cur.pct || pct == cur.pct && r("teacher_id") < cur.teacher {
			tor[k] = link{r("teacher_id"), pct}
		}
	}
	type score struct {
		grade, score int
		day          date
	}
	scores := map[key]map[string]score{} // by window
	for _, a := range table("assessments") {
		y, _ := strconv.Atoi(a("school_year"))
		g, _ := strconv.Atoi(a("grade_level"))
		sc, err := strconv.Atoi(a("scale_score"))
		d, ok := parseDate(a("test_date"))
		if err != nil || !ok || !students[a("student_id")] || a("assessment_name") != assessmentName {
			continue
		}
		k := key{y, a("student_id"), a("subject")}
		if scores[k] == nil {
			scores[k] = map[string]score{}
		}
		scores[k][a("window")] = score{g, sc, d}
	}

	type cellKey struct {
		year    int
		subject string
	}
	type acc struct {
		students, coached int
		hours             float64
	}
	cells := map[cellKey]*acc{}
	var did acc
	type obs struct{ spring, fall, coached float64 }
	groups := map[[3]int][]obs{} // year, subject, grade
	for k, w := range scores {
		spring, ok := w["spring"]
		link, linked := tor[k]
		if !ok || !linked {
			continue
		}
		fall, hasFall := w["fall"]
		_, hasPrior := scores[key{k.year - 1, k.student, k.subject}]["spring"]
		if !hasFall && !hasPrior {
			continue
		}
		hours := 0.0
		for _, s := range sessions[teacherYear{link.teacher, k.year}] {
			if s.day <= spring.day {
				hours += float64(s.minutes) / 60
			}
		}
		c := cells[cellKey{k.year, k.subject}]
		if c == nil {
			c = &acc{}
			cells[cellKey{k.year, k.subject}] = c
		}
		capped := hours // the hours PerHour applies to
		if cfg.HoursCap > 0 && hours > cfg.HoursCap {
			capped = cfg.HoursCap
		}
		c.students++
		if hours > 0 {
			c.coached++
			c.hours += capped
		}
		if co := cohort[schoolOf[link.teacher]]; co > firstYear && k.year >= co {
			did.students++
			did.hours += capped
			if hours > 0 {
				did.coached++
			}
		}
		if hasFall {
			g := [3]int{k.year, slices.Index(subjects[:], k.subject), spring.grade}
			o := obs{spring: float64(spring.score), fall: float64(fall.score)}
			if hours > 0 {
				o.coached = 1
			}
			groups[g] = append(groups[g], o)
		}
	}

	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	if len(cells) != len(truth.Impact) {
		t.Errorf("%d cells from files, truth has %d", len(cells), len(truth.Impact))
	}
	var all acc
	for _, want := range truth.Impact {
		c := cells[cellKey{want.SchoolYear, want.Subject}]
		if c == nil {
			t.Errorf("cell %+v: no analysis students in the files", want)
			continue
		}
		all.students += c.students
		all.coached += c.coached
		all.hours += c.hours
		got := CellTruth{SchoolYear: want.SchoolYear, Subject: want.Subject, CoachedStudents: c.coached, Students: c.students}
		if c.coached > 0 {
			got.Expected = truth.Jump + truth.PerHour*c.hours/float64(c.coached)
		}
		if got.CoachedStudents != want.CoachedStudents || got.Students != want.Students || !near(got.Expected, want.Expected) {
			t.Errorf("cell from files %+v, truth %+v", got, want)
		}
	}
	if got := truth.Jump + truth.PerHour*all.hours/float64(all.coached); !near(got, truth.Overall) {
		t.Errorf("Overall from files %v, truth %v", got, truth.Overall)
	}
	if got := (truth.Jump*float64(did.coached) + truth.PerHour*did.hours) / float64(did.students); !near(got, truth.DiD) {
		t.Errorf("DiD from files %v, truth %v", got, truth.DiD)
	}

	// The planted effect is visible in the raw scores: OLS of spring score on
	// [1, coached, fall score] within each year, subject and grade.
	var sum, weight float64
	for g, obs := range groups {
		var xtx [3][3]float64
		var xty [3]float64
		var coached float64
		for _, o := range obs {
			x := [3]float64{1, o.coached, o.fall}
			for i := range 3 {
				for j := range 3 {
					xtx[i][j] += x[i] * x[j]
				}
				xty[i] += x[i] * o.spring
			}
			coached += o.coached
		}
		if coached < 20 || float64(len(obs))-coached < 20 {
			continue
		}
		beta, ok := solve3(xtx, xty)
		if !ok {
			t.Errorf("group %v: singular", g)
			continue
		}
		sum += beta[1] * coached
		weight += coached
	}
	if weight == 0 {
		t.Fatal("no group with coached and uncoached students")
	}
	coef := sum / weight / scorePerSD // latent (SD) units
	t.Logf("OLS coached coefficient %.3f SD (pooled over groups), truth Overall %.3f", coef, truth.Overall)
	if coef <= 0 || math.Abs(coef-truth.Overall) > 0.35*truth.Overall {
		t.Errorf("OLS coefficient %.3f, want positive and near Overall %.3f", coef, truth.Overall)
	}
}

// solve3 solves a·x = b by Gaussian elimination with partial pivoting.
func solve3(a [3][3]float64, b [3]float64) ([3]float64, bool) {
	for c := range 3 {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return b, false
		}
		a[c], a[p], b[c], b[p] = a[p], a[c], b[p], b[c]
		for r := range 3 {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := range 3 {
					a[r][k] -= f * a[c][k]
				}
				b[r] -= f * b[c]
			}
		}
	}
	for i := range 3 {
		b[i] /= a[i][i]
	}
	return b, true
}

func TestSmallDistricts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		Name string
		Cfg  Config
		// Rejects is the number of planted bad rows.
		Rejects int
	}{
		{Name: "OneSchool", Cfg: Config{Schools: 1, StudentsPerGrade: 10}, Rejects: 9},
		{Name: "TwoSchoolsMixed", Cfg: Config{Schools: 2, StudentsPerGrade: 30, Format: FormatMixed}, Rejects: 9},
		{Name: "AllWindows", Cfg: Config{Schools: 4, StudentsPerGrade: 24, Windows: []string{"fall", "winter", "spring"}}, Rejects: 9},
		{Name: "SpringOnlyDistrict", Cfg: Config{Schools: 4, StudentsPerGrade: 24, Windows: []string{"spring"}}, Rejects: 9},
		{Name: "NoSpringOnlySchool", Cfg: Config{Schools: 5, StudentsPerGrade: 24, SpringOnlySchools: -1}, Rejects: 9},
		{Name: "NoCoaching", Cfg: Config{Schools: 4, StudentsPerGrade: 24, Cohorts: []int{2030}}, Rejects: 6},
		{Name: "NoBadRows", Cfg: Config{Schools: 4, StudentsPerGrade: 24, NoBadRows: true}, Rejects: 0},
		{Name: "NoEffect", Cfg: Config{Schools: 4, StudentsPerGrade: 24, NoEffect: true}, Rejects: 9},
		{Name: "Districts", Cfg: Config{Schools: 7, Districts: 3, StudentsPerGrade: 5, Years: 1, Seed: 42}, Rejects: 9},
	} {
		t.Run(tc.Name, func(t *testing.T) {
			cfg := tc.Cfg
			if cfg.Format == "" {
				cfg.Format = FormatCSV
			}
			dir := t.TempDir()
			truth := mustGenerate(t, dir, cfg)
			if len(truth.Rejects) != tc.Rejects {
				t.Errorf("%d rejects, want %d: %+v", len(truth.Rejects), tc.Rejects, truth.Rejects)
			}
			checkFiles(t, dir, truth)
			for _, c := range truth.Impact {
				if cfg.NoEffect && c.Expected != 0 || !cfg.NoEffect && (c.Expected > 0) != (c.CoachedStudents > 0) {
					t.Errorf("impact cell %+v", c)
				}
			}
			if cfg.NoEffect && (truth.PerHour != 0 || truth.PracticeGain != 0 || truth.Overall != 0) {
				t.Errorf("NoEffect truth %+v", truth)
			}
		})
	}
}

func TestFormatSwitchRemovesStaleFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := Config{Schools: 3, StudentsPerGrade: 10}
	mustGenerate(t, dir, small)
	small.Format = FormatCSV
	mustGenerate(t, dir, small)
	for _, name := range []string{"students.xlsx", "teachers.xlsx", "coaching.xlsx"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left beside students.csv (%v)", name, err)
		}
	}
}

func TestGenerateCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if _, err := Generate(ctx, dir, Config{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		Name string
		Cfg  Config
		// Problems is the number of problems reported; 0 = valid.
		Problems int
	}{
		{Name: "Defaults", Cfg: Config{}},
		{Name: "Negative", Cfg: Config{Schools: -1, Districts: -1, StudentsPerGrade: -5, Years: -1}, Problems: 5},
		{Name: "TooManyDistricts", Cfg: Config{Schools: 3, Districts: 4}, Problems: 1},
		{Name: "Windows", Cfg: Config{Windows: []string{"fall", "Fall", "fall"}}, Problems: 3},
		{Name: "Share", Cfg: Config{ComparisonShare: 1.5}, Problems: 1},
		{Name: "Effect", Cfg: Config{PerHour: math.NaN(), PracticeGain: 9}, Problems: 2},
		{Name: "JumpCap", Cfg: Config{Jump: 2, HoursCap: -1}, Problems: 2},
		{Name: "JumpNaN", Cfg: Config{Jump: math.NaN(), HoursCap: math.Inf(1)}, Problems: 2},
		{Name: "Format", Cfg: Config{Format: "parquet"}, Problems: 1},
		{Name: "Selection", Cfg: Config{Selection: -0.5}, Problems: 1},
		{Name: "SelectionNaN", Cfg: Config{Selection: math.NaN()}, Problems: 1},
		{Name: "SelectionInf", Cfg: Config{Selection: math.Inf(1)}, Problems: 1},
		{Name: "Years", Cfg: Config{LastYear: 1910, Years: 20, Cohorts: []int{12}}, Problems: 2},
		{Name: "SpringOnly", Cfg: Config{Schools: 2, SpringOnlySchools: 3}, Problems: 1},
		{Name: "StateMixed", Cfg: Config{Schools: 1300, StudentsPerGrade: 115}, Problems: 1},
		{Name: "StateCSV", Cfg: Config{Schools: 1300, StudentsPerGrade: 115, Format: FormatCSV}},
	} {
		t.Run(tc.Name, func(t *testing.T) {
			err := tc.Cfg.WithDefaults().Validate()
			var n int
			if err != nil {
				n = len(err.(interface{ Unwrap() []error }).Unwrap())
				if !errors.Is(err, ErrConfig) {
					t.Errorf("err %v does not wrap ErrConfig", err)
				}
			}
			if n != tc.Problems {
				t.Errorf("%d problems, want %d: %v", n, tc.Problems, err)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	c := Config{}.WithDefaults()
	want := Config{Seed: 1, Schools: 14, Districts: 1, StudentsPerGrade: 144, LastYear: 2024, Years: 4,
		Cohorts: []int{2012, 2022, 2023}, ComparisonShare: 0.3, Windows: []string{"fall", "spring"},
		SpringOnlySchools: 1, PerHour: 0.02, PracticeGain: 0.5, Format: FormatMixed}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("WithDefaults() = %+v, want %+v", c, want)
	}
	if c := (Config{PerHour: 0.1, Jump: 0.1, NoEffect: true}).WithDefaults(); c.PerHour != 0 || c.Jump != 0 || c.PracticeGain != 0 {
		t.Errorf("NoEffect kept an effect: %+v", c)
	}
}

func TestDates(t *testing.T) {
	for _, tc := range []struct {
		Name    string
		Y, M, D int
		ISO, US string
	}{
		{Name: "Epoch", Y: 1970, M: 1, D: 1, ISO: "1970-01-01", US: "1/1/1970"},
		{Name: "FallTest", Y: 2023, M: 9, D: 15, ISO: "2023-09-15", US: "9/15/2023"},
		{Name: "LeapDay", Y: 2024, M: 2, D: 29, ISO: "2024-02-29", US: "2/29/2024"},
		{Name: "Century", Y: 1900, M: 3, D: 1, ISO: "1900-03-01", US: "3/1/1900"},
		{Name: "YearEnd", Y: 2099, M: 12, D: 31, ISO: "2099-12-31", US: "12/31/2099"},
	} {
		t.Run(tc.Name, func(t *testing.T) {
			d := mkDate(tc.Y, tc.M, tc.D)
			tm := time.Date(tc.Y, time.Month(tc.M), tc.D, 0, 0, 0, 0, time.UTC)
			if got := string(d.appendISO(nil)); got != tc.ISO {
				t.Errorf("ISO %q, want %q", got, tc.ISO)
			}
			if got := string(d.appendUS(nil)); got != tc.US {
				t.Errorf("US %q, want %q", got, tc.US)
			}
			if d.weekday() != int(tm.Weekday()) {
				t.Errorf("weekday %d, want %d", d.weekday(), tm.Weekday())
			}
			serial, _ := excelize.ExcelDateToTime(float64(d.serial()), false)
			if !serial.Equal(tm) {
				t.Errorf("serial %d is %v", d.serial(), serial)
			}
		})
	}
	// Every day of two centuries round-trips through civil().
	for d := mkDate(1901, 1, 1); d < mkDate(2101, 1, 1); d++ {
		y, m, day := d.civil()
		if mkDate(y, m, day) != d || time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC).Unix()/86400 != int64(d) {
			t.Fatalf("day %d: civil %d-%d-%d", d, y, m, day)
		}
	}
}

func BenchmarkGenerateDemo(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		mustGenerate(b, dir, Config{})
	}
}

func BenchmarkGenerateDemoCSV(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		mustGenerate(b, dir, Config{Format: FormatCSV})
	}
}

// BenchmarkGenerateState generates a state: 1,300 schools, ~750k students
// enrolled a year (1.2M over four years), ~7M assessment rows, ~750 MB of
// CSV in a temporary directory. Skipped with -short.
func BenchmarkGenerateState(b *testing.B) {
	if testing.Short() {
		b.Skip("state scale")
	}
	dir := b.TempDir()
	for b.Loop() {
		mustGenerate(b, dir, Config{Schools: 1300, StudentsPerGrade: 115, Format: FormatCSV})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zipEntries(t *testing.T, path string) map[string][]byte {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}
