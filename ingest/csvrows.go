package ingest

import (
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
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// csvRows are the records of a CSV or text file, decoded to UTF-8 and
// hashed as they are read.
type csvRows struct {
	f   *os.File
	h   hash.Hash
	r   *splitter
	tee io.Reader
	enc string
	eol string // LineEndings
}

// openCSV opens the file at path as delimited text: it drops a UTF-8
// byte-order mark, decodes UTF-16 and Windows-1252, and sniffs the
// delimiter and line ending from the first 64 KiB.
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
