package reports

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// book wraps an excelize workbook with the house styles.
type book struct {
	f      *excelize.File
	header int // style ids
	hnum   int // header of a number column: right-aligned over its numbers
	title  int
	bold   int
	int    int
	count  int // an integer without thousands separators (a row number)
	dec    int
	dec4   int
	pct    int
	wrap   int
	// decWrap is dec for a column whose text (a suppression's reason)
	// wraps within its width rather than being cut by the next cell.
	decWrap int
	text    int // plain text: top-aligned, indented off the number to its left
}

func newBook() (*book, error) {
	f := excelize.NewFile()
	b := &book{f: f}
	var err error
	style := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	const font = "Calibri" // named, or LibreOffice takes a serif for bold text
	header := func(horizontal string) *excelize.Style {
		return &excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF", Family: font}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: horizontal}}
	}
	b.header, b.hnum = style(header("")), style(header("right"))
	b.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "1F4E79", Family: font}})
	b.bold = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E79", Family: font}})
	// Numbers keep a space's width from the right edge ("_)") and text
	// starts one indent in, so a number never runs into the text beside
	// it; every cell is top-aligned so a row with wrapped text reads
	// straight across.
	top := &excelize.Alignment{Vertical: "top"}
	b.int = style(&excelize.Style{CustomNumFmt: ptr("#,##0_);-#,##0_)"), Alignment: top})
	b.count = style(&excelize.Style{CustomNumFmt: ptr("0_);-0_)"), Alignment: top})
	b.dec = style(&excelize.Style{CustomNumFmt: ptr("0.00_);-0.00_)"), Alignment: top})
	b.dec4 = style(&excelize.Style{CustomNumFmt: ptr("0.0000_);-0.0000_)"), Alignment: top})
	b.pct = style(&excelize.Style{CustomNumFmt: ptr("0%_);-0%_)"), Alignment: top})
	b.wrap = style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top", Indent: 1}})
	b.decWrap = style(&excelize.Style{CustomNumFmt: ptr("0.00_);-0.00_)"), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.text = style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", Indent: 1}})
	if err != nil {
		f.Close()
		return nil, err
	}
	return b, nil
}

func ptr[T any](v T) *T { return &v }

// column describes one column of a table sheet.
type column struct {
	Name  string
	Width float64 // 0 = fitted to content
	Style int     // cell style id, 0 = general
}

// section is one titled table within a sheet.
type section struct {
	Title string
	Cols  []column
	Rows  [][]any
}

// table writes one table on its own sheet: a title, a frozen header row,
// an autofilter, widths fitted to content.
func (b *book) table(sheet, title string, cols []column, rows [][]any) error {
	return b.sections(sheet, title, []section{{Cols: cols, Rows: rows}})
}

// sections writes a sheet title and then each section (title row, header
// row, rows, a blank row) with the streaming writer. The header of the
// first section is frozen and the last section gets the autofilter.
// Values must be string, int64, float64, bool, nil or excelize.Cell;
// strings stay text whatever they start with.
func (b *book) sections(sheet, title string, secs []section) error {
	return b.sheet(sheet, title, secs, nil)
}

// placed is where a section landed on its sheet: its header row and its
// first and last data rows (1-based; last < first when it has no rows).
type placed struct {
	Header, First, Last int
}

// sheet is sections with a hook: extras runs after the rows are written
// and before the sheet is closed, with where each section landed, to add
// pictures and charts (excelize keeps them only if added before Flush).
func (b *book) sheet(sheet, title string, secs []section, extras func(at []placed) error) error {
	// A column is as wide as its widest cell; a column's Width caps
	// that (long text wraps or is cut there) and is also its minimum
	// when it has content, so wrapped text is not squeezed. Headers wrap
	// within the width their cells need.
	var widths, content []float64
	fixed := map[int]float64{}
	for _, sec := range secs {
		for i, c := range sec.Cols {
			for len(widths) <= i {
				widths, content = append(widths, 8), append(content, 0)
			}
			name := float64(utf8.RuneCountInString(c.Name)) + 2
			widths[i] = max(widths[i], min(name, 16)) // longer headers wrap
			if c.Width > 0 {
				fixed[i] = max(fixed[i], c.Width)
			}
		}
		for _, r := range sec.Rows {
			for i, v := range r {
				if i < len(content) {
					content[i] = max(content[i], cellWidth(v))
				}
			}
		}
	}
	total := 0.0
	for i, w := range widths {
		w = max(w, content[i])
		if fw, ok := fixed[i]; ok {
			w = fw
			if content[i] == 0 {
				w = widths[i] // an empty column stays narrow
			}
		}
		widths[i] = min(w, max(60, fixed[i]), excelize.MaxColumnWidth)
		total += widths[i]
	}
	// Landscape, a page wide for every 220 characters of columns, so a
	// wide sheet prints over pages rather than in a tiny font. Set before
	// the stream writer, which keeps it.
	pages := int(math.Ceil(total / 220))
	if err := b.printFit(sheet, pages); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	row := 1
	if title != "" {
		row = 3
	}
	// Freeze the rows down to the first section's header; the stream
	// writer wants panes before any row.
	frozen := row
	if len(secs) > 0 && secs[0].Title != "" {
		frozen++
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: frozen, TopLeftCell: fmt.Sprintf("A%d", frozen+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if title != "" {
		if err := sw.SetRow("A1", []any{excelize.Cell{Value: fitLine(title), StyleID: b.title}}); err != nil {
			return err
		}
	}
	var filter string
	at := make([]placed, len(secs))
	for si, sec := range secs {
		if sec.Title != "" {
			if err := sw.SetRow(fmt.Sprintf("A%d", row), []any{excelize.Cell{Value: fitLine(sec.Title), StyleID: b.bold}}); err != nil {
				return err
			}
			row++
		}
		if len(sec.Cols) == 0 { // a line of text, no table
			at[si] = placed{Header: row - 1, First: row, Last: row - 1}
			row++
			continue
		}
		hdr := make([]any, len(sec.Cols))
		for i, c := range sec.Cols {
			style := b.header
			if c.Style == b.int || c.Style == b.count || c.Style == b.dec || c.Style == b.decWrap || c.Style == b.dec4 || c.Style == b.pct {
				style = b.hnum
			}
			hdr[i] = excelize.Cell{Value: c.Name, StyleID: style}
		}
		// Tall enough for the header that wraps most.
		lines := 2
		for i, c := range sec.Cols {
			lines = max(lines, int(math.Ceil(float64(utf8.RuneCountInString(c.Name))/max(widths[i]-1, 1))))
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", row), hdr, excelize.RowOpts{Height: min(float64(lines)*15, excelize.MaxRowHeight)}); err != nil {
			return err
		}
		headerRow := row
		row++
		at[si] = placed{Header: headerRow, First: row, Last: row + len(sec.Rows) - 1}
		for _, r := range sec.Rows {
			out := make([]any, len(r))
			lines := 1 // of the tallest wrapped cell
			for i, v := range r {
				style := b.text
				if i < len(sec.Cols) && sec.Cols[i].Style != 0 {
					style = sec.Cols[i].Style
				}
				if text, ok := v.(string); ok {
					if (style == b.wrap || style == b.decWrap) && style != 0 {
						var n int
						v, n = fitWrapped(text, wrapLineChars(widths[i]))
						lines = max(lines, n)
					} else {
						v = fitLine(text)
					}
				}
				out[i] = cellOf(v, style)
			}
			// Excel and LibreOffice do not grow streamed rows to fit
			// wrapped text: set the height (fitWrapped kept it within
			// Excel's 409 points).
			var opts []excelize.RowOpts
			if lines > 1 {
				opts = append(opts, excelize.RowOpts{Height: min(float64(lines)*lineHeight, excelize.MaxRowHeight)})
			}
			if err := sw.SetRow(fmt.Sprintf("A%d", row), out, opts...); err != nil {
				return err
			}
			row++
		}
		last, _ := excelize.CoordinatesToCellName(len(sec.Cols), max(row-1, headerRow+1))
		filter = fmt.Sprintf("A%d:%s", headerRow, last)
		row++
	}
	if extras != nil {
		if err := extras(at); err != nil {
			return err
		}
	}
	// Set on the stream writer's worksheet before Flush writes it: after,
	// excelize would parse the whole streamed sheet back to add it.
	if filter != "" {
		if err := b.f.AutoFilter(sheet, filter, nil); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	// Printed pages repeat the title, and the header too when the
	// sheet is one table (another table's header would mislead).
	// A sheet printed over several pages' width repeats its first
	// column, so every page says which row is which.
	repeat := frozen
	if len(secs) > 1 {
		repeat = 1
	}
	quoted := "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	titles := fmt.Sprintf("%s!$1:$%d", quoted, repeat)
	if pages > 1 {
		titles = fmt.Sprintf("%s!$A:$A,%s", quoted, titles)
	}
	if err := b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet, RefersTo: titles}); err != nil {
		return err
	}
	return nil
}

// printFit prints the sheet landscape, its columns on pages pages wide.
func (b *book) printFit(sheet string, pages int) error {
	if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	return b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: ptr("landscape"), FitToWidth: ptr(max(pages, 1)), FitToHeight: ptr(0)})
}

