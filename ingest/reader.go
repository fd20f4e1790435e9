package ingest

import (
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// BatchRows is the number of rows per Arrow record batch.
const BatchRows = 64 * 1024

// Keys holds the keys of the rows loaded so far, so that later tables can be
// checked against them. Load tables in the order Tables gives.
type Keys struct {
	ids        map[string]*keySet // table -> hashes of its loaded keys -> row (single-column keys)
	seed       maphash.Seed
	present    map[string]bool   // tables that were given
	cycleYear  map[string]int32  // cycle_id -> school_year
	cycleCoach map[string]string // cycle_id -> coach_id

	// Redact, when set, hashes student and teacher IDs as they are read
	// and drops teacher names, in every table alike (see Redactor).
	Redact *Redactor
}

// NewKeys returns an empty registry. present lists the tables that were
// given; references to a table that was not (coaches) are taken as given.
func NewKeys(present []string) *Keys {
	k := &Keys{ids: map[string]*keySet{}, seed: maphash.MakeSeed(), present: map[string]bool{}, cycleYear: map[string]int32{}, cycleCoach: map[string]string{}}
	for _, p := range present {
		k.present[p] = true
		k.ids[p] = &keySet{}
	}
	return k
}

// Release frees the registry's key tables once every table is loaded.
func (k *Keys) Release() {
	for _, s := range k.ids {
		s.release()
	}
}

// hash is the 64-bit hash a single-column key is remembered by: a false
// match needs a collision, about n^2/2^65 (1e-8 at a state's 750k
// students).
func (k *Keys) hash(id string) uint64 { return maphash.String(k.seed, id) }

// Stats reconciles one source: RowsRead = RowsLoaded + RowsRejected.
type Stats struct {
	Source         string            `json:"path"`
	Table          string            `json:"table"`
	SHA256         string            `json:"sha256"`
	HeaderRow      int               `json:"header_row"`
	Encoding       string            `json:"encoding,omitempty"`     // a text encoding other than UTF-8 the file was decoded from
	LineEndings    string            `json:"line_endings,omitempty"` // "cr" for a CSV file whose lines end in CR alone (Excel's CSV (Macintosh))
	Columns        map[string]string `json:"columns"`                // canonical -> source header, "=value" for a default
	IgnoredColumns []string          `json:"ignored_columns,omitempty"`
	HiddenSheets   []string          `json:"hidden_sheets,omitempty"` // of the workbook; not read
	RowsRead       int               `json:"rows_read"`
	RowsLoaded     int               `json:"rows_loaded"`
	RowsRejected   int               `json:"rows_rejected"`
}

// cell is one parsed value.
type cell struct {
	null bool
	s    string
	n    float64 // numbers, years, grades and dates (days) alike
	b    bool
}

// conv turns the text of one source column into a cell.
type conv struct {
	col     Column
	index   int // source index, -1 absent
	def     *string
	values  map[string]string // exact source value -> canonical
	valuesL map[string]string // lower-cased fallback
	scale   float64
	app     func(c cell)      // appends to the Arrow builder
	memo    map[string]string // folded spellings of a subject, enum or principles value
	ref     *keySet           // the keys the value must be among (Column.Ref, when that table was given)
	redact  bool              // hash the value (Keys.Redact)
	drop    bool              // leave the value out (Keys.Redact)
}

// Reader streams one source as Arrow record batches of the table's schema,
// validating every row. It implements array.RecordReader. Rows that fail
// are not in any batch; they are in Rejects. A structural fault met while
// reading (an unreadable sheet) ends the stream; Err returns it.
type Reader struct {
	ctx      context.Context
	src      *Source
	t        *Table
	lim      Limits
	rows     rowReader
	convs    []conv
	keyIdx   []int
	bld      *array.RecordBuilder
	rec      arrow.Record
	err      error
	refs     atomic.Int64
	keys     *Keys
	single   *keySet // hashes of the table's own one-column key -> first row
	seen     *keySet // hashes of composite keys -> first row
	seed     maphash.Seed
	keyBuf   []byte
	keyHash  uint64 // hash of the row's one-column key, set by checkRow
	pos      positions
	pending  [][]string // rows read past the header during detection
	plines   []int
	perrs    map[int]error // line -> CSV fault of the malformed records among pending
	row      []cell
	faults   []RowError
	stats    Stats
	date1904 bool
	width    int                  // cells in the header row
	line     int                  // row being parsed
	dayMin   map[coachDay]float64 // minutes loaded per coach and day (sessions)
	// lastScore is the assessment whose plausible scores scoreBounds
	// found last.
	lastScore struct {
		name, key string
		b         Bounds
	}

	Rejects []RowError
}

// Open prepares to read src as its table. It finds the header row and maps
// the columns; a structural fault is returned as a *FileError and nothing
// is read. Close the reader (Release) when done.
func Open(ctx context.Context, src *Source, m *Mapping, keys *Keys, mem memory.Allocator, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	rows, err := openRows(src, lim)
	if err != nil {
		return nil, &FileError{File: src.File, Sheet: src.Sheet, Err: err}
	}
	r := &Reader{ctx: ctx, src: src, t: src.Table, lim: lim, rows: rows, keys: keys, seed: maphash.MakeSeed()}
	r.refs.Store(1)
	if err := r.init(m, mem); err != nil {
		rows.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) init(m *Mapping, mem memory.Allocator) error {
	var top [][]string
	var lines []int
	for len(top) < headerScan {
		rec, line, err := r.rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				top = append(top, nil)
				lines = append(lines, line)
				if r.perrs == nil {
					r.perrs = map[int]error{}
				}
				r.perrs[line] = pe.Err
				continue
			}
			return &FileError{File: r.src.File, Sheet: r.src.Sheet, Err: err}
		}
		top = append(top, append([]string(nil), rec...))
		lines = append(lines, line)
	}
	renames, values, tm := m.forTable(r.t)
	if len(top) == 0 {
		return &FileError{File: r.src.File, Sheet: r.src.Sheet, Err: fmt.Errorf("%w: the file is empty", ErrNoHeader)}
	}
	cm, h, err := findHeader(r.src.File, r.src.Sheet, r.t, top, lines, renames, tm.Defaults)
	if err != nil {
		return err
	}
	r.pending, r.plines = top[h+1:], lines[h+1:]
	r.width = len(top[h])
	r.date1904 = r.rows.Date1904()
	r.stats = Stats{Source: r.src.Name(), Table: r.t.Name, HeaderRow: lines[h], Encoding: r.rows.Encoding(), LineEndings: r.rows.LineEndings(), Columns: map[string]string{}, IgnoredColumns: cm.ignored, HiddenSheets: r.src.Hidden}
	r.rejectAboveHeader(cm, top[:h], lines[:h], lines[h])

	r.bld = array.NewRecordBuilder(mem, r.t.Schema())
	r.convs = make([]conv, len(r.t.Columns))
	for i, c := range r.t.Columns {
		cv := conv{col: c, index: cm.index[i], scale: 1}
		if v, ok := tm.Defaults[c.Name]; ok && cv.index < 0 {
			cv.def = &v
			r.stats.Columns[c.Name] = "=" + v
		} else if cv.index >= 0 {
			r.stats.Columns[c.Name] = cm.source[i]
		}
		if vm := values[c.Name]; len(vm) > 0 {
			cv.values, cv.valuesL = vm, map[string]string{}
			for _, k := range sortedKeys(vm) { // the first of keys equal but for case (Mapping.Validate refuses those)
				if l := strings.ToLower(strings.TrimSpace(k)); !hasKey(cv.valuesL, l) {
					cv.valuesL[l] = vm[k]
				}
			}
		}
		if f, ok := tm.Scale[c.Name]; ok {
			cv.scale = f
		}
		cv.app = appender(r.bld.Field(i), c.Kind)
		if r.keys.Redact != nil {
			cv.redact, cv.drop = redactedColumns[c.Name], droppedColumns[c.Name]
		}
		if c.Ref != "" && r.keys.present[c.Ref] {
			cv.ref = r.keys.ids[c.Ref]
		}
		r.convs[i] = cv
	}
	for _, k := range r.t.Key {
		for i, c := range r.t.Columns {
			if c.Name == k {
				r.keyIdx = append(r.keyIdx, i)
			}
		}
	}
	r.row = make([]cell, len(r.t.Columns))
	r.pos = positionsOf(r.t)
	if len(r.keyIdx) == 1 {
		r.single = r.keys.ids[r.t.Name]
		if r.single == nil {
			r.single = &keySet{}
		}
		if n := r.expectedRows(); n > 0 {
			r.single.reserve(n)
		}
	} else {
		// Sized once: growing a table of millions of keys step by step
		// costs more than the lookups.
		r.seen = newKeySet(r.expectedRows())
	}
	return nil
}

