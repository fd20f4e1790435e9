package model

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// NullPartition is the Hive name of the partition of NULL values, as
// Spark, Trino and BigQuery read it.
const NullPartition = "__HIVE_DEFAULT_PARTITION__"

// ExportParquet writes every table of the model into dir as Parquet,
// Hive-partitioned by school_year where a table has that column:
//
//	dir/<table>/school_year=2024/part-0.parquet
//	dir/<table>/school_year=__HIVE_DEFAULT_PARTITION__/part-0.parquet  (NULL)
//	dir/<table>/part-0.parquet                                         (no school_year)
//
// The partition column is in the path, not in the files, as those engines
// expect. The batches go from DuckDB's Arrow interface to arrow-go's
// Parquet writer (snappy). dir must not exist: it is created, and on an
// error it holds part of the export (the pipeline writes it into a run's
// staging folder, which a failed run never publishes).
func (d *DB) ExportParquet(ctx context.Context, dir string) error {
	tables, err := d.tableColumns(ctx)
	if err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o750); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	for _, t := range tables {
		if err := d.exportTable(ctx, dir, t.name, t.partitioned); err != nil {
			return fmt.Errorf("parquet: %s: %w", t.name, err)
		}
	}
	return nil
}

type tableInfo struct {
	name        string
	partitioned bool // has a school_year column
}

func (d *DB) tableColumns(ctx context.Context) ([]tableInfo, error) {
	rows, err := d.conn.QueryContext(ctx, `
		SELECT t.table_name, bool_or(c.column_name = 'school_year')
		FROM duckdb_tables() t JOIN duckdb_columns() c USING (database_name, schema_name, table_name)
		WHERE t.schema_name = 'main' AND t.database_name = current_database()
		GROUP BY ALL ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tableInfo
	for rows.Next() {
		var t tableInfo
		if err := rows.Scan(&t.name, &t.partitioned); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// exportTable writes one table: a file per school_year value when
// partitioned, else one file.
func (d *DB) exportTable(ctx context.Context, dir, table string, partitioned bool) error {
	base := filepath.Join(dir, table)
	if !partitioned {
		return d.writeParquet(ctx, filepath.Join(base, "part-0.parquet"), "SELECT * FROM "+Ident(table))
	}
	rows, err := d.conn.QueryContext(ctx, "SELECT DISTINCT school_year FROM "+Ident(table)+" ORDER BY 1")
	if err != nil {
		return err
	}
	var years []*int64
	for rows.Next() {
		var y *int64
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return err
		}
		years = append(years, y)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	q := "SELECT * EXCLUDE (school_year) FROM " + Ident(table)
	for _, y := range years {
		part, where, args := NullPartition, " WHERE school_year IS NULL", []any(nil)
		if y != nil {
			part, where, args = strconv.FormatInt(*y, 10), " WHERE school_year = ?", []any{*y}
		}
		path := filepath.Join(base, "school_year="+part, "part-0.parquet")
		if err := d.writeParquet(ctx, path, q+where, args...); err != nil {
			return err
		}
	}
	if len(years) == 0 { // an empty table still has its schema
		return d.writeParquet(ctx, filepath.Join(base, "part-0.parquet"), q)
	}
	return nil
}

// writeParquet streams the result of q into a Parquet file at path.
func (d *DB) writeParquet(ctx context.Context, path, q string, args ...any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	err = d.queryArrow(ctx, q, args, func(rdr array.RecordReader) error {
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))
		w, err := pqarrow.NewFileWriter(rdr.Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return err
		}
		for rdr.Next() {
			// Written before the next batch: DuckDB reuses its buffers.
			if err := w.WriteBuffered(rdr.Record()); err != nil {
				w.Close()
				return err
			}
		}
		if err := rdr.Err(); err != nil {
			w.Close()
			return err
		}
		return w.Close() // closes f too
	})
	if err != nil {
		f.Close()
	}
	return err
}