// Text from the inputs sets no size beyond Excel's: a row is at most
// excelize.MaxRowHeight (409) points high, a column at most
// excelize.MaxColumnWidth (255) characters wide, a cell at most
// excelize.TotalCellChars (32,767) characters long; any more fails the
// whole workbook. Longer text is cut to what a reader sees, and says so.
const (
	lineHeight = 12.75 // points per line of wrapped 11-point text
	// maxWrappedLines is as many lines as a row of 409 points shows:
	// 409 / 12.75, rounded down.
	maxWrappedLines = 32
	// maxLineChars is the most of an unwrapped cell kept: more runs on
	// past any screen (far below Excel's 32,767).
	maxLineChars = 1000
)

// wrapLineChars is how many characters of wrapped text one line of a
// column width wide holds.
func wrapLineChars(width float64) int { return max(int(width*0.95), 1) }

// cutNote ends text cut to fit: it says how long the whole was.
func cutNote(total int) string { return fmt.Sprintf("… (cut: %d characters in all)", total) }

// fitLine returns text as an unwrapped cell shows it: at most
// maxLineChars characters, cut with a note when longer.
func fitLine(text string) string {
	n := utf8.RuneCountInString(text)
	if n <= maxLineChars {
		return text
	}
	note := cutNote(n)
	return string([]rune(text)[:maxLineChars-utf8.RuneCountInString(note)]) + note
}

