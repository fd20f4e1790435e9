package ingest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// headerScan is how many rows from the top are searched for the header.
const headerScan = 20

// How firmly a header names a column, strongest first. Of the headers that
// name one column, the strongest is read; the others are not used; two of
// equal strength are a tie (ErrDuplicateColumn).
const (
	tierMapped  = iota // the mapping names it: [mapping.columns] "X" = "col"
	tierExact          // the canonical name itself, e.g. "Scale Score"
	tierAlias          // a specific alias (Column.Aliases), e.g. "RIT Score"
	tierGeneric        // a generic alias (Column.Generic), e.g. "Score"
)

// tierWhy says, for Stats.Why, how a header of the tier named its column.
var tierWhy = [...]string{tierMapped: "mapping", tierExact: "exact", tierAlias: "alias", tierGeneric: "generic"}

// whyTier is Stats.Why of a header of the tier: a mapped header says
// where its mapping is written (from: "mapping" or "profile NAME") when
// that is known.
func whyTier(tier int, from string) string {
	if tier == tierMapped && from != "" {
		return from
	}
	return tierWhy[tier]
}

// entityWords are the bare entity words. Such a header holds names as
// often as IDs: it is never read as an ID, only as the table's name column
// for the entity (Column.Generic of school_name, district_name,
// coach_name), else not used.
var entityWords = []string{"school", "student", "teacher", "coach", "district"}

// columnMap says where each canonical column of a table is in a source.
type columnMap struct {
	index   []int    // per table column: source cell index, or -1 when absent
	source  []string // per table column: the source header text, or ""
	tier    []int    // per table column: how firmly its header names it (tierMapped...)
	ignored []string // source headers that are not used, in header order
	ties    []tie    // columns named by two headers of equal strength
}

// tie is a column two or more headers name equally firmly.
type tie struct {
	col     int
	tier    int
	headers []string
}

// spelling is what one normalised header spelling means in a table:
// column position (-1 for the mapping's Ignore) and strength.
type spelling struct{ col, tier int }

// spellings returns every header spelling table t knows, with the
// mapping's renames (normalised source header -> column or Ignore) over
// the canonical names, over the specific aliases, over the generic ones.
// Within one tier the first column keeps a spelling two columns share.
func spellings(t *Table, renames map[string]string) map[string]spelling {
	lookup := map[string]spelling{}
	put := func(s string, sp spelling) {
		n := normalize(s)
		if prev, ok := lookup[n]; ok && prev.tier <= sp.tier {
			return
		}
		lookup[n] = sp
	}
	for i, c := range t.Columns {
		put(c.Name, spelling{i, tierExact})
		for _, a := range c.Aliases {
			put(a, spelling{i, tierAlias})
		}
		for _, a := range c.Generic {
			put(a, spelling{i, tierGeneric})
		}
	}
	for _, src := range sortedKeys(renames) {
		col := renames[src]
		if col == Ignore {
			lookup[src] = spelling{-1, tierMapped}
			continue
		}
		for i, c := range t.Columns {
			if c.Name == col {
				lookup[src] = spelling{i, tierMapped}
			}
		}
	}
	return lookup
}

// matchHeader maps one candidate header row onto table t and returns the
// map and how many columns it names. renames are the mapping's
// (normalised source header -> canonical column or Ignore).
func matchHeader(t *Table, row []string, renames map[string]string) (columnMap, int) {
	lookup := spellings(t, renames)
	cm := columnMap{index: make([]int, len(t.Columns)), source: make([]string, len(t.Columns)), tier: make([]int, len(t.Columns))}
	claims := make([][]int, len(t.Columns)) // per column: the cells that name it
	sp := make([]spelling, len(row))
	used := make([]bool, len(row))
	for j, h := range row {
		s, ok := lookup[normalize(h)]
		if !ok || s.col < 0 {
			continue
		}
		sp[j] = s
		claims[s.col] = append(claims[s.col], j)
	}
	matched := 0
	for i := range t.Columns {
		cm.index[i] = -1
		best := bestClaims(claims[i], sp)
		if len(best) == 0 {
			continue
		}
		matched++
		cm.index[i], cm.source[i], cm.tier[i] = best[0], strings.TrimSpace(row[best[0]]), sp[best[0]].tier
		used[best[0]] = true
		if len(best) > 1 {
			tt := tie{col: i, tier: sp[best[0]].tier}
			for _, j := range best {
				tt.headers = append(tt.headers, strings.TrimSpace(row[j]))
				used[j] = true
			}
			cm.ties = append(cm.ties, tt)
		}
	}
	for j, h := range row {
		if !used[j] && strings.TrimSpace(h) != "" {
			cm.ignored = append(cm.ignored, strings.TrimSpace(h))
		}
	}
	return cm, matched
}

