package outdir

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/marcboeker/go-duckdb"
)

// Run statuses in the history.
const (
	StatusOK       = "ok"
	StatusFailed   = "failed"
	StatusSkipped  = "skipped"
	StatusDegraded = "degraded" // finished, but the result is empty or mostly rejected

)

// Record is one run in the history.
type Record struct {
	RunID       string
	Started     time.Time
	Finished    time.Time
	Status      string
	Fingerprint string            // of the inputs, config and program
	Inputs      map[string]string // file → sha256
	Rows        map[string]int64  // model table → rows
	Rejects     int
	Headlines   []Headline
	Error       string
	Reasons     []Reason // why a degraded run is degraded
}

// Reason is one reason a run is degraded: a code and a sentence.
type Reason struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Headline is one headline estimate of a run.
type Headline struct {
	Analysis, Subject string
	Estimate          float64
	CILow, CIHigh     float64
}

// History is the run history database, history.duckdb in the output
// folder; publishing never replaces it.
type History struct {
	db *sql.DB
}

const historySchema = `
CREATE TABLE IF NOT EXISTS runs (
    run_id      VARCHAR PRIMARY KEY,
    started     TIMESTAMP NOT NULL,
    finished    TIMESTAMP,
    status      VARCHAR NOT NULL,
    fingerprint VARCHAR,
    inputs      JSON,
    row_counts  JSON,
    rejects     BIGINT,
    error       VARCHAR
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS reasons JSON;
CREATE TABLE IF NOT EXISTS run_estimates (
    run_id   VARCHAR NOT NULL,
    analysis VARCHAR NOT NULL,
    subject  VARCHAR NOT NULL,
    estimate DOUBLE,
    ci_low   DOUBLE,
    ci_high  DOUBLE
);`

// ErrHistoryBusy means another process has the history database open.
var ErrHistoryBusy = errors.New("run history is in use by another process")

// ErrHistoryCorrupt means the history file is not a DuckDB database
// (empty, cut short or overwritten); SetAsideHistory moves it out of the
// way.
var ErrHistoryCorrupt = errors.New("run history is not a DuckDB database")

// OpenHistory opens (creating if needed) the history database at path.
// A history it may not read and write is an error wrapping
// fs.ErrPermission; one that is not a DuckDB database, ErrHistoryCorrupt;
// one another process holds, ErrHistoryBusy.
func OpenHistory(ctx context.Context, path string) (*History, error) {
	if err := checkHistoryFile(path); err != nil {
		return nil, err
	}
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		if strings.Contains(err.Error(), "lock") {
			return nil, fmt.Errorf("%w: %s: %v", ErrHistoryBusy, path, err)
		}
		return nil, fmt.Errorf("run history %s cannot be opened (move it aside to start a new history): %w", path, err)
	}
	db := sql.OpenDB(c)
	if _, err := db.ExecContext(ctx, historySchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("run history %s: %w", path, err)
	}
	// DuckDB creates the file with the process's umask; the history is
	// as private as the other outputs.
	if err := os.Chmod(path, 0o640); err != nil {
		db.Close()
		return nil, fmt.Errorf("run history %s: %w", path, err)
	}
	return &History{db: db}, nil
}

// duckMagic is where and what a DuckDB database file's magic bytes are.
const (
	duckMagicAt = 8
	duckMagic   = "DUCK"
)

// checkHistoryFile checks that the history file at path, if there is one,
// is a DuckDB database this process may read and write.
func checkHistoryFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a new history
	}
	if err == nil {
		defer f.Close()
		err = syscall.Access(path, 6) // R_OK|W_OK, as DuckDB will open it
	}
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("run history %s cannot be read and written by this user (uid %d): give it back (chown, chmod 640) or move it aside to start a new history: %w", path, os.Geteuid(), err)
		}
		return fmt.Errorf("run history %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("run history %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a file (%v)", ErrHistoryCorrupt, path, fi.Mode().Type())
	}
	head := make([]byte, duckMagicAt+len(duckMagic))
	if n, _ := io.ReadFull(f, head); n < len(head) || string(head[duckMagicAt:]) != duckMagic {
		return fmt.Errorf("%w: %s (%d bytes, no DuckDB header)", ErrHistoryCorrupt, path, fi.Size())
	}
	return nil
}

