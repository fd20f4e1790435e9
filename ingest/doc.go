// Package ingest reads a district's exports (CSV and text files, sheets of
// xlsx workbooks) into typed Arrow record batches of the canonical tables,
// validating every row.
//
// # Tables
//
// Tables declares the canonical tables in load order (schema.go): each
// table's columns (kind, range, allowed values, the table a column's IDs
// refer to, what a Redactor does to it), its key, and its rules that span
// columns or tables (a date within the school year, a coach's day of at
// most 24 hours). A new table is one declaration there, its rules beside
// it.
//
// # Contract
//
// A run uses the package in four steps:
//
//  1. Scan (or Discover, its sources alone) lists the sources of an input
//     folder in load order: one per CSV or text file, one per table sheet
//     of a workbook; what it does not read is in Discovery.Skipped, with
//     the reason. An unreadable workbook, a table given twice or a required
//     table missing is a *FileError, and nothing is returned.
//  2. NewKeys makes the run's key registry, given the tables present;
//     set Keys.Redact to hash IDs as they are read. Load a table after the
//     tables its columns refer to (Table.Refs): their keys check its rows.
//     Tables that do not refer to each other may load at once.
//     Keys.Release frees the registry once every table is loaded.
//  3. Open prepares to read one source: it finds the header among the
//     first rows and maps the columns. A structural fault (an empty file,
//     no header, a limit exceeded) is a *FileError and nothing is read.
//  4. The *Reader is an array.RecordReader: Next reads up to BatchRows
//     rows into a batch, Record returns it, valid until the next Next
//     (Retain it to keep it longer). A row that fails is in no batch: its
//     faults are in Reader.Rejects as RowError values, and reading goes
//     on. When Next returns false, Err is the structural fault that ended
//     the stream (an unreadable sheet, limits.max_rows, the context's
//     error), or nil at the end of the source; Stats then reconciles it
//     (RowsRead = RowsLoaded + RowsRejected). Retain adds a reference and
//     Release drops one; the last frees the builder, the current batch and
//     the file, and extra calls are ignored.
//
// Rows are numbered as the user sees them (RowError): the 1-based line a
// CSV record starts on, or the Excel row number, the header's row
// included. Every fault's Err is one of the sentinels in errors.go; test
// with errors.Is.
//
// # Files
//
// By role: discover.go (Scan), limits.go (Limits), rows.go (a source's
// rows, whatever its format; prefetch.go reads them ahead), csvrows.go and
// csvsplit.go (CSV and text), sheetrows.go, xlsx.go and numfmt.go
// (workbooks), readonce.go (a file's bytes and checksum), header.go and
// mapping.go (finding and mapping the header), reader.go (Open and the
// Reader), convert.go (a cell's text to its value; values.go parses dates,
// years, grades, numbers), checks.go (running a table's rules), keys.go
// and keyset*.go (the key registry, duplicate keys), redact.go
// (Redactor), errors.go (sentinels, RowError, FileError), rejects.go (the
// rejects as Arrow).
package ingest
