package pipeline

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// writeGenerated (re)writes the catalogue's case files that are binary or
// too big to write by hand. Each is built from plain rows here, so the
// files in testdata can be checked against their recipe.
func writeGenerated(t *testing.T, root string) {
	t.Helper()
	put := func(rel string, b []byte) {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	assessments := [][]any{
		{"school_year", "student_id", "assessment_name", "subject", "window", "test_date", "scale_score"},
		{2024, "S1", "State", "Math", "fall", date(2023, 9, 20), 400},
		{2024, "S2", "State", "Math", "fall", date(2023, 9, 20), 380},
		{2024, "S3", "State", "Math", "fall", date(2023, 9, 20), 420},
		{2024, "S4", "State", "Math", "fall", date(2023, 9, 21), 410},
		{2024, "S5", "State", "Math", "fall", date(2023, 9, 21), 390},
		{2024, "S1", "State", "Math", "spring", date(2024, 4, 15), 430},
		{2024, "S2", "State", "Math", "spring", date(2024, 4, 15), 400},
		{2024, "S3", "State", "Math", "spring", date(2024, 4, 15), 435},
		{2024, "S4", "State", "Math", "spring", date(2024, 4, 16), 420},
		{2024, "S5", "State", "Math", "spring", date(2024, 4, 16), 395},
	}
	cycles := [][]any{
		{"cycle_id", "coach_id", "teacher_id", "school_year", "start_date", "end_date", "goal", "stage_reached", "goal_met"},
		{"C1", "K1", "T1", 2024, date(2023, 9, 5), date(2023, 11, 10), "Students explain their reasoning", "improve", "Y"},
	}
	sessionHeader := []any{"session_id", "cycle_id", "session_date", "activity", "minutes"}

	// Merged cells: school 01 merged down over T1 and T2; T3's names
	// merged across first and last name.
	put("merged-cells/teachers.xlsx", book(t, func(f *excelize.File) {
		rows(t, f, "teachers", [][]any{
			{"teacher_id", "school_id", "first_name", "last_name"},
			{"T1", "01", "Ana", "Ruiz"},
			{"T2", nil, "Ben", "Cole"},
			{"T3", "02", "Cai Dunn", nil},
		})
		must(t, f.MergeCell("teachers", "B2", "B3"))
		must(t, f.MergeCell("teachers", "C4", "D4"))
	}))

	// Hidden sheets: a lookup list hidden and a scratch sheet very hidden,
	// neither of them a table.
	put("hidden-sheets/coaching.xlsx", book(t, func(f *excelize.File) {
		rows(t, f, "coaching_cycles", cycles)
		rows(t, f, "coaching_sessions", [][]any{sessionHeader,
			{"X1", "C1", date(2023, 9, 12), "planning", 45},
			{"X2", "C1", date(2023, 9, 19), "modeling", 60},
			{"X3", "C1", date(2023, 10, 3), "debrief", 30},
		})
		rows(t, f, "lookups", [][]any{{"activity"}, {"planning"}, {"modeling"}, {"debrief"}})
		rows(t, f, "scratch", [][]any{{"=1/0", "junk"}})
		must(t, f.SetSheetVisible("lookups", false))
		must(t, f.SetSheetVisible("scratch", false, true))
	}))

	// Formula cells: two spring scores are formulas with the value Excel
	// cached; the third was saved without one (a generated file never
	// opened in Excel).
	put("formula-cells/assessments.xlsx", book(t, func(f *excelize.File) {
		rows(t, f, "assessments", assessments)
		must(t, f.SetCellFormula("assessments", "G7", "=400+30"))
		must(t, f.SetCellFormula("assessments", "G8", "SUM(380,20)"))
		must(t, f.SetCellValue("assessments", "G9", nil))
		must(t, f.SetCellFormula("assessments", "G9", "420+15"))
	}))

	// Numbers stored as text, as a copied-in column often is.
	put("numbers-as-text/assessments.xlsx", book(t, func(f *excelize.File) {
		rows(t, f, "assessments", assessments)
		for i, v := range []string{"430", " 400", "435.0", "4.2E2", "395 "} {
			must(t, f.SetCellStr("assessments", cellName(7, 7+i), v))
		}
		must(t, f.SetCellStr("assessments", "A2", "2023-24"))
		must(t, f.SetCellStr("assessments", "A3", "2023-2024"))
	}))

	// Dates as text in five formats, and one real date cell.
	put("dates-as-text/coaching_sessions.xlsx", book(t, func(f *excelize.File) {
		rows(t, f, "coaching_sessions", [][]any{sessionHeader,
			{"X1", "C1", "2023-09-12", "planning", 45},
			{"X2", "C1", "9/19/2023", "modeling", 60},
			{"X3", "C1", "03-Oct-2023", "debrief", 30},
			{"X4", "C1", "Oct 4, 2023", "debrief", 30},
			{"X5", "C1", "20231005", "debrief", 30},
			{"X6", "C1", date(2023, 10, 6), "debrief", 30},
		})
	}))

	// The 1904 date system (old Mac Excel): serials count from 1904-01-01.
	put("date-1904/coaching_sessions.xlsx", book(t, func(f *excelize.File) {
		yes := true
		must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
		style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		must(t, err)
		serial := func(d time.Time) float64 { return d.Sub(date(1904, 1, 1)).Hours() / 24 }
		rows(t, f, "coaching_sessions", [][]any{sessionHeader,
			{"X1", "C1", serial(date(2023, 9, 12)), "planning", 45},
			{"X2", "C1", serial(date(2023, 9, 19)), "modeling", 60},
			{"X3", "C1", serial(date(2023, 10, 3)), "debrief", 30},
		})
		must(t, f.SetCellStyle("coaching_sessions", "C2", "C4", style))
	}))

	// Trailing blanks in a sheet: formatted empty cells right of and below
	// the data, and a cell holding one space.
	put("trailing-blanks-xlsx/teachers.xlsx", book(t, func(f *excelize.File) {
		rows(t, f, "teachers", [][]any{
			{"teacher_id", "school_id", "first_name", "last_name"},
			{"T1", "01", "Ana", "Ruiz"},
			{"T2", "01", "Ben", "Cole"},
			{"T3", "02", "Cai", "Dunn"},
		})
		style, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
		must(t, err)
		must(t, f.SetCellStyle("teachers", "F1", "H30", style))
		must(t, f.SetCellStyle("teachers", "A6", "D30", style))
		must(t, f.SetCellStr("teachers", "B12", " "))
	}))

	// A 50,000-character cell.
	put("long-cell/observations.csv", []byte("observation_id,teacher_id,observation_date,observer_role,look_for,rating\n"+
		"O1,T1,2023-09-01,coach,Questioning,2\nO2,T1,2024-01-10,coach,Questioning,3\n"+
		"O3,T1,2024-02-10,coach,"+strings.Repeat("Questioning ", 50000/12+1)[:50000]+",3\n"))

	// Not UTF-8: Windows-1252 bytes (ñ, ü, é) as Excel on Windows saves CSV.
	put("invalid-utf8/teachers.csv", []byte("teacher_id,school_id,first_name,last_name\nT1,01,Ana,Pe\xf1a\nT2,01,Ben,M\xfcller\nT3,02,Ren\xe9e,Dunn\n"))

	// UTF-8 for its first 64 KiB (the part read to guess the encoding),
	// then one invalid byte: that cell is rejected, nothing else.
	pad := strings.Repeat("n", 30000)
	put("invalid-utf8-late/teachers.csv", []byte("teacher_id,school_id,first_name,last_name,notes\n"+
		"T1,01,Ana,Ruiz,"+pad+"\nT2,01,Ben,Cole,"+pad+"\nT4,01,Dee,Fox,"+pad+"\nT3,02,Cai,D\xfcnn,\n"))

	// UTF-16 little-endian with a byte-order mark, tab separated: Excel's
	// "Unicode Text".
	var u16 bytes.Buffer
	u16.Write([]byte{0xFF, 0xFE})
	text := "school_year\tstudent_id\tteacher_id\tsubject\tpercent_time\r\n2024\tS1\tT1\tMath\t100\r\n2024\tS2\tT1\tMath\t100\r\n" +
		"2024\tS3\tT2\tMath\t100\r\n2024\tS4\tT3\tMath\t100\r\n2024\tS5\tT3\tMath\t100\r\n"
	must(t, binary.Write(&u16, binary.LittleEndian, utf16.Encode([]rune(text))))
	put("utf16-csv/rosters.csv", u16.Bytes())

	// Lines ending in CR alone: Excel's "CSV (Macintosh)".
	put("cr-line-endings/schools.csv", []byte("school_id,school_name,district_id,level,ip_cohort\r01,Adams Elementary,9,elementary,2024\r02,Baker Elementary,9,elementary,\r"))

	// Student IDs stored as numbers shown with leading zeros by a number
	// format (0000000, and "ID"-0000 with literals), beside IDs stored as
	// text: read as the sheet shows them.
	put("id-number-format/students.xlsx", book(t, func(f *excelize.File) {
		rows(t, f, "students", [][]any{{"student_id", "school_id", "grade_level", "english_learner"},
			{"S1", "01", 3, "N"}, {"S2", "01", 3, "Y"}, {"S3", "01", 4, "N"}, {"S4", "02", 3, "N"}, {"S5", "02", 4, "Y"},
			{10362, "02", 4, "N"}, {77, "02", 4, "N"}})
		pad7, lit := "0000000", `"ID"\-0000`
		s1, err := f.NewStyle(&excelize.Style{CustomNumFmt: &pad7})
		must(t, err)
		s2, err := f.NewStyle(&excelize.Style{CustomNumFmt: &lit})
		must(t, err)
		must(t, f.SetCellStyle("students", "A7", "A7", s1))
		must(t, f.SetCellStyle("students", "A8", "A8", s2))
	}))

	// A workbook cut off halfway through (an interrupted download).
	students := book(t, func(f *excelize.File) {
		rows(t, f, "students", [][]any{{"student_id", "school_id", "grade_level", "english_learner"},
			{"S1", "01", 3, "N"}, {"S2", "01", 3, "Y"}, {"S3", "01", 4, "N"}, {"S4", "02", 3, "N"}, {"S5", "02", 4, "Y"}})
	})
	put("truncated-xlsx/students.xlsx", students[:len(students)/2])

	// Random bytes under an .xlsx name.
	rnd := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(rnd.Uint32())
	}
	put("random-bytes-xlsx/observations.xlsx", junk)

	// A zip bomb: the directory declares 5 GiB for the sheet; it is
	// stopped before anything is unpacked.
	valid := book(t, func(f *excelize.File) { rows(t, f, "assessments", assessments) })
	put("zip-bomb/assessments.xlsx", rezip(t, valid, func(h *zip.FileHeader) {
		if strings.HasPrefix(h.Name, "xl/worksheets/") {
			h.UncompressedSize64 = 5 << 30
		}
	}))

	// An honest bomb against a low limit (config.toml: 1 MiB): 40,000
	// repeated rows unpack to several MiB from a small file.
	put("zip-bomb-limit/assessments.xlsx", book(t, func(f *excelize.File) {
		big := append([][]any(nil), assessments...)
		for i := 0; i < 40000; i++ {
			big = append(big, []any{2024, "S1", "State", "Math", "winter", date(2024, 1, 10), 410})
		}
		rows(t, f, "assessments", big)
	}))
}

