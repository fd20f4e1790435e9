package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Source is where one table's rows are: a CSV file, or a sheet of a
// workbook.
type Source struct {
	Path  string // path of the file
	File  string // base name of the file
	Sheet string // sheet name, for workbooks
	Table *Table
	// Hidden lists the workbook's hidden sheets, which are never read.
	Hidden []string

	// afterSum, in tests, runs once a workbook is hashed for its read.
	afterSum func()
}

// Name is how messages and the manifest name the source: "rosters.csv" or
// "coaching.xlsx[coaching_sessions]".
func (s *Source) Name() string {
	if s.Sheet == "" {
		return s.File
	}
	return s.File + "[" + s.Sheet + "]"
}

func isCSV(ext string) bool  { return ext == ".csv" || ext == ".tsv" || isText(ext) }
func isXLSX(ext string) bool { return ext == ".xlsx" || ext == ".xlsm" }

// isText reports a plain-text extension: such a file is read as delimited
// text when its name or its header names a table (PowerSchool's
// student.export.text), else skipped.
func isText(ext string) bool { return ext == ".txt" || ext == ".text" }

// Skipped is a file or sheet of the input folder that is not read, and
// why. A run lists them (run.json's skipped_files): nothing is dropped
// unseen.
type Skipped struct {
	File   string `json:"file"`
	Sheet  string `json:"sheet,omitempty"`
	Reason string `json:"reason"`
}

// Name is "NOTES.md" or "coaching.xlsx[Notes]".
func (s Skipped) Name() string {
	if s.Sheet == "" {
		return s.File
	}
	return s.File + "[" + s.Sheet + "]"
}

// Discovery is what Scan found in an input folder: the sources in load
// order, and the files and sheets it does not read, in folder order.
type Discovery struct {
	Sources []*Source
	Skipped []Skipped
}

// Discover is Scan's sources alone.
func Discover(dir string, tables []*Table, m *Mapping, lim Limits) ([]*Source, error) {
	d, err := Scan(dir, tables, m, lim)
	return d.Sources, err
}

// Scan lists the sources in dir: one per CSV or text file and one per
// table sheet of each workbook. A file or sheet that names no table, and
// a file of another kind (README.md), is skipped with the reason; files
// starting with "." or "~$" (Excel's lock files) are passed over. It
// returns a *FileError for an unreadable workbook, a table given twice, or
// a required table that is missing.
func Scan(dir string, tables []*Table, m *Mapping, lim Limits) (Discovery, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Discovery{}, &FileError{File: dir, Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
	}
	byFile, err := m.fileTables(tables) // normalised file or sheet name -> table, from the mapping
	if err != nil {
		return Discovery{}, &FileError{File: dir, Err: err}
	}
	lookup := func(name string) *Table {
		if t := byFile[normalize(name)]; t != nil {
			return t
		}
		return TableByName(tables, name)
	}
	var d Discovery
	seen := map[string]*Source{}
	add := func(s *Source) error {
		if prev := seen[s.Table.Name]; prev != nil {
			return &FileError{File: s.File, Sheet: s.Sheet, Err: fmt.Errorf("%w: %s is also in %s", ErrDuplicateTable, s.Table.Name, prev.Name())}
		}
		seen[s.Table.Name] = s
		d.Sources = append(d.Sources, s)
		return nil
	}
	skip := func(file, sheet, reason string) {
		d.Skipped = append(d.Skipped, Skipped{File: file, Sheet: sheet, Reason: reason})
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") {
			continue
		}
		ext := strings.ToLower(filepath.Ext(name))
		base := strings.TrimSuffix(name, filepath.Ext(name))
		path := filepath.Join(dir, name)
		switch {
		case e.IsDir():
			skip(name, "", "a folder: only the files directly in the input folder are read")
		case isCSV(ext):
			t := lookup(base)
			if t == nil && isText(ext) {
				t = textTable(path, base, tables, m, lim, lookup)
				if t == nil {
					skip(name, "", fmt.Sprintf("not a known table (neither its name nor its header names one); map it with [mapping.tables.X] file = %q to read it", name))
					continue
				}
			}
			if t == nil {
				skip(name, "", fmt.Sprintf("not a known table; map it with [mapping.tables.X] file = %q to read it", name))
				continue
			}
			if err := add(&Source{Path: path, File: name, Table: t}); err != nil {
				return Discovery{}, err
			}
		case isXLSX(ext):
			if err := scanWorkbook(path, name, lim, lookup, add, skip); err != nil {
				return Discovery{}, err
			}
		default:
			skip(name, "", "not a CSV, text or xlsx file")
		}
	}
	if err := missingTables(dir, tables, seen, d.Skipped); err != nil {
		return Discovery{}, err
	}
	// Load order is the order of tables.
	order := map[string]int{}
	for i, t := range tables {
		order[t.Name] = i
	}
	sort.SliceStable(d.Sources, func(i, j int) bool { return order[d.Sources[i].Table.Name] < order[d.Sources[j].Table.Name] })
	return d, nil
}

