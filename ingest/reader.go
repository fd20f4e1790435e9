package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// BatchRows is the number of rows per Arrow record batch.
const BatchRows = 64 * 1024

// Stats reconciles one source: RowsRead = RowsLoaded + RowsRejected.
type Stats struct {
	Source      string            `json:"path"`
	Table       string            `json:"table"`
	SHA256      string            `json:"sha256"`
	HeaderRow   int               `json:"header_row"`
	Encoding    string            `json:"encoding,omitempty"`     // a text encoding other than UTF-8 the file was decoded from
	LineEndings string            `json:"line_endings,omitempty"` // "cr" for a CSV file whose lines end in CR alone (Excel's CSV (Macintosh))
	Columns     map[string]string `json:"columns"`                // canonical -> source header, "=value" for a default
	// Why says how each column of Columns was found: "exact" (its own
	// name), "alias" (another spelling), "generic" (a generic spelling),
	// "mapping" (the config's mapping), "profile NAME" (a vendor
	// profile's mapping), "default" (a constant), or "derived: ..." (a
	// reshaping step: a split, a join, a date, the file's path).
	Why            map[string]string `json:"why,omitempty"`
	IgnoredColumns []string          `json:"ignored_columns,omitempty"`
	HiddenSheets   []string          `json:"hidden_sheets,omitempty"` // of the workbook; not read
	RowsRead       int               `json:"rows_read"`
	RowsLoaded     int               `json:"rows_loaded"`
	RowsRejected   int               `json:"rows_rejected"`

	// A reshaped table (shape.go): the files it was read from, the rows
	// its filters dropped (by reason), the rows dropped as superseded by
	// a later one (latest_by) and the rows its expansions and joins
	// added. The files' data rows = RowsRead + RowsFiltered +
	// RowsSuperseded - RowsAdded.
	Inputs         []InputFile    `json:"inputs,omitempty"`
	Filtered       map[string]int `json:"filtered,omitempty"`
	RowsFiltered   int            `json:"rows_filtered,omitempty"`
	RowsSuperseded int            `json:"rows_superseded,omitempty"`
	RowsAdded      int            `json:"rows_added,omitempty"`
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
	keyHash  uint64     // hash of the row's one-column key, set by checkRow
	pending  [][]string // rows read past the header during detection
	plines   []int
	perrs    map[int]error // line -> CSV fault of the malformed records among pending
	row      []cell
	faults   []RowError
	stats    Stats
	date1904 bool
	width    int      // cells in the header row
	line     int      // row being parsed
	view     *rowView // what the table's rules see
	rules    []rule   // the table's checks, bound to this reader
	// origin, for a reshaped table, is where a served row came from
	// (shapedRows); nil for a file read as it is.
	origin func(line int) origin

	Rejects []RowError
}

