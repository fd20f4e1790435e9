package outdir

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckLink: which folders the Parquet export may own. An absent
// folder, an empty one and one holding only an earlier export's files are
// taken (Link then replaces them with the link); anything else is a
// *LinkError (ErrParquetDir) and is left alone.
func TestCheckLink(t *testing.T) {
	root := t.TempDir()
	in, out := filepath.Join(root, "in"), filepath.Join(root, "out")
	os.MkdirAll(in, 0o750)
	os.MkdirAll(out, 0o750)
	want := filepath.Join(out, CurrentLink, "parquet")
	write := func(p, body string) {
		os.MkdirAll(filepath.Dir(p), 0o750)
		if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(p string)
		ok    bool
	}{
		{"Absent", func(string) {}, true},
		{"Empty", func(p string) { os.Mkdir(p, 0o750) }, true},
		{"EarlierExport", func(p string) {
			write(filepath.Join(p, "schools", "part-0.parquet"), "PAR1...PAR1")
			write(filepath.Join(p, "growth", "school_year=2024", "part-0.parquet"), "PAR1...PAR1")
		}, true},
		{"OurLink", func(p string) { os.Symlink(want, p) }, true},
		{"NotParquet", func(p string) { write(filepath.Join(p, "schools", "part-0.parquet"), "my notes") }, false},
		{"OtherFile", func(p string) { write(filepath.Join(p, "schools", "part-0.parquet.bak"), "PAR1") }, false},
		{"TopLevelFile", func(p string) { write(filepath.Join(p, "NOTES.md"), "notes") }, false},
		{"OtherLink", func(p string) { os.Symlink(in, p) }, false},
		{"AFile", func(p string) { write(p, "PAR1") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "pq")
			tc.setup(p)
			err := CheckLink(p, in, out, "parquet")
			var le *LinkError
			if tc.ok != (err == nil) || (err != nil && (!errors.Is(err, ErrParquetDir) || !errors.As(err, &le) || le.Path != p)) {
				t.Fatalf("CheckLink = %v; want ok %v", err, tc.ok)
			}
			if !tc.ok {
				return
			}
			d, err := Lock(context.Background(), out, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Release()
			if err := d.Link(p, "parquet"); err != nil {
				t.Fatal(err)
			}
			if got, err := os.Readlink(p); err != nil || got != want {
				t.Errorf("after Link: %q, %v; want a link to %s", got, err, want)
			}
		})
	}
}
