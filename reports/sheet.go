package reports

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// book wraps an excelize workbook with the house styles and what its
// printed pages name.
type book struct {
	f    *excelize.File
	info bookInfo
	// page is the printed pages of the sheet whose extras are being
	// added: a picture below its tables is kept on one page, a chart
	// beside them widens what prints.
	page   *page
	header int // style ids
	hnum   int // header of a number column: right-aligned over its numbers
	title  int
	bold   int
	int    int
	count  int // an integer without thousands separators (a row number)
	dec    int
	dec4   int
	pct    int
	pval   int // a p-value: three decimals, "<0.001" below that
	wrap   int
	// numText is a text cell (a suppression's reason) in a number column
	// with too few empty cells to its right to run on into: it wraps
	// within the column rather than widening it or being cut.
	numText int
	// decWrap is dec for a column whose text (a suppression's reason)
	// wraps within its width rather than being cut by the next cell.
	decWrap int
	text    int // plain text: top-aligned, indented off the number to its left
	// verdicts are the coloured cells of a verdict (verdict.go), by
	// verdict; they wrap.
	verdicts [nVerdicts]int
}

// bookInfo is what a workbook is about: its document properties and the
// header of every printed page say it.
type bookInfo struct {
	Title   string    // document title: "Coaching and student growth: district"
	Subject string    // the district, cohorts or school, as each page's header names it
	Started time.Time // the run's start: the document's created time and the pages' run date
}

// pValueFormat shows a p-value with three decimals, or "<0.001" when it
// is smaller (kept a space's width from the right edge, as every number
// is): the cell stays a number, so the column sorts.
const pValueFormat = `[<0.001]"<0.001"_);0.000_)`

