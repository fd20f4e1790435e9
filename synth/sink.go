package synth

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// cell is one value of an output row, formatted by the sink it goes to.
type cell struct {
	kind cellKind
	s    string
	n    int64
}

type cellKind uint8

const (
	cBlank cellKind = iota
	cText
	cInt  // an integer: a number cell in xlsx
	cDate // n is a date: a date cell (serial, NumFmt 14) in xlsx
)

func text(s string) cell { return cell{kind: cText, s: s} }
func num(n int) cell     { return cell{kind: cInt, n: int64(n)} }
func day(d date) cell    { return cell{kind: cDate, n: int64(d)} }

// textCells returns a text cell per string (a header row).
func textCells(ss []string) []cell {
	cells := make([]cell, len(ss))
	for i, s := range ss {
		cells[i] = text(s)
	}
	return cells
}

// sink receives the data rows of one table.
type sink interface {
	// row writes one data row and returns its row number as a user sees
	// it: the line number in a CSV file (header = 1), the row of a sheet.
	row(cells []cell) (int, error)
}

// outFile is a file written as NAME.tmp and renamed when all is written.
type outFile struct {
	tmp, final string
}

// csvSink writes RFC 4180 CSV, one line per row, LF line ends.
type csvSink struct {
	f       *os.File
	w       *bufio.Writer
	comma   byte
	special [256]bool // bytes that make a field quoted
	usDates bool      // m/d/yyyy instead of ISO
	line    int
	buf     []byte
}

func newCSVSink(path string, header []string, comma byte, bom, usDates bool) (*csvSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s := &csvSink{f: f, w: bufio.NewWriterSize(f, 256<<10), comma: comma, usDates: usDates}
	for _, c := range []byte{comma, '"', '\r', '\n'} {
		s.special[c] = true
	}
	if bom {
		_, _ = s.w.WriteString("\uFEFF")
	}
	if _, err := s.row(textCells(header)); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return s, nil
}

func (s *csvSink) row(cells []cell) (int, error) {
	b := s.buf[:0]
	for i, c := range cells {
		if i > 0 {
			b = append(b, s.comma)
		}
		switch c.kind {
		case cText:
			b = s.appendField(b, c.s)
		case cInt:
			b = strconv.AppendInt(b, c.n, 10)
		case cDate:
			if s.usDates {
				b = date(c.n).appendUS(b)
			} else {
				b = date(c.n).appendISO(b)
			}
		}
	}
	b = append(b, '\n')
	s.buf = b
	s.line++
	_, err := s.w.Write(b)
	return s.line, err
}

func (s *csvSink) close() error {
	return errors.Join(s.w.Flush(), s.f.Close())
}

// appendField appends s, quoted when it holds a byte of special (the
// delimiter, a quote, a line break) or starts with a space.
func (s *csvSink) appendField(b []byte, v string) []byte {
	quote := v != "" && v[0] == ' '
	for i := 0; i < len(v) && !quote; i++ {
		quote = s.special[v[i]]
	}
	if !quote {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, v[i])
	}
	return append(b, '"')
}

// xlsxBook is a workbook whose sheets are written with stream writers.
type xlsxBook struct {
	f         *excelize.File
	path      string
	sheets    []*xlsxSheet
	dateStyle int
}

type xlsxSheet struct {
	sw        *excelize.StreamWriter
	dateStyle int
	next      int // next row number
	vals      []any
}

func newBook(path string) (*xlsxBook, error) {
	f := excelize.NewFile()
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return &xlsxBook{f: f, path: path, dateStyle: style}, nil
}

// addSheet adds a sheet with the header on row headerRow and, when title is
// set, the title on row 1.
func (b *xlsxBook) addSheet(name, title string, headerRow int, header []string) (*xlsxSheet, error) {
	if len(b.sheets) == 0 {
		if err := b.f.SetSheetName(b.f.GetSheetName(0), name); err != nil {
			return nil, err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	s := &xlsxSheet{sw: sw, dateStyle: b.dateStyle, next: headerRow}
	b.sheets = append(b.sheets, s)
	if title != "" {
		if err := sw.SetRow("A1", []any{title}); err != nil {
			return nil, err
		}
	}
	_, err = s.row(textCells(header))
	return s, err
}

func (s *xlsxSheet) row(cells []cell) (int, error) {
	s.vals = s.vals[:0]
	for _, c := range cells {
		var v any
		switch c.kind {
		case cText:
			v = c.s
		case cInt:
			v = c.n
		case cDate:
			v = excelize.Cell{StyleID: s.dateStyle, Value: date(c.n).serial()}
		}
		s.vals = append(s.vals, v)
	}
	r := s.next
	s.next++
	return r, s.sw.SetRow("A"+strconv.Itoa(r), s.vals)
}

// close flushes the sheets and writes the workbook to its path.
func (b *xlsxBook) close() (err error) {
	defer func() { err = errors.Join(err, b.f.Close()) }()
	for _, s := range b.sheets {
		if err := s.sw.Flush(); err != nil {
			return err
		}
	}
	f, err := os.Create(b.path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	_, err = b.f.WriteTo(w)
	return errors.Join(err, w.Flush(), f.Close())
}

// files tracks the files of one run: written as NAME.tmp, renamed into
// place by commit, removed by abort.
type files struct {
	dir   string
	list  []outFile
	csvs  []*csvSink
	books []*xlsxBook
}

func (fs *files) add(name string) string {
	final := filepath.Join(fs.dir, name)
	fs.list = append(fs.list, outFile{tmp: final + ".tmp", final: final})
	return final + ".tmp"
}

func (fs *files) csv(name string, header []string, comma byte, bom, usDates bool) (*csvSink, error) {
	s, err := newCSVSink(fs.add(name), header, comma, bom, usDates)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	fs.csvs = append(fs.csvs, s)
	return s, nil
}

func (fs *files) book(name string) (*xlsxBook, error) {
	b, err := newBook(fs.add(name))
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	fs.books = append(fs.books, b)
	return b, nil
}

// close closes every file, returning every error.
func (fs *files) close() error {
	var errs []error
	for _, s := range fs.csvs {
		if err := s.close(); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", filepath.Base(s.f.Name()), err))
		}
	}
	for _, b := range fs.books {
		if err := b.close(); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", filepath.Base(b.path), err))
		}
	}
	fs.csvs, fs.books = nil, nil
	return errors.Join(errs...)
}

// commit renames the files into place and removes the named stale files
// (those the other format writes). On error the files not yet renamed are
// removed.
func (fs *files) commit(stale []string) error {
	var errs []error
	for _, f := range fs.list {
		if err := os.Rename(f.tmp, f.final); err != nil {
			errs = append(errs, err)
			_ = os.Remove(f.tmp)
		}
	}
	for _, name := range stale {
		if err := os.Remove(filepath.Join(fs.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// abort closes every file without writing the workbooks and removes every
// temporary file.
func (fs *files) abort() {
	for _, s := range fs.csvs {
		_ = s.f.Close()
	}
	for _, b := range fs.books {
		_ = b.f.Close()
	}
	fs.csvs, fs.books = nil, nil
	for _, f := range fs.list {
		_ = os.Remove(f.tmp)
	}
}
