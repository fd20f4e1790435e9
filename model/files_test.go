package model

import (
	"context"
	"reflect"
	"testing"

	"github.com/coachimpact/coachimpact/ingest"
)

// TestLoadFiles: the reconciliation the run hands the model reads back
// from its tables as given, lists and filters included, and a second
// load replaces the first.
func TestLoadFiles(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := []ingest.Stats{
		{Source: "students.csv", Table: "students", SHA256: "ab12", HeaderRow: 1, RowsRead: 10, RowsLoaded: 9, RowsRejected: 1, IgnoredColumns: []string{"Homeroom", "Locker"}},
		{Source: "Assess[Math]", Table: "assessments", SHA256: "cd34", HeaderRow: 3, Encoding: "windows-1252", LineEndings: "cr", HiddenSheets: []string{"Old"},
			Inputs: []ingest.InputFile{{Path: "a/x.csv"}, {Path: "b/y.csv"}}, Filtered: map[string]int{"where subject": 4, "drop Retest": 2}, RowsFiltered: 6, RowsSuperseded: 1, RowsAdded: 3},
	}
	skipped := []ingest.Skipped{{File: "NOTES.md", Reason: "not a CSV"}, {File: "book.xlsx", Sheet: "Notes", Reason: "not a table"}}
	for range 2 {
		if err := db.LoadFiles(ctx, files, skipped); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.conn.QueryContext(ctx, `SELECT path, table_name, sha256, header_row, encoding, line_endings, ignored_columns, hidden_sheets, input_paths,
		rows_read, rows_loaded, rows_rejected, rows_filtered, rows_superseded, rows_added FROM input_files ORDER BY ord`)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]any
	for rows.Next() {
		v := make([]any, 15)
		p := make([]any, 15)
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	rows.Close()
	want := [][]any{
		{"students.csv", "students", "ab12", int32(1), "", "", []any{"Homeroom", "Locker"}, []any{}, []any{}, int64(10), int64(9), int64(1), int64(0), int64(0), int64(0)},
		{"Assess[Math]", "assessments", "cd34", int32(3), "windows-1252", "cr", []any{}, []any{"Old"}, []any{"a/x.csv", "b/y.csv"}, int64(0), int64(0), int64(0), int64(6), int64(1), int64(3)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("input_files:\n got %v\nwant %v", got, want)
	}
	var filters, skips string
	if err := db.conn.QueryRowContext(ctx, `SELECT string_agg(path || ':' || reason || '=' || "rows", ';' ORDER BY reason) FROM input_file_filters`).Scan(&filters); err != nil {
		t.Fatal(err)
	}
	if want := "Assess[Math]:drop Retest=2;Assess[Math]:where subject=4"; filters != want {
		t.Errorf("input_file_filters = %q, want %q", filters, want)
	}
	if err := db.conn.QueryRowContext(ctx, `SELECT string_agg(name || ':' || reason, ';' ORDER BY ord) FROM skipped_files`).Scan(&skips); err != nil {
		t.Fatal(err)
	}
	if want := "NOTES.md:not a CSV;book.xlsx[Notes]:not a table"; skips != want {
		t.Errorf("skipped_files = %q, want %q", skips, want)
	}

	// No files at all: empty tables, not an error.
	if err := db.LoadFiles(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM input_files) + (SELECT count(*) FROM skipped_files) + (SELECT count(*) FROM input_file_filters)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after an empty load: %d rows (err %v), want 0", n, err)
	}
}