// bestClaims returns the cells among claims of the strongest tier, in
// header order.
func bestClaims(claims []int, sp []spelling) []int {
	var best []int
	for _, j := range claims {
		switch {
		case len(best) == 0 || sp[j].tier < sp[best[0]].tier:
			best = []int{j}
		case sp[j].tier == sp[best[0]].tier:
			best = append(best, j)
		}
	}
	return best
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
		return columnMap{}, 0, noHeader(file, sheet, t, bestMap, best, lines)
	}
	if len(bestMap.ties) > 0 {
		tt := bestMap.ties[0]
		return columnMap{}, 0, &FileError{File: file, Sheet: sheet, Column: t.Columns[tt.col].Name, Err: fmt.Errorf("%w: %s", ErrDuplicateColumn, tieAdvice(t, tt))}
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
			Err: fmt.Errorf("%w (header on row %d; %s)", ErrMissingColumn, lines[best], missingAdvice(t, missing, rows[best]))}
	}
	return bestMap, best, nil
}

// noHeader is the error for rows none of which names two columns of t:
// what the best candidate (row best, -1 when no row names any) lacks.
func noHeader(file, sheet string, t *Table, cm columnMap, best int, lines []int) error {
	var want []string
	for i, c := range t.Columns {
		if c.Required && (best < 0 || cm.index[i] < 0) {
			want = append(want, c.Name)
		}
	}
	if best < 0 {
		return &FileError{File: file, Sheet: sheet, Err: fmt.Errorf("%w in the first %d rows: expected columns %s", ErrNoHeader, headerScan, strings.Join(want, ", "))}
	}
	return &FileError{File: file, Sheet: sheet, Err: fmt.Errorf("%w: the best candidate, row %d, lacks the required columns %s", ErrNoHeader, lines[best], strings.Join(want, ", "))}
}

// tieAdvice says which headers tie for a column and the mapping line that
// settles it.
func tieAdvice(t *Table, tt tie) string {
	col := t.Columns[tt.col].Name
	if tt.tier == tierMapped {
		return fmt.Sprintf("headers %s are both mapped to %s: keep one of the %s [mapping] lines", andList(tt.headers), col, countWord(len(tt.headers)))
	}
	var lines []string
	for _, h := range tt.headers[:len(tt.headers)-1] {
		lines = append(lines, fmt.Sprintf("%q = %q", h, Ignore))
	}
	both := "both"
	if len(tt.headers) > 2 {
		both = "all"
	}
	return fmt.Sprintf("columns %s %s read as %s: add [mapping.tables.%s.columns] %s (or map one to another column)", andList(tt.headers), both, col, t.Name, strings.Join(lines, ", "))
}

// missingAdvice says how to name missing columns: for an ID column whose
// bare entity word is in the header ("District", read as a name or not
// used), the mapping line that reads it as IDs.
func missingAdvice(t *Table, missing, header []string) string {
	for _, col := range missing {
		word := strings.TrimSuffix(col, "_id")
		if word == col || !slices.Contains(entityWords, word) {
			continue
		}
		for _, h := range header {
			if h = strings.TrimSpace(h); normalize(h) == word {
				return fmt.Sprintf("a bare %q header is taken to hold names, never IDs: if it holds IDs, add [mapping.tables.%s.columns] %q = %q", h, t.Name, h, col)
			}
		}
	}
	return "add an alias in the mapping file if the column is there under another name"
}

func countWord(n int) string {
	if n == 2 {
		return "two"
	}
	return fmt.Sprint(n)
}

// andList quotes ss and joins them: "a", "b" and "c".
func andList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
