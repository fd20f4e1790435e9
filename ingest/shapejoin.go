package ingest

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// refTable is the rows a join looks values up in: another file's (by its
// headers) or a canonical table's as it loads (by column name).
type refTable struct {
	name   string         // for messages: "staffSectionAssociations.csv", "table teachers"
	header []string       // the columns as named, by position
	cols   map[string]int // normalised column -> position
	rows   [][]string
}

// value is row r's value of column c ("a+b": a and b joined by a space).
func (rt *refTable) value(r int, c string) (string, bool) {
	var parts []string
	for _, p := range strings.Split(c, "+") {
		i, ok := rt.cols[normalize(strings.TrimSpace(p))]
		if !ok {
			return "", false
		}
		v := ""
		if i < len(rt.rows[r]) {
			v = strings.TrimSpace(rt.rows[r][i])
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " "), true
}

// reference loads (once) the rows join j looks up.
func (s *shaper) reference(j Join) (*refTable, error) {
	key := "file:" + j.File + "\x00" + j.Sheet + "\x00" + strings.Join(j.Unnest, ",")
	if j.Table != "" {
		key = "table:" + j.Table
	}
	if rt, ok := s.refs[key]; ok {
		return rt, nil
	}
	var rt *refTable
	var err error
	if j.Table != "" {
		rt, err = s.env.tableRows(s.ctx, j.Table)
	} else {
		rt, err = s.env.fileRows(j.File, j.Sheet, s.sums)
	}
	if err != nil {
		return nil, err
	}
	unnestRef(rt, j.Unnest)
	s.refs[key] = rt
	return rt, nil
}

// matchKey is how a value compares under match mode ("exact": trimmed,
// any case; "name": also punctuation and extra space ignored, "Last,
// First" read as "First Last"; an e-mail address compares whole).
func matchKey(mode, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if mode != "name" || strings.Contains(v, "@") {
		return v
	}
	if a, b, ok := strings.Cut(v, ","); ok && !strings.Contains(b, ",") {
		v = strings.TrimSpace(b) + " " + strings.TrimSpace(a)
	}
	return strings.Join(strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

// joinStep brings join j's Take columns into the rows of f.
func (s *shaper) joinStep(f *frame, n int, j Join) error {
	at := fmt.Sprintf("mapping.tables.%s.join[%d]", s.t.Name, n)
	keys := sortedKeys(j.On)
	src := make([]int, len(keys))
	for i, h := range keys {
		if src[i] = f.use(h); src[i] < 0 {
			f.skipped = append(f.skipped, fmt.Sprintf("join[%d] (no %s)", n, h))
			return nil
		}
	}
	date := -1
	if len(j.During) == 3 {
		if date = f.use(j.During[0]); date < 0 {
			f.skipped = append(f.skipped, fmt.Sprintf("join[%d] (no %s)", n, j.During[0]))
			return nil
		}
	}
	if j.File != "" && j.Optional && len(s.env.glob(j.File)) == 0 {
		// An optional file the district has not written (a crosswalk
		// for codes that need none): the step does nothing.
		f.skipped = append(f.skipped, fmt.Sprintf("join[%d] (no file %s)", n, j.File))
		return nil
	}
	rt, err := s.reference(j)
	if err != nil {
		return err
	}
	for _, h := range keys {
		for _, c := range j.On[h] {
			if _, ok := rt.value(0, c); !ok && len(rt.rows) > 0 {
				return &FileError{File: rt.name, Err: fmt.Errorf("%w: %s.on.%s names %q, which %s does not have", ErrMissingColumn, at, h, c, rt.name)}
			}
		}
	}
	takes := sortedKeys(j.Take)
	for _, col := range takes {
		if _, ok := rt.value(0, j.Take[col]); !ok && len(rt.rows) > 0 {
			return &FileError{File: rt.name, Err: fmt.Errorf("%w: %s.take.%s names %q, which %s does not have", ErrMissingColumn, at, col, j.Take[col], rt.name)}
		}
	}
	refRows := s.refRowsWhere(rt, j.Where)
	// Index the first pair's alternatives: value -> reference rows.
	index := make([]map[string][]int, len(j.On[keys[0]]))
	for a, c := range j.On[keys[0]] {
		index[a] = map[string][]int{}
		for _, r := range refRows {
			v, _ := rt.value(r, c)
			if v == "" {
				continue
			}
			k := matchKey(j.Match, v)
			index[a][k] = append(index[a][k], r)
		}
	}
	outs := make([]int, len(takes))
	for i, col := range takes {
		outs[i] = f.makeCol(col, fmt.Sprintf("derived: %s of %s matching %s", j.Take[col], rt.name, strings.Join(keys, ", ")))
	}
	var rows [][]string
	var orig []origin
	for k, row := range f.rows {
		if j.Fill && filled(row, outs) {
			rows, orig = append(rows, row), append(orig, f.orig[k])
			continue
		}
		first := matchKey(j.Match, f.cell(k, src[0]))
		var cand []int
		for a := range index {
			if cand = index[a][first]; len(cand) > 0 {
				break
			}
		}
		cand = s.narrow(f, k, j, rt, keys, src, date, cand)
		vals := distinctTakes(rt, cand, takes, j.Take)
		switch {
		case len(vals) == 0 && j.Optional:
			rows, orig = append(rows, row), append(orig, f.orig[k])
		case len(vals) == 0:
			s.reject(f.orig[k], keys[0], f.cell(k, src[0]), ErrNoMatch, fmt.Sprintf("no row of %s has %s (%s)", rt.name, describeOn(j, keys, f, k, src, date), at))
		case len(vals) > 1 && j.Rows != "many":
			s.reject(f.orig[k], keys[0], f.cell(k, src[0]), ErrAmbiguous, fmt.Sprintf("%d rows of %s match, giving %s: add where to %s, or rows = \"many\"", len(vals), rt.name, strings.Join(vals[0], "/")+" and "+strings.Join(vals[1], "/"), at))
		default:
			for _, v := range vals {
				r := slices.Clone(row)
				for i, o := range outs {
					r[o] = v[i]
				}
				rows, orig = append(rows, r), append(orig, f.orig[k])
			}
			s.added += len(vals) - 1
		}
	}
	f.rows, f.orig = rows, orig
	return nil
}

// narrow keeps the candidates that also match the other pairs of On and
// whose period (During) holds the row's date.
func (s *shaper) narrow(f *frame, k int, j Join, rt *refTable, keys []string, src []int, date int, cand []int) []int {
	var out []int
	var d Date
	if date >= 0 {
		var err error
		if d, err = ParseDate(f.cell(k, date)); err != nil {
			return nil
		}
	}
next:
	for _, r := range cand {
		for i := 1; i < len(keys); i++ {
			want := matchKey(j.Match, f.cell(k, src[i]))
			ok := false
			for _, c := range j.On[keys[i]] {
				if v, _ := rt.value(r, c); matchKey(j.Match, v) == want {
					ok = true
				}
			}
			if !ok {
				continue next
			}
		}
		if date >= 0 {
			from, _ := rt.value(r, j.During[1])
			to, _ := rt.value(r, j.During[2])
			if !periodHolds(d, from, to) {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// periodHolds reports whether the period from to to (dates as text; a
// blank end is open) holds day d.
func periodHolds(d Date, from, to string) bool {
	a, err := ParseDate(from)
	if err != nil || d < a {
		return false
	}
	if to == "" {
		return true
	}
	b, err := ParseDate(to)
	return err == nil && d <= b
}

// refRowsWhere is the reference rows that join j's Where keeps.
func (s *shaper) refRowsWhere(rt *refTable, where map[string]TextList) []int {
	var out []int
next:
	for r := range rt.rows {
		for _, h := range sortedKeys(where) {
			v, ok := rt.value(r, h)
			if !ok || !holds(where[h], v) {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

// distinctTakes is the distinct tuples of Take values of rows, in order.
func distinctTakes(rt *refTable, rows []int, takes []string, take map[string]string) [][]string {
	var out [][]string
	seen := map[string]bool{}
	for _, r := range rows {
		v := make([]string, len(takes))
		for i, col := range takes {
			v[i], _ = rt.value(r, take[col])
		}
		k := strings.Join(v, "\x00")
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

func filled(row []string, cols []int) bool {
	for _, c := range cols {
		if c >= len(row) || strings.TrimSpace(row[c]) == "" {
			return false
		}
	}
	return true
}

// describeOn says what a row looked for: `Teacher = "Ann Lee"`.
func describeOn(j Join, keys []string, f *frame, k int, src []int, date int) string {
	var parts []string
	for i, h := range keys {
		parts = append(parts, fmt.Sprintf("%s = %q", strings.Join(j.On[h], " or "), f.cell(k, src[i])))
	}
	if date >= 0 {
		parts = append(parts, fmt.Sprintf("%s to %s holding %s", j.During[1], j.During[2], f.cell(k, date)))
	}
	return strings.Join(parts, ", ")
}
