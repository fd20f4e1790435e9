package ingest

import (
	"fmt"
	"sort"
	"strings"
)

// headerScan is how many rows from the top are searched for the header.
const headerScan = 20

// columnMap says where each canonical column of a table is in a source.
type columnMap struct {
	index   []int    // per table column: source cell index, or -1 when absent
	source  []string // per table column: the source header text, or ""
	ignored []string // source headers that map to no column
}

// matchHeader maps one candidate header row onto table t. renames are the
// mapping's (normalised source header -> canonical column).
func matchHeader(t *Table, row []string, renames map[string]string) (columnMap, int) {
	lookup := map[string]int{} // normalised spelling -> column position
	for i, c := range t.Columns {
		for _, a := range c.Aliases {
			if _, ok := lookup[normalize(a)]; !ok {
				lookup[normalize(a)] = i
			}
		}
	}
	for i, c := range t.Columns { // canonical names win over aliases
		lookup[normalize(c.Name)] = i
	}
	for src, col := range renames { // the mapping wins over both
		for i, c := range t.Columns {
			if c.Name == col {
				lookup[src] = i
			}
		}
	}
	cm := columnMap{index: make([]int, len(t.Columns)), source: make([]string, len(t.Columns))}
	for i := range cm.index {
		cm.index[i] = -1
	}
	matched := 0
	for j, h := range row {
		n := normalize(h)
		if n == "" {
			continue
		}
		i, ok := lookup[n]
		if !ok {
			cm.ignored = append(cm.ignored, strings.TrimSpace(h))
			continue
		}
		if cm.index[i] >= 0 {
			// A second header for the same column: a conflict that
			// findHeader reports.
			cm.source[i] += "\x00" + strings.TrimSpace(h)
			continue
		}
		cm.index[i] = j
		cm.source[i] = strings.TrimSpace(h)
		matched++
	}
	return cm, matched
}

// findHeader picks, among the first rows, the one that names the most
// columns of t (the first such row on a tie). Rows above it are titles. It
// returns the column map and the position of the header in rows.
func findHeader(file, sheet string, t *Table, rows [][]string, lines []int, renames map[string]string, defaults map[string]string) (columnMap, int, error) {
	best, bestN := -1, 0
	var bestMap columnMap
	for k, row := range rows {
		cm, n := matchHeader(t, row, renames)
		if n > bestN {
			best, bestN, bestMap = k, n, cm
		}
	}
	if best < 0 || bestN < 2 {
		var want []string
		for _, c := range t.Columns {
			if c.Required {
				want = append(want, c.Name)
			}
		}
		return columnMap{}, 0, &FileError{File: file, Sheet: sheet, Err: fmt.Errorf("%w in the first %d rows: expected columns %s", ErrNoHeader, headerScan, strings.Join(want, ", "))}
	}
	for i, src := range bestMap.source {
		if strings.Contains(src, "\x00") {
			return columnMap{}, 0, &FileError{File: file, Sheet: sheet, Column: t.Columns[i].Name,
				Err: fmt.Errorf("%w: headers %s all mean %s", ErrDuplicateColumn, quoteList(strings.Split(src, "\x00")), t.Columns[i].Name)}
		}
	}
	var missing []string
	for i, c := range t.Columns {
		if c.Required && bestMap.index[i] < 0 {
			if _, ok := defaults[c.Name]; !ok {
				missing = append(missing, c.Name)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return columnMap{}, 0, &FileError{File: file, Sheet: sheet, Column: strings.Join(missing, ", "),
			Err: fmt.Errorf("%w (header on row %d; add an alias in the mapping file if the column is there under another name)", ErrMissingColumn, lines[best])}
	}
	return bestMap, best, nil
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
