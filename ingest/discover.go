package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits guards against hostile or broken files. The zero value means the
// defaults below. Each limit's message names its key in the configuration
// file's [limits] table.
type Limits struct {
	MaxUnzipBytes int64 // max_unzip_bytes: total uncompressed size of an xlsx; default 4 GiB
	MaxSheetBytes int64 // max_sheet_bytes: uncompressed size of one sheet's XML (or its shared strings); default 2 GiB
	MaxRows       int   // max_rows: data rows per file or sheet; default 50 million
	MaxCellBytes  int   // max_cell_chars: bytes in one cell; default 32,767 (Excel's own limit)
	// MaxFields (max_fields) bounds the fields of one CSV record; default
	// 16,384 (Excel's column limit).
	MaxFields int
	// MaxRecordBytes (max_record_bytes) bounds the bytes of one CSV
	// record, all its lines together; default 16 MiB. The record stops
	// being read once past it.
	MaxRecordBytes int

	// ScaleScore bounds a plausible scale score of any assessment
	// (min_scale_score, max_scale_score); a score outside is rejected
	// (ErrImplausible). The zero value means DefaultScaleScore.
	ScaleScore Bounds
	// ScaleScoreBy overrides ScaleScore for the assessments it names
	// (limits.scale_score."name"), matched ignoring case and surrounding
	// space.
	ScaleScoreBy map[string]Bounds

	// Today, when set, is the run's date: a date after it (with a day's
	// grace for time zones) is rejected as in the future, except in
	// columns that may hold plans (Column.Future).
	Today Date
}

// Bounds is an inclusive range of plausible values.
type Bounds struct{ Min, Max float64 }

// DefaultScaleScore holds every real vendor scale (NWEA RIT 100-350,
// i-Ready 100-800, Star 0-1400, state tests up to about 10,000) and
// rejects absurd values (1e100) that would swamp their cell's z-scores.
var DefaultScaleScore = Bounds{Min: -1e6, Max: 1e6}

// maxPartBytes bounds every workbook part other than sheets and shared
// strings (styles, relationships, media): excelize holds them in memory.
const maxPartBytes = 64 << 20

// sheetMemBytes is the size above which excelize unpacks a sheet (or the
// shared strings) to a temporary file instead of memory.
const sheetMemBytes = 16 << 20

func (l Limits) withDefaults() Limits {
	if l.MaxUnzipBytes <= 0 {
		l.MaxUnzipBytes = 4 << 30
	}
	if l.MaxSheetBytes <= 0 {
		l.MaxSheetBytes = 2 << 30
	}
	if l.MaxRows <= 0 {
		l.MaxRows = 50_000_000
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = 32767
	}
	if l.MaxFields <= 0 {
		l.MaxFields = 16384
	}
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = 16 << 20
	}
	if l.ScaleScore == (Bounds{}) {
		l.ScaleScore = DefaultScaleScore
	}
	return l
}

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

// openWorkbook opens the workbook whose bytes are b, within the limits.
func openWorkbook(b []byte, lim Limits) (*excelize.File, *zip.Reader, error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: not a readable xlsx workbook: %v", ErrUnreadable, err)
	}
	if err := checkZipParts(zr, lim); err != nil {
		return nil, nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: lim.MaxUnzipBytes, UnzipXMLSizeLimit: min(sheetMemBytes, lim.MaxUnzipBytes)})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: not a readable xlsx workbook: %v", ErrUnreadable, err)
	}
	return f, zr, nil
}

// workbookSheets lists the visible sheets of a workbook in order, and the
// hidden ones, from the workbook part alone: nothing else is unpacked.
func workbookSheets(path string, lim Limits) (visible, hidden []string, err error) {
	if err := checkZip(path, lim.withDefaults()); err != nil {
		return nil, nil, err
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: not a readable xlsx workbook: %v", ErrUnreadable, err)
	}
	defer zr.Close()
	var wb struct {
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"` // "hidden", "veryHidden" or ""
		} `xml:"sheets>sheet"`
	}
	if err := readXMLPart(&zr.Reader, "xl/workbook.xml", &wb); err != nil {
		return nil, nil, fmt.Errorf("%w: not a readable xlsx workbook: xl/workbook.xml: %v", ErrUnreadable, err)
	}
	for _, sh := range wb.Sheets {
		if sh.State == "hidden" || sh.State == "veryHidden" {
			hidden = append(hidden, sh.Name)
		} else {
			visible = append(visible, sh.Name)
		}
	}
	return visible, hidden, nil
}

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

type csvRows struct {
	f   *os.File
	h   hash.Hash
	r   *splitter
	tee io.Reader
	enc string
	eol string // LineEndings
}

func openCSV(path string, lim Limits) (*csvRows, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	h := sha256.New()
	tee := io.TeeReader(f, h)
	br := bufio.NewReaderSize(tee, 1<<20)
	sample, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		f.Close()
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	var in io.Reader = br
	enc := ""
	switch {
	case bytes.HasPrefix(sample, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		sample = sample[3:]
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}), bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		// Excel's "Unicode text": UTF-16 with a byte-order mark.
		enc = "utf-16"
		in = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
		sample, _, _ = transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder(), sample)
	case !validPrefix(sample):
		// Not UTF-8: Excel's "CSV" on Windows writes the ANSI code page,
		// Windows-1252 in the districts this serves. Every byte decodes.
		enc = "windows-1252"
		in = transform.NewReader(br, charmap.Windows1252.NewDecoder())
		sample, _ = charmap.Windows1252.NewDecoder().Bytes(sample)
	}
	// Excel's "CSV (Macintosh)" ends lines in CR alone: read as lines
	// too, not as one header row of the whole file.
	eol, eolName := byte('\n'), ""
	if bytes.IndexByte(sample, '\n') < 0 && bytes.IndexByte(sample, '\r') >= 0 {
		eol, eolName = '\r', "cr"
		sample = bytes.ReplaceAll(sample, []byte{'\r'}, []byte{'\n'})
	}
	r := newSplitter(in, sniffDelimiter(sample), eol)
	r.maxFields, r.maxBytes = lim.MaxFields, lim.MaxRecordBytes
	return &csvRows{f: f, h: h, r: r, tee: tee, enc: enc, eol: eolName}, nil
}