// fitWrapped returns text as a wrapped cell of perLine characters a line
// shows it, and its lines: at most maxWrappedLines (the tallest row
// Excel allows), cut with a note when longer. A line break starts a
// line.
func fitWrapped(text string, perLine int) (string, int) {
	lines := 0
	paras := strings.Split(text, "\n")
	for i, p := range paras {
		n := max(int(math.Ceil(float64(utf8.RuneCountInString(p))/float64(perLine))), 1)
		if lines+n <= maxWrappedLines {
			lines += n
			continue
		}
		// This paragraph overflows: keep what fits, then the note.
		note := cutNote(utf8.RuneCountInString(text))
		room := (maxWrappedLines-lines)*perLine - utf8.RuneCountInString(note)
		kept := strings.Join(paras[:i], "\n")
		if room > 0 {
			if i > 0 {
				kept += "\n"
			}
			kept += string([]rune(p)[:min(room, utf8.RuneCountInString(p))])
		} else {
			// No room on this paragraph's lines: the note takes the
			// last line kept.
			r := []rune(kept)
			kept = string(r[:max(len(r)+room, 0)])
		}
		return kept + note, maxWrappedLines
	}
	return text, lines
}

// cellOf makes a typed cell. Strings are always text cells: excelize
// writes a string value as an inline string, never as a formula.
func cellOf(v any, style int) any {
	switch x := v.(type) {
	case nil:
		return nil
	case excelize.Cell:
		return x
	case string:
		return excelize.Cell{Value: x, StyleID: style}
	}
	return excelize.Cell{Value: v, StyleID: style}
}

func cellWidth(v any) float64 {
	switch x := v.(type) {
	case string:
		if x == "" {
			return 0
		}
		return float64(utf8.RuneCountInString(x)) + 2
	case excelize.Cell:
		return cellWidth(x.Value)
	case float64:
		return 10
	case nil:
		return 0
	}
	return float64(len(fmt.Sprint(v))) + 3
}

// save writes the workbook to path through a temporary file in the same
// folder, so that path is either the old file or the whole new one.
func (b *book) save(path string) error {
	err := writeAtomic(path, func(w io.Writer) error { _, err := b.f.WriteTo(w); return err })
	return errors.Join(err, b.f.Close())
}

// writeAtomic writes path (mode 0640) through a temporary file and a
// rename, creating the folder (0750) if needed.
func writeAtomic(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	err = write(tmp)
	err = errors.Join(err, tmp.Chmod(0o640), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
