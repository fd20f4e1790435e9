package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Cells are read raw (excelize's RawCellValue: formatting every cell is
// several times slower), which loses what a number format adds: an ID
// stored as the number 10362 under the format 0000000 shows as 0010362.
// So the styles whose number format only pads with zeros (and adds
// literal text) are found once per workbook, and when there are any, the
// sheet's XML is scanned beside excelize's reader for the numeric cells
// that use them; only those cells are formatted.

// padFormat is a number format that shows a whole number padded with
// zeros to width digits, between literal text: 0000000, "ID"\-0000.
type padFormat struct {
	prefix, suffix string
	width          int
}

// parsePadFormat reads a number format code; ok is false unless it is
// one block of 0 placeholders with quoted or backslash-escaped literals
// around it (no sections, decimals, grouping, colours or conditions), and
// it changes what the raw number shows.
func parsePadFormat(code string) (padFormat, bool) {
	var f padFormat
	var pre, suf strings.Builder
	zeros, done := 0, false
	for i := 0; i < len(code); i++ {
		lit := ""
		switch c := code[i]; {
		case c == '0' && !done:
			zeros++
			continue
		case c == '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return f, false
			}
			lit = code[i+1 : i+1+j]
			i += j + 1
		case c == '\\' && i+1 < len(code):
			lit = code[i+1 : i+2]
			i++
		default:
			return f, false
		}
		if zeros > 0 {
			done = true
			suf.WriteString(lit)
		} else {
			pre.WriteString(lit)
		}
	}
	f.prefix, f.suffix, f.width = pre.String(), suf.String(), zeros
	return f, zeros > 0 && (zeros > 1 || f.prefix != "" || f.suffix != "")
}

// apply formats a raw numeric cell value; a value that is not a whole
// number from 0 to 1e15 is returned as it is.
func (f padFormat) apply(raw string) string {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 0 || v >= 1e15 || v != float64(int64(v)) {
		return raw
	}
	digits := strconv.FormatInt(int64(v), 10)
	if n := f.width - len(digits); n > 0 {
		digits = strings.Repeat("0", n) + digits
	}
	return f.prefix + digits + f.suffix
}

// padStyles maps the index of each cell style (the s attribute of a cell)
// whose number format is a padFormat to that format, from the workbook's
// styles part; nil when there is none.
func padStyles(zr *zip.Reader) (map[int]padFormat, error) {
	var st struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := readXMLPart(zr, "xl/styles.xml", &st); err != nil {
		return nil, err
	}
	// Built-in formats (ids below 164) pad nothing.
	byID := map[int]padFormat{}
	for _, nf := range st.NumFmts {
		if f, ok := parsePadFormat(nf.Code); ok {
			byID[nf.ID] = f
		}
	}
	var out map[int]padFormat
	for i, xf := range st.Xfs {
		if f, ok := byID[xf.NumFmtID]; ok {
			if out == nil {
				out = map[int]padFormat{}
			}
			out[i] = f
		}
	}
	return out, nil
}

// padCell is a numeric cell, 1-based, whose style is a padFormat.
type padCell struct {
	row, col int
	f        padFormat
}

// padScanner finds, in a sheet's XML read as raw bytes, the numeric cells
// whose style pads them, in sheet order.
type padScanner struct {
	rc     io.ReadCloser
	br     *bufio.Reader
	styles map[int]padFormat
	row    int // current <row>
	col    int // last cell's column
	next   *padCell
	done   bool
}

func newPadScanner(rc io.ReadCloser, styles map[int]padFormat) *padScanner {
	return &padScanner{rc: rc, br: bufio.NewReaderSize(rc, 64<<10), styles: styles}
}

// scan returns the next padded cell; nil at the end of the sheet.
func (p *padScanner) scan() *padCell {
	for !p.done {
		// Text cannot hold a bare '<': each one starts a tag.
		if _, err := p.br.ReadSlice('<'); err != nil && err != bufio.ErrBufferFull {
			p.done = true
			break
		} else if err == bufio.ErrBufferFull {
			continue
		}
		tag, err := p.br.ReadSlice('>')
		if err != nil {
			p.done = err != bufio.ErrBufferFull
			continue
		}
		name := tag
		if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
			name = name[:i]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		switch string(name) {
		case "row":
			if r, ok := attrInt(tag, "r"); ok {
				p.row = r
			} else {
				p.row++
			}
			p.col = 0
		case "c":
			p.col++
			if ref, ok := attr(tag, "r"); ok {
				if c, _, err := cellRef(ref); err == nil {
					p.col = c
				}
			}
			s, ok := attrInt(tag, "s")
			if !ok {
				continue
			}
			f, ok := p.styles[s]
			if t, _ := attr(tag, "t"); !ok || (t != "" && t != "n") {
				continue
			}
			return &padCell{row: p.row, col: p.col, f: f}
		}
	}
	return nil
}

// apply formats the padded cells of row n (1-based) in cells.
func (p *padScanner) apply(n int, cells []string) {
	for {
		if p.next == nil {
			if p.next = p.scan(); p.next == nil {
				return
			}
		}
		c := p.next
		if c.row > n {
			return
		}
		p.next = nil
		if c.row == n && c.col-1 < len(cells) && cells[c.col-1] != "" {
			cells[c.col-1] = c.f.apply(cells[c.col-1])
		}
	}
}

func (p *padScanner) Close() error { return p.rc.Close() }

// attr returns the value of the attribute name in a tag's bytes.
func attr(tag []byte, name string) (string, bool) {
	for i := 0; ; {
		j := bytes.Index(tag[i:], []byte(name+`="`))
		if j < 0 {
			return "", false
		}
		at := i + j
		i = at + len(name) + 2
		if at > 0 && tag[at-1] != ' ' && tag[at-1] != '\t' && tag[at-1] != '\n' && tag[at-1] != '\r' {
			continue // the tail of another attribute's name
		}
		end := bytes.IndexByte(tag[i:], '"')
		if end < 0 {
			return "", false
		}
		return string(tag[i : i+end]), true
	}
}

func attrInt(tag []byte, name string) (int, bool) {
	v, ok := attr(tag, name)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// cellRef parses "AB12" into its 1-based column and row.
func cellRef(ref string) (col, row int, err error) {
	i := 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		col = col*26 + int(ref[i]|0x20-'a'+1)
		i++
	}
	row, err = strconv.Atoi(ref[i:])
	return col, row, err
}

// openPadScanner returns a scanner of the sheet's padded cells, or nil
// when no style of the workbook pads (the usual case: nothing more is
// read).
func openPadScanner(file, sheet string) (*padScanner, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	styles, err := padStyles(&zr.Reader)
	if err != nil || len(styles) == 0 {
		zr.Close()
		return nil, err
	}
	part, err := sheetPart(&zr.Reader, sheet)
	if err != nil || part == nil {
		zr.Close()
		return nil, err
	}
	rc, err := part.Open()
	if err != nil {
		zr.Close()
		return nil, err
	}
	return newPadScanner(closers{rc, zr}, styles), nil
}

// closers reads from the first and closes all.
type closers struct {
	io.ReadCloser
	zr *zip.ReadCloser
}

func (c closers) Close() error { return errors.Join(c.ReadCloser.Close(), c.zr.Close()) }
