package reports

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Text that Excel would execute stays literal text.
func TestTextNeverFormula(t *testing.T) {
	b, err := newBook(bookInfo{Title: "t", Subject: "s"})
	if err != nil {
		t.Fatal(err)
	}
	hostile := []string{"=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", `=HYPERLINK("http://x","y")`}
	var rows [][]any
	for _, h := range hostile {
		rows = append(rows, []any{h, int64(1)})
	}
	if err := b.table("Sheet1", "t", []column{{Name: "Text"}, {Name: "N"}}, rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.xlsx")
	if err := b.save(path); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, h := range hostile {
		ref, _ := excelize.CoordinatesToCellName(1, 4+i)
		if fm, _ := f.GetCellFormula("Sheet1", ref); fm != "" {
			t.Errorf("%s: formula %q from text %q", ref, fm, h)
		}
		if v, _ := f.GetCellValue("Sheet1", ref); v != h {
			t.Errorf("%s = %q; want %q", ref, v, h)
		}
		if typ, _ := f.GetCellType("Sheet1", ref); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("%s has type %v; want a string cell", ref, typ)
		}
	}
	// Frozen header and autofilter are there.
	panes, err := f.GetPanes("Sheet1")
	if err != nil || !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes = %+v, %v; want frozen at row 3", panes, err)
	}
}

// TestPageLayout: a portrait page of a 60-character sheet holds 684
// points of rows at 100% (11 inches less 0.75 top and bottom, 72 points
// an inch; 60 characters are 450 of the 720 pixels across, so no
// shrinking); 40 rows of 15 points fill 600 of them, so a block of 90
// from row 41 starts a page and one of 84 does not. Columns wider than
// 100 characters print landscape, a page wide per 200.
func TestPageLayout(t *testing.T) {
	for _, c := range []struct {
		name      string
		total     float64
		block     float64
		landscape bool
		pages     int
		breaks    []int
	}{
		{"Splits", 60, 90, false, 1, []int{41}},
		{"Fits", 60, 84, false, 1, nil},
		{"Landscape", 150, 0, true, 1, nil},
		{"TwoWide", 260, 0, true, 2, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &page{}
			for r := 1; r <= 40; r++ {
				p.add(r, 15)
			}
			if c.block > 0 {
				p.keep(41, c.block, c.block)
				p.add(41, 15)
			}
			landscape, pages, breaks := p.layout(c.total)
			if landscape != c.landscape || pages != c.pages || !slices.Equal(breaks, c.breaks) {
				t.Errorf("layout(%v) = %v, %d, %v; want %v, %d, %v", c.total, landscape, pages, breaks, c.landscape, c.pages, c.breaks)
			}
		})
	}
}