// rejectAboveHeader counts and rejects the rows above the header that are
// not titles: a malformed record, or a row with at least as many cells as
// the header's required columns (a data row fills them all). Without this
// the rows of an export's first section, above a later header that names
// more columns, would be dropped unseen. Their cells are not kept: the
// header does not say what they are.
func (r *Reader) rejectAboveHeader(cm columnMap, above [][]string, lines []int, header int) {
	need := 0
	for i, c := range r.t.Columns {
		if c.Required && cm.index[i] >= 0 {
			need++
		}
	}
	need = max(need, 2)
	for k, row := range above {
		if row == nil {
			r.stats.RowsRead++
			r.reject([]RowError{{Row: lines[k], Err: ErrMalformedRow, Detail: fmt.Sprintf("%v; above the header row %d", r.perrs[lines[k]], header)}})
			continue
		}
		n := 0
		for _, c := range row {
			if strings.TrimSpace(c) != "" {
				n++
			}
		}
		if n >= need {
			r.stats.RowsRead++
			r.reject([]RowError{{Row: lines[k], Err: ErrAboveHeader, Detail: fmt.Sprintf("the header is row %d; this row has %d cells, as a data row does", header, n)}})
		}
	}
}

// expectedRows estimates a CSV source's data rows from its size and the
// length of the rows read while finding the header; 0 when unknown.
func (r *Reader) expectedRows() int {
	fi, err := os.Stat(r.src.Path)
	if err != nil || r.src.Sheet != "" || len(r.pending) == 0 {
		return 0
	}
	bytes := 0
	for _, rec := range r.pending {
		bytes += len(rec) // separators and the newline
		for _, f := range rec {
			bytes += len(f)
		}
	}
	avg := max(bytes/len(r.pending), 8)
	return int(min(fi.Size()/int64(avg)*11/10, 50_000_000))
}

