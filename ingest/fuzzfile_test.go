package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/xuri/excelize/v2"
)

// readWhole ingests the file at dir/name as its table and checks what
// every run must hold, whatever the bytes: no panic; a structural fault
// is a *FileError naming the file; otherwise every row read is loaded or
// rejected, each reject with a row and a reason, and no Arrow memory is
// left behind.
func readWhole(t *testing.T, dir, name string) {
	t.Helper()
	lim := Limits{MaxRows: 20_000, MaxUnzipBytes: 64 << 20, MaxSheetBytes: 64 << 20}
	// The other required tables, valid, so that discovery gets past
	// "missing required table" to the file under test.
	for other, body := range minimal {
		if strings.TrimSuffix(other, ".csv") == TableByName(Tables(), strings.TrimSuffix(name, filepath.Ext(name))).Name {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, other), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srcs, err := Discover(dir, Tables(), nil, lim)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.File != name {
			t.Fatalf("Discover: %v (%T), want a FileError naming %s", err, err, name)
		}
		return
	}
	srcs = slices.DeleteFunc(srcs, func(s *Source) bool { return s.File != name })
	if len(srcs) == 0 {
		t.Fatalf("Discover found no table in %s", name)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer func() {
		if n := mem.CurrentAlloc(); n != 0 {
			t.Errorf("%d bytes of Arrow memory not released", n)
		}
	}()
	for _, src := range srcs {
		r, err := Open(context.Background(), src, nil, NewKeys([]string{src.Table.Name}), mem, lim)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != src.File {
				t.Fatalf("Open: %v, want a FileError naming %s", err, src.File)
			}
			continue
		}
		loaded := 0
		for r.Next() {
			loaded += int(r.Record().NumRows())
		}
		st := r.Stats()
		if err := r.Err(); err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != src.File {
				t.Errorf("read: %v, want a FileError naming %s", err, src.File)
			}
		} else if st.RowsRead != st.RowsLoaded+st.RowsRejected || loaded != st.RowsLoaded {
			t.Errorf("%s: read %d != loaded %d (%d in batches) + rejected %d", src.Name(), st.RowsRead, st.RowsLoaded, loaded, st.RowsRejected)
		}
		for _, re := range r.Rejects {
			if re.Row <= 0 || re.Err == nil || re.File != src.File {
				t.Errorf("reject without row, reason or file: %+v", re)
			}
		}
		r.Release()
	}
}

// FuzzCSVFile feeds arbitrary bytes to the whole CSV path: delimiter
// sniffing, BOMs and UTF-16, header search, value parsing, checks.
func FuzzCSVFile(f *testing.F) {
	f.Add([]byte("school_year,student_id,teacher_id,subject,section_id,percent_time\n2024,001,T1,Math,S1,100\n2024,002,T1,ELA,S1,50\n"))
	f.Add([]byte("\xef\xbb\xbfStudent ID;Teacher;Subject;School Year\n001;T1;Math;2023-24\n002;T2;\"Read\ning\";2023-24\n"))
	f.Add([]byte("Roster export\n\nschool_year\tstudent_id\tteacher_id\tsubject\n2024\t001\tT1\tMath\n2024\t001\tT1\tMath\n"))
	f.Add([]byte("\xff\xfes\x00c\x00h\x00o\x00o\x00l\x00"))
	f.Fuzz(fuzzAs("rosters.csv"))
}

// fuzzAs returns a fuzz function that writes its bytes as the file name
// and ingests it within 10 s.
func fuzzAs(name string) func(*testing.T, []byte) {
	return func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
		withDeadline(t, 10*time.Second, func() { readWhole(t, dir, name) })
	}
}

// withDeadline fails the test when f runs longer than d: a file that
// stalls ingestion is a finding, not a slow test.
func withDeadline(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("ingestion still running after %v", d)
	}
}

// FuzzXLSXFile feeds arbitrary bytes named students.xlsx: random bytes,
// truncated and corrupted workbooks must end in a FileError, never a
// panic or a hang.
func FuzzXLSXFile(f *testing.F) {
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "Students")
	for i, row := range [][]any{
		{"Student ID", "School", "Grade", "Gender", "Race", "EL", "SPED", "FRL"},
		{"001", "0101", "K", "F", "Hispanic", "Y", "N", "Y"},
		{"002", "0101", 5, "M", "White", "N", "N", "N"},
		{"003", "0101", "=1+1", "M", "White", "maybe", "N", "N"},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("Students", cell, &row)
	}
	var buf bytes.Buffer
	x.Write(&buf)
	x.Close()
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Fuzz(fuzzAs("students.xlsx"))
}
