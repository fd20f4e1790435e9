package model

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/coachimpact/coachimpact/ingest"
)

// Input-file tables, written by LoadFiles: the run's file reconciliation
// as the workbooks read it.
//
//	input_files         one row per source read, in load order (ord):
//	                    path, table_name, sha256, header_row, encoding,
//	                    line_endings, ignored_columns, hidden_sheets,
//	                    input_paths (a reshaped table's files),
//	                    rows_read, rows_loaded, rows_rejected,
//	                    rows_filtered, rows_superseded, rows_added
//	input_file_filters  path, reason, rows: the rows a reshaped table's
//	                    filters left out, by reason
//	skipped_files       ord, name ("NOTES.md", "book.xlsx[Notes]"),
//	                    reason: what the input folder held that was not read
const (
	TableInputFiles   = "input_files"
	TableFileFilters  = "input_file_filters"
	TableSkippedFiles = "skipped_files"
)

// inputFileRow is one input_files row as LoadFiles sends it to DuckDB.
type inputFileRow struct {
	Ord            int      `json:"ord"`
	Path           string   `json:"path"`
	Table          string   `json:"table_name"`
	SHA256         string   `json:"sha256"`
	HeaderRow      int      `json:"header_row"`
	Encoding       string   `json:"encoding"`
	LineEndings    string   `json:"line_endings"`
	IgnoredColumns []string `json:"ignored_columns"`
	HiddenSheets   []string `json:"hidden_sheets"`
	InputPaths     []string `json:"input_paths"`
	RowsRead       int      `json:"rows_read"`
	RowsLoaded     int      `json:"rows_loaded"`
	RowsRejected   int      `json:"rows_rejected"`
	RowsFiltered   int      `json:"rows_filtered"`
	RowsSuperseded int      `json:"rows_superseded"`
	RowsAdded      int      `json:"rows_added"`
}

// LoadFiles writes the run's file reconciliation (each source's
// ingest.Stats, in load order) and the files not read into the tables
// input_files, input_file_filters and skipped_files, replacing them.
func (d *DB) LoadFiles(ctx context.Context, files []ingest.Stats, skipped []ingest.Skipped) error {
	rows := make([]inputFileRow, len(files))
	type filterRow struct {
		Path   string `json:"path"`
		Reason string `json:"reason"`
		Rows   int    `json:"rows"`
	}
	var filters []filterRow
	for i, s := range files {
		r := inputFileRow{Ord: i + 1, Path: s.Source, Table: s.Table, SHA256: s.SHA256, HeaderRow: s.HeaderRow, Encoding: s.Encoding, LineEndings: s.LineEndings,
			IgnoredColumns: nonNil(s.IgnoredColumns), HiddenSheets: nonNil(s.HiddenSheets), InputPaths: []string{},
			RowsRead: s.RowsRead, RowsLoaded: s.RowsLoaded, RowsRejected: s.RowsRejected, RowsFiltered: s.RowsFiltered, RowsSuperseded: s.RowsSuperseded, RowsAdded: s.RowsAdded}
		for _, in := range s.Inputs {
			r.InputPaths = append(r.InputPaths, in.Path)
		}
		rows[i] = r
		reasons := make([]string, 0, len(s.Filtered))
		for k := range s.Filtered {
			reasons = append(reasons, k)
		}
		sort.Strings(reasons)
		for _, k := range reasons {
			filters = append(filters, filterRow{s.Source, k, s.Filtered[k]})
		}
	}
	type skippedRow struct {
		Ord    int    `json:"ord"`
		Name   string `json:"name"`
		Reason string `json:"reason"`
	}
	sk := make([]skippedRow, len(skipped))
	for i, s := range skipped {
		sk[i] = skippedRow{i + 1, s.Name(), s.Reason}
	}
	for _, t := range fileTables() {
		var err error
		switch t.name {
		case TableInputFiles:
			err = d.jsonTable(ctx, t.name, t.cols, rows)
		case TableFileFilters:
			err = d.jsonTable(ctx, t.name, t.cols, filters)
		case TableSkippedFiles:
			err = d.jsonTable(ctx, t.name, t.cols, sk)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// fileTables are the tables LoadFiles writes, with their columns.
func fileTables() []struct {
	name string
	cols []column
} {
	return []struct {
		name string
		cols []column
	}{
		{TableInputFiles, []column{{"ord", "INTEGER"}, {"path", "VARCHAR"}, {"table_name", "VARCHAR"}, {"sha256", "VARCHAR"}, {"header_row", "INTEGER"},
			{"encoding", "VARCHAR"}, {"line_endings", "VARCHAR"}, {"ignored_columns", "VARCHAR[]"}, {"hidden_sheets", "VARCHAR[]"}, {"input_paths", "VARCHAR[]"},
			{"rows_read", "BIGINT"}, {"rows_loaded", "BIGINT"}, {"rows_rejected", "BIGINT"}, {"rows_filtered", "BIGINT"}, {"rows_superseded", "BIGINT"}, {"rows_added", "BIGINT"}}},
		{TableFileFilters, []column{{"path", "VARCHAR"}, {"reason", "VARCHAR"}, {"rows", "BIGINT"}}},
		{TableSkippedFiles, []column{{"ord", "INTEGER"}, {"name", "VARCHAR"}, {"reason", "VARCHAR"}}},
	}
}

// ensureFileTables creates the file tables empty where LoadFiles did not
// write them (a model built from tables alone, as in tests), so that the
// model always has them.
func (d *DB) ensureFileTables(ctx context.Context) error {
	for _, t := range fileTables() {
		if _, err := d.conn.ExecContext(ctx, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s)", Ident(t.name), columnDefs(t.cols))); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}

// column is a column of a table jsonTable makes: its name (a JSON key of
// the rows) and DuckDB type.
type column struct{ name, typ string }

// jsonTable replaces table name, of the given columns, with rows: a
// slice of structs whose JSON objects have the columns' names as keys.
func (d *DB) jsonTable(ctx context.Context, name string, cols []column, rows any) error {
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	if string(b) == "null" {
		b = []byte("[]")
	}
	shape := make([]string, len(cols))
	for i, c := range cols {
		shape[i] = fmt.Sprintf("%q: %q", c.name, c.typ)
	}
	if _, err := d.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", Ident(name), columnDefs(cols))); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	q := fmt.Sprintf("INSERT INTO %s SELECT r.* FROM (SELECT unnest(from_json(?::JSON, ?)) AS r)", Ident(name))
	if _, err := d.conn.ExecContext(ctx, q, string(b), "[{"+strings.Join(shape, ", ")+"}]"); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// columnDefs are cols as a CREATE TABLE lists them.
func columnDefs(cols []column) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = Ident(c.name) + " " + c.typ
	}
	return strings.Join(defs, ", ")
}

// nonNil is s, or an empty slice for nil (a JSON [], not null).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
