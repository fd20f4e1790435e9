package reports_test

import (
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/reports"
	"github.com/coachimpact/coachimpact/synth"
)

// statisticsWords are the names, formulas and jargon the first sheets a
// reader opens leave to the About sheet (issue 15).
var statisticsWords = []string{"Callaway", "two-way", "fixed effects", "WWC", "CR1", "Φ", "At level 3+", "Reached improve", "Principles per session", "Estimator", "spring z"}

// firstSheets reports whether a principal, facilitator or district
// leader opens sheet sh of workbook book first: the district's Overview,
// every sheet of cohorts.xlsx and of a school's workbook but About.
func firstSheets(book, sh string) bool {
	switch {
	case sh == "About":
		return false
	case book == reports.DistrictBook:
		return sh == "Overview"
	}
	return true
}

// TestGlossaryCoversHeaders reads back every workbook of two runs, the
// small district of run and the demo's 14 schools (fewer students a
// grade) with teacher names shown (which adds their columns): every
// header cell (a row in the header style) and every measure the Overview
// names is a term of the workbook's own About glossary, each defined; the
// first sheets a reader opens use none of the statistics' names, which
// the district's About sheet gives; and the Overview's notes are one line.
func TestGlossaryCoversHeaders(t *testing.T) {
	demo := config.Default()
	demo.ShowTeacherNames = true
	runs := []struct {
		name string
		out  string
		db   *model.DB
	}{{name: "small district"}, {name: "demo"}}
	runs[0].out, _, runs[0].db = run(t, config.Default(), nil)
	runs[1].out, _, runs[1].db = runSynth(t, synth.Config{Seed: 1, Schools: 14, StudentsPerGrade: 40, Format: "csv"}, demo, nil)
	headers, doses, teacherHeader := 0, 0, false
	for _, r := range runs {
		rep := filepath.Join(r.out, "reports")
		books := []string{filepath.Join(rep, reports.DistrictBook), filepath.Join(rep, reports.CohortsBook)}
		schools, _ := filepath.Glob(filepath.Join(rep, reports.SchoolsDir, "*.xlsx"))
		if len(schools) == 0 {
			t.Fatalf("%s: no school workbooks", r.name)
		}
		for _, path := range append(books, schools...) {
			book := filepath.Base(path)
			if strings.HasSuffix(filepath.Dir(path), reports.SchoolsDir) {
				book = reports.SchoolsDir + "/" + book
			}
			f := open(t, path)
			terms := aboutTerms(t, f, book)
			for _, sh := range f.GetSheetList() {
				rows := rowsOf(t, f, sh)
				for i, row := range rows {
					if !headerRow(t, f, sh, i+1) {
						continue
					}
					for j, h := range row {
						ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
						headers++
						teacherHeader = teacherHeader || h == "Teacher ID"
						if h != "" && !terms[yearHeader.ReplaceAllString(h, "(school year)")] {
							t.Errorf("%s %s: header %s %q has no entry in the About sheet's glossary (reports/glossary.go)", r.name, book, ref, h)
						}
					}
				}
				if firstSheets(book, sh) {
					plainWords(t, r.name+" "+book, sh, rows)
				}
			}
			if book != reports.DistrictBook {
				continue
			}
			overview := rowsOf(t, f, "Overview")
			measures := false // in a table of measures
			for i, row := range overview {
				switch {
				case len(row) == 0:
					measures = false
				case headerRow(t, f, "Overview", i+1):
					measures = row[0] == "Measure"
				case measures && !terms[row[0]]:
					t.Errorf("%s: Overview measure %q has no glossary entry", r.name, row[0])
				}
			}
			// The Overview's other questions: notes of one line; the
			// dose-response per 10 hours, ten times the model's per-hour
			// estimate.
			for _, row := range dataRows(t, overview, "Question", "Unit") {
				if n := len(row); n > 6 && utf8.RuneCountInString(row[6]) > 120 {
					t.Errorf("%s: Overview note of %d characters (want one line, at most 120): %q", r.name, utf8.RuneCountInString(row[6]), row[6])
				}
				if strings.HasPrefix(row[0], "Each 10 hours") {
					doses++
					perHour := queryFloat(t, r.db, "SELECT estimate FROM estimates WHERE analysis = 'dose_response' AND subject = 'All' AND school_year IS NULL")
					if got, err := strconv.ParseFloat(row[2], 64); err != nil || math.Abs(got-10*perHour) > 1e-12 || !strings.Contains(row[1], "per 10 hours") {
						t.Errorf("%s: Overview dose-response %q in %q; want 10 × %g per hour", r.name, row[2], row[1], perHour)
					}
				}
			}
			about := strings.Join(slices.Concat(rowsOf(t, f, "About")...), " ")
			for _, w := range []string{"Callaway-Sant'Anna", "two-way fixed effects", "CR2", "Satterthwaite", "clubSandwich", "100·Φ(g) - 50", "What Works Clearinghouse"} {
				if !strings.Contains(about, w) {
					t.Errorf("%s: the district's About sheet does not say %q", r.name, w)
				}
			}
		}
	}
	if headers < 100 || !teacherHeader || doses != len(runs) {
		t.Errorf("%d header cells read, teacher columns seen %v, %d Overview dose rows of %d runs: the check read too little", headers, teacherHeader, doses, len(runs))
	}
}

// yearHeader is a school year heading a column ("2022-23 verdict"): the
// glossary names it "(school year) verdict".
var yearHeader = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}\b`)

// aboutTerms are the names the workbook's About glossary defines (a
// term's names are one a line), failing on a term with no meaning.
func aboutTerms(t *testing.T, f *excelize.File, book string) map[string]bool {
	t.Helper()
	terms := map[string]bool{}
	for _, r := range dataRows(t, rowsOf(t, f, "About"), "Term", "What it means") {
		if len(r) < 2 || strings.TrimSpace(r[1]) == "" {
			t.Errorf("%s: glossary term %q has no meaning", book, r[0])
		}
		for _, name := range strings.Split(r[0], "\n") {
			terms[name] = true
		}
	}
	return terms
}

// headerRow reports whether row (1-based) of sheet sh is a table header:
// its first cell in the header style (white on dark blue).
func headerRow(t *testing.T, f *excelize.File, sh string, row int) bool {
	t.Helper()
	id, err := f.GetCellStyle(sh, "A"+strconv.Itoa(row))
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	return err == nil && st != nil && len(st.Fill.Color) > 0 && strings.EqualFold(st.Fill.Color[0], "1F4E79")
}

// plainWords fails on a cell of a first sheet that uses a statistics
// word.
func plainWords(t *testing.T, book, sh string, rows [][]string) {
	t.Helper()
	for i, r := range rows {
		for j, v := range r {
			for _, w := range statisticsWords {
				if strings.Contains(v, w) {
					ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
					t.Errorf("%s %s!%s: %q says %q; plain words on a first sheet, the method's name on About", book, sh, ref, v, w)
				}
			}
		}
	}
}
