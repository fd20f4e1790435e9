package model

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/marcboeker/go-duckdb"
)

// frame is a query result held as Go columns: numbers, flags and dates as
// float64 (null = NaN; true = 1; dates as days since 1970-01-01), text as
// string (null = "").
type frame struct {
	n        int
	num      map[string][]float64
	str      map[string][]string
	interned map[string]string
}

// floats returns numeric column name; it panics on a name the query did not
// select, which is a bug in this package.
func (f *frame) floats(name string) []float64 {
	c, ok := f.num[name]
	if !ok {
		panic("model: frame has no numeric column " + name)
	}
	return c
}

// strings returns text column name; see floats.
func (f *frame) strings(name string) []string {
	c, ok := f.str[name]
	if !ok {
		panic("model: frame has no text column " + name)
	}
	return c
}

// queryArrow runs q through DuckDB's Arrow interface on the model's
// connection and hands the result stream to read. A batch is valid only
// until the next: DuckDB reuses its buffers.
func (d *DB) queryArrow(ctx context.Context, q string, args []any, read func(array.RecordReader) error) error {
	return queryArrowOn(ctx, d.conn, q, args, read)
}

// queryArrowOn is queryArrow on connection conn.
func queryArrowOn(ctx context.Context, conn *sql.Conn, q string, args []any, read func(array.RecordReader) error) error {
	return conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rdr.Release()
		return read(rdr)
	})
}

// queryFrame runs q through DuckDB's Arrow interface and copies the
// result into a frame. Each batch is converted on its own and every
// column joined once at the end: growing million-row columns batch by
// batch (DuckDB's are 2,048 rows) cost more than the query.
func (d *DB) queryFrame(ctx context.Context, q string, args ...any) (*frame, error) {
	return queryFrameOn(ctx, d.conn, q, args...)
}

// queryFrameOn is queryFrame on connection conn.
func queryFrameOn(ctx context.Context, conn *sql.Conn, q string, args ...any) (*frame, error) {
	f := &frame{num: map[string][]float64{}, str: map[string][]string{}, interned: map[string]string{}}
	nums := map[string][][]float64{}
	strs := map[string][][]string{}
	err := queryArrowOn(ctx, conn, q, args, func(rdr array.RecordReader) error {
		// Every selected column exists, even when no row comes back.
		for _, field := range rdr.Schema().Fields() {
			switch field.Type.ID() {
			case arrow.STRING, arrow.LARGE_STRING:
				strs[field.Name] = nil
			default:
				nums[field.Name] = nil
			}
		}
		for rdr.Next() {
			rec := rdr.Record()
			for i, field := range rec.Schema().Fields() {
				switch a := rec.Column(i).(type) {
				case *array.String:
					strs[field.Name] = append(strs[field.Name], appendStrings(make([]string, 0, a.Len()), a, f.interned))
				case *array.LargeString:
					strs[field.Name] = append(strs[field.Name], appendStrings(make([]string, 0, a.Len()), a, f.interned))
				default:
					v, err := appendNumbers(make([]float64, 0, a.Len()), a)
					if err != nil {
						return fmt.Errorf("column %s: %w", field.Name, err)
					}
					nums[field.Name] = append(nums[field.Name], v)
				}
			}
			f.n += int(rec.NumRows())
		}
		return rdr.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("query %.60q: %w", q, err)
	}
	for name, chunks := range nums {
		f.num[name] = slices.Concat(chunks...)
	}
	for name, chunks := range strs {
		f.str[name] = slices.Concat(chunks...)
	}
	return f, nil
}

type stringArray interface {
	arrow.Array
	Value(int) string
}

// appendStrings copies the values of a: Value points into the record's
// buffers, which DuckDB frees with the record. Repeated values share one
// copy.
func appendStrings(dst []string, a stringArray, seen map[string]string) []string {
	for i := range a.Len() {
		if a.IsNull(i) {
			dst = append(dst, "")
			continue
		}
		v := a.Value(i)
		c, ok := seen[v]
		if !ok {
			c = strings.Clone(v)
			seen[c] = c
		}
		dst = append(dst, c)
	}
	return dst
}

func appendNumbers(dst []float64, col arrow.Array) ([]float64, error) {
	var at func(int) float64
	switch a := col.(type) {
	case *array.Float64:
		at = func(i int) float64 { return a.Value(i) }
	case *array.Int32:
		at = func(i int) float64 { return float64(a.Value(i)) }
	case *array.Int64:
		at = func(i int) float64 { return float64(a.Value(i)) }
	case *array.Boolean:
		at = func(i int) float64 {
			if a.Value(i) {
				return 1
			}
			return 0
		}
	case *array.Date32:
		at = func(i int) float64 { return float64(a.Value(i)) }
	default:
		return nil, fmt.Errorf("unsupported Arrow type %s", col.DataType())
	}
	for i := range col.Len() {
		if col.IsNull(i) {
			dst = append(dst, math.NaN())
		} else {
			dst = append(dst, at(i))
		}
	}
	return dst, nil
}

// prefetched is a query started by prefetch: wait returns its frame.
type prefetched struct {
	done chan struct{}
	f    *frame
	err  error
}

// prefetch starts q on a connection of its own and returns at once, so
// that DuckDB reads the frame a later step needs while Go fits the
// earlier steps' models (the two overlap on two cores: DuckDB's scans
// leave a core idle much of the time, the fits none). Every prefetch
// must be waited for before the database closes; q must read only main
// tables (temporary ones are the model connection's own).
func (d *DB) prefetch(ctx context.Context, q string, args ...any) *prefetched {
	p := &prefetched{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		conn, err := d.DB.Conn(ctx)
		if err != nil {
			p.err = fmt.Errorf("query %.60q: %w", q, err)
			return
		}
		defer conn.Close()
		p.f, p.err = queryFrameOn(ctx, conn, q, args...)
	}()
	return p
}

// wait returns the prefetched frame, once its query is done.
func (p *prefetched) wait() (*frame, error) {
	<-p.done
	return p.f, p.err
}
