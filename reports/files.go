package reports

import (
	"context"
	"fmt"
	"strings"

	"github.com/coachimpact/coachimpact/model"
)

// inputFile is one source the run read, as the model's input_files
// table (model.LoadFiles) holds it, with its filters' counts.
type inputFile struct {
	Path, Table, SHA256   string
	Encoding, LineEndings string
	// Ignored are the columns not used, Hidden a workbook's hidden
	// sheets, Inputs a reshaped table's files.
	Ignored, Hidden, Inputs                   []string
	Read, Loaded, Rejected, Superseded, Added int64
	// Filtered counts the rows a reshaped table's filters left out, by
	// reason, the largest count first.
	Filtered []reasonCount
}

type reasonCount struct {
	Reason string
	Rows   int64
}

// skippedFile is a file or sheet of the input folder not read, and why.
type skippedFile struct{ Name, Reason string }

// inputFiles reads the run's file reconciliation from the model, in
// load order.
func inputFiles(ctx context.Context, db Querier) ([]inputFile, error) {
	rows, err := queryRows(ctx, db, fmt.Sprintf(`SELECT path, table_name, sha256, encoding, line_endings, ignored_columns, hidden_sheets, input_paths,
		rows_read, rows_loaded, rows_rejected, rows_superseded, rows_added FROM %s ORDER BY ord`, model.TableInputFiles))
	if err != nil {
		return nil, err
	}
	filters, err := queryRows(ctx, db, fmt.Sprintf(`SELECT path, reason, "rows" FROM %s ORDER BY path, "rows" DESC, reason`, model.TableFileFilters))
	if err != nil {
		return nil, err
	}
	byPath := map[string][]reasonCount{}
	for _, f := range filters {
		byPath[str(f[0])] = append(byPath[str(f[0])], reasonCount{str(f[1]), i64(f[2])})
	}
	out := make([]inputFile, len(rows))
	for i, r := range rows {
		out[i] = inputFile{Path: str(r[0]), Table: str(r[1]), SHA256: str(r[2]), Encoding: str(r[3]), LineEndings: str(r[4]),
			Ignored: strs(r[5]), Hidden: strs(r[6]), Inputs: strs(r[7]),
			Read: i64(r[8]), Loaded: i64(r[9]), Rejected: i64(r[10]), Superseded: i64(r[11]), Added: i64(r[12]), Filtered: byPath[str(r[0])]}
	}
	return out, nil
}

// skippedFiles reads the files the run did not read from the model, in
// folder order.
func skippedFiles(ctx context.Context, db Querier) ([]skippedFile, error) {
	rows, err := queryRows(ctx, db, fmt.Sprintf(`SELECT name, reason FROM %s ORDER BY ord`, model.TableSkippedFiles))
	if err != nil {
		return nil, err
	}
	out := make([]skippedFile, len(rows))
	for i, r := range rows {
		out[i] = skippedFile{str(r[0]), str(r[1])}
	}
	return out, nil
}

// strs returns a DuckDB list value as strings (none for NULL).
func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = str(x)
	}
	return out
}

// fileNotes says what a reader of the file might not expect: its text
// encoding, the columns left unread, a workbook's hidden sheets, a
// reshaped table's files and the rows its steps left out or made.
func fileNotes(s inputFile) string {
	var notes []string
	if s.Encoding != "" {
		notes = append(notes, "decoded from "+s.Encoding)
	}
	if s.LineEndings == "cr" {
		notes = append(notes, "lines ending in CR alone (Excel's CSV for Macintosh)")
	}
	if len(s.Ignored) > 0 {
		notes = append(notes, "columns not used: "+someNames(s.Ignored))
	}
	if len(s.Hidden) > 0 {
		notes = append(notes, "hidden sheets not read: "+someNames(s.Hidden))
	}
	if len(s.Inputs) > 1 {
		notes = append(notes, fmt.Sprintf("read from %d files: %s", len(s.Inputs), someNames(s.Inputs)))
	}
	for _, f := range s.Filtered {
		notes = append(notes, fmt.Sprintf("%s rows left out: %s", thousands(f.Rows), f.Reason))
	}
	if s.Superseded > 0 {
		notes = append(notes, fmt.Sprintf("%s rows replaced by a later row of the same key (latest_by)", thousands(s.Superseded)))
	}
	if s.Added > 0 {
		notes = append(notes, fmt.Sprintf("%s rows made by splitting or joining rows", thousands(s.Added)))
	}
	return strings.Join(notes, "; ")
}