func newBook(info bookInfo) (*book, error) {
	f := excelize.NewFile()
	b := &book{f: f, info: info}
	props := &excelize.DocProperties{Title: info.Title, Subject: info.Subject, Creator: "coachimpact", LastModifiedBy: "coachimpact"}
	if !info.Started.IsZero() {
		props.Created = info.Started.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	err := f.SetDocProps(props)
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
	// Titles are merged across the sheet's columns and wrap there.
	titleAlign := &excelize.Alignment{WrapText: true, Vertical: "top"}
	b.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "1F4E79", Family: font}, Alignment: titleAlign})
	b.bold = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E79", Family: font}, Alignment: titleAlign})
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
	b.pval = style(&excelize.Style{CustomNumFmt: ptr(pValueFormat), Alignment: top})
	b.numText = style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.wrap = style(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top", Indent: 1}})
	b.decWrap = style(&excelize.Style{CustomNumFmt: ptr("0.00_);-0.00_)"), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.text = style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", Indent: 1}})
	for v := verdictTooFew; v < nVerdicts; v++ {
		b.verdicts[v] = style(verdictStyle(v))
	}
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
	// Main marks the sheet's main data table (at most one a sheet): it
	// alone gets the autofilter, its header row is repeated on printed
	// pages, and it is frozen when it is the sheet's last table and near
	// the top (frozen rows above another table would name its columns
	// wrongly).
	Main bool
}

// table writes one table on its own sheet: a title, a frozen header row,
// an autofilter, widths fitted to content.
func (b *book) table(sheet, title string, cols []column, rows [][]any) error {
	return b.sections(sheet, title, []section{{Cols: cols, Rows: rows, Main: true}})
}

// sections writes a sheet title and then each section (title row, header
// row, rows, a blank row) with the streaming writer. Values must be
// string, int64, float64, bool, nil or excelize.Cell; strings stay text
// whatever they start with.
func (b *book) sections(sheet, title string, secs []section) error {
	return b.sheet(sheet, title, secs, nil)
}

// placed is where a section landed on its sheet: its header row and its
// first and last data rows (1-based; last < first when it has no rows).
type placed struct {
	Header, First, Last int
}

// maxFrozenRows is the most rows frozen above a sheet's main table: more
// would leave a laptop screen little room to scroll.
const maxFrozenRows = 10

// place returns where each section lands below a sheet title (rows 1-2
// when there is one): a title row, the header, the rows, a blank row.
func place(title string, secs []section) []placed {
	row := 1
	if title != "" {
		row = 3
	}
	at := make([]placed, len(secs))
	for i, sec := range secs {
		if sec.Title != "" {
			row++
		}
		if len(sec.Cols) == 0 { // a line of text, no table
			at[i] = placed{Header: row - 1, First: row, Last: row - 1}
			row++
			continue
		}
		at[i] = placed{Header: row, First: row + 1, Last: row + len(sec.Rows)}
		row += len(sec.Rows) + 2
	}
	return at
}

// mainTable is the index of the sheet's Main section, or -1.
func mainTable(secs []section) int {
	for i, s := range secs {
		if s.Main && len(s.Cols) > 0 {
			return i
		}
	}
	return -1
}

// sheet is sections with a hook: extras runs after the rows are written
// and before the sheet is closed, with where each section landed, to add
// pictures and charts (excelize keeps them only if added before Flush).
func (b *book) sheet(sheet, title string, secs []section, extras func(at []placed) error) error {
	widths := b.fitWidths(secs)
	total := 0.0
	for _, w := range widths {
		total += w
	}
	pg := &page{widths: widths}
	// Every row is as high as the page model counts it, in Excel and
	// LibreOffice alike; set before the stream writer, which writes
	// these first.
	if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true), DefaultRowHeight: ptr(defaultRowHeight), CustomHeight: ptr(true)}); err != nil {
		return err
	}
	at := place(title, secs)
	main := mainTable(secs)
	frozen := 0
	if main >= 0 && at[main].Header <= maxFrozenRows && !slices.ContainsFunc(secs[main+1:], func(s section) bool { return len(s.Cols) > 0 }) {
		frozen = at[main].Header
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
	// The stream writer wants panes before any row.
	if frozen > 0 {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: frozen, TopLeftCell: fmt.Sprintf("A%d", frozen+1), ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	if main >= 0 {
		// Rows repeated atop every printed page from the one where the
		// main table starts: its header, and the sheet title with it
		// when that is all above it.
		from := at[main].Header
		if from <= 3 {
			from = 1
		}
		pg.repeat = float64(at[main].Header-from)*defaultRowHeight + b.headerHeight(secs[main], widths)
		pg.repeatAt = at[main].Header
	}
	if title != "" {
		if err := b.textRow(sw, 1, title, b.title, widths, pg); err != nil {
			return err
		}
		pg.add(2, defaultRowHeight)
	}
	for si, sec := range secs {
		p := at[si]
		keepFrom := p.Header
		if sec.Title != "" {
			keepFrom--
		}
		if si > 0 { // the first starts below the sheet title, on page 1
			start, whole := b.sectionStart(sec, widths)
			pg.keep(keepFrom, start, whole)
		}
		if sec.Title != "" {
			if err := b.textRow(sw, keepFrom, sec.Title, b.bold, widths, pg); err != nil {
				return err
			}
		}
		if len(sec.Cols) == 0 {
			pg.add(p.First, defaultRowHeight) // the blank row below
			continue
		}
		hdr := make([]any, len(sec.Cols))
		for i, c := range sec.Cols {
			style := b.header
			if b.isNumber(c.Style) {
				style = b.hnum
			}
			hdr[i] = excelize.Cell{Value: c.Name, StyleID: style}
		}
		h := b.headerHeight(sec, widths)
		if err := sw.SetRow(fmt.Sprintf("A%d", p.Header), hdr, excelize.RowOpts{Height: h}); err != nil {
			return err
		}
		pg.add(p.Header, h)
		for ri, r := range sec.Rows {
			out, h := b.rowCells(sec, r, widths)
			// Excel and LibreOffice do not grow streamed rows to fit
			// wrapped text: set the height (fitWrapped kept it within
			// Excel's 409 points).
			if err := sw.SetRow(fmt.Sprintf("A%d", p.First+ri), out, excelize.RowOpts{Height: h}); err != nil {
				return err
			}
			pg.add(p.First+ri, h)
		}
		pg.add(p.Last+1, defaultRowHeight) // the blank row below
	}
	if extras != nil {
		b.page = pg
		err := extras(at)
		b.page = nil
		if err != nil {
			return err
		}
	}
	// The pages are laid out once the charts beside the tables are
	// known: they widen what prints.
	landscape, pages, breaks := pg.layout(total + pg.beside)
	if err := b.pageSetup(sheet, landscape, pages); err != nil {
		return err
	}
	// Set on the stream writer's worksheet before Flush writes it: after,
	// excelize would parse the whole streamed sheet back to add them.
	if main >= 0 {
		p := at[main]
		last, _ := excelize.CoordinatesToCellName(len(secs[main].Cols), max(p.Last, p.First))
		if err := b.f.AutoFilter(sheet, fmt.Sprintf("A%d:%s", p.Header, last), nil); err != nil {
			return err
		}
	}
	for _, row := range breaks {
		if err := b.f.InsertPageBreak(sheet, fmt.Sprintf("A%d", row)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if main < 0 && pages == 1 {
		return nil
	}
	// A sheet printed over several pages' width repeats the text
	// columns its main table starts with (up to three: what, subject,
	// year), so every page says which row is which.
	quoted := "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	var titles []string
	if pages > 1 {
		n := 1
		if main >= 0 {
			for n < min(3, len(secs[main].Cols)) && !b.isNumber(secs[main].Cols[n].Style) {
				n++
			}
		}
		last, _ := excelize.ColumnNumberToName(n)
		titles = append(titles, fmt.Sprintf("%s!$A:$%s", quoted, last))
	}
	if main >= 0 {
		from := at[main].Header
		if from <= 3 {
			from = 1
		}
		titles = append(titles, fmt.Sprintf("%s!$%d:$%d", quoted, from, at[main].Header))
	}
	return b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet, RefersTo: strings.Join(titles, ",")})
}

// fitWidths returns each column's width (characters) over all sections:
// as wide as its widest cell, where a column's Width caps that (long text
// wraps or is cut there) and is also its minimum when it has content, so
// wrapped text is not squeezed. Headers wrap within the width their cells
// need. Text in a number column (a suppression's reason) counts only up
// to numTextChars: it runs on into an empty neighbour or wraps.
func (b *book) fitWidths(secs []section) []float64 {
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
				if i >= len(content) {
					continue
				}
				w := cellWidth(v)
				if _, text := v.(string); text && b.isNumber(sec.Cols[i].Style) {
					w = min(w, numTextChars)
				}
				content[i] = max(content[i], w)
			}
		}
	}
	for i, w := range widths {
		w = max(w, content[i])
		if fw, ok := fixed[i]; ok {
			w = fw
			if content[i] == 0 {
				w = widths[i] // an empty column stays narrow
			}
		}
		widths[i] = min(w, max(60, fixed[i]), excelize.MaxColumnWidth)
	}
	return widths
}

