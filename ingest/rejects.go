package ingest

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// RejectsSchema is the schema of the rejects table.
var rejectsFields = []arrow.Field{
	{Name: "file", Type: arrow.BinaryTypes.String},
	{Name: "sheet", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "table_name", Type: arrow.BinaryTypes.String},
	{Name: "row", Type: arrow.PrimitiveTypes.Int64},
	{Name: "column", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "value", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "detail", Type: arrow.BinaryTypes.String, Nullable: true},
}

// RejectsReader returns the rejects as one Arrow stream, in the order given.
func RejectsReader(mem memory.Allocator, rejects []RowError) (array.RecordReader, error) {
	schema := arrow.NewSchema(rejectsFields, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	str := func(i int, s string, nullable bool) {
		sb := b.Field(i).(*array.StringBuilder)
		if s == "" && nullable {
			sb.AppendNull()
		} else {
			sb.Append(s)
		}
	}
	for _, r := range rejects {
		str(0, r.File, false)
		str(1, r.Sheet, true)
		str(2, r.Table, false)
		b.Field(3).(*array.Int64Builder).Append(int64(r.Row))
		str(4, r.Column, true)
		str(5, r.Value, true)
		str(6, Reason(r.Err), false)
		detail := r.Detail
		if detail == "" && r.Err != nil && r.Err.Error() != Reason(r.Err) {
			detail = r.Err.Error()
		}
		str(7, detail, true)
	}
	rec := b.NewRecord()
	defer rec.Release()
	return array.NewRecordReader(schema, []arrow.Record{rec})
}
