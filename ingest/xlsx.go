package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// checkZip reads a workbook's zip directory and enforces the size limits
// before anything is unpacked. The sizes are the ones the directory
// declares; archive/zip fails a part that inflates past its declared size,
// so a lying directory cannot get round them.
func checkZip(file string, lim Limits) error {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return fmt.Errorf("%w: not a readable xlsx workbook: %v", ErrUnreadable, err)
	}
	defer zr.Close()
	return checkZipParts(&zr.Reader, lim)
}

// checkZipParts is checkZip on a workbook already open.
func checkZipParts(zr *zip.Reader, lim Limits) error {
	var total uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		name := strings.ToLower(partName(f))
		big := strings.HasPrefix(name, "xl/worksheets/") || name == "xl/sharedstrings.xml"
		switch {
		case big && size > uint64(lim.MaxSheetBytes):
			return fmt.Errorf("%w: part %s unpacks to %s, over the %s limit on one sheet (limits.max_sheet_bytes)", ErrLimit, f.Name, byteSize(size), byteSize(uint64(lim.MaxSheetBytes)))
		case !big && size > maxPartBytes:
			return fmt.Errorf("%w: part %s unpacks to %s, over the %s limit on parts other than sheets", ErrLimit, f.Name, byteSize(size), byteSize(maxPartBytes))
		}
		total += size // both terms are at most 4 GiB + max_sheet_bytes here: no overflow
		if total > uint64(lim.MaxUnzipBytes) {
			return fmt.Errorf("%w: the workbook unpacks to more than %s, the limit on one workbook (limits.max_unzip_bytes)", ErrLimit, byteSize(uint64(lim.MaxUnzipBytes)))
		}
	}
	return nil
}

// byteSize formats n bytes for a message: "4 GiB", "1.5 MiB", "900 bytes".
func byteSize(n uint64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), units[u])
	}
	return fmt.Sprintf("%.1f %s", v, units[u])
}

// vmerge is a vertically merged range: the value of its top cell fills
// the cells below it in column col, rows top+1..bottom (1-based).
type vmerge struct {
	col, top, bottom int
}

// sheetMerges lists the vertical merges of a sheet. They sit after the
// sheet's data in its XML, so the part is scanned once for them as raw
// bytes, in constant memory, before the rows are streamed.
func sheetMerges(zr *zip.Reader, sheet string) ([]vmerge, error) {
	part, err := sheetPart(zr, sheet)
	if err != nil || part == nil {
		return nil, err
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []vmerge
	err = scanMergeRefs(rc, func(ref string) {
		// A horizontal extent is one wide cell: nothing to fill.
		col, top, bottom, ok := rangeRef(ref)
		if ok && bottom > top {
			out = append(out, vmerge{col: col, top: top, bottom: bottom})
		}
	})
	return out, err
}

// scanMergeRefs calls fn with the ref of every mergeCell element in r.
func scanMergeRefs(r io.Reader, fn func(ref string)) error {
	const tag = "mergeCell "
	var carry []byte
	buf := make([]byte, 1<<16)
	for {
		n, err := r.Read(buf)
		data := append(carry, buf[:n]...)
		i := 0
		for {
			j := bytes.Index(data[i:], []byte(tag))
			if j < 0 {
				break
			}
			start := i + j
			if !elementStart(data[:start]) {
				i = start + len(tag)
				continue
			}
			end := bytes.IndexByte(data[start:], '>')
			if end < 0 {
				break // the element continues in the next read
			}
			el := data[start : start+end]
			if k := bytes.Index(el, []byte(`ref="`)); k >= 0 {
				v := el[k+5:]
				if q := bytes.IndexByte(v, '"'); q >= 0 {
					fn(string(v[:q]))
				}
			}
			i = start + end
		}
		// Keep an unfinished element (or a tag cut in two) for the next read.
		keep := len(data) - i
		if k := bytes.LastIndexByte(data[i:], '<'); k >= 0 {
			keep = len(data) - (i + k)
		}
		keep = min(keep, 4096)
		carry = append(carry[:0], data[len(data)-keep:]...)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// elementStart reports whether before ends in "<" or "<prefix:", so that
// what follows is an element name: text cannot hold a bare "<".
func elementStart(before []byte) bool {
	k := bytes.LastIndexByte(before, '<')
	if k < 0 || len(before)-k > 32 {
		return false
	}
	p := before[k+1:]
	return len(p) == 0 || (p[len(p)-1] == ':' && !bytes.ContainsAny(p, " \t\r\n>/\"'"))
}

// rangeRef parses "B2:C5" into its left column and its top and bottom
// rows, 1-based.
func rangeRef(ref string) (col, top, bottom int, ok bool) {
	a, b, found := strings.Cut(ref, ":")
	if !found {
		return 0, 0, 0, false
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil {
		return 0, 0, 0, false
	}
	return min(c1, c2), min(r1, r2), max(r1, r2), true
}

// sheetPart finds the zip entry of the named sheet through the workbook
// and its relationships; nil when it is not there.
func sheetPart(zr *zip.Reader, sheet string) (*zip.File, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := readXMLPart(zr, "xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	if err := readXMLPart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	rid := ""
	for _, s := range wb.Sheets {
		if s.Name == sheet {
			rid = s.RID
		}
	}
	for _, r := range rels.Rels {
		if r.ID != rid || rid == "" {
			continue
		}
		target := strings.TrimPrefix(r.Target, "/")
		if !strings.HasPrefix(target, "xl/") {
			target = path.Join("xl", target)
		}
		for _, f := range zr.File {
			if strings.EqualFold(partName(f), target) {
				return f, nil
			}
		}
	}
	return nil, nil
}

// readXMLPart decodes a small part (checkZip bounds its size); a missing
// part leaves v empty.
func readXMLPart(zr *zip.Reader, name string, v any) error {
	for _, f := range zr.File {
		if !strings.EqualFold(partName(f), name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return xml.NewDecoder(rc).Decode(v)
	}
	return nil
}

// partName is a zip entry's name with forward slashes (some writers use
// backslashes).
func partName(f *zip.File) string { return strings.ReplaceAll(f.Name, "\\", "/") }
