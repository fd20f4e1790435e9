package model

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sort"

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

// fileTables are the tables LoadFiles writes, with their columns as
// CREATE TABLE lists them.
func fileTables() []struct{ name, columns string } {
	return []struct{ name, columns string }{
		{TableInputFiles, `ord INTEGER, path VARCHAR, table_name VARCHAR, sha256 VARCHAR, header_row INTEGER,
			encoding VARCHAR, line_endings VARCHAR, ignored_columns VARCHAR[], hidden_sheets VARCHAR[], input_paths VARCHAR[],
			rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, rows_filtered BIGINT, rows_superseded BIGINT, rows_added BIGINT`},
		{TableFileFilters, `path VARCHAR, reason VARCHAR, "rows" BIGINT`},
		{TableSkippedFiles, `ord INTEGER, name VARCHAR, reason VARCHAR`},
	}
}

// LoadFiles writes the run's file reconciliation (each source's
// ingest.Stats, in load order) and the files not read into the tables
// input_files, input_file_filters and skipped_files, replacing them.
func (d *DB) LoadFiles(ctx context.Context, files []ingest.Stats, skipped []ingest.Skipped) error {
	var rows, filters, sk [][]driver.Value
	for i, s := range files {
		inputs := []string{}
		for _, in := range s.Inputs {
			inputs = append(inputs, in.Path)
		}
		rows = append(rows, []driver.Value{int32(i + 1), s.Source, s.Table, s.SHA256, int32(s.HeaderRow), s.Encoding, s.LineEndings,
			append([]string{}, s.IgnoredColumns...), append([]string{}, s.HiddenSheets...), inputs,
			int64(s.RowsRead), int64(s.RowsLoaded), int64(s.RowsRejected), int64(s.RowsFiltered), int64(s.RowsSuperseded), int64(s.RowsAdded)})
		reasons := make([]string, 0, len(s.Filtered))
		for k := range s.Filtered {
			reasons = append(reasons, k)
		}
		sort.Strings(reasons)
		for _, k := range reasons {
			filters = append(filters, []driver.Value{s.Source, k, int64(s.Filtered[k])})
		}
	}
	for i, s := range skipped {
		sk = append(sk, []driver.Value{int32(i + 1), s.Name(), s.Reason})
	}
	data := map[string][][]driver.Value{TableInputFiles: rows, TableFileFilters: filters, TableSkippedFiles: sk}
	for _, t := range fileTables() {
		if err := d.appendTable(ctx, t.name, t.columns, data[t.name]); err != nil {
			return err
		}
	}
	return nil
}

// ensureFileTables creates the file tables empty where LoadFiles did not
// write them (a model built from tables alone, as in tests), so that the
// model always has them.
func (d *DB) ensureFileTables(ctx context.Context) error {
	for _, t := range fileTables() {
		if _, err := d.conn.ExecContext(ctx, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s)", Ident(t.name), t.columns)); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}