// validPrefix reports whether b is UTF-8, allowing a rune cut off at its
// end (b is a sample of the file).
func validPrefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// sniffDelimiter picks the delimiter that splits the sample's first records
// into the most fields: comma, semicolon, tab or pipe, comma on a tie.
func sniffDelimiter(sample []byte) rune {
	best, bestN := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		r := csv.NewReader(bytes.NewReader(sample))
		r.Comma = d
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		n := 0
		for i := 0; i < 30; i++ {
			rec, err := r.Read()
			if err != nil {
				break
			}
			n = max(n, len(rec))
		}
		if n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

func (c *csvRows) Next() ([]string, int, error) {
	for {
		rec, line, err := c.r.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, pe.StartLine, err
			}
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			if errors.Is(err, ErrLimit) {
				return nil, line, err
			}
			return nil, 0, fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		if blank(rec) {
			continue
		}
		return rec, line, nil
	}
}

func (c *csvRows) Sum() string {
	io.Copy(io.Discard, c.tee) // hash whatever the reader did not consume
	return hex.EncodeToString(c.h.Sum(nil))
}
func (c *csvRows) Date1904() bool      { return false }
func (c *csvRows) Encoding() string    { return c.enc }
func (c *csvRows) LineEndings() string { return c.eol }
func (c *csvRows) Close() error        { return c.f.Close() }

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

type sheetRows struct {
	f        *excelize.File
	rows     *excelize.Rows
	n        int
	sum      string
	date1904 bool
	merges   []vmerge    // vertical merges by top row, not yet reached
	active   []vmerge    // merges covering the rows being read
	values   []string    // value of each active merge's top cell
	pad      *padScanner // numeric cells shown zero-padded; nil when none
}

func openSheet(src *Source, lim Limits) (*sheetRows, error) {
	b, sum, err := readSummed(src.Path)
	if err != nil {
		return nil, err
	}
	if src.afterSum != nil {
		src.afterSum()
	}
	f, zr, err := openWorkbook(b, lim)
	if err != nil {
		return nil, err
	}
	rows, err := f.Rows(src.Sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: sheet %q: %v", ErrUnreadable, src.Sheet, err)
	}
	merges, err := sheetMerges(zr, src.Sheet)
	if err != nil {
		rows.Close()
		f.Close()
		return nil, fmt.Errorf("%w: sheet %q: merged cells: %v", ErrUnreadable, src.Sheet, err)
	}
	slices.SortFunc(merges, func(a, b vmerge) int { return a.top - b.top })
	pad, err := openPadScanner(src.Path, src.Sheet)
	if err != nil {
		rows.Close()
		f.Close()
		return nil, fmt.Errorf("%w: sheet %q: number formats: %v", ErrUnreadable, src.Sheet, err)
	}
	s := &sheetRows{f: f, rows: rows, sum: sum, merges: merges, pad: pad}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.date1904 = *props.Date1904
	}
	return s, nil
}

func (s *sheetRows) Next() ([]string, int, error) {
	for s.rows.Next() {
		s.n++
		cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, s.n, fmt.Errorf("%w: row %d: %v", ErrUnreadable, s.n, err)
		}
		if s.pad != nil {
			s.pad.apply(s.n, cells)
		}
		if blank(cells) {
			continue
		}
		if len(s.merges) > 0 || len(s.active) > 0 {
			cells = s.fill(cells)
		}
		return cells, s.n, nil
	}
	if err := s.rows.Error(); err != nil {
		return nil, s.n, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return nil, 0, io.EOF
}

// fill copies the top value of each vertical merge into the cells below
// it, as the sheet shows them; Excel keeps the value in the top cell only.
func (s *sheetRows) fill(cells []string) []string {
	// Retire merges that ended above this row; take up those starting on it.
	k := 0
	for i, m := range s.active {
		if m.bottom >= s.n {
			s.active[k], s.values[k] = m, s.values[i]
			k++
		}
	}
	s.active, s.values = s.active[:k], s.values[:k]
	for len(s.merges) > 0 && s.merges[0].top <= s.n {
		m := s.merges[0]
		s.merges = s.merges[1:]
		if m.top == s.n && m.col <= len(cells) {
			s.active = append(s.active, m)
			s.values = append(s.values, cells[m.col-1])
		}
	}
	for i, m := range s.active {
		if m.top == s.n {
			continue
		}
		for len(cells) < m.col {
			cells = append(cells, "")
		}
		if cells[m.col-1] == "" {
			cells[m.col-1] = s.values[i]
		}
	}
	return cells
}

func (s *sheetRows) Sum() string         { return s.sum }
func (s *sheetRows) Date1904() bool      { return s.date1904 }
func (s *sheetRows) Encoding() string    { return "" }
func (s *sheetRows) LineEndings() string { return "" }
func (s *sheetRows) Close() error {
	err := errors.Join(s.rows.Close(), s.f.Close())
	if s.pad != nil {
		err = errors.Join(err, s.pad.Close())
	}
	return err
}

// FileSHA256 returns the hex sha256 of the file at path; a file that
// cannot be read is ErrUnreadable.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