// numTextChars is the most of a number column's width its text cells
// (suppression reasons) claim.
const numTextChars = 16

// isNumber reports whether style is one of the number styles.
func (b *book) isNumber(style int) bool {
	return style != 0 && slices.Contains([]int{b.int, b.count, b.dec, b.dec4, b.pct, b.pval, b.decWrap}, style)
}

// headerHeight is the height (points) of a section's header row: tall
// enough for the header that wraps most.
func (b *book) headerHeight(sec section, widths []float64) float64 {
	lines := 2
	for i, c := range sec.Cols {
		lines = max(lines, int(math.Ceil(float64(utf8.RuneCountInString(c.Name))/max(widths[i]-1, 1))))
	}
	return min(float64(lines)*15, excelize.MaxRowHeight)
}

// rowCells are a row's cells as written, and its height in points: text
// in a wrapping column, or in a number column where the empty cells to
// its right leave too little room, wraps within the column's width.
func (b *book) rowCells(sec section, r []any, widths []float64) ([]any, float64) {
	out := make([]any, len(r))
	lines := 1 // of the tallest wrapped cell
	for i, v := range r {
		style := b.text
		if i < len(sec.Cols) && sec.Cols[i].Style != 0 {
			style = sec.Cols[i].Style
		}
		// A cell styled on its own (a coloured verdict) wraps when its
		// style does.
		if c, ok := v.(excelize.Cell); ok {
			if text, ok := c.Value.(string); ok && slices.Contains(b.verdicts[verdictTooFew:], c.StyleID) {
				var n int
				c.Value, n = fitWrapped(text, wrapLineChars(widths[i]-1)) // less the indent
				lines = max(lines, n)
			}
			out[i] = c
			continue
		}
		if text, ok := v.(string); ok {
			if b.isNumber(style) && style != b.decWrap && float64(utf8.RuneCountInString(text))+1 > runOn(r, i, widths) {
				style = b.numText
			}
			if style == b.wrap || style == b.decWrap || style == b.numText {
				var n int
				v, n = fitWrapped(text, wrapLineChars(widths[i]))
				lines = max(lines, n)
			} else {
				v = fitLine(text)
			}
		}
		out[i] = cellOf(v, style)
	}
	if lines == 1 {
		return out, defaultRowHeight
	}
	return out, min(float64(lines)*lineHeight, excelize.MaxRowHeight)
}

// runOn is how many characters wide text in cell i of row r can run:
// its column and the empty cells right of it, up to the sheet's last
// column.
func runOn(r []any, i int, widths []float64) float64 {
	w := widths[i]
	for j := i + 1; j < len(widths) && (j >= len(r) || r[j] == nil || r[j] == ""); j++ {
		w += widths[j]
	}
	return w
}

