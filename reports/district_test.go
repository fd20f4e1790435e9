package reports_test

import (
	"archive/zip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/pipeline"
	"github.com/coachimpact/coachimpact/reports"
	"github.com/coachimpact/coachimpact/synth"
)

// run generates a small district as CSV, lets edit change its files, runs
// the pipeline with cfg and returns the output folder, the manifest and the
// model (closed by the test's cleanup).
func run(t *testing.T, cfg config.Config, edit func(dir string)) (string, *pipeline.Manifest, *model.DB) {
	t.Helper()
	return runSynth(t, synth.Config{Seed: 3, Schools: 6, StudentsPerGrade: 30, Years: 3, Format: "csv"}, cfg, edit)
}

// runSynth is run on the district sc generates.
func runSynth(t *testing.T, sc synth.Config, cfg config.Config, edit func(dir string)) (string, *pipeline.Manifest, *model.DB) {
	t.Helper()
	ctx := context.Background()
	in, out := t.TempDir(), t.TempDir()
	if _, err := synth.Generate(ctx, in, sc); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(in)
	}
	man, err := pipeline.Run(ctx, pipeline.Options{Input: in, Out: out, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	db, err := model.Open(ctx, filepath.Join(out, pipeline.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return out, man, db
}

func open(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func rowsOf(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// dataRows returns the rows below the header row whose first cell is
// header[0] and second header[1], up to the next blank row.
func dataRows(t *testing.T, rows [][]string, header ...string) [][]string {
	t.Helper()
	out, ok := rowsUnder(rows, header...)
	if !ok {
		t.Fatalf("no header %q in %d rows", header, len(rows))
	}
	return out
}

// rowsUnder is the rows of the table whose header starts with header, up
// to the first empty row; ok is false when the sheet has no such table.
func rowsUnder(rows [][]string, header ...string) (out [][]string, ok bool) {
	for i, r := range rows {
		if len(r) >= len(header) && slices.Equal(r[:len(header)], header) {
			for _, d := range rows[i+1:] {
				if len(d) == 0 {
					break
				}
				out = append(out, d)
			}
			return out, true
		}
	}
	return nil, false
}

func queryFloat(t *testing.T, db *model.DB, q string, args ...any) float64 {
	t.Helper()
	var v sql.NullFloat64
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v.Float64
}

func queryInt(t *testing.T, db *model.DB, q string, args ...any) int {
	t.Helper()
	var v int
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func sameFloat(cell string, want float64) bool {
	got, err := strconv.ParseFloat(cell, 64)
	return err == nil && math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want))
}

// TestDistrictWorkbook reads district.xlsx back and checks its numbers
// against the model tables they came from.
func TestDistrictWorkbook(t *testing.T) {
	out, man, db := run(t, config.Default(), nil)
	f := open(t, filepath.Join(out, "reports", reports.DistrictBook))
	want := "[Overview Impact Dose-response Schools Subgroups Teacher practice Run history Data quality About]"
	if got := fmt.Sprint(f.GetSheetList()); got != want {
		t.Errorf("sheets = %s; want %s", got, want)
	}

	// Every sheet with a main table has a working filter: the
	// <autoFilter> element in the sheet, not only the defined name. The
	// Overview's and About's small tables have none (TestSheetsReadBack
	// checks which table each filter sits on).
	for _, sh := range f.GetSheetList() {
		want := 1
		if sh == "Overview" || sh == "About" {
			want = 0
		}
		if n := sheetXMLCount(t, filepath.Join(out, "reports", reports.DistrictBook), sh, "<autoFilter "); n != want {
			t.Errorf("%s: %d autoFilter elements; want %d", sh, n, want)
		}
	}

	// Overview: the pooled impact for All equals the model's.
	head := dataRows(t, rowsOf(t, f, "Overview"), "Subject", "Years")
	if head[0][0] != "All" || !sameFloat(head[0][4], queryFloat(t, db, "SELECT estimate FROM estimates WHERE analysis = 'impact' AND subject = 'All' AND school_year IS NULL")) {
		t.Errorf("Overview headline %v", head[0])
	}
	if !strings.Contains(head[0][3], "grew more") {
		t.Errorf("Overview words %q", head[0][3])
	}
	// The verdict, in the school workbooks' words, is the model's
	// interval's: each row's.
	for _, r := range head {
		lo, err1 := strconv.ParseFloat(r[5], 64)
		hi, err2 := strconv.ParseFloat(r[6], 64)
		want := "too few classrooms to tell"
		switch {
		case err1 != nil || err2 != nil:
		case lo > 0:
			want = "clearly more growth"
		case hi < 0:
			want = "clearly less growth"
		default:
			want = "no clear difference"
		}
		if r[2] != want {
			t.Errorf("Overview %s %s: verdict %q; its interval %s to %s says %q", r[0], r[1], r[2], r[5], r[6], want)
		}
	}
	if pics, err := f.GetPictures("Overview", "A"+strconv.Itoa(len(rowsOf(t, f, "Overview"))+3)); err != nil || len(pics) != 1 {
		t.Errorf("Overview forest plot: %d pictures, %v", len(pics), err)
	}

	// Impact: one row per estimate but subgroups, same numbers.
	imp := dataRows(t, rowsOf(t, f, "Impact"), "Analysis", "Subject")
	if n := queryInt(t, db, "SELECT count(*) FROM estimates WHERE analysis <> 'impact_subgroup'"); len(imp) != n {
		t.Errorf("Impact has %d rows; estimates %d", len(imp), n)
	}
	seen := map[string]bool{}
	for _, r := range imp {
		seen[r[0]] = true
		switch {
		case r[0] == "Dose-response: per coaching hour" && r[1] == "All" && r[2] == "all years":
			if !sameFloat(r[4], queryFloat(t, db, "SELECT estimate FROM estimates WHERE analysis = 'dose_response' AND subject = 'All' AND school_year IS NULL")) {
				t.Errorf("Impact dose row %v", r)
			}
			// The p-value is stored as a number (0.010 here since the
			// slope is fitted beside coached, with CR2 and Satterthwaite
			// df), equal to the model's.
			if p, err := strconv.ParseFloat(r[8], 64); err != nil || !sameFloat(r[8], queryFloat(t, db, "SELECT p_value FROM estimates WHERE analysis = 'dose_response' AND subject = 'All' AND school_year IS NULL")) || p >= 0.05 {
				t.Errorf("Impact dose p-value %q; want the model's, a number", r[8])
			}
		case strings.HasPrefix(r[0], "Schools joining"):
			// School-level: no teacher counts; schools counted.
			if r[12] != "" || r[13] != "" || r[14] == "" {
				t.Errorf("DiD row counts teachers %q %q, schools %q", r[12], r[13], r[14])
			}
		}
	}
	if len(seen) != 9 { // impact, dose_response, dose_onset, did, did_cs, practice, impact_within_teacher, event_study_teacher, impact_weighted, in words
		t.Errorf("Impact analyses %v", seen)
	}
	// Schools: one row per school-year of the panel.
	sch := dataRows(t, rowsOf(t, f, "Schools"), "School ID", "School")
	if n := queryInt(t, db, "SELECT count(*) FROM school_year_panel"); len(sch) != n {
		t.Errorf("Schools has %d rows; panel %d", len(sch), n)
	}
	sub := dataRows(t, rowsOf(t, f, "Subgroups"), "Group", "Subject")
	if n := queryInt(t, db, "SELECT count(*) FROM estimates WHERE analysis = 'impact_subgroup'"); len(sub) != n || n == 0 {
		t.Errorf("Subgroups has %d rows; estimates %d", len(sub), n)
	}
	prac := dataRows(t, rowsOf(t, f, "Teacher practice"), "Focus area", "Phase")
	if n := queryInt(t, db, "SELECT count(*) FROM teacher_practice WHERE focus_area <> 'not coached'"); len(prac) != n || n == 0 {
		t.Errorf("Teacher practice has %d rows; table %d", len(prac), n)
	}

	// Data quality reconciles every file and lists every reject.
	dq := rowsOf(t, f, "Data quality")
	var recon, notRead [][]string
	for _, r := range dataRows(t, dq, "File", "Table", "Rows read") {
		if slices.Contains(r, "not read") {
			notRead = append(notRead, r) // files beside the exports, with the reason
		} else {
			recon = append(recon, r)
		}
	}
	if len(recon) != len(man.Files) || len(notRead) != len(man.Skipped) {
		t.Errorf("Data quality lists %d files read and %d not read; run has %d and %d", len(recon), len(notRead), len(man.Files), len(man.Skipped))
	}
	for _, r := range recon {
		read, _ := strconv.Atoi(r[2])
		loaded, _ := strconv.Atoi(r[3])
		rejected, _ := strconv.Atoi(r[4])
		if read != loaded+rejected {
			t.Errorf("Data quality: %s does not reconcile: %v", r[0], r)
		}
	}
	rej := dataRows(t, dq, "File", "Table", "Row")
	if n := queryInt(t, db, "SELECT count(*) FROM rejects"); len(rej) != n || n == 0 {
		t.Errorf("Data quality lists %d rejects; model %d", len(rej), n)
	}
	// About: every input file's checksum.
	about := rowsOf(t, f, "About")
	for _, s := range man.Files {
		if !slices.ContainsFunc(about, func(r []string) bool { return slices.Contains(r, s.SHA256) }) {
			t.Errorf("About lacks the checksum of %s", s.Source)
		}
	}
	// About: the spring tests the model took, as run.json lists them.
	if len(man.SpringTests) == 0 {
		t.Error("run.json lists no spring test")
	}
	for _, st := range man.SpringTests {
		if !slices.ContainsFunc(about, func(r []string) bool {
			return len(r) > 3 && r[1] == st.Subject && r[2] == st.Assessment && r[3] == strconv.FormatInt(st.Students, 10)
		}) {
			t.Errorf("About lacks spring test %+v", st)
		}
	}
	tables := map[string]bool{}
	for _, tb := range ingest.Tables() {
		tables[tb.Name] = true
	}
	for _, r := range recon {
		if !tables[r[1]] {
			t.Errorf("reconciliation row for unknown table %v", r)
		}
	}
}

func TestCohortsWorkbook(t *testing.T) {
	out, _, db := run(t, config.Default(), nil)
	f := open(t, filepath.Join(out, "reports", reports.CohortsBook))
	want := "[At a glance Cohort panel Difference-in-differences Dosage by cohort Coaching this year Coach caseloads Schools by cohort About]"
	if got := fmt.Sprint(f.GetSheetList()); got != want {
		t.Errorf("sheets = %s; want %s", got, want)
	}
	panel := dataRows(t, rowsOf(t, f, "Cohort panel"), "Cohort", "School year")
	if n := queryInt(t, db, "SELECT count(*) FROM (SELECT DISTINCT ip_cohort, school_year FROM school_year_panel)"); len(panel) != n {
		t.Errorf("Cohort panel has %d rows; want %d", len(panel), n)
	}
	// The small district has one school joining inside the panel (0104,
	// 2023; 0103 joined in its first year): both estimates rest on fewer
	// than 3 coached schools and are suppressed.
	did := dataRows(t, rowsOf(t, f, "Difference-in-differences"), "Comparison", "Effect (SD)")
	if len(did) != 2 || did[0][1] != "suppressed (fewer than 3 coached schools)" || did[1][1] != "suppressed (fewer than 3 coached schools)" ||
		queryInt(t, db, "SELECT count(*) FROM estimates WHERE analysis IN ('did', 'did_cs') AND suppressed AND n_coached_teachers = 1 AND note LIKE '%suppressed (fewer than 3 coached schools)'") != 2 {
		t.Errorf("DiD estimates %v", did)
	}
	// The pre-trend p and the distinct students beside each DiD row.
	for i, a := range []string{"did", "did_cs"} {
		if q := "SELECT pretrend_p_value FROM estimates WHERE analysis = '" + a + "'"; queryInt(t, db, "SELECT count(pretrend_p_value) FROM estimates WHERE analysis = '"+a+"'") == 1 && !sameFloat(did[i][6], queryFloat(t, db, q)) {
			t.Errorf("%s pre-trend p %q; want %v", a, did[i][6], queryFloat(t, db, q))
		}
		if want := strconv.Itoa(queryInt(t, db, "SELECT n_students FROM estimates WHERE analysis = '"+a+"'")); strings.ReplaceAll(did[i][8], ",", "") != want {
			t.Errorf("%s students %q; want %s", a, did[i][8], want)
		}
	}
	gt := dataRows(t, rowsOf(t, f, "Difference-in-differences"), "Cohort", "School year", "Years since joining", "Effect (SD)")
	if n := queryInt(t, db, "SELECT count(*) FROM did_group_time"); len(gt) != n || n == 0 {
		t.Errorf("group-time rows %d; table %d", len(gt), n)
	}
	// Placebo cells are there and say so.
	placebo := 0
	for _, r := range gt {
		if strings.HasPrefix(r[9], "before joining") {
			placebo++
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM did_group_time WHERE event_time < 0"); placebo != n {
		t.Errorf("%d placebo rows shown; table has %d", placebo, n)
	}
	caseRows := rowsOf(t, f, "Coach caseloads")
	load := dataRows(t, caseRows, "Coach ID", "Coach")
	if n := queryInt(t, db, "SELECT count(*) FROM (SELECT DISTINCT coach_id, school_year FROM coaching_cycles)"); len(load) != n || n == 0 {
		t.Errorf("caseload rows %d; want %d", len(load), n)
	}
	// Activity only beside a coach's name (issue 15): no outcome rate.
	for _, r := range caseRows {
		for _, v := range r {
			if v == "Goal met" || v == "Reached improve" || v == "several schools" {
				t.Errorf("Coach caseloads shows %q: %v", v, r)
			}
		}
	}
	// This year's cycles by stage add up to the year's cycles, school by
	// school.
	now := dataRows(t, rowsOf(t, f, "Coaching this year"), "School ID", "School")
	total := 0
	for _, r := range now {
		for _, v := range r[4:9] {
			n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
			if err != nil {
				t.Fatalf("Coaching this year: %q in %v is no count", v, r)
			}
			total += n
		}
	}
	if n := queryInt(t, db, "SELECT count(*) FROM coaching_cycles WHERE school_year = (SELECT max(school_year) FROM coaching_cycles)"); total != n || n == 0 {
		t.Errorf("Coaching this year: %d cycles by stage and ended; the year has %d", total, n)
	}
	sch := dataRows(t, rowsOf(t, f, "Schools by cohort"), "Cohort", "School ID")
	if n := queryInt(t, db, "SELECT count(*) FROM schools"); len(sch) != n {
		t.Errorf("Schools by cohort has %d rows; want %d", len(sch), n)
	}
}

// allCells returns every cell value of every sheet of the workbook at path,
// and fails the test on any formula.
func allCells(t *testing.T, path string) []string {
	t.Helper()
	f := open(t, path)
	var out []string
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			for j, v := range r {
				out = append(out, v)
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fm, _ := f.GetCellFormula(sh, ref); fm != "" {
					t.Errorf("%s %s!%s: formula %q", filepath.Base(path), sh, ref, fm)
				}
			}
		}
	}
	return out
}

// TestSchoolWorkbooks: one workbook per school; text from the inputs that
// Excel would execute stays text in every workbook; no teacher name
// appears unless the config allows it, and then only in coaching activity.
func TestSchoolWorkbooks(t *testing.T) {
	hostile := func(dir string) {
		p := filepath.Join(dir, "schools.csv")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		cells := strings.Split(lines[1], ",")
		cells[1] = `"=HYPERLINK(""http://x"",""y"")"`
		lines[1] = strings.Join(cells, ",")
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, _, db := run(t, config.Default(), hostile)
	var names []string
	rows, err := db.QueryContext(context.Background(), "SELECT DISTINCT first_name || ' ' || last_name FROM teachers WHERE first_name IS NOT NULL AND last_name IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	if len(names) == 0 {
		t.Fatal("no teacher names to look for")
	}
	files, _ := filepath.Glob(filepath.Join(out, "reports", reports.SchoolsDir, "*.xlsx"))
	if n := queryInt(t, db, "SELECT count(*) FROM schools"); len(files) != n {
		t.Fatalf("%d school workbooks; %d schools", len(files), n)
	}
	sawHostile := false
	for _, path := range files {
		for _, v := range allCells(t, path) {
			if strings.HasPrefix(v, "=HYPERLINK") {
				sawHostile = true
			}
			for _, n := range names {
				if strings.Contains(v, n) {
					t.Errorf("%s: teacher name %q in %q", filepath.Base(path), n, v)
				}
			}
		}
	}
	if !sawHostile {
		t.Error("the =HYPERLINK school name is not shown as text in its workbook")
	}
	allCells(t, filepath.Join(out, "reports", reports.DistrictBook))
	allCells(t, filepath.Join(out, "reports", reports.CohortsBook))

	cfg := config.Default()
	cfg.ShowTeacherNames = true
	out, _, _ = run(t, cfg, nil)
	found := false
	files, _ = filepath.Glob(filepath.Join(out, "reports", reports.SchoolsDir, "*.xlsx"))
	for _, path := range files {
		f := open(t, path)
		for _, sh := range f.GetSheetList() {
			for _, r := range rowsOf(t, f, sh) {
				for _, v := range r {
					for _, n := range names {
						if strings.Contains(v, n) {
							found = true
							if sh != "Coaching activity" {
								t.Errorf("%s: teacher name on sheet %s", filepath.Base(path), sh)
							}
						}
					}
				}
			}
		}
	}
	if !found {
		t.Error("show_teacher_names = true: no teacher name in any school workbook")
	}
}

// TestSuppression: with a threshold above the groups' sizes, no school
// workbook shows a number resting on fewer students, and the suppression
// text is there instead.
func TestSuppression(t *testing.T) {
	cfg := config.Default()
	cfg.MinCell = 40
	out, _, _ := run(t, cfg, nil)
	files, _ := filepath.Glob(filepath.Join(out, "reports", reports.SchoolsDir, "*.xlsx"))
	suppressed := 0
	for _, path := range files {
		f := open(t, path)
		growth := dataRows(t, rowsOf(t, f, "Growth"), "School year", "Subject", "Group")
		for _, r := range growth {
			for len(r) < 8 {
				r = append(r, "")
			}
			if strings.HasPrefix(r[5], "suppressed") {
				suppressed++
				if r[6] != "" || r[7] != "" {
					t.Errorf("%s: suppressed row shows a CI: %v", filepath.Base(path), r)
				}
				continue
			}
			if n, err := strconv.Atoi(r[4]); err == nil && n > 0 && n < cfg.MinCell {
				t.Errorf("%s: growth on %d students shown: %v", filepath.Base(path), n, r)
			}
		}
		grades := dataRows(t, rowsOf(t, f, "Grades and subjects"), "Subject", "Grade")
		for _, r := range grades {
			if n, err := strconv.Atoi(r[2]); err == nil && n < cfg.MinCell {
				t.Errorf("%s: grade cell on %d students shown: %v", filepath.Base(path), n, r)
			}
		}
	}
	if suppressed == 0 {
		t.Error("no growth cell suppressed at min_cell 40")
	}
}

// TestCohortSuppression builds the cohort workbook at a threshold between
// the smallest and largest cohort-year: the cells below it read
// "suppressed", those at or above it show the model's number.
func TestCohortSuppression(t *testing.T) {
	_, _, db := run(t, config.Default(), nil)
	ctx := context.Background()
	counts := map[string]int{} // "cohort|year label" → students in the model
	rows, err := db.QueryContext(ctx, `SELECT coalesce('joined ' || (ip_cohort - 1)::VARCHAR || '-' || right(ip_cohort::VARCHAR, 2), 'comparison'), school_year, sum(analysis_students)::BIGINT FROM school_year_panel GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for rows.Next() {
		var c string
		var y, n int
		if err := rows.Scan(&c, &y, &n); err != nil {
			t.Fatal(err)
		}
		counts[fmt.Sprintf("%s|%d-%02d", c, y-1, y%100)] = n
		sizes = append(sizes, n)
	}
	rows.Close()
	slices.Sort(sizes)
	if sizes[0] == sizes[len(sizes)-1] {
		t.Fatalf("cohort-years all of one size %d", sizes[0])
	}
	minCell := sizes[len(sizes)/2] // some above, some below
	if minCell == sizes[0] {
		minCell++
	}
	dir := t.TempDir()
	in := reports.Input{DB: db, MinCell: minCell, Started: time.Now(), ChartsDir: dir}
	path := filepath.Join(dir, reports.CohortsBook)
	if err := reports.Cohorts(ctx, in, path); err != nil {
		t.Fatal(err)
	}
	panel := dataRows(t, rowsOf(t, open(t, path), "Cohort panel"), "Cohort", "School year")
	shown, hidden := 0, 0
	for _, r := range panel {
		n, ok := counts[r[0]+"|"+r[1]]
		if !ok {
			t.Fatalf("row %v not in the panel", r)
		}
		growth := ""
		if len(r) > 9 {
			growth = r[9]
		}
		switch {
		case n < minCell:
			hidden++
			if r[3] != fmt.Sprintf("suppressed (n<%d)", minCell) || growth != "" {
				t.Errorf("%v: %d students < %d not suppressed", r, n, minCell)
			}
		case r[3] == "suppressed (would reveal a suppressed cell)":
			// A complement: hidden so that a small cohort-year cannot
			// be worked out from this one (TestSuppressionAttack).
			if growth != "" {
				t.Errorf("%v: complement shows its growth", r)
			}
		default:
			shown++
			if r[3] != strconv.Itoa(n) && r[3] != humanInt(n) {
				t.Errorf("%v: students %q; model %d", r, r[3], n)
			}
		}
	}
	if shown == 0 || hidden == 0 {
		t.Errorf("threshold %d: %d rows shown, %d suppressed; want both", minCell, shown, hidden)
	}
}

// humanInt writes n as the #,##0 format shows it.
func humanInt(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// sheetXMLCount counts occurrences of s in the XML of the named sheet of
// the workbook at path.
func sheetXMLCount(t *testing.T, path, sheet, s string) int {
	t.Helper()
	return strings.Count(sheetXML(t, path, sheet), s)
}

// sheetXML is the XML of the named sheet of the workbook at path.
func sheetXML(t *testing.T, path, sheet string) string {
	t.Helper()
	f := open(t, path)
	idx, err := f.GetSheetIndex(sheet)
	if err != nil || idx < 0 {
		t.Fatalf("no sheet %s", sheet)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	// Sheets are numbered in order in workbooks excelize writes.
	name := fmt.Sprintf("xl/worksheets/sheet%d.xml", idx+1)
	for _, zf := range zr.File {
		if zf.Name == name {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s: no part %s", path, name)
	return ""
}
