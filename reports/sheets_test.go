package reports_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/reports"
)

// mainHeaders names, for each sheet, the first header cells of the one
// table its autofilter sits on, or "" for a sheet with none (a dashboard
// of small tables, a glossary).
var mainHeaders = map[string]string{
	"Overview":                  "",
	"Impact":                    "Analysis|Subject",
	"Dose-response":             "Subject|School year|Band",
	"Schools":                   "School ID|School",
	"Subgroups":                 "Group|Subject",
	"Teacher practice":          "Focus area|Phase",
	"Run history":               "Run (UTC)|Impact, both subjects (SD)",
	"Data quality":              "File|Table|Row",
	"About":                     "",
	"At a glance":               "Cohort|Subject",
	"Cohort panel":              "Cohort|School year",
	"Difference-in-differences": "",
	"Dosage by cohort":          "Cohort|School year",
	"Coach caseloads":           "Coach ID|Coach",
	"Coaching this year":        "School ID|School",
	"Schools by cohort":         "Cohort|School ID",
	"Growth":                    "School year|Subject|Group",
	"Coaching activity":         "",
	"Look-fors":                 "School year|Group",
	"Grades and subjects":       "Subject|Grade",
}

var filterRef = regexp.MustCompile(`<autoFilter ref="\$?([A-Z]+)\$?([0-9]+):\$?([A-Z]+)\$?([0-9]+)"`)

// TestSheetsReadBack reads every workbook of a small district back: each
// sheet's autofilter sits on its main table alone and a freeze only on
// that table's header; no number is stored as text and p-values are
// numbers shown "<0.001" when smaller; every sheet prints with a header
// naming the workbook's subject and the run's date and page numbers in
// the footer; the document properties name the workbook, coachimpact and
// the run's start.
func TestSheetsReadBack(t *testing.T) {
	out, man, db := run(t, config.Default(), nil)
	// The district workbook is about the one district's name, or "N
	// districts".
	var district string
	if n := queryInt(t, db, "SELECT count(DISTINCT district_id) FROM schools"); n > 1 {
		district = fmt.Sprintf("%d districts", n)
	} else if err := db.QueryRowContext(t.Context(), "SELECT any_value(district_name) FROM schools").Scan(&district); err != nil {
		t.Fatal(err)
	}
	rep := filepath.Join(out, "reports")
	subjects := map[string]string{ // workbook → what its pages and title name
		filepath.Join(rep, reports.DistrictBook): district,
		filepath.Join(rep, reports.CohortsBook):  "Network cohorts: " + district,
	}
	names, err := db.QueryContext(t.Context(), "SELECT school_id, school_name FROM schools")
	if err != nil {
		t.Fatal(err)
	}
	for names.Next() {
		var id, name string
		names.Scan(&id, &name)
		subjects[filepath.Join(rep, reports.SchoolsDir, id+".xlsx")] = name + " (" + id
	}
	names.Close()
	if len(subjects) != 2+6 {
		t.Fatalf("%d workbooks to read; want district, cohorts and 6 schools", len(subjects))
	}
	runDate := "Run " + man.Started.UTC().Format("2006-01-02 15:04 UTC")
	smallP := 0
	for path, subject := range subjects {
		f := open(t, path)
		book := filepath.Base(path)
		props, err := f.GetDocProps()
		if err != nil {
			t.Fatal(err)
		}
		if props.Creator != "coachimpact" || !strings.Contains(props.Title, strings.TrimSuffix(strings.SplitN(subject, " (", 2)[0], " ")) {
			t.Errorf("%s: creator %q, title %q; want coachimpact and a title naming %q", book, props.Creator, props.Title, subject)
		}
		if created, err := time.Parse(time.RFC3339, props.Created); err != nil || !created.Equal(man.Started.Truncate(time.Second)) {
			t.Errorf("%s: created %q; want the run's start %s", book, props.Created, man.Started.UTC().Format(time.RFC3339))
		}
		for _, sh := range f.GetSheetList() {
			want, ok := mainHeaders[sh]
			if !ok {
				t.Errorf("%s: sheet %s not in mainHeaders", book, sh)
			}
			rows := rowsOf(t, f, sh)
			header := checkFilter(t, f, path, sh, rows, want)
			checkNumbers(t, f, book, sh, rows, &smallP)
			checkPrint(t, f, book, sh, subject, runDate, header)
		}
	}
	if smallP == 0 {
		t.Error("no p-value below 0.001 seen: the format that shows <0.001 is untested")
	}
}

