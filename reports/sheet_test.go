package reports

import (
	"path/filepath"
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
