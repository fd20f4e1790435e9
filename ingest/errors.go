package ingest

import (
	"errors"
	"fmt"
	"strings"
)

// Reasons a row is rejected. A RowError wraps exactly one of them; test
// with errors.Is. The text of each is stored in the rejects table's reason
// column and is part of the output contract.
var (
	ErrMissing      = errors.New("missing required value")
	ErrBadDate      = errors.New("unrecognised date")
	ErrBadYear      = errors.New("unrecognised school year")
	ErrBadGrade     = errors.New("unrecognised grade")
	ErrBadBool      = errors.New("unrecognised yes/no value")
	ErrBadNumber    = errors.New("not a number")
	ErrRange        = errors.New("out of range")
	ErrBadValue     = errors.New("value not allowed")
	ErrDuplicateKey = errors.New("duplicate key")
	ErrUnknownID    = errors.New("unknown id")
	ErrOutsideYear  = errors.New("date outside school year")
	ErrDateOrder    = errors.New("end before start")
	ErrMalformedRow = errors.New("malformed row")
	ErrTooLong      = errors.New("value too long")
	ErrBadText      = errors.New("not valid UTF-8 text")
	ErrFuture       = errors.New("date in the future")
	ErrDayTotal     = errors.New("more than 24 hours in one day")
	// ErrAboveHeader is a row that looks like data (as many cells as a
	// data row) above the row chosen as the header: it is counted and
	// shown, not loaded.
	ErrAboveHeader = errors.New("above the header row")
	// ErrImplausible is a scale score outside the plausible bounds of
	// its assessment (Limits.ScaleScore).
	ErrImplausible = errors.New("scale score out of plausible range")
)

// Structural faults: the file cannot be used and the run stops. A FileError
// wraps one of them.
var (
	// Deprecated: ErrUnknownTable is no longer returned: a file that
	// names no table is skipped (Discovery.Skipped), not a stop.
	ErrUnknownTable    = errors.New("unknown table")
	ErrMissingColumn   = errors.New("missing required column")
	ErrDuplicateColumn = errors.New("column given twice")
	ErrNoHeader        = errors.New("no header row found")
	ErrDuplicateTable  = errors.New("table given twice")
	ErrMissingTable    = errors.New("missing required table")
	ErrUnreadable      = errors.New("unreadable file")
	ErrLimit           = errors.New("size limit exceeded")
)

// RowError describes one rejected value. Row is the row number as the user
// sees it: for a CSV file the 1-based line on which the record starts
// (header line included), for a sheet the 1-based Excel row number. Column is
// the canonical column name, or "" when the fault is the whole row.
type RowError struct {
	File   string // file name as found in the input folder
	Sheet  string // sheet name for workbooks, else ""
	Table  string // canonical table name
	Row    int
	Column string
	Value  string
	Err    error  // one of the Err* row sentinels
	Detail string // optional extra words, e.g. the conflicting row
}

// Error names the file, the row, the column when known, and the cause.
func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, "[%s]", e.Sheet)
	}
	fmt.Fprintf(&b, ": row %d", e.Row)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", truncate(e.Value, 80))
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	return b.String()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *RowError) Unwrap() error { return e.Err }

// FileError is a structural fault: the file (or its sheet) cannot be loaded
// and the run must stop. Column names the canonical column concerned, if any.
type FileError struct {
	File   string
	Sheet  string
	Column string
	Err    error
}

// Error names the file and the cause.
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, "[%s]", e.Sheet)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %s", e.Column)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *FileError) Unwrap() error { return e.Err }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "..."
}

var rowSentinels = []error{ErrMissing, ErrBadDate, ErrBadYear, ErrBadGrade, ErrBadBool, ErrBadNumber,
	ErrRange, ErrBadValue, ErrDuplicateKey, ErrUnknownID, ErrOutsideYear, ErrDateOrder, ErrMalformedRow, ErrTooLong, ErrBadText, ErrFuture, ErrDayTotal, ErrAboveHeader, ErrImplausible}

// Reason is the text of the row sentinel err wraps ("unrecognised date"),
// or err's own text when it wraps none.
func Reason(err error) string {
	for _, s := range rowSentinels {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return err.Error()
}
