package ingest

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// origin is where a row of a frame came from, as the user sees it.
type origin struct {
	file, sheet string
	row         int
}

// InputFile is one file a reshaped table was read from (Stats.Inputs).
type InputFile struct {
	Path      string `json:"path"` // relative to the input folder
	Sheet     string `json:"sheet,omitempty"`
	SHA256    string `json:"sha256"`
	HeaderRow int    `json:"header_row"`
	Rows      int    `json:"rows"` // data rows in the file
	// Columns says which header of this file each canonical column came
	// from, or how it was made ("derived: window(Completion Date)").
	Columns        map[string]string `json:"columns"`
	IgnoredColumns []string          `json:"ignored_columns,omitempty"`
	// Skipped lists the steps that did not apply to this file, because
	// the header they read is not in it (the other layout of a vendor's
	// export).
	Skipped []string `json:"skipped_steps,omitempty"`
}

// rawFile is one file's rows as read, before any step.
type rawFile struct {
	rel, sheet string
	header     []string
	rows       [][]string // released once a frame holds them (newFrame)
	lines      []int
	nrows      int // data rows in the file
	headerRow  int
	sum        string
}

// readRaw reads every row of the file at rel (relative to dir): the
// header is headerRow when given, else the first of the top rows with at
// least half as many cells as the widest (titles above it have one).
func readRaw(dir, rel, sheet string, headerRow int, lim Limits) (*rawFile, error) {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	src := &Source{Path: path, File: rel, Sheet: sheet}
	if isXLSX(strings.ToLower(filepath.Ext(rel))) && sheet == "" {
		vis, _, err := workbookSheets(path, lim)
		if err != nil {
			return nil, &FileError{File: rel, Err: err}
		}
		if len(vis) == 0 {
			return nil, &FileError{File: rel, Err: fmt.Errorf("%w: no visible sheet", ErrUnreadable)}
		}
		src.Sheet = vis[0]
	}
	if strings.HasSuffix(strings.ToLower(rel), ".jsonl") || strings.HasSuffix(strings.ToLower(rel), ".ndjson") {
		return readJSONLines(path, rel, lim)
	}
	rows, err := openRows(src, lim.withDefaults())
	if err != nil {
		return nil, &FileError{File: rel, Sheet: src.Sheet, Err: err}
	}
	defer rows.Close()
	rf := &rawFile{rel: rel, sheet: src.Sheet}
	var all [][]string
	var lines []int
	for {
		rec, line, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &FileError{File: rel, Sheet: src.Sheet, Err: fmt.Errorf("row %d: %w", line, err)}
		}
		if len(all) >= lim.withDefaults().MaxRows {
			return nil, &FileError{File: rel, Sheet: src.Sheet, Err: fmt.Errorf("%w: more than %d data rows (limits.max_rows)", ErrLimit, lim.MaxRows)}
		}
		all = append(all, append([]string(nil), rec...))
		lines = append(lines, line)
	}
	rf.sum = rows.Sum()
	if len(all) == 0 {
		return nil, &FileError{File: rel, Sheet: src.Sheet, Err: fmt.Errorf("%w: the file is empty", ErrNoHeader)}
	}
	h := pickHeader(all, lines, headerRow)
	if h < 0 {
		return nil, &FileError{File: rel, Sheet: src.Sheet, Err: fmt.Errorf("%w: no row %d (header_row)", ErrNoHeader, headerRow)}
	}
	rf.header, rf.headerRow = trimAll(all[h]), lines[h]
	rf.rows, rf.lines = all[h+1:], lines[h+1:]
	rf.nrows = len(rf.rows)
	return rf, nil
}

// pickHeader is the position of the header among rows: the row numbered
// headerRow when given (-1 if none is), else the first of the top rows
// with at least half as many non-blank cells as the widest of them.
func pickHeader(rows [][]string, lines []int, headerRow int) int {
	if headerRow > 0 {
		for k, l := range lines {
			if l == headerRow {
				return k
			}
		}
		return -1
	}
	filled := func(r []string) int {
		n := 0
		for _, c := range r {
			if strings.TrimSpace(c) != "" {
				n++
			}
		}
		return n
	}
	widest := 0
	for _, r := range rows[:min(len(rows), headerScan)] {
		widest = max(widest, filled(r))
	}
	for k, r := range rows[:min(len(rows), headerScan)] {
		if 2*filled(r) >= widest {
			return k
		}
	}
	return 0
}

func trimAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// frame is the rows of one file as the steps reshape them: the file's
// headers, then the columns steps made.
type frame struct {
	file  *rawFile
	cols  []string       // headers, then made columns
	index map[string]int // normalised header -> position (the first of equal ones)
	made  map[int]string // position of a made column -> how it was made
	rows  [][]string
	orig  []origin
	// skipped lists the steps that did not apply: their header is not
	// in this file.
	skipped []string
	used    map[int]bool // columns a step read: not "not used"
}

// newFrame holds the data rows of rf, cut to its header's width; a row
// with cells beyond the header is given to stray instead (no column says
// what they are). The file's rows are released: the frame has them.
func newFrame(rf *rawFile, stray func(o origin, extra int)) *frame {
	f := &frame{file: rf, index: map[string]int{}, made: map[int]string{}, used: map[int]bool{}}
	for _, h := range rf.header {
		f.addCol(h)
	}
	for k, rec := range rf.rows {
		if blank(rec) {
			continue
		}
		o := origin{file: rf.rel, sheet: rf.sheet, row: rf.lines[k]}
		extra := 0
		for _, c := range rec[min(len(rec), len(f.cols)):] {
			if strings.TrimSpace(c) != "" {
				extra++
			}
		}
		if extra > 0 {
			stray(o, extra)
			continue
		}
		row := make([]string, len(f.cols))
		copy(row, rec)
		f.rows = append(f.rows, row)
		f.orig = append(f.orig, o)
	}
	rf.rows = nil
	return f
}

// addCol appends a column and returns its position.
func (f *frame) addCol(name string) int {
	f.cols = append(f.cols, name)
	n := normalize(name)
	if _, ok := f.index[n]; !ok && n != "" {
		f.index[n] = len(f.cols) - 1
	}
	return len(f.cols) - 1
}

// col is the position of the header or made column named h, or -1.
func (f *frame) col(h string) int {
	if i, ok := f.index[normalize(h)]; ok {
		return i
	}
	return -1
}

// use is col for a step that reads the column: the column is then used
// even if no canonical column is read from it.
func (f *frame) use(h string) int {
	i := f.col(h)
	if i >= 0 {
		f.used[i] = true
	}
	return i
}

// makeCol is the position of the made column named name, how says how it
// is made: a made column replaces a header of the same name.
func (f *frame) makeCol(name, how string) int {
	i := f.col(name)
	if i < 0 {
		i = f.addCol(name)
		for k := range f.rows {
			f.rows[k] = append(f.rows[k], "")
		}
	}
	f.made[i] = how
	return i
}

// cell is row k's value of column i ("" past the end of a short row).
func (f *frame) cell(k, i int) string {
	if i < 0 || i >= len(f.rows[k]) {
		return ""
	}
	return strings.TrimSpace(f.rows[k][i])
}

// keep drops the rows for which keep is false.
func (f *frame) keep(keep func(k int) bool) {
	rows, orig := f.rows[:0], f.orig[:0]
	for k := range f.rows {
		if keep(k) {
			rows, orig = append(rows, f.rows[k]), append(orig, f.orig[k])
		}
	}
	f.rows, f.orig = rows, orig
}