// sectionStart is the height (points) of a section's start that must not
// be split by a page's end: its title, header and first rows; and of the
// whole section (counted up to maxKeep points), kept together when short.
func (b *book) sectionStart(sec section, widths []float64) (start, whole float64) {
	const firstRows = 3
	h := 0.0
	if sec.Title != "" {
		h += b.textHeight(sec.Title, b.bold, widths)
	}
	if len(sec.Cols) == 0 {
		return h, h
	}
	h += b.headerHeight(sec, widths)
	start = h
	for i, r := range sec.Rows {
		_, rh := b.rowCells(sec, r, widths)
		h += rh
		if i+1 == firstRows {
			start = h
		}
		if h > maxKeep {
			break
		}
	}
	return min(start, h), h
}

// maxKeep is taller than half of any page (points at 100%): a section
// taller is never kept whole.
const maxKeep = 2000.0

// Titles are merged across the sheet's columns and wrap there, so a
// title longer than the columns is never cut: a sheet title is 14-point
// bold (about 1.4 characters of the 11-point body a character), a
// section title 12-point bold (about 1.2).
const (
	titleLineHeight   = 19.0
	sectionLineHeight = 16.5
	defaultRowHeight  = 15.0 // points, 11-point text unwrapped
)

// textHeight is the height (points) of a title row in style across
// columns of widths.
func (b *book) textHeight(text string, style int, widths []float64) float64 {
	perChar, line := 1.2, sectionLineHeight
	if style == b.title {
		perChar, line = 1.4, titleLineHeight
	}
	total := 0.0
	for _, w := range widths {
		total += w
	}
	// A line break starts a line.
	lines := 0.0
	for _, p := range strings.Split(text, "\n") {
		lines += max(math.Ceil(float64(utf8.RuneCountInString(p))*perChar/max(total-1, 1)), 1)
	}
	return min(lines*line, excelize.MaxRowHeight)
}

// textRow writes a title row: text in style, merged across every column
// of the sheet and wrapped there.
func (b *book) textRow(sw *excelize.StreamWriter, row int, text string, style int, widths []float64, pg *page) error {
	text = fitLine(text)
	h := defaultRowHeight
	if len(widths) > 1 {
		h = b.textHeight(text, style, widths)
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", row), []any{excelize.Cell{Value: text, StyleID: style}}, excelize.RowOpts{Height: h}); err != nil {
		return err
	}
	pg.add(row, h)
	if len(widths) < 2 {
		return nil // one column or none: the text runs on to the right
	}
	last, _ := excelize.CoordinatesToCellName(len(widths), row)
	return sw.MergeCell(fmt.Sprintf("A%d", row), last)
}

// Printed pages are US Letter with half-inch side margins and
// three-quarter-inch top and bottom ones (the page header and footer sit
// in them). A sheet whose columns are at most portraitChars characters
// wide prints portrait, a wider one landscape, fitted to a page's width
// for every pageChars characters (about 65% at 200 in Excel).
const (
	paperLongIn, paperShortIn = 11.0, 8.5
	sideMarginIn, endMarginIn = 0.5, 0.75
	portraitChars             = 100
	pageChars                 = 200
)

// pxPerChar is how many pixels (at 96 dpi) a character of column width
// takes when printed, in Excel (a column w wide is 7w+5 pixels) and in
// LibreOffice (measured: about 9.5): fitted to the same width, a page
// holds more rows in LibreOffice.
var pxPerChar = [...]float64{7.5, 9.5}

// page records a sheet's rows as written (their heights, and the blocks
// that must not be split by a page's end) and lays out its printed pages
// once the sheet's whole width is known.
type page struct {
	widths   []float64 // of the sheet's columns, characters
	beside   float64   // characters of charts reaching right of the columns
	rows     []float64 // height of row i+1, points
	keeps    []keepBlock
	repeat   float64 // of the rows repeated atop each page from repeatAt on, points
	repeatAt int
}

// keepBlock is a block from row on that should start a page rather than
// be split: its first part (start points) always, the whole when it is
// at most half a page.
type keepBlock struct {
	row          int
	start, whole float64
}

// add records row, h points high (rows skipped before it are blank, of
// the default height).
func (p *page) add(row int, h float64) {
	for len(p.rows) < row-1 {
		p.rows = append(p.rows, defaultRowHeight)
	}
	p.rows = append(p.rows[:row-1], h)
}