// positions are the columns the cross-column checks use; -1 when the
// table has no such column.
type positions struct {
	year, testDate, start, end, sessionDate, cycle, minutes, coach, score, assessment int
}

// coachDay keys a coach's logged minutes on one day.
type coachDay struct {
	coach string
	day   Date
}

func positionsOf(t *Table) positions {
	at := func(name string) int {
		for i, c := range t.Columns {
			if c.Name == name {
				return i
			}
		}
		return -1
	}
	return positions{year: at("school_year"), testDate: at("test_date"), start: at("start_date"), end: at("end_date"), sessionDate: at("session_date"), cycle: at("cycle_id"), minutes: at("minutes"), coach: at("coach_id"), score: at("scale_score"), assessment: at("assessment_name")}
}

func appender(b array.Builder, k Kind) func(cell) {
	switch k {
	case KindYear, KindGrade, KindInt:
		ib := b.(*array.Int32Builder)
		return func(c cell) {
			if c.null {
				ib.AppendNull()
			} else {
				ib.Append(int32(c.n))
			}
		}
	case KindDate:
		db := b.(*array.Date32Builder)
		return func(c cell) {
			if c.null {
				db.AppendNull()
			} else {
				db.Append(arrow.Date32(c.n))
			}
		}
	case KindFloat:
		fb := b.(*array.Float64Builder)
		return func(c cell) {
			if c.null {
				fb.AppendNull()
			} else {
				fb.Append(c.n)
			}
		}
	case KindBool:
		bb := b.(*array.BooleanBuilder)
		return func(c cell) {
			if c.null {
				bb.AppendNull()
			} else {
				bb.Append(c.b)
			}
		}
	}
	sb := b.(*array.StringBuilder)
	return func(c cell) {
		if c.null {
			sb.AppendNull()
		} else {
			sb.Append(c.s)
		}
	}
}

