package reports_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/reports"
)

// exec runs statements on the model, failing the test on an error.
func exec(t *testing.T, db *model.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestHostileSizes builds every workbook from a model whose inputs carry
// sizes Excel cannot hold as they are: a file with 500 unused columns of
// 200-character names (one "Read as" cell of 100,000 characters, far
// above Excel's 32,767 and 409 points of row height), a school name of
// 5,000 characters, a subject name of 300, a coach name of 2,000, reject
// values and details of 200 (ingest's cut) to 40,000 characters, file
// and sheet names with control characters, quotes and brackets. Every
// workbook must build, open with excelize, and stay within Excel's
// limits: rows at most 409 points, columns at most 255 characters, cells
// at most 32,767 characters.
func TestHostileSizes(t *testing.T) {
	_, man, db := run(t, config.Default(), nil)
	ctx := context.Background()
	longSchool := strings.Repeat("Walnut Bluff Elementary ", 209)[:5000]
	longSubject := strings.Repeat("Mathematics ", 25) // 300 characters
	longCoach := strings.Repeat("Coach ", 334)[:2000]
	// Every table that names a subject or a school gets the long name.
	tables, err := db.QueryContext(ctx, `SELECT table_name, column_name FROM duckdb_columns()
		WHERE schema_name = 'main' AND column_name IN ('subject', 'school_name', 'coach_name') AND NOT internal`)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for tables.Next() {
		var tb, col string
		if err := tables.Scan(&tb, &col); err != nil {
			t.Fatal(err)
		}
		switch col {
		case "subject":
			stmts = append(stmts, fmt.Sprintf(`UPDATE %s SET subject = '%s' WHERE subject = 'Math'`, model.Ident(tb), longSubject))
		case "school_name":
			stmts = append(stmts, fmt.Sprintf(`UPDATE %s SET school_name = '%s' || school_name`, model.Ident(tb), longSchool))
		case "coach_name":
			stmts = append(stmts, fmt.Sprintf(`UPDATE %s SET coach_name = '%s'`, model.Ident(tb), longCoach))
		}
	}
	tables.Close()
	if len(stmts) < 3 {
		t.Fatalf("only %d tables name a subject, school or coach", len(stmts))
	}
	odd := "scores\x01 \"2024\" [final]\t'copy' " + strings.Repeat("é", 300) + ".csv"
	exec(t, db, stmts...)
	// Rejects at ingest's cut (200 bytes and "...") and far beyond.
	for _, r := range [][]any{
		{odd, "Sheet [1]: 'x'", 2, strings.Repeat("c", 200), strings.Repeat("v", 200) + "...", "not a number", strings.Repeat("detail ", 800)},
		{odd, nil, 3, "grade_level", strings.Repeat("é", 40000), "out of range", strings.Repeat("d", 40000)},
		{"x.csv", nil, 4, "grade_level", "line one" + strings.Repeat("\nline", 500), "out of range", nil},
	} {
		if _, err := db.ExecContext(ctx, `INSERT INTO rejects VALUES (?, ?, 'students', ?, ?, ?, ?, ?)`, r...); err != nil {
			t.Fatal(err)
		}
	}

	files := append([]ingest.Stats(nil), man.Files...)
	wide := ingest.Stats{Source: odd, Table: "assessments", SHA256: strings.Repeat("f", 64), HeaderRow: 1, Encoding: "windows-1252", RowsRead: 3, RowsLoaded: 3}
	for i := range 500 {
		wide.IgnoredColumns = append(wide.IgnoredColumns, fmt.Sprintf("%03d %s", i, strings.Repeat("unused column ", 15)[:196]))
		wide.HiddenSheets = append(wide.HiddenSheets, fmt.Sprintf("hidden %d", i))
	}
	files = append(files, wide)

	rep, charts := filepath.Join(t.TempDir(), "reports"), filepath.Join(t.TempDir(), "charts")
	if err := db.LoadFiles(ctx, files, nil); err != nil {
		t.Fatal(err)
	}
	in := reports.Input{DB: db, MinCell: 10, MinClassrooms: 3, ShowTeacherNames: true, Started: time.Now()}
	if err := reports.Build(ctx, in, rep, charts); err != nil {
		t.Fatalf("Build: %v", err)
	}
	books := []string{filepath.Join(rep, reports.DistrictBook), filepath.Join(rep, reports.CohortsBook)}
	schools, _ := filepath.Glob(filepath.Join(rep, reports.SchoolsDir, "*.xlsx"))
	if len(schools) == 0 {
		t.Fatal("no school workbooks")
	}
	books = append(books, schools...)
	sawLong := false
	for _, path := range books {
		f := open(t, path)
		for _, sh := range f.GetSheetList() {
			rows, err := f.GetRows(sh)
			if err != nil {
				t.Fatalf("%s %s: %v", filepath.Base(path), sh, err)
			}
			for i, r := range rows {
				if h, err := f.GetRowHeight(sh, i+1); err != nil || h > excelize.MaxRowHeight {
					t.Errorf("%s %s row %d: height %v, %v", filepath.Base(path), sh, i+1, h, err)
				}
				for j, v := range r {
					if n := utf8.RuneCountInString(v); n > excelize.TotalCellChars {
						t.Errorf("%s %s row %d column %d: %d characters", filepath.Base(path), sh, i+1, j+1, n)
					}
					sawLong = sawLong || strings.Contains(v, longSchool[:100])
				}
			}
			cols, _ := f.GetCols(sh)
			for j := range cols {
				name, _ := excelize.ColumnNumberToName(j + 1)
				if w, err := f.GetColWidth(sh, name); err != nil || w > excelize.MaxColumnWidth {
					t.Errorf("%s %s column %s: width %v, %v", filepath.Base(path), sh, name, w, err)
				}
			}
		}
	}
	if !sawLong {
		t.Error("the long school name is shown nowhere")
	}

	// The wide file's note names its first unused columns and counts the rest.
	dq := rowsOf(t, open(t, books[0]), "Data quality")
	recon := dataRows(t, dq, "File", "Table", "Rows read")
	note := recon[len(recon)-1][6]
	if !strings.Contains(note, "000 unused column") || strings.Count(note, "and 490 more") != 2 {
		t.Errorf("Read as note of the wide file: %q", note)
	}
	// The charts were drawn and are readable PNGs.
	for _, c := range []string{reports.ChartHours, reports.ChartSpringZ, reports.ChartImpact} {
		if fi, err := os.Stat(filepath.Join(charts, c)); err != nil || fi.Size() == 0 {
			t.Errorf("chart %s: %v", c, err)
		}
	}
}