// keep records a block from row on to keep on one page.
func (p *page) keep(row int, start, whole float64) {
	p.keeps = append(p.keeps, keepBlock{row, start, whole})
}

// layout lays the pages out for columns total characters wide: portrait
// up to portraitChars, else landscape, a page wide per pageChars; a
// manual break before each kept block that would not fit on what is
// left of its page in Excel's scale or LibreOffice's.
func (p *page) layout(total float64) (landscape bool, pages int, breaks []int) {
	pages = 1
	across, down := paperShortIn, paperLongIn
	if total > portraitChars {
		landscape, across, down = true, paperLongIn, paperShortIn
		pages = max(int(math.Ceil(total/pageChars)), 1)
	}
	var height, used [len(pxPerChar)]float64
	for i, px := range pxPerChar {
		scale := min(1, float64(pages)*(across-2*sideMarginIn)*96/max(total*px, 1))
		height[i] = (down - 2*endMarginIn) * 72 / scale
	}
	top := func(row int) float64 { // the rows repeated atop a page starting at row
		if p.repeatAt > 0 && row > p.repeatAt {
			return p.repeat
		}
		return 0
	}
	room := slices.Min(height[:]) - p.repeat
	last := len(p.rows)
	for _, k := range p.keeps {
		last = max(last, k.row)
	}
	ki := 0
	for row := 1; row <= last; row++ {
		for ; ki < len(p.keeps) && p.keeps[ki].row <= row; ki++ {
			k := p.keeps[ki]
			h := k.start
			if k.whole <= room/2 {
				h = k.whole
			}
			split := false
			for i, u := range used {
				split = split || (u > top(row) && u+h > height[i])
			}
			if split {
				breaks = append(breaks, row)
				for i := range used {
					used[i] = top(row)
				}
			}
		}
		h := defaultRowHeight
		if row <= len(p.rows) {
			h = p.rows[row-1]
		}
		for i := range used {
			if used[i] > 0 && used[i]+h > height[i] {
				used[i] = top(row)
			}
			used[i] += h
		}
	}
	return landscape, pages, breaks
}

// chartWidth is the width in pixels excelize gives a chart at scale 1.
const chartWidth = 480

// addChart adds a native chart at cell (with combo, charts drawn on its
// axes) and counts how far right of the columns it reaches, so that the
// printed pages fit it.
func (b *book) addChart(sheet, cell string, chart *excelize.Chart, combo ...*excelize.Chart) error {
	if p := b.page; p != nil {
		col, _, err := excelize.CellNameToCoordinates(cell)
		if err != nil {
			return err
		}
		left, total := 0.0, 0.0
		for i := 1; i < col; i++ {
			w := 8.43 // Excel's default column width
			if i <= len(p.widths) {
				w = p.widths[i-1]
			}
			left += w
		}
		for _, w := range p.widths {
			total += w
		}
		scale := chart.Format.ScaleX
		if scale == 0 {
			scale = 1
		}
		p.beside = max(p.beside, left+chartWidth*scale/pxPerChar[0]-total)
	}
	return b.f.AddChart(sheet, cell, chart, combo...)
}

// pageSetup sets a sheet's printing: orientation, fitted to its width in
// pages, margins, a page header naming the workbook's subject and the
// run's date, and page numbers in the footer.
func (b *book) pageSetup(sheet string, landscape bool, pages int) error {
	orientation := "portrait"
	if landscape {
		orientation = "landscape"
	}
	if err := b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: ptr(1), Orientation: ptr(orientation), FitToWidth: ptr(pages), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if err := b.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: ptr(sideMarginIn), Right: ptr(sideMarginIn), Top: ptr(endMarginIn), Bottom: ptr(endMarginIn), Header: ptr(0.3), Footer: ptr(0.3)}); err != nil {
		return err
	}
	return b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddHeader: b.pageHeader(), OddFooter: "&L" + headerText(clip(sheet, 40)) + "&RPage &P of &N"})
}

// pageHeader is every printed page's header: the workbook's subject on
// the left in bold, the run's date on the right. The subject is cut to
// 80 characters, so that even all ampersands (doubled) keep the header
// within Excel's 255.
func (b *book) pageHeader() string {
	h := `&L&"-,Bold"` + headerText(clip(b.info.Subject, 80)) + `&"-,Regular"`
	if !b.info.Started.IsZero() {
		h += "&RRun " + b.info.Started.UTC().Format("2006-01-02 15:04 UTC")
	}
	return h
}

// headerText escapes text for a page header or footer, where & starts a
// code.
func headerText(s string) string { return strings.ReplaceAll(s, "&", "&&") }

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