// Schema is the table's Arrow schema.
func (r *Reader) Schema() *arrow.Schema { return r.t.Schema() }

// Record is the current batch, valid until the next call to Next.
func (r *Reader) Record() arrow.Record { return r.rec }

// Err is the structural fault that ended the stream, if any.
func (r *Reader) Err() error { return r.err }

// Stats reconciles the rows read so far.
func (r *Reader) Stats() Stats { return r.stats }

// Retain adds a reference.
func (r *Reader) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one frees the builder, the current
// batch and the file. Extra calls are ignored.
func (r *Reader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	if r.bld != nil {
		r.bld.Release()
		r.bld = nil
	}
	if r.rows != nil {
		r.rows.Close()
		r.rows = nil
	}
	// Drop the big maps: a consumer that keeps the released reader
	// reachable (DuckDB's Arrow stream holds it through a cgo handle)
	// must not keep them alive.
	if r.seen != nil {
		r.seen.release()
	}
	r.seen, r.single, r.keys, r.convs, r.pending, r.Rejects, r.dayMin = nil, nil, nil, nil, nil, nil, nil
}

// Next reads up to BatchRows rows into the next batch.
func (r *Reader) Next() bool {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	if r.err != nil || r.rows == nil {
		return false
	}
	n := 0
	for n < BatchRows {
		var rec []string
		var line int
		var err error
		if len(r.pending) > 0 {
			rec, line = r.pending[0], r.plines[0]
			r.pending, r.plines = r.pending[1:], r.plines[1:]
			if rec == nil { // a malformed CSV record met during header search
				err = &csv.ParseError{StartLine: line, Line: line, Err: r.perrs[line]}
			}
		} else {
			rec, line, err = r.rows.Next()
		}
		if errors.Is(err, io.EOF) {
			r.stats.SHA256 = r.rows.Sum()
			r.rows.Close()
			r.rows = nil
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				r.stats.RowsRead++
				r.reject([]RowError{{Row: line, Err: ErrMalformedRow, Detail: pe.Err.Error()}})
				continue
			}
			r.err = &FileError{File: r.src.File, Sheet: r.src.Sheet, Err: err}
			return false
		}
		r.stats.RowsRead++
		if r.stats.RowsRead > r.lim.MaxRows {
			r.err = &FileError{File: r.src.File, Sheet: r.src.Sheet, Err: fmt.Errorf("%w: more than %d data rows (limits.max_rows)", ErrLimit, r.lim.MaxRows)}
			return false
		}
		if r.parseRow(rec, line) {
			for i := range r.convs {
				r.convs[i].app(r.row[i])
			}
			r.register()
			r.stats.RowsLoaded++
			n++
		}
		if n%4096 == 0 && r.ctx.Err() != nil {
			r.err = r.ctx.Err()
			return false
		}
	}
	if n == 0 {
		return false
	}
	r.rec = r.bld.NewRecord()
	return true
}

func (r *Reader) reject(faults []RowError) {
	for i := range faults {
		faults[i].File, faults[i].Sheet, faults[i].Table = r.src.File, r.src.Sheet, r.t.Name
	}
	r.stats.RowsRejected++
	r.Rejects = append(r.Rejects, faults...)
}

