package ingest

import "strings"

// rowReader yields the rows of a source. Next returns the cells of the next
// non-blank row and its row number (see RowError), io.EOF at the end, a
// *csv.ParseError for a malformed CSV record (reading may go on), or any
// other error for an unreadable file.
type rowReader interface {
	Next() ([]string, int, error)
	Close() error
	// Sum returns the hex sha256 of the whole file; valid after io.EOF.
	Sum() string
	// Date1904 reports whether the workbook counts dates from 1904.
	Date1904() bool
	// Encoding names a text encoding other than UTF-8 that the file was
	// decoded from, else "".
	Encoding() string
	// LineEndings is "cr" for a file whose lines end in CR alone, else "".
	LineEndings() string
}

// openRows opens the rows of src: a workbook sheet, else a CSV or text
// file read ahead (prefetch).
func openRows(src *Source, lim Limits) (rowReader, error) {
	if src.Sheet != "" {
		return openSheet(src, lim)
	}
	rows, err := openCSV(src.Path, lim)
	if err != nil {
		return nil, err
	}
	return newPrefetch(rows), nil
}

// blank reports whether every cell of rec is empty or space.
func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}