// SetAsideHistory renames the history file at path (and its write-ahead
// log, if any) to path.corrupt-<time>, so that the next OpenHistory
// starts a new history; it returns the new name.
func SetAsideHistory(path string, now time.Time) (string, error) {
	aside := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	if err := os.Rename(path, aside); err != nil {
		return "", fmt.Errorf("run history: %w", err)
	}
	if err := os.Rename(path+".wal", aside+".wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return aside, fmt.Errorf("run history: %w", err)
	}
	return aside, nil
}

// Close closes the database.
func (h *History) Close() error { return h.db.Close() }

// LastOK returns the latest successful run, and false when there is none.
func (h *History) LastOK(ctx context.Context) (Record, bool, error) {
	var r Record
	var fp sql.NullString
	var finished sql.NullTime
	err := h.db.QueryRowContext(ctx, `SELECT run_id, started, finished, fingerprint FROM runs WHERE status = 'ok' ORDER BY started DESC LIMIT 1`).
		Scan(&r.RunID, &r.Started, &finished, &fp)
	r.Finished = finished.Time
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("run history: %w", err)
	}
	r.Status, r.Fingerprint = StatusOK, fp.String
	return r, true, nil
}

// Add appends r.
func (h *History) Add(ctx context.Context, r Record) error {
	inputs, err := json.Marshal(r.Inputs)
	if err != nil {
		return err
	}
	rows, err := json.Marshal(r.Rows)
	if err != nil {
		return err
	}
	var reasons any // NULL when there are none
	if len(r.Reasons) > 0 {
		b, err := json.Marshal(r.Reasons)
		if err != nil {
			return err
		}
		reasons = string(b)
	}
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("run history: %w", err)
	}
	defer tx.Rollback()
	var finished any
	if !r.Finished.IsZero() {
		finished = r.Finished
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO runs (run_id, started, finished, status, fingerprint, inputs, row_counts, rejects, error, reasons)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.RunID, r.Started, finished, r.Status, r.Fingerprint, string(inputs), string(rows), r.Rejects, r.Error, reasons); err != nil {
		return fmt.Errorf("run history: %w", err)
	}
	for _, e := range r.Headlines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO run_estimates VALUES (?, ?, ?, ?, ?, ?)`,
			r.RunID, e.Analysis, e.Subject, e.Estimate, e.CILow, e.CIHigh); err != nil {
			return fmt.Errorf("run history: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("run history: %w", err)
	}
	return nil
}

// PastHeadline is a headline estimate of an earlier successful run.
type PastHeadline struct {
	RunID   string
	Started time.Time
	Headline
}

// Headlines lists the headline estimates of the successful runs, by
// start, analysis and subject.
func (h *History) Headlines(ctx context.Context) ([]PastHeadline, error) {
	rows, err := h.db.QueryContext(ctx, `SELECT r.run_id, r.started, e.analysis, e.subject, e.estimate, e.ci_low, e.ci_high
		FROM runs r JOIN run_estimates e USING (run_id)
		WHERE r.status = 'ok'
		ORDER BY r.started, e.analysis, e.subject`)
	if err != nil {
		return nil, fmt.Errorf("run history: %w", err)
	}
	defer rows.Close()
	var out []PastHeadline
	for rows.Next() {
		var p PastHeadline
		if err := rows.Scan(&p.RunID, &p.Started, &p.Analysis, &p.Subject, &p.Estimate, &p.CILow, &p.CIHigh); err != nil {
			return nil, fmt.Errorf("run history: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("run history: %w", err)
	}
	return out, nil
}

// Has reports whether the run runID is in the history.
func (h *History) Has(ctx context.Context, runID string) (bool, error) {
	var n int
	if err := h.db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE run_id = ?`, runID).Scan(&n); err != nil {
		return false, fmt.Errorf("run history: %w", err)
	}
	return n > 0, nil
}

// Statuses lists the status of every run, oldest first.
func (h *History) Statuses(ctx context.Context) ([]string, error) {
	rows, err := h.db.QueryContext(ctx, `SELECT status FROM runs ORDER BY started, run_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