// Open prepares to read src as its table. It finds the header row and maps
// the columns; a structural fault is returned as a *FileError and nothing
// is read. Close the reader (Release) when done.
func Open(ctx context.Context, src *Source, m *Mapping, keys *Keys, mem memory.Allocator, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	if src.plan != nil {
		return openShaped(ctx, src, m, keys, mem, lim)
	}
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

// openShaped reads a reshaped table's files through its steps, then
// serves the rows to a Reader as one source's.
func openShaped(ctx context.Context, src *Source, m *Mapping, keys *Keys, mem memory.Allocator, lim Limits) (*Reader, error) {
	renames, _, _, from := m.forTable(src.Table, src.plan.profile)
	sh, s, err := src.plan.run(ctx, src.Table, renames, from, keys.Redact)
	if err != nil {
		return nil, err
	}
	sums := make([]string, len(src.plan.parts))
	for i, rel := range src.plan.parts {
		sums[i] = s.sums[rel]
	}
	rows := &shapedRows{sh: sh, sum: CombineSums(src.plan.parts, sums)}
	r := &Reader{ctx: ctx, src: src, t: src.Table, lim: lim, rows: rows, keys: keys, seed: maphash.MakeSeed(), origin: rows.origin}
	r.refs.Store(1)
	if err := r.init(m, mem); err != nil {
		return nil, err
	}
	r.stats.Columns, r.stats.Why, r.stats.Inputs, r.stats.IgnoredColumns = sh.cols, sh.why, sh.inputs, nil
	if len(sh.inputs) > 0 {
		r.stats.HeaderRow = sh.inputs[0].HeaderRow
	}
	r.stats.Filtered, r.stats.RowsSuperseded, r.stats.RowsAdded = s.filtered, s.superseded, s.added
	for _, n := range s.filtered {
		r.stats.RowsFiltered += n
	}
	for _, e := range s.rejects {
		r.stats.RowsRead++
		r.reject([]RowError{e})
	}
	return r, nil
}

// rowName names row number line of the source as the user sees it: "row
// 12", or for a reshaped table "row 12 of a.csv".
func (r *Reader) rowName(line int) string {
	if r.origin == nil {
		return fmt.Sprintf("row %d", line)
	}
	o := r.origin(line)
	if o.sheet != "" {
		return fmt.Sprintf("row %d of %s[%s]", o.row, o.file, o.sheet)
	}
	return fmt.Sprintf("row %d of %s", o.row, o.file)
}

// init finds the header among the first rows, maps the columns and binds
// the converters, the table's checks and its key.
func (r *Reader) init(m *Mapping, mem memory.Allocator) error {
	top, lines, err := r.readTop()
	if err != nil {
		return err
	}
	profile := ""
	if r.src.plan != nil {
		profile = r.src.plan.profile
	}
	renames, values, tm, from := m.forTable(r.t, profile)
	if len(top) == 0 {
		return &FileError{File: r.src.File, Sheet: r.src.Sheet, Err: fmt.Errorf("%w: the file is empty", ErrNoHeader)}
	}
	scan, all := top, lines
	if r.origin != nil {
		// A reshaped table's header is its first row, the table's own
		// column names: the files' headers were resolved row by row.
		scan, lines, renames = top[:1], lines[:1], nil
		tm.Defaults = nil // applied to each file's rows
	}
	cm, h, err := findHeader(r.src.File, r.src.Sheet, r.t, scan, lines, renames, tm.Defaults)
	if err != nil {
		return err
	}
	r.pending, r.plines = top[h+1:], all[h+1:]
	r.width = len(top[h])
	r.date1904 = r.rows.Date1904()
	r.stats = Stats{Source: r.src.Name(), Table: r.t.Name, HeaderRow: all[h], Encoding: r.rows.Encoding(), LineEndings: r.rows.LineEndings(), Columns: map[string]string{}, Why: map[string]string{}, IgnoredColumns: cm.ignored, HiddenSheets: r.src.Hidden}
	r.rejectAboveHeader(cm, top[:h], all[:h], all[h])

	r.bld = array.NewRecordBuilder(mem, r.t.Schema())
	r.convs = make([]conv, len(r.t.Columns))
	for i, c := range r.t.Columns {
		cv := newConv(c, cm.index[i], tm, values[c.Name], r.bld.Field(i), r.keys)
		switch {
		case cv.def != nil:
			r.stats.Columns[c.Name] = "=" + *cv.def
			r.stats.Why[c.Name] = "default"
		case cv.index >= 0:
			r.stats.Columns[c.Name] = cm.source[i]
			r.stats.Why[c.Name] = whyTier(cm.tier[i], from[normalize(cm.source[i])])
		}
		r.convs[i] = cv
	}
	r.row = make([]cell, len(r.t.Columns))
	r.bindChecks()
	r.bindKey()
	return nil
}

// readTop reads the rows the header is looked for in (headerScan), with
// their row numbers; a malformed CSV record is a nil row, its fault kept
// in r.perrs.
func (r *Reader) readTop() ([][]string, []int, error) {
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
			return nil, nil, &FileError{File: r.src.File, Sheet: r.src.Sheet, Err: err}
		}
		top = append(top, append([]string(nil), rec...))
		lines = append(lines, line)
	}
	return top, lines, nil
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
	if sr, ok := r.rows.(*shapedRows); ok {
		return len(sr.sh.rows) // a reshaped table's rows are all in memory
	}
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
	r.seen, r.single, r.keys, r.convs, r.pending, r.Rejects, r.view, r.rules = nil, nil, nil, nil, nil, nil, nil, nil
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

// reject records one rejected row and its faults.
func (r *Reader) reject(faults []RowError) {
	for i := range faults {
		switch {
		case r.origin == nil:
			faults[i].File, faults[i].Sheet = r.src.File, r.src.Sheet
		case faults[i].File == "": // a row served by shapedRows
			o := r.origin(faults[i].Row)
			faults[i].File, faults[i].Sheet, faults[i].Row = o.file, o.sheet, o.row
		}
		faults[i].Table = r.t.Name
	}
	r.stats.RowsRejected++
	r.Rejects = append(r.Rejects, faults...)
}

// fault records one fault of the row being parsed (r.line): the column
// ("" for a stray cell), the value as read, the sentinel and a detail.
func (r *Reader) fault(col, val string, err error, detail string) {
	// The value is kept for the rejects table, which takes UTF-8 only.
	// A value too long to show whole is cut to its start.
	val = truncate(strings.ToValidUTF8(val, "\uFFFD"), 200)
	if red := r.keys.Redact; red != nil && val != "" {
		val = redactRejected(red, r.t, col, val, err)
	}
	r.faults = append(r.faults, RowError{Row: r.line, Column: col, Value: val, Err: err, Detail: detail})
}

// parseRow fills r.row from rec and reports whether the row is loaded; if
// not, its faults are recorded.
func (r *Reader) parseRow(rec []string, line int) bool {
	r.faults = r.faults[:0]
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
		r.fault("", "", ErrMalformedRow, fmt.Sprintf("%d extra cells beyond the header's %d columns", extra, r.width))
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
			r.fault(cv.col.Name, raw, err, "")
		}

		r.row[i] = c
	}
	if len(r.faults) == 0 {
		r.checkRow()
	}
	if len(r.faults) > 0 {
		r.reject(append([]RowError(nil), r.faults...))
		return false
	}
	return true
}
