package ingest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestScanMergeRefs(t *testing.T) {
	xml := `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mergeCell ref="Z1:Z9"/&gt;</t></is></c></row></sheetData>` +
		`<mergeCells count="3"><mergeCell ref="B2:B3"/><x:mergeCell ref="C4:D4"/><mergeCell  ref="E1:E2"/></mergeCells></worksheet>`
	// Every read boundary, down to one byte at a time.
	for _, r := range []struct {
		name string
		in   func() *strings.Reader
		one  bool
	}{{"whole", func() *strings.Reader { return strings.NewReader(xml) }, false}, {"bytewise", func() *strings.Reader { return strings.NewReader(xml) }, true}} {
		var got []string
		var src = r.in()
		var err error
		if r.one {
			err = scanMergeRefs(iotest.OneByteReader(src), func(ref string) { got = append(got, ref) })
		} else {
			err = scanMergeRefs(src, func(ref string) { got = append(got, ref) })
		}
		if err != nil {
			t.Fatal(err)
		}
		// The text that looks like a merge is not one.
		if want := []string{"B2:B3", "C4:D4", "E1:E2"}; !slices.Equal(got, want) {
			t.Errorf("%s: refs = %q; want %q", r.name, got, want)
		}
	}
}

func TestCheckZipMessages(t *testing.T) {
	if err := checkZip("testdata/no-such.xlsx", Limits{}.withDefaults()); !errors.Is(err, ErrUnreadable) {
		t.Errorf("missing file: %v; want ErrUnreadable", err)
	}
	for _, c := range []struct {
		n    uint64
		want string
	}{{900, "900 bytes"}, {1 << 20, "1 MiB"}, {3 << 29, "1.5 GiB"}, {5 << 30, "5 GiB"}} {
		if got := byteSize(c.n); got != c.want {
			t.Errorf("byteSize(%d) = %q; want %q", c.n, got, c.want)
		}
	}
}
