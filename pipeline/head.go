package pipeline

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// headRows is how many rows from the top of a file Check keeps for the
// header search: as many as ingest searches.
const headRows = 20

// Head is the first rows of a file or sheet, as Check shows and guesses
// from them: the cells of each row (trimmed) and its row number as the
// user sees it (header = 1 when it is the first line).
type Head struct {
	Rows  [][]string `json:"rows"`
	Lines []int      `json:"lines"`
}

// Widest is the row of h with the most non-empty cells (the first on a
// tie) and its row number; nil when h has none.
func (h *Head) Widest() ([]string, int) {
	best, n := -1, 0
	for i, r := range h.Rows {
		if c := filled(r); c > n {
			best, n = i, c
		}
	}
	if best < 0 {
		return nil, 0
	}
	return h.Rows[best], h.Lines[best]
}

// filled counts the non-empty cells of row.
func filled(row []string) int {
	n := 0
	for _, c := range row {
		if c != "" {
			n++
		}
	}
	return n
}

// isTabular reports whether a file's name says it holds rows Check can
// show the head of: delimited text or a workbook.
func isTabular(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt", ".text", ".xlsx", ".xlsm":
		return true
	}
	return false
}

// joinInput is the path of the file name in the input folder dir.
func joinInput(dir, name string) string { return filepath.Join(dir, name) }

// readHead reads the first rows of the CSV or text file at path, or of
// its sheet when sheet is not "". It returns nil when nothing can be
// read: the head is shown to help, never needed.
func readHead(path, sheet string) *Head {
	var h *Head
	var err error
	if sheet != "" || strings.HasPrefix(strings.ToLower(filepath.Ext(path)), ".xls") {
		h, err = sheetHead(path, sheet)
	} else {
		h, err = textHead(path)
	}
	if err != nil || len(h.Rows) == 0 {
		return nil
	}
	return h
}

// textHead reads the first rows of a delimited text file (UTF-8, its
// delimiter the commonest of comma, tab, semicolon and bar in the first
// line).
func textHead(path string) (*Head, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, 1<<20))
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	first, _ := br.Peek(64 << 10) // less at the end of the file
	if line, _, ok := bytes.Cut(first, []byte{'\n'}); ok {
		first = line
	}
	r := csv.NewReader(br)
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = delimiter(first), -1, true
	h := &Head{}
	for len(h.Rows) < headRows {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue
			}
			return nil, err
		}
		line, _ := r.FieldPos(0)
		h.Rows, h.Lines = append(h.Rows, trimmed(rec)), append(h.Lines, line)
	}
	return h, nil
}

// delimiter is the commonest of comma, tab, semicolon and bar in line;
// comma when none is there.
func delimiter(line []byte) rune {
	best, n := ',', 0
	for _, d := range []rune{',', '\t', ';', '|'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

// sheetHead reads the first rows of a workbook's sheet (its first sheet
// when sheet is "").
func sheetHead(path, sheet string) (*Head, error) {
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	h := &Head{}
	for line := 1; len(h.Rows) < headRows && rows.Next(); line++ {
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		h.Rows, h.Lines = append(h.Rows, trimmed(cols)), append(h.Lines, line)
	}
	return h, rows.Error()
}

// trimmed is rec with each cell trimmed of surrounding space.
func trimmed(rec []string) []string {
	out := make([]string, len(rec))
	for i, c := range rec {
		out[i] = strings.TrimSpace(c)
	}
	return out
}