// scanWorkbook adds the table sheets of the workbook at path: the one
// sheet of a workbook named after a table, else every sheet named after
// one; the other sheets are skipped.
func scanWorkbook(path, name string, lim Limits, lookup func(string) *Table, add func(*Source) error, skip func(file, sheet, reason string)) error {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	sheets, hidden, err := workbookSheets(path, lim)
	if err != nil {
		return &FileError{File: name, Err: err}
	}
	if len(sheets) == 0 {
		return &FileError{File: name, Err: fmt.Errorf("%w: no visible sheet", ErrUnreadable)}
	}
	if t := lookup(base); t != nil {
		// A workbook named after a table: the sheet named after it, else
		// the first visible sheet.
		sheet := sheets[0]
		for _, sh := range sheets {
			if lookup(sh) == t {
				sheet = sh
				break
			}
		}
		return add(&Source{Path: path, File: name, Sheet: sheet, Table: t, Hidden: hidden})
	}
	for _, sh := range sheets {
		t := lookup(sh)
		if t == nil {
			skip(name, sh, fmt.Sprintf("not a known table; map it with [mapping.tables.X] file = %q to read it", sh))
			continue
		}
		if err := add(&Source{Path: path, File: name, Sheet: sh, Table: t, Hidden: hidden}); err != nil {
			return err
		}
	}
	return nil
}

// textTable is the table a text file whose name (base) names none holds:
// the table named by its name up to the first dot ("student.export"), else
// the one table whose header the file's first rows give, with every
// required column (the one naming the most columns; none on a tie).
func textTable(path, base string, tables []*Table, m *Mapping, lim Limits, lookup func(string) *Table) *Table {
	if stem, _, ok := strings.Cut(base, "."); ok && stem != "" {
		if t := lookup(stem); t != nil {
			return t
		}
	}
	rows, lines := headRows(path, lim)
	if len(rows) == 0 {
		return nil
	}
	var best *Table
	bestN, tie := 0, false
	for _, t := range tables {
		renames, _, tm := m.forTable(t)
		cm, _, err := findHeader("", "", t, rows, lines, renames, tm.Defaults)
		if err != nil {
			continue
		}
		n := 0
		for _, i := range cm.index {
			if i >= 0 {
				n++
			}
		}
		switch {
		case n > bestN:
			best, bestN, tie = t, n, false
		case n == bestN:
			tie = true
		}
	}
	if tie {
		return nil
	}
	return best
}

// headRows returns the first rows of a delimited text file, as the header
// search sees them; none when it cannot be read.
func headRows(path string, lim Limits) ([][]string, []int) {
	c, err := openCSV(path, lim.withDefaults())
	if err != nil {
		return nil, nil
	}
	defer c.Close()
	var rows [][]string
	var lines []int
	for len(rows) < headerScan {
		rec, line, err := c.Next()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue
			}
			break
		}
		rows = append(rows, slices.Clone(rec))
		lines = append(lines, line)
	}
	return rows, lines
}

// missingTables is the error for required tables that seen lacks, naming
// the files skipped (one may be the table under another name).
func missingTables(dir string, tables []*Table, seen map[string]*Source, skipped []Skipped) error {
	var missing []string
	for _, t := range tables {
		if t.Required && seen[t.Name] == nil {
			missing = append(missing, t.Name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	also := ""
	if len(skipped) > 0 {
		names := make([]string, len(skipped))
		for i, s := range skipped {
			names[i] = s.Name()
		}
		also = "; skipped: " + andList(names)
	}
	return &FileError{File: dir, Err: fmt.Errorf("%w: %s (expected %s.csv or .xlsx, or a sheet of that name%s)", ErrMissingTable, strings.Join(missing, ", "), missing[0], also)}
}