// parseRow fills r.row from rec and reports whether the row is loaded; if
// not, its faults are recorded.
func (r *Reader) parseRow(rec []string, line int) bool {
	r.faults = r.faults[:0]
	fault := func(col, val string, err error, detail string) {
		// The value is kept for the rejects table, which takes UTF-8 only.
		// A value too long to show whole is cut to its start.
		val = truncate(strings.ToValidUTF8(val, "\uFFFD"), 200)
		if red := r.keys.Redact; red != nil && val != "" {
			switch {
			case col == "" || droppedColumns[col]:
				val = "" // a stray cell or a name: nothing of it is kept
			case redactedColumns[col]:
				if !errors.Is(err, ErrUnknownID) && !errors.Is(err, ErrDuplicateKey) {
					val = red.ID(val) // those two already show the parsed, hashed value
				}
			case mayBeID(val) && !errors.Is(err, ErrOutsideYear) && !errors.Is(err, ErrDateOrder):
				// A shifted row puts IDs in other columns, and the ID's
				// own row may be read later or never: every value shaped
				// like an ID is hashed (as its column would hash it), not
				// only those known. The two exceptions show dates the
				// row's date columns parsed.
				val = red.ID(strings.TrimSpace(val))
			}
		}
		r.faults = append(r.faults, RowError{Row: line, Column: col, Value: val, Err: err, Detail: detail})
	}
	r.line = line
	// Stray cells past the header are counted, not copied: no column
	// says what they are (a phone number, a parent's name).
	extra := 0
	for j := r.width; j < len(rec); j++ {
		if strings.TrimSpace(rec[j]) != "" {
			extra++
		}
	}
	if extra > 0 {
		fault("", "", ErrMalformedRow, fmt.Sprintf("%d extra cells beyond the header's %d columns", extra, r.width))
	}
	for i := range r.convs {
		cv := &r.convs[i]
		raw := ""
		switch {
		case cv.index >= 0 && cv.index < len(rec):
			raw = rec[cv.index]
		case cv.def != nil:
			raw = *cv.def
		}
		c, err := r.parseCell(cv, raw)
		if err != nil {
			fault(cv.col.Name, raw, err, "")
		}

		r.row[i] = c
	}
	if len(r.faults) == 0 {
		r.checkRow(fault)
	}
	if len(r.faults) > 0 {
		r.reject(append([]RowError(nil), r.faults...))
		return false
	}
	return true
}

func (r *Reader) parseCell(cv *conv, raw string) (cell, error) {
	if cv.drop {
		return cell{null: true}, nil
	}
	if len(raw) > r.lim.MaxCellBytes {
		return cell{}, fmt.Errorf("%w: %d bytes; limits.max_cell_chars is %d", ErrTooLong, len(raw), r.lim.MaxCellBytes)
	}
	// Text kept as it is must be UTF-8 (the database takes nothing else);
	// other kinds fail their own parsing on stray bytes.
	if (cv.col.Kind == KindString || cv.col.Kind == KindSubject) && !utf8.ValidString(raw) {
		return cell{}, ErrBadText
	}
	v := strings.TrimSpace(raw)
	if cv.values != nil {
		if m, ok := cv.values[v]; ok {
			v = m
		} else if m, ok := cv.valuesL[strings.ToLower(v)]; ok {
			v = m
		}
	}
	if v == "" {
		if cv.col.Required {
			return cell{}, ErrMissing
		}
		return cell{null: true}, nil
	}
	c := cell{}
	var err error
	switch cv.col.Kind {
	case KindString:
		c.s = v
		if cv.redact {
			c.s = r.keys.Redact.ID(v)
		}
	case KindYear:
		var y int
		y, err = ParseSchoolYear(v)
		c.n = float64(y)
	case KindGrade:
		var g int
		g, err = ParseGrade(v)
		c.n = float64(g)
	case KindDate:
		var d Date
		d, err = parseDate(v, r.date1904)
		c.n = float64(d)
		if err == nil && r.lim.Today != 0 && d > r.lim.Today+1 && !cv.col.Future {
			err = ErrFuture
		}
	case KindBool:
		c.b, err = ParseBool(v)
	case KindFloat, KindInt:
		c.n, err = ParseNumber(v)
		if err == nil {
			c.n *= cv.scale
			if cv.col.Kind == KindInt && c.n != math.Trunc(c.n) {
				err = ErrBadNumber
			} else if cv.col.Min < cv.col.Max && (c.n < cv.col.Min || c.n > cv.col.Max || (cv.col.MinOpen && c.n == cv.col.Min)) {
				err = ErrRange
			}
		}
	case KindEnum, KindSubject, KindPrinciples:
		if m, ok := cv.memo[v]; ok {
			c.s = m
			return c, nil
		}
		c, err = foldCell(cv, v)
		if err == nil && len(cv.memo) < 1024 {
			if cv.memo == nil {
				cv.memo = map[string]string{}
			}
			cv.memo[strings.Clone(v)] = c.s
		}
	}
	return c, err
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// foldCell maps a subject, enum or principles value onto its canonical
// spelling.
func foldCell(cv *conv, v string) (cell, error) {
	var c cell
	var err error
	switch cv.col.Kind {
	case KindEnum:
		l := strings.ToLower(v)
		if s, ok := cv.col.Synonyms[l]; ok {
			l = s
		}
		err = ErrBadValue
		for _, a := range cv.col.Values {
			if a == l {
				c.s, err = a, nil
			}
		}
	case KindSubject:
		c.s = v
		if s, ok := subjectNames[normalize(v)]; ok {
			c.s = s
		}
	case KindPrinciples:
		c.s, err = parsePrinciples(v)
	}
	return c, err
}

func parsePrinciples(v string) (string, error) {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		ok := false
		for _, a := range principleNames {
			ok = ok || a == p
		}
		if !ok {
			return "", ErrBadValue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == p
		}
		if !dup {
			out = append(out, p)
		}
	}
	return strings.Join(out, ";"), nil
}

