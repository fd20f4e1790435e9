package model

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// errReader yields one batch and then fails, as a reader meeting a
// truncated file does.
type errReader struct {
	array.RecordReader
	n int
}

var errBroken = errors.New("broken stream")

func (e *errReader) Next() bool {
	e.n++
	return e.n == 1 && e.RecordReader.Next()
}
func (e *errReader) Err() error {
	if e.n > 1 {
		return errBroken
	}
	return nil
}

func batch(mem memory.Allocator, ids ...string) (*arrow.Schema, arrow.Record) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues(ids, nil)
	return schema, b.NewRecord()
}

func TestLoadArrow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	schema, rec := batch(mem, "007", "010")
	rdr, err := array.NewRecordReader(schema, []arrow.Record{rec})
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.LoadArrow(ctx, "ids", rdr); err != nil {
		t.Fatal(err)
	}
	rdr.Release()
	var got string
	if err := db.QueryRowContext(ctx, "SELECT string_agg(id, ',' ORDER BY id) FROM ids").Scan(&got); err != nil || got != "007,010" {
		t.Errorf("ids = %q, %v", got, err)
	}

	// A stream that fails part way: its own error comes back, no table.
	schema, rec = batch(mem, "1")
	inner, _ := array.NewRecordReader(schema, []arrow.Record{rec})
	rec.Release()
	err = db.LoadArrow(ctx, "broken", &errReader{RecordReader: inner})
	inner.Release()
	if !errors.Is(err, errBroken) {
		t.Errorf("LoadArrow(broken) = %v; want errBroken", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// The file reopens (no view left behind pointing at a freed stream).
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.TableCounts(ctx)
	if err != nil || counts["ids"] != 2 {
		t.Errorf("TableCounts = %v, %v", counts, err)
	}
}

func TestModelsAreOrderedFiles(t *testing.T) {
	ms, err := Models()
	if err != nil || len(ms) == 0 {
		t.Fatalf("Models() = %v, %v", ms, err)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i-1].File >= ms[i].File {
			t.Errorf("models out of order: %s, %s", ms[i-1].File, ms[i].File)
		}
	}
	if ms[0].Table != "coaching_by_school" {
		t.Errorf("first model builds %q", ms[0].Table)
	}
}
