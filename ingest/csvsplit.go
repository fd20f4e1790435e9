package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// maxFieldLines is the most physical lines one quoted field may run over.
// A field still open after them (or at the end of the file) is taken to be
// an unbalanced quote, not a long note.
const maxFieldLines = 100

// splitter splits CSV text into records as encoding/csv does (RFC 4180,
// quotes not lazy, "" inside a quoted field is one quote, CR LF inside a
// quoted field is LF), with two differences, so that every physical line
// of the file is accounted for as part of a record or of a reject:
//
//   - a record that fails to parse across several lines (a quoted field
//     still open after maxFieldLines lines or at the end of the file, or a
//     quote error on a later line) is reported on the line where it
//     started, and reading resumes at the next physical line: one stray
//     quote costs one row, not the rest of the file;
//   - lines may end in CR alone (eol '\r': Excel's "CSV (Macintosh)").
//
// Line numbers are 1-based physical lines.
type splitter struct {
	br    *bufio.Reader
	comma byte // an ASCII delimiter (sniffDelimiter's)
	eol   byte // '\n', or '\r' for CR-only files
	line  int  // physical lines taken from br
	// maxFields and maxBytes bound one record (limits.max_fields,
	// limits.max_record_bytes); 0 is no bound.
	maxFields int
	maxBytes  int
	back      []physLine
	long      []byte // a line longer than br's buffer
	buf       []byte // the record's unquoted text
	ends      []int  // end offset of each field in buf
	saved     []physLine
	rec       []string
}

// physLine is one physical line, without its line ending, kept to be read
// again.
type physLine struct {
	b []byte
	n int
}

func newSplitter(r io.Reader, comma rune, eol byte) *splitter {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &splitter{br: br, comma: byte(comma), eol: eol}
}

// next returns the next physical line and its number; ok is false at the
// end of the input. The line is valid until the next call unless it came
// from back.
func (s *splitter) next() (b []byte, n int, ok bool, err error) {
	if len(s.back) > 0 {
		l := s.back[0]
		s.back = s.back[1:]
		return l.b, l.n, true, nil
	}
	b, err = s.br.ReadSlice(s.eol)
	if errors.Is(err, bufio.ErrBufferFull) {
		s.long = append(s.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if s.maxBytes > 0 && len(s.long) > s.maxBytes {
				return nil, 0, false, s.tooLong(s.line + 1)
			}
			b, err = s.br.ReadSlice(s.eol)
			s.long = append(s.long, b...)
		}
		b = s.long
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, false, err
	}
	if len(b) == 0 {
		return nil, 0, false, nil
	}
	s.line++
	if s.maxBytes > 0 && len(b) > s.maxBytes+2 { // its line ending aside
		return nil, 0, false, s.tooLong(s.line)
	}
	b = bytes.TrimSuffix(b, []byte{s.eol})
	if s.eol == '\n' {
		b = bytes.TrimSuffix(b, []byte{'\r'})
	}
	return b, s.line, true, nil
}

// tooLong is the error for a record starting on line that passes maxBytes.
func (s *splitter) tooLong(line int) error {
	s.long = nil // a buffer that size is not kept
	return fmt.Errorf("%w: the record on line %d is longer than %d bytes (limits.max_record_bytes)", ErrLimit, line, s.maxBytes)
}

// tooWide is the error for a record starting on line with more than
// maxFields fields.
func (s *splitter) tooWide(line int) error {
	return fmt.Errorf("%w: the record on line %d has more than %d fields (limits.max_fields)", ErrLimit, line, s.maxFields)
}

// Read returns the next record and the line it starts on; io.EOF at the
// end; a *csv.ParseError for a malformed record (reading may go on); an
// error wrapping ErrLimit for a record past maxFields or maxBytes (reading
// stops: the file is refused); any other error for an unreadable input.
// The record is valid until the next call.
func (s *splitter) Read() ([]string, int, error) {
	for {
		ln, n, ok, err := s.next()
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			return nil, 0, io.EOF
		}
		if len(ln) == 0 {
			continue // encoding/csv skips empty lines too
		}
		if bytes.IndexByte(ln, '"') < 0 {
			if s.maxFields > 0 && bytes.Count(ln, []byte{s.comma}) >= s.maxFields {
				return nil, n, s.tooWide(n)
			}
			return s.split(string(ln)), n, nil
		}
		return s.quoted(ln, n)
	}
}

// split cuts a line without quotes at the delimiter.
func (s *splitter) split(line string) []string {
	s.rec = s.rec[:0]
	for {
		i := indexByte(line, s.comma)
		if i < 0 {
			return append(s.rec, line)
		}
		s.rec = append(s.rec, line[:i])
		line = line[i+1:]
	}
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// quoted parses a record with quotes that starts on line start.
func (s *splitter) quoted(ln []byte, start int) ([]string, int, error) {
	s.buf, s.ends, s.saved = s.buf[:0], s.ends[:0], s.saved[:0]
	at := start // the line being parsed
	fail := func(col int, err error) ([]string, int, error) {
		// Read again every line after the first: they may be rows of
		// their own.
		s.back = append(append([]physLine(nil), s.saved...), s.back...)
		return nil, start, &csv.ParseError{StartLine: start, Line: at, Column: col, Err: err}
	}
	pos := 0
	for {
		if pos < len(ln) && ln[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(ln[pos:], '"')
				if i < 0 {
					// The field runs on to the next line.
					s.buf = append(append(s.buf, ln[pos:]...), '\n')
					next, n, ok, err := s.next()
					if err != nil {
						return nil, start, err
					}
					if s.maxBytes > 0 && len(s.buf)+len(next) > s.maxBytes {
						return nil, start, s.tooLong(start)
					}
					if !ok {
						return fail(0, fmt.Errorf("unbalanced quote: field opened on line %d runs to the end of the file (line %d)", start, at))
					}
					if n-start >= maxFieldLines {
						s.saved = append(s.saved, physLine{bytes.Clone(next), n})
						at = n
						return fail(0, fmt.Errorf("unbalanced quote: field opened on line %d runs to line %d without closing (a quoted field may span %d lines)", start, n, maxFieldLines))
					}
					s.saved = append(s.saved, physLine{bytes.Clone(next), n})
					ln, pos, at = next, 0, n
					continue
				}
				s.buf = append(s.buf, ln[pos:pos+i]...)
				pos += i + 1
				if pos < len(ln) && ln[pos] == '"' {
					s.buf = append(s.buf, '"')
					pos++
					continue
				}
				break
			}
			s.ends = append(s.ends, len(s.buf))
			if s.maxFields > 0 && len(s.ends) > s.maxFields {
				return nil, start, s.tooWide(start)
			}
			if pos == len(ln) {
				break
			}
			if ln[pos] != s.comma {
				return fail(pos+1, csv.ErrQuote)
			}
			pos++
			continue
		}
		i := bytes.IndexByte(ln[pos:], s.comma)
		end := len(ln)
		if i >= 0 {
			end = pos + i
		}
		if j := bytes.IndexByte(ln[pos:end], '"'); j >= 0 {
			return fail(pos+j+1, csv.ErrBareQuote)
		}
		s.buf = append(s.buf, ln[pos:end]...)
		s.ends = append(s.ends, len(s.buf))
		if s.maxFields > 0 && len(s.ends) > s.maxFields {
			return nil, start, s.tooWide(start)
		}
		if i < 0 {
			break
		}
		pos = end + 1
	}
	text := string(s.buf)
	s.rec = s.rec[:0]
	from := 0
	for _, e := range s.ends {
		s.rec = append(s.rec, text[from:e])
		from = e
	}
	return s.rec, start, nil
}