// checkRow applies the checks that span columns or tables: references,
// dates within the school year, and duplicate keys.
func (r *Reader) checkRow(fault func(col, val string, err error, detail string)) {
	for i := range r.convs {
		cv := &r.convs[i]
		if cv.ref == nil || r.row[i].null {
			continue
		}
		if cv.ref.get(r.keys.hash(r.row[i].s)) == 0 {
			fault(cv.col.Name, r.row[i].s, ErrUnknownID, "not in "+cv.col.Ref)
		}
	}
	if len(r.faults) > 0 {
		return
	}
	inYear := func(at, year int) {
		if d := r.row[at]; !d.null && !InSchoolYear(Date(d.n), year) {
			fault(r.t.Columns[at].Name, Date(d.n).String(), ErrOutsideYear, fmt.Sprintf("school year %d-%02d runs %d-07-01 to %d-06-30", year-1, year%100, year-1, year))
		}
	}
	p := r.pos
	switch r.t.Name {
	case "assessments":
		inYear(p.testDate, int(r.row[p.year].n))
		if s := r.row[p.score]; !s.null {
			if b, key := r.scoreBounds(r.row[p.assessment].s); s.n < b.Min || s.n > b.Max {
				fault("scale_score", strconv.FormatFloat(s.n, 'g', -1, 64), ErrImplausible, key)
			}
		}
	case "coaching_cycles":
		inYear(p.start, int(r.row[p.year].n))
		start, end := r.row[p.start], r.row[p.end]
		if !end.null && end.n < start.n {
			fault("end_date", Date(end.n).String(), ErrDateOrder, "starts "+Date(start.n).String())
		}
	case "coaching_sessions":
		cycle := r.row[p.cycle].s
		inYear(p.sessionDate, int(r.keys.cycleYear[cycle]))
		if len(r.faults) == 0 {
			// One coach's sessions on one day cannot add up to more
			// than the day: the session that would is rejected.
			k := coachDay{r.keys.cycleCoach[cycle], Date(r.row[p.sessionDate].n)}
			mins := r.row[p.minutes].n
			if total := r.dayMin[k] + mins; total > 24*60 {
				fault("minutes", strconv.FormatFloat(mins, 'g', -1, 64), ErrDayTotal,
					fmt.Sprintf("coach %s would log %.1f hours on %s", k.coach, total/60, k.day))
			}
		}
	}
	if len(r.faults) > 0 || len(r.keyIdx) == 0 {
		return
	}
	if r.single != nil {
		k := r.row[r.keyIdx[0]]
		if k.null {
			return
		}
		r.keyHash = r.keys.hash(k.s) // register stores it if the row loads
		if first := r.single.get(r.keyHash); first != 0 {
			fault(r.t.Columns[r.keyIdx[0]].Name, k.s, ErrDuplicateKey, fmt.Sprintf("first on row %d", first))
		}
		return
	}
	// A composite key is remembered by its 64-bit hash: a false duplicate
	// needs a collision, about n^2/2^65 (1e-9 at 200k rows).
	b := r.keyBuf[:0]
	allNull := true
	for _, i := range r.keyIdx {
		c := r.row[i]
		allNull = allNull && c.null
		switch {
		case c.null:
		case r.t.Columns[i].Kind.ArrowType().ID() == arrow.STRING:
			b = append(b, c.s...)
		default:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.n))
		}
		b = append(b, 0)
	}
	r.keyBuf = b
	if allNull {
		return
	}
	h := maphash.Bytes(r.seed, b)
	if first := r.seen.insert(h, int32(r.line)); first != 0 {
		names := make([]string, len(r.keyIdx))
		vals := make([]string, len(r.keyIdx))
		for j, i := range r.keyIdx {
			names[j] = r.t.Columns[i].Name
			vals[j] = r.row[i].s
			if r.t.Columns[i].Kind.ArrowType().ID() != arrow.STRING {
				vals[j] = strconv.FormatFloat(r.row[i].n, 'g', -1, 64)
			}
		}
		fault(strings.Join(names, "+"), strings.Join(vals, "|"), ErrDuplicateKey, fmt.Sprintf("first on row %d", first))
	}
}

