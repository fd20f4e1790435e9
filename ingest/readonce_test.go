package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestSheetSumIsOfBytesRead: a workbook replaced after it is hashed
// (rewritten in place, or a new file renamed over it) must not be read as
// the new file under the old checksum: the rows a sheet yields and the
// sha256 it reports are of the same bytes.
func TestSheetSumIsOfBytesRead(t *testing.T) {
	// book writes a one-sheet workbook whose one data row names name.
	book := func(t *testing.T, path, name string) []byte {
		f := excelize.NewFile()
		defer f.Close()
		f.SetSheetName("Sheet1", "teachers")
		f.SetSheetRow("teachers", "A1", &[]any{"teacher_id", "name"})
		f.SetSheetRow("teachers", "A2", &[]any{"T1", name})
		f.MergeCell("teachers", "A3", "A4") // sheetMerges reads the file too
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name    string
		replace func(t *testing.T, path string)
	}{
		{"InPlace", func(t *testing.T, path string) { book(t, path, "New") }},
		{"Rename", func(t *testing.T, path string) {
			tmp := filepath.Join(filepath.Dir(path), "new.xlsx")
			book(t, tmp, "New")
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "teachers.xlsx")
			old := book(t, path, "Old")
			src := &Source{Path: path, File: "teachers.xlsx", Sheet: "teachers", afterSum: func() { tc.replace(t, path) }}
			rows, err := openSheet(src, Limits{}.withDefaults())
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var names []string
			for {
				cells, _, err := rows.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(cells) > 1 {
					names = append(names, cells[1])
				}
			}
			sum := sha256.Sum256(old)
			if got, want := rows.Sum(), hex.EncodeToString(sum[:]); got != want || !slices.Equal(names, []string{"name", "Old"}) {
				t.Errorf("read %v with sha256 %.12s; want [name Old] with the old file's %.12s", names, got, want)
			}
		})
	}
}