// checkFilter checks that the sheet's autofilter, if any, covers exactly
// the table whose header row starts with want's cells (none when want is
// ""), and that the sheet is frozen at that header or not at all. It
// returns the filtered table's header row (0 if none).
func checkFilter(t *testing.T, f *excelize.File, path, sh string, rows [][]string, want string) int {
	t.Helper()
	book := filepath.Base(path)
	panes, err := f.GetPanes(sh)
	if err != nil {
		t.Fatal(err)
	}
	m := filterRef.FindStringSubmatch(sheetXML(t, path, sh))
	if want == "" {
		if m != nil {
			t.Errorf("%s %s: autofilter %s%s:%s%s on a sheet with no main table", book, sh, m[1], m[2], m[3], m[4])
		}
		if panes.Freeze {
			t.Errorf("%s %s: frozen at row %d with no main table", book, sh, panes.YSplit)
		}
		return 0
	}
	if m == nil {
		t.Errorf("%s %s: no autofilter; want one on the table headed %s", book, sh, want)
		return 0
	}
	first, _ := strconv.Atoi(m[2])
	last, _ := strconv.Atoi(m[4])
	cols, _ := excelize.ColumnNameToNumber(m[3])
	hdr := rows[first-1]
	if got := strings.Join(hdr[:min(len(hdr), strings.Count(want, "|")+1)], "|"); got != want || m[1] != "A" {
		t.Errorf("%s %s: autofilter from %s on a row starting %q; want the table headed %s", book, sh, m[1], got, want)
	}
	// The filter spans the header's columns and the table's rows: a
	// blank row (or the end) below it, every row inside it filled.
	if len(hdr) != cols {
		t.Errorf("%s %s: autofilter %d columns wide over a header of %d", book, sh, cols, len(hdr))
	}
	if last < len(rows) && len(rows[last]) > 0 {
		t.Errorf("%s %s: autofilter ends at row %d above a filled row %v", book, sh, last, rows[last])
	}
	for r := first + 1; r <= last && r <= len(rows); r++ {
		if len(rows[r-1]) == 0 {
			t.Errorf("%s %s: autofilter runs over the blank row %d into another table", book, sh, r)
			break
		}
	}
	// A freeze holds this header above this table's rows: nothing below
	// the table but pictures.
	if panes.Freeze {
		if panes.YSplit != first {
			t.Errorf("%s %s: frozen above row %d; the filtered table's header is row %d", book, sh, panes.YSplit+1, first)
		}
		for r := last + 1; r <= len(rows); r++ {
			if len(rows[r-1]) > 0 {
				t.Errorf("%s %s: frozen header of row %d over another table at row %d", book, sh, first, r)
				break
			}
		}
	}
	return first
}

// idHeader reports whether a column holds identifiers or values as read
// (kept as text: "0101" is a school, not the number 101).
func idHeader(h string) bool { return strings.HasSuffix(h, " ID") || h == "Value" }

// checkNumbers fails on a text cell that reads as a number outside an ID
// column, and on a p-value that is not a number in the "<0.001" format;
// it counts the p-values below 0.001 in small.
func checkNumbers(t *testing.T, f *excelize.File, book, sh string, rows [][]string, small *int) {
	t.Helper()
	headerStyle := map[int]bool{}
	var header []string
	for i, r := range rows {
		if len(r) == 0 {
			header = nil
			continue
		}
		a, _ := excelize.CoordinatesToCellName(1, i+1)
		id, _ := f.GetCellStyle(sh, a)
		isHeader, seen := headerStyle[id]
		if !seen {
			st, _ := f.GetStyle(id)
			isHeader = st != nil && len(st.Fill.Color) > 0 && strings.EqualFold(st.Fill.Color[0], "1F4E79")
			headerStyle[id] = isHeader
		}
		if isHeader {
			header = r
			continue
		}
		for j, v := range r {
			if v == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			typ, _ := f.GetCellType(sh, ref)
			text := typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString
			name := ""
			if j < len(header) {
				name = header[j]
			}
			if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); text && (err == nil || strings.HasPrefix(v, "<0")) && !idHeader(name) {
				t.Errorf("%s %s!%s (%s): number stored as text %q", book, sh, ref, name, v)
			}
			if name != "p-value" || strings.HasPrefix(v, "suppressed") {
				continue
			}
			p, err := strconv.ParseFloat(v, 64)
			sid, _ := f.GetCellStyle(sh, ref)
			st, _ := f.GetStyle(sid)
			if text || err != nil || st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != `[<0.001]"<0.001"_);0.000_)` {
				t.Errorf("%s %s!%s: p-value %q (text %v) with style %+v; want a number in the <0.001 format", book, sh, ref, v, text, st)
				continue
			}
			if p < 0.001 {
				*small++
			}
		}
	}
}