// scoreBounds returns the plausible scale scores of an assessment and the
// configuration key they come from. The last answer is kept: an export
// lists one assessment's rows together.
func (r *Reader) scoreBounds(assessment string) (Bounds, string) {
	global := func() string {
		return fmt.Sprintf("limits.min_scale_score = %g, limits.max_scale_score = %g", r.lim.ScaleScore.Min, r.lim.ScaleScore.Max)
	}
	if len(r.lim.ScaleScoreBy) == 0 {
		if r.lastScore.key == "" {
			r.lastScore.b, r.lastScore.key = r.lim.ScaleScore, global()
		}
		return r.lastScore.b, r.lastScore.key
	}
	if assessment != r.lastScore.name || r.lastScore.key == "" {
		r.lastScore.name, r.lastScore.b, r.lastScore.key = strings.Clone(assessment), r.lim.ScaleScore, global()
		want := strings.ToLower(strings.TrimSpace(assessment))
		for _, name := range sortedKeys(r.lim.ScaleScoreBy) { // in order: two names may differ only in case
			b := r.lim.ScaleScoreBy[name]
			if strings.ToLower(strings.TrimSpace(name)) == want {
				r.lastScore.b, r.lastScore.key = b, fmt.Sprintf("limits.scale_score.%q: min = %g, max = %g", name, b.Min, b.Max)
				break
			}
		}
	}
	return r.lastScore.b, r.lastScore.key
}

// mayBeID reports whether a rejected value is shaped like a student or
// teacher ID: one token of letters, digits, '-', '_' or '.', with a digit.
func mayBeID(v string) bool {
	v = strings.TrimSpace(v)
	digit := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isDigit(c):
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return digit
}

// register records the keys of a loaded row for later tables' checks.
func (r *Reader) register() {
	if r.t.Name == "coaching_sessions" {
		if r.dayMin == nil {
			r.dayMin = map[coachDay]float64{}
		}
		k := coachDay{r.keys.cycleCoach[r.row[r.pos.cycle].s], Date(r.row[r.pos.sessionDate].n)}
		r.dayMin[k] += r.row[r.pos.minutes].n
	}
	if r.single == nil || r.row[r.keyIdx[0]].null {
		return
	}
	r.single.insert(r.keyHash, int32(r.line))
	if r.t.Name == "coaching_cycles" {
		id := strings.Clone(r.row[r.keyIdx[0]].s)
		r.keys.cycleYear[id] = int32(r.row[r.pos.year].n)
		r.keys.cycleCoach[id] = strings.Clone(r.row[r.pos.coach].s)
	}
}
