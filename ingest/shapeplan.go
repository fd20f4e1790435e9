package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// shapePlan is how a reshaped table is read: its files (relative to the
// input folder, in order) and the mapping's steps, or, for From, the
// table it is made from.
type shapePlan struct {
	env     *shapeEnv
	tm      TableMapping
	files   []string
	from    string
	profile string   // the profile whose mapping gives the table, or ""
	parts   []string // every file read: files, then the joins' (sorted, once each)
}

// Parts lists the files a source reads, relative to the input folder:
// the file itself, or for a reshaped table its files and its joins'.
// The source's Stats.SHA256 is then CombineSums of their checksums.
func (s *Source) Parts() []string {
	if s.plan == nil {
		return []string{s.File}
	}
	return s.plan.parts
}

// Reshaped reports whether the source is a table the mapping reshapes:
// its Stats.SHA256 is then CombineSums of its Parts'.
func (s *Source) Reshaped() bool { return s.plan != nil }

// Dir is the input folder a source was found in, for its Parts.
func (s *Source) Dir() string {
	if s.plan == nil {
		return filepath.Dir(s.Path)
	}
	return s.plan.env.dir
}

// CombineSums is one checksum of several files' checksums (hex sha256),
// by their relative paths: the Stats.SHA256 of a reshaped table.
func CombineSums(rels, sums []string) string {
	h := sha256.New()
	for i := range rels {
		fmt.Fprintf(h, "%s\x00%s\n", rels[i], sums[i])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// describe names the plan's files for messages: "a.csv", "*/b.csv (4
// files)", "coaching_sessions (made from its rows)".
func (p *shapePlan) describe() string {
	switch {
	case p.from != "":
		return p.from + " (one cycle per coach, teacher and school year)"
	case len(p.files) == 1:
		return p.files[0]
	}
	return fmt.Sprintf("%s (%d files)", strings.Join(p.tm.patterns(), ", "), len(p.files))
}

// shapeEnv is what the reshaping of every table of one input folder
// shares: the folder, its files, the sources of the tables (for joins on
// a table) and the mapping.
type shapeEnv struct {
	dir     string
	lim     Limits
	m       *Mapping
	tables  []*Table
	sources map[string]*Source
	// cyclesMade is set when coaching_cycles is made from the sessions'
	// cycle() derivation: cycle() then names a cycle per coach, teacher
	// and school year instead of looking it up.
	cyclesMade bool

	listOnce sync.Once
	files    []string // every file under dir: see allFiles
}

// allFiles is every file under the folder, relative, "/"-separated and
// sorted (listFiles), walked the first time a pattern needs it: a folder
// read without reshaping is never walked.
func (e *shapeEnv) allFiles() []string {
	e.listOnce.Do(func() { e.files = listFiles(e.dir) })
	return e.files
}

// glob returns the files of the folder matching pattern p, in order.
func (e *shapeEnv) glob(p string) []string {
	re, err := globRegexp(p)
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range e.allFiles() {
		if re.MatchString(f) {
			out = append(out, f)
		}
	}
	return out
}

// fileRows reads the files matching pattern p as one reference, their
// rows aligned by header.
func (e *shapeEnv) fileRows(p, sheet string, sums map[string]string) (*refTable, error) {
	files := e.glob(p)
	if len(files) == 0 {
		return nil, &FileError{File: p, Err: fmt.Errorf("%w: no file of the input folder matches %q (a join's file)", ErrMissingTable, p)}
	}
	rt := &refTable{name: strings.Join(files, ", "), cols: map[string]int{}}
	for _, rel := range files {
		rf, err := readRaw(e.dir, rel, sheet, 0, e.lim)
		if err != nil {
			return nil, err
		}
		sums[rf.rel] = rf.sum
		pos := make([]int, len(rf.header))
		for i, h := range rf.header {
			n := normalize(h)
			if _, ok := rt.cols[n]; !ok {
				rt.cols[n] = len(rt.header)
				rt.header = append(rt.header, h)
			}
			pos[i] = rt.cols[n]
		}
		for _, rec := range rf.rows {
			row := make([]string, len(rt.cols))
			for i, v := range rec {
				if i < len(pos) {
					row[pos[i]] = v
				}
			}
			rt.rows = append(rt.rows, row)
		}
	}
	for k := range rt.rows { // rows read before a later file's new headers
		for len(rt.rows[k]) < len(rt.cols) {
			rt.rows[k] = append(rt.rows[k], "")
		}
	}
	return rt, nil
}

// tableRows reads canonical table name's rows as they load (valid rows
// only; its rejects are reported when it loads), as text by column.
func (e *shapeEnv) tableRows(ctx context.Context, name string) (*refTable, error) {
	src := e.sources[name]
	if src == nil {
		return nil, &FileError{File: name, Err: fmt.Errorf("%w: %s (a join reads it)", ErrMissingTable, name)}
	}
	r, err := Open(ctx, src, e.m, NewKeys(nil), memory.NewGoAllocator(), e.lim)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	t := src.Table
	rt := &refTable{name: "table " + name, cols: map[string]int{}}
	for i, c := range t.Columns {
		rt.cols[normalize(c.Name)] = i
		rt.header = append(rt.header, c.Name)
	}
	for r.Next() {
		rec := r.Record()
		for k := 0; k < int(rec.NumRows()); k++ {
			row := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				row[i] = refCellText(rec.Column(i), k, c.Kind)
			}
			rt.rows = append(rt.rows, row)
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return rt, nil
}

// refCellText is row k of an Arrow column of kind kind as text.
func refCellText(a arrow.Array, k int, kind Kind) string {
	if a.IsNull(k) {
		return ""
	}
	switch a := a.(type) {
	case *array.String:
		return a.Value(k)
	case *array.Int32:
		if kind == KindGrade && a.Value(k) == 0 {
			return "K"
		}
		return strconv.Itoa(int(a.Value(k)))
	case *array.Date32:
		return Date(a.Value(k)).String()
	case *array.Float64:
		return strconv.FormatFloat(a.Value(k), 'f', -1, 64)
	case *array.Boolean:
		if a.Value(k) {
			return "Y"
		}
		return "N"
	}
	return a.ValueStr(k)
}

// cycleOf is the coaching cycle of a session by coach and teacher on a
// date: the cycle of theirs whose period holds it, from coaching_cycles;
// or, when coaching_cycles is made from the sessions (cyclesMade), the
// one cycle of the coach and teacher in that school year.
func (s *shaper) cycleOf(coach, teacher, date string) (string, error) {
	if coach == "" || teacher == "" {
		return "", nil // a missing value, faulted when the row is read
	}
	d, err := ParseDate(date)
	if err != nil {
		return "", ErrBadDate
	}
	if s.env.cyclesMade {
		return s.madeCycleID(coach, teacher, SchoolYearOf(d)), nil
	}
	rt, err := s.reference(Join{Table: "coaching_cycles"})
	if err != nil {
		return "", err
	}
	var ids []string
	for r := range rt.rows {
		c, _ := rt.value(r, "coach_id")
		t, _ := rt.value(r, "teacher_id")
		if !strings.EqualFold(c, coach) || !strings.EqualFold(t, teacher) {
			continue
		}
		from, _ := rt.value(r, "start_date")
		to, _ := rt.value(r, "end_date")
		if !periodHolds(d, from, to) {
			continue
		}
		id, _ := rt.value(r, "cycle_id")
		ids = append(ids, id)
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("%w: no coaching cycle of coach %s and teacher %s holds %s", ErrNoMatch, coach, teacher, d)
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%w: cycles %s of coach %s and teacher %s all hold %s", ErrAmbiguous, strings.Join(ids, ", "), coach, teacher, d)
}

// madeCycleID names the cycle made for a coach, teacher and school year;
// when IDs are redacted, by its keyed hash (the name holds the teacher's
// ID, which must not be readable in it).
func (s *shaper) madeCycleID(coach, teacher string, year int) string {
	id := fmt.Sprintf("%s/%s/%d", coach, teacher, year)
	if s.redact != nil {
		return "cycle-" + s.redact.ID(id)
	}
	return id
}

// newShaper is a shaper of table t by mapping tm, its files' checksums
// kept in sums.
func newShaper(ctx context.Context, env *shapeEnv, t *Table, tm TableMapping, red *Redactor, sums map[string]string) *shaper {
	return &shaper{ctx: ctx, env: env, t: t, tm: tm, redact: red, from: map[string]string{}, filtered: map[string]int{}, refs: map[string]*refTable{}, sums: sums}
}

// frameOf reads the file at rel through the steps: its rows as they
// become the table's. A row with stray cells is rejected when reject is
// set (the table's own load), else left out.
func (s *shaper) frameOf(rel string, reject bool) (*frame, error) {
	rf, err := readRaw(s.env.dir, rel, s.tm.Sheet, s.tm.HeaderRow, s.env.lim)
	if err != nil {
		return nil, err
	}
	s.sums[rf.rel] = rf.sum
	stray := func(origin, int) {}
	if reject {
		stray = s.strayCells(len(rf.header))
	}
	f := newFrame(rf, stray)
	return f, s.steps(f)
}

// run reads the plan's files through the steps into the table's rows.
func (p *shapePlan) run(ctx context.Context, t *Table, renames, from map[string]string, red *Redactor) (*shaped, *shaper, error) {
	s := newShaper(ctx, p.env, t, p.tm, red, map[string]string{})
	s.renames, s.from, s.profile = renames, from, p.profile
	if p.from != "" {
		out, err := s.cyclesFromSessions(ctx)
		return out, s, err
	}
	out := &shaped{cols: map[string]string{}, why: map[string]string{}}
	type keyed struct {
		row   []string
		orig  origin
		order []orderKey
	}
	var all []keyed
	present := make([]bool, len(t.Columns))
	for _, rel := range p.files {
		if err := ctx.Err(); err != nil {
			return nil, s, err
		}
		f, err := s.frameOf(rel, true)
		if err != nil {
			return nil, s, err
		}
		rows, tiers, in, err := s.canonical(f)
		if err != nil {
			return nil, s, err
		}
		out.inputs = append(out.inputs, in)
		for i, c := range t.Columns {
			if h, ok := in.Columns[c.Name]; ok {
				present[i] = true
				if !strings.Contains(" / "+out.cols[c.Name]+" / ", " / "+h+" / ") {
					if out.cols[c.Name] != "" {
						out.cols[c.Name] += " / "
					}
					out.cols[c.Name] += h
				}
				out.why[c.Name] = whyOf(h, tiers[i], s.from[normalize(h)])
			}
		}
		by := s.orderCols(f, rows)
		for k, row := range rows {
			kr := keyed{row: row, orig: f.orig[k]}
			for _, c := range by {
				kr.order = append(kr.order, orderOf(c(k)))
			}
			all = append(all, kr)
		}
	}
	if err := p.unusedSteps(t, out.inputs); err != nil {
		return nil, s, err
	}
	if len(p.tm.LatestBy) > 0 {
		// Keep the latest row of each key: the greatest by LatestBy, the
		// later in file order on a tie.
		keyIdx := keyColumns(t)
		best := map[string]int{}
		for k, kr := range all {
			key := keyText(kr.row, keyIdx)
			if key == "" {
				continue
			}
			if b, ok := best[key]; !ok || compareOrder(all[b].order, kr.order) <= 0 {
				best[key] = k
			}
		}
		kept := all[:0]
		for k, kr := range all {
			key := keyText(kr.row, keyIdx)
			if key != "" && best[key] != k {
				s.superseded++
				continue
			}
			kept = append(kept, kr)
		}
		all = kept
	}
	for i, c := range t.Columns {
		if present[i] {
			out.header = append(out.header, c.Name)
		}
	}
	for _, kr := range all {
		row := make([]string, 0, len(out.header))
		for i := range t.Columns {
			if present[i] {
				row = append(row, kr.row[i])
			}
		}
		out.rows = append(out.rows, row)
		out.orig = append(out.orig, kr.orig)
	}
	return out, s, nil
}

// unusedSteps is the error for a step of the district's own mapping
// that no file could take (its header is in none: a typing slip). A
// profile's steps may fit one layout of the vendor's files only.
func (p *shapePlan) unusedSteps(t *Table, inputs []InputFile) error {
	if p.profile != "" || len(inputs) == 0 {
		return nil
	}
	count := map[string]int{}
	for _, in := range inputs {
		for _, s := range in.Skipped {
			count[s]++
		}
	}
	for _, step := range sortedKeys(count) {
		if count[step] == len(inputs) {
			return &FileError{File: p.describe(), Err: fmt.Errorf("%w: mapping.tables.%s.%s: no file has the header it reads", ErrMissingColumn, t.Name, step)}
		}
	}
	return nil
}

// whyOf says how a column of a reshaped file was found: made by a step,
// a default, or its header's tier (whyTier).
func whyOf(h string, tier int, from string) string {
	switch {
	case strings.HasPrefix(h, "derived: "):
		return h
	case strings.HasPrefix(h, "="):
		return "default"
	}
	return whyTier(tier, from)
}

// strayCells rejects a row with cells beyond its file's header: no
// column says what they are.
func (s *shaper) strayCells(width int) func(o origin, extra int) {
	return func(o origin, extra int) {
		s.reject(o, "", "", ErrMalformedRow, fmt.Sprintf("%d extra cells beyond the header's %d columns", extra, width))
	}
}

// orderCols returns, per LatestBy name, the function giving row k's
// value: a header or made column of f, else the table's column.
func (s *shaper) orderCols(f *frame, rows [][]string) []func(k int) string {
	var out []func(int) string
	for _, name := range s.tm.LatestBy {
		if i := f.use(name); i >= 0 {
			out = append(out, func(k int) string { return f.cell(k, i) })
			continue
		}
		for i, c := range s.t.Columns {
			if c.Name == name {
				out = append(out, func(k int) string { return rows[k][i] })
			}
		}
	}
	return out
}

// orderKey orders values of a LatestBy column: dates, then terms ("Fall
// 2022-2023"), then numbers, by value; text by itself.
type orderKey struct {
	rank int // 0 text, 1 number, 2 term, 3 date: comparable within a rank
	n    float64
	s    string
}

var termWords = map[string]float64{"fall": 0.1, "autumn": 0.1, "winter": 0.2, "spring": 0.3, "summer": 0.4}

func orderOf(v string) orderKey {
	v = strings.TrimSpace(v)
	if v == "" {
		return orderKey{rank: -1}
	}
	if d, err := ParseDate(v); err == nil && !isNumber(v) {
		return orderKey{rank: 3, n: float64(d) + timeOfDay(v)}
	}
	if w, rest, ok := strings.Cut(v, " "); ok {
		if f, ok := termWords[strings.ToLower(w)]; ok {
			if y, err := ParseSchoolYear(rest); err == nil {
				return orderKey{rank: 2, n: float64(y) + f}
			}
		}
	}
	if y, err := ParseSchoolYear(v); err == nil && !isNumber(v) {
		return orderKey{rank: 1, n: float64(y)}
	}
	if n, err := ParseNumber(v); err == nil {
		return orderKey{rank: 1, n: n}
	}
	return orderKey{rank: 0, s: strings.ToLower(v)}
}

// timeOfDay is the fraction of a day that the time after a date gives
// ("9/7/22 18:22", "2023-09-15T08:30:00Z", "9/16/2013 8:03:00 AM"): two
// tests of one day are ordered by it. 0 when there is none.
func timeOfDay(v string) float64 {
	i := strings.IndexAny(v, "T ")
	if i < 0 {
		return 0
	}
	clock := strings.TrimSpace(v[i+1:])
	for _, layout := range []string{"15:04", "15:04:05", "15:04:05Z07:00", "3:04 PM", "3:04:05 PM"} {
		if t, err := time.Parse(layout, clock); err == nil {
			return float64(t.Hour()*3600+t.Minute()*60+t.Second()) / 86400
		}
	}
	return 0
}

func compareOrder(a, b []orderKey) int {
	for i := range min(len(a), len(b)) {
		x, y := a[i], b[i]
		switch {
		case x.rank != y.rank:
			return x.rank - y.rank
		case x.n < y.n:
			return -1
		case x.n > y.n:
			return 1
		case x.s != y.s:
			return strings.Compare(x.s, y.s)
		}
	}
	return 0
}

// keyText is a row's key as compared for LatestBy, "" when a part is
// blank.
func keyText(row []string, idx []int) string {
	parts := make([]string, len(idx))
	for i, j := range idx {
		v := strings.ToLower(strings.TrimSpace(row[j]))
		if v == "" {
			return ""
		}
		parts[i] = v
	}
	return strings.Join(parts, "\x00")
}

// cyclesFromSessions makes coaching_cycles from the sessions' rows: one
// cycle per coach, teacher and school year (the cycle() derivation of
// coaching_sessions' cycle_id), from its first session to its last, stage
// unknown.
func (s *shaper) cyclesFromSessions(ctx context.Context) (*shaped, error) {
	src := s.env.sources["coaching_sessions"]
	if src == nil || src.plan == nil {
		return nil, &FileError{File: "coaching_cycles", Err: fmt.Errorf("%w: coaching_cycles is made from coaching_sessions, which has no reshaped source", ErrMissingTable)}
	}
	tm := src.plan.tm
	d, err := parseDerive("cycle_id", tm.Derive["cycle_id"])
	if err != nil || d.fn != "cycle" {
		return nil, &FileError{File: "coaching_cycles", Err: fmt.Errorf("%w: coaching_cycles is made from coaching_sessions, whose mapping must derive cycle_id = \"cycle(coach, teacher, date)\"", ErrMissingTable)}
	}
	ss := newShaper(ctx, s.env, src.Table, tm, s.redact, s.sums)
	type cyc struct {
		coach, teacher string
		year           int
		first, last    Date
		orig           origin
	}
	byID := map[string]*cyc{}
	var order []string
	out := &shaped{cols: map[string]string{}, why: map[string]string{}}
	for _, rel := range src.plan.files {
		f, err := ss.frameOf(rel, false) // the sessions' own load rejects their rows
		if err != nil {
			return nil, err
		}
		out.inputs = append(out.inputs, InputFile{Path: f.file.rel, Sheet: f.file.sheet, SHA256: f.file.sum, HeaderRow: f.file.headerRow, Rows: f.file.nrows, Columns: out.cols})
		id, c, t, dt := f.col("cycle_id"), f.col(d.args[0]), f.col(d.args[1]), f.col(d.args[2])
		if id < 0 || c < 0 || t < 0 || dt < 0 {
			continue
		}
		for k := range f.rows {
			day, err := ParseDate(f.cell(k, dt))
			if err != nil || f.cell(k, id) == "" {
				continue // the session's own load rejects it
			}
			x := byID[f.cell(k, id)]
			if x == nil {
				x = &cyc{coach: f.cell(k, c), teacher: f.cell(k, t), year: SchoolYearOf(day), first: day, last: day, orig: f.orig[k]}
				byID[f.cell(k, id)] = x
				order = append(order, f.cell(k, id))
			}
			x.first, x.last = min(x.first, day), max(x.last, day)
		}
	}
	sort.Strings(order)
	out.header = []string{"cycle_id", "coach_id", "teacher_id", "school_year", "start_date", "end_date"}
	how := "derived: one cycle per coach, teacher and school year of coaching_sessions"
	for _, h := range out.header {
		out.cols[h], out.why[h] = how, how
	}
	for _, id := range order {
		x := byID[id]
		out.rows = append(out.rows, []string{id, x.coach, x.teacher, strconv.Itoa(x.year), x.first.String(), x.last.String()})
		out.orig = append(out.orig, x.orig)
	}
	return out, nil
}

// relPath is rel with "/" separators.
func relPath(dir, path string) string {
	r, err := filepath.Rel(dir, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(r)
}