// checkPrint checks a sheet's page setup: an orientation, fitted to its
// width in pages, a header naming subject and the run's date, page
// numbers in the footer, and the filtered table's header repeated on
// every page.
func checkPrint(t *testing.T, f *excelize.File, book, sh, subject, runDate string, header int) {
	t.Helper()
	pl, err := f.GetPageLayout(sh)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Orientation == nil || (*pl.Orientation != "portrait" && *pl.Orientation != "landscape") || pl.FitToWidth == nil || *pl.FitToWidth < 1 {
		t.Errorf("%s %s: page layout %+v; want an orientation and a fit to width", book, sh, pl)
	}
	hf, err := f.GetHeaderFooter(sh)
	if err != nil || hf == nil {
		t.Fatalf("%s %s: no header or footer (%v)", book, sh, err)
	}
	if !strings.Contains(hf.OddHeader, strings.ReplaceAll(subject, "&", "&&")) || !strings.Contains(hf.OddHeader, runDate) {
		t.Errorf("%s %s: page header %q; want %q and %q", book, sh, hf.OddHeader, subject, runDate)
	}
	if !strings.Contains(hf.OddFooter, "Page &P of &N") {
		t.Errorf("%s %s: footer %q; want page numbers", book, sh, hf.OddFooter)
	}
	if header == 0 {
		return
	}
	names := f.GetDefinedName()
	found := false
	for _, n := range names {
		if n.Name == "_xlnm.Print_Titles" && n.Scope == sh {
			found = strings.HasSuffix(n.RefersTo, fmt.Sprintf(":$%d", header))
		}
	}
	if !found {
		t.Errorf("%s %s: printed pages do not repeat the header row %d (%+v)", book, sh, header, names)
	}
}

// TestPrintOrientation: the district's Impact sheet (20 columns) prints
// landscape over two pages' width, a school's Look-fors (5 columns)
// portrait on one; the first screens (the Overview, a school's Growth)
// fit a laptop screen: columns of at most 180 characters.
func TestPrintOrientation(t *testing.T) {
	out, _, _ := run(t, config.Default(), nil)
	rep := filepath.Join(out, "reports")
	district := open(t, filepath.Join(rep, reports.DistrictBook))
	school := open(t, filepath.Join(rep, reports.SchoolsDir, "0101.xlsx"))
	for _, c := range []struct {
		f           *excelize.File
		sheet, want string
		pages       int
	}{{district, "Impact", "landscape", 2}, {district, "Overview", "landscape", 1}, {school, "Look-fors", "portrait", 1}} {
		pl, err := c.f.GetPageLayout(c.sheet)
		if err != nil || pl.Orientation == nil || *pl.Orientation != c.want || pl.FitToWidth == nil || *pl.FitToWidth != c.pages {
			t.Errorf("%s: layout %+v, %v; want %s, %d pages wide", c.sheet, pl, err, c.want, c.pages)
		}
	}
	for _, c := range []struct {
		f     *excelize.File
		sheet string
	}{{district, "Overview"}, {school, "Growth"}} {
		rows := rowsOf(t, c.f, c.sheet)
		cols := 0
		for _, r := range rows {
			cols = max(cols, len(r))
		}
		total := 0.0
		for i := 1; i <= cols; i++ {
			name, _ := excelize.ColumnNumberToName(i)
			w, _ := c.f.GetColWidth(c.sheet, name)
			total += w
		}
		if total > 180 {
			t.Errorf("%s: columns %.0f characters wide; want at most 180 (a laptop screen)", c.sheet, total)
		}
	}
}
