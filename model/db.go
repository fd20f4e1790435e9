package model

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/marcboeker/go-duckdb"
)

// DB is the model database: a DuckDB file.
type DB struct {
	*sql.DB
	conn *sql.Conn // the one connection Arrow views are registered on
	// OnStep, when set, hears each step of Build and Analyze as it ends:
	// the SQL model or analysis, and how long it took.
	OnStep func(step string, took time.Duration)
}

// step times a step for OnStep: defer d.step("name")().
func (d *DB) step(name string) func() {
	t0 := time.Now()
	return func() {
		if d.OnStep != nil {
			d.OnStep(name, time.Since(t0))
		}
	}
}

// Open opens (creating if needed) the DuckDB file at path, or an
// in-memory database when path is "". Close it.
func Open(ctx context.Context, path string) (*DB, error) {
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open %s: %w", path, err), db.Close())
	}
	// Row order within a table carries no meaning here; letting DuckDB drop
	// it halves load time and memory.
	// Checkpoint once, when the run closes the file, rather than after
	// every model table: the tables are written once either way.
	for _, q := range []string{"SET GLOBAL preserve_insertion_order = false", "SET GLOBAL checkpoint_threshold = '4GB'"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, errors.Join(fmt.Errorf("open %s: %w", path, err), conn.Close(), db.Close())
		}
	}
	return &DB{DB: db, conn: conn}, nil
}

// Close closes the database.
func (d *DB) Close() error {
	if d.conn == nil {
		return nil
	}
	err := errors.Join(d.conn.Close(), d.DB.Close())
	d.conn = nil
	return err
}

// Conn is the connection the model runs on.
func (d *DB) Conn() *sql.Conn { return d.conn }

// Ident quotes s as a SQL identifier.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// LoadArrow creates table name (replacing it) from the record batches of
// rdr, through DuckDB's Arrow scan. The stream is read once; rdr keeps the
// caller's reference. If rdr reports an error, that error is returned.
// Loads of different tables may run at once: each takes a connection of
// its own.
func (d *DB) LoadArrow(ctx context.Context, name string, rdr array.RecordReader) error {
	view := Ident("arrow_in_" + name)
	conn, err := d.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("load table %s: %w", name, err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err := ar.RegisterView(rdr, "arrow_in_"+name)
		if err != nil {
			return err
		}
		ex := dc.(driver.ExecerContext)
		_, err = ex.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT * FROM %s", Ident(name), view), nil)
		// The view outlives the statement: drop it before freeing the
		// stream, then drop the reference the export took.
		_, errDrop := ex.ExecContext(ctx, "DROP VIEW IF EXISTS "+view, nil)
		release()
		rdr.Release()
		return errors.Join(err, errDrop)
	})
	if rerr := rdr.Err(); rerr != nil {
		return rerr
	}
	if err != nil {
		return fmt.Errorf("load table %s: %w", name, err)
	}
	return nil
}

// PastEstimate is a headline estimate of an earlier successful run, as
// the run history keeps it.
type PastEstimate struct {
	RunID                   string
	Started                 time.Time
	Analysis, Subject       string
	Estimate, CILow, CIHigh float64
}

// LoadHistory writes the run history's headline estimates into the table
// run_history (run_id, started, analysis, subject, estimate, ci_low,
// ci_high), replacing it, for the reports' trend.
func (d *DB) LoadHistory(ctx context.Context, past []PastEstimate) error {
	rows := make([][]driver.Value, len(past))
	for i, p := range past {
		rows[i] = []driver.Value{p.RunID, p.Started, p.Analysis, p.Subject, p.Estimate, p.CILow, p.CIHigh}
	}
	if err := d.appendTable(ctx, "run_history", `run_id VARCHAR, started TIMESTAMP, analysis VARCHAR, subject VARCHAR, estimate DOUBLE, ci_low DOUBLE, ci_high DOUBLE`, rows); err != nil {
		return fmt.Errorf("run history: %w", err)
	}
	return nil
}