// book builds a workbook with fill and returns its bytes; fill's first
// sheet replaces the default Sheet1.
func book(t *testing.T, fill func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	fill(f)
	if idx, err := f.GetSheetIndex("Sheet1"); err == nil && idx >= 0 && len(f.GetSheetList()) > 1 {
		must(t, f.DeleteSheet("Sheet1"))
	}
	var b bytes.Buffer
	must(t, f.Write(&b))
	return b.Bytes()
}

// rows writes a sheet (creating it) from row 1.
func rows(t *testing.T, f *excelize.File, sheet string, data [][]any) {
	t.Helper()
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		_, err := f.NewSheet(sheet)
		must(t, err)
	}
	for i, r := range data {
		must(t, f.SetSheetRow(sheet, cellName(1, i+1), &r))
	}
}

func cellName(col, row int) string {
	n, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(err)
	}
	return n
}

// rezip copies a zip, letting edit change each entry's header; the data
// is copied raw, so a changed size is a lie the directory tells.
func rezip(t *testing.T, in []byte, edit func(h *zip.FileHeader)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	must(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		h := f.FileHeader
		edit(&h)
		w, err := zw.CreateRaw(&h)
		must(t, err)
		r, err := f.OpenRaw()
		must(t, err)
		_, err = io.Copy(w, r)
		must(t, err)
	}
	must(t, zw.Close())
	return out.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
