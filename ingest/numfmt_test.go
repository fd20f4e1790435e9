package ingest

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestPadFormat(t *testing.T) {
	for _, tt := range []struct {
		Code, Raw, Want string
		OK              bool
	}{
		{Code: "0000000", Raw: "10362", Want: "0010362", OK: true},
		{Code: "00000", Raw: "1234567", Want: "1234567", OK: true}, // wider than the format: as it is
		{Code: `"ID"\-0000`, Raw: "77", Want: "ID-0077", OK: true},
		{Code: `"S"0`, Raw: "5", Want: "S5", OK: true},
		{Code: `0000"-A"`, Raw: "12", Want: "0012-A", OK: true},
		{Code: "0000000", Raw: "12.5", Want: "12.5", OK: true}, // not a whole number: raw
		{Code: "0000000", Raw: "-3", Want: "-3", OK: true},
		{Code: "0", OK: false},         // shows the raw number anyway
		{Code: "0.00", OK: false},      // decimals
		{Code: "#,##0", OK: false},     // grouping
		{Code: "000;(000)", OK: false}, // sections
		{Code: "[Red]000", OK: false},  // colour
		{Code: "00-00", OK: false},     // two blocks
		{Code: "mm/dd/yyyy", OK: false},
		{Code: `"open`, OK: false},
	} {
		f, ok := parsePadFormat(tt.Code)
		if ok != tt.OK {
			t.Errorf("parsePadFormat(%q) ok = %v; want %v", tt.Code, ok, tt.OK)
			continue
		}
		if ok {
			if got := f.apply(tt.Raw); got != tt.Want {
				t.Errorf("%q.apply(%q) = %q; want %q", tt.Code, tt.Raw, got, tt.Want)
			}
		}
	}
}

// TestPadScanner: only numeric cells whose style pads are formatted, at
// the columns their refs name, row by row.
func TestPadScanner(t *testing.T) {
	xml := `<worksheet><sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"><v>7</v></c></row>` + // B1's style 2 does not pad
		`<row r="3" spans="1:3"><c r="A3" s="1"><v>10362</v></c><c r="C3" s="1" t="n"><v>5</v></c></row>` +
		`<row r="4"><c r="A4" s="1" t="s"><v>1</v></c><c r="B4" s="1" t="str"><v>x</v></c><c r="AA4" s="1"><v>9</v></c></row>` +
		`</sheetData></worksheet>`
	p := newPadScanner(io.NopCloser(strings.NewReader(xml)), map[int]padFormat{1: {width: 7}})
	rows := map[int][]string{
		1: {"Name", "7"},
		3: {"10362", "", "5"},
		4: append([]string{"S1", "x"}, make([]string, 25)...),
	}
	rows[4][26] = "9"
	want := map[int][]string{
		1: {"Name", "7"},
		3: {"0010362", "", "0000005"},
		4: append([]string{"S1", "x"}, make([]string, 25)...),
	}
	want[4][26] = "0000009"
	for _, n := range []int{1, 3, 4} {
		p.apply(n, rows[n])
		if !reflect.DeepEqual(rows[n], want[n]) {
			t.Errorf("row %d = %q; want %q", n, rows[n], want[n])
		}
	}
}
