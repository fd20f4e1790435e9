package ingest

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// repeatReader yields unit n times, counting the bytes taken.
type repeatReader struct {
	unit  string
	n     int
	taken int64
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:], r.unit[r.off:])
		k += c
		r.off += c
		if r.off == len(r.unit) {
			r.off, r.n = 0, r.n-1
		}
	}
	r.taken += int64(k)
	if k == 0 {
		return 0, io.EOF
	}
	return k, nil
}

// TestSplitterRecordBytes pins issue 13's item 5: a record longer than
// limits.max_record_bytes stops reading once the limit is passed, before
// the whole line is in memory (today the 16 MiB line is read whole).
func TestSplitterRecordBytes(t *testing.T) {
	in := &repeatReader{unit: "a,", n: 8 << 20} // one 16 MiB line
	s := newSplitter(in, ',', '\n')
	s.maxBytes, s.maxFields = 1<<20, 1<<30
	_, _, err := s.Read()
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "limits.max_record_bytes") || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v; want ErrLimit naming limits.max_record_bytes and line 1", err)
	}
	// The splitter's own buffer (64 KiB) past the limit, and no more.
	if in.taken > 1<<20+64<<10 {
		t.Errorf("read %d bytes before stopping; want at most the limit and one buffer", in.taken)
	}
}

// TestSplitterFields pins limits.max_fields, for a record with quotes and
// one without, and that a record at the limit is read.
func TestSplitterFields(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		ok       bool
	}{
		{"AtLimit", "a,b,c,d\n", true},
		{"Plain", "h\na,b,c,d,e\n", false},
		{"Quoted", "h\n\"a\",b,c,d,\"e\"\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSplitter(strings.NewReader(tt.in), ',', '\n')
			s.maxBytes, s.maxFields = 1<<20, 4
			var err error
			for err == nil {
				_, _, err = s.Read()
			}
			if tt.ok {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("err = %v; want the record read", err)
				}
				return
			}
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "line 2 has more than 4 fields (limits.max_fields)") {
				t.Fatalf("err = %v; want ErrLimit: line 2 has more than 4 fields (limits.max_fields)", err)
			}
		})
	}
}

// TestCSVLimitsStopTheFile pins that the [limits] keys reach the reader: a
// one-line file of 100,000 fields is a structural stop naming the key.
func TestCSVLimitsStopTheFile(t *testing.T) {
	files := map[string]string{}
	for k, v := range minimal {
		files[k] = v
	}
	files["students.csv"] = strings.Repeat("a,", 100_000) + "\n"
	dir := writeDir(t, files)
	src := &Source{Path: filepath.Join(dir, "students.csv"), File: "students.csv", Table: TableByName(Tables(), "students")}
	for _, tt := range []struct {
		lim Limits
		key string
	}{{Limits{}, "limits.max_fields"}, {Limits{MaxFields: 1 << 20, MaxRecordBytes: 64 << 10}, "limits.max_record_bytes"}} {
		_, err := Open(context.Background(), src, nil, NewKeys(nil), memory.NewGoAllocator(), tt.lim)
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, ErrLimit) || fe.File != "students.csv" || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("Open = %v; want a FileError for students.csv wrapping ErrLimit naming %s", err, tt.key)
		}
	}
}
