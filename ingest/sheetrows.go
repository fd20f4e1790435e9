package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/xuri/excelize/v2"
)

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

// sheetRows are the rows of one workbook sheet, with vertically merged
// cells filled and zero-padded number formats applied.
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

// openSheet opens src's sheet from the workbook's bytes, read once and
// hashed (readSummed).
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
