package model

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed sql
var sqlFiles embed.FS

// Model is one SQL model file.
type Model struct {
	Table string // table the model builds
	File  string
	SQL   string
}

// Models returns the SQL models in run order.
func Models() ([]Model, error) { return readSQL("sql") }

// Checks returns the data checks.
func Checks() ([]Model, error) { return readSQL("sql/checks") }

func readSQL(dir string) ([]Model, error) {
	entries, err := fs.ReadDir(sqlFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []Model
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := fs.ReadFile(sqlFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(e.Name(), ".sql")
		if i := strings.IndexByte(name, '_'); i > 0 && strings.Trim(name[:i], "0123456789") == "" {
			name = name[i+1:]
		}
		out = append(out, Model{Table: name, File: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

// Build runs every SQL model, each as CREATE OR REPLACE TABLE, then every
// check; the file tables (LoadFiles) are made empty if not loaded. A
// failing check is an error naming it and its first offending row.
func (d *DB) Build(ctx context.Context) error {
	models, err := Models()
	if err != nil {
		return err
	}
	// The order of teacher IDs that breaks ties for the teacher of record,
	// unless SetTeacherOrder gave it.
	if _, err := d.conn.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS teacher_order AS
		SELECT teacher_id, row_number() OVER (ORDER BY teacher_id) AS ord FROM teachers`); err != nil {
		return fmt.Errorf("teacher order: %w", err)
	}
	// The main spring tests the config names (none unless SetMainTests
	// gave them).
	if _, err := d.conn.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS main_test_config (subject VARCHAR, assessment_name VARCHAR)`); err != nil {
		return fmt.Errorf("main tests: %w", err)
	}
	if err := d.ensureFileTables(ctx); err != nil {
		return err
	}
	for _, m := range models {
		q := fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", Ident(m.Table), strings.TrimRight(strings.TrimSpace(m.SQL), ";"))
		done := d.step("sql " + m.Table)
		if _, err := d.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("model %s: %w", m.File, err)
		}
		done()
	}
	for _, t := range []string{"temp.teacher_order", "temp.main_test_config"} {
		if _, err := d.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return err
		}
	}
	defer d.step("checks")()
	return d.RunChecks(ctx)
}

// RunChecks runs the checks in sql/checks.
func (d *DB) RunChecks(ctx context.Context) error {
	checks, err := Checks()
	if err != nil {
		return err
	}
	for _, c := range checks {
		rows, err := d.conn.QueryContext(ctx, c.SQL)
		if err != nil {
			return fmt.Errorf("check %s: %w", c.File, err)
		}
		cols, _ := rows.Columns()
		failed := rows.Next()
		var first []string
		if failed {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err == nil {
				for i, v := range vals {
					first = append(first, fmt.Sprintf("%s=%v", cols[i], v))
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("check %s: %w", c.File, err)
		}
		if failed {
			return fmt.Errorf("check %s failed: %s", c.Table, strings.Join(first, ", "))
		}
	}
	return nil
}

// OrderTeachers sets the tie-breaking order of teacher IDs
// (SetTeacherOrder) to the loaded teachers table's IDs sorted by sort:
// the pipeline's redactor, which sorts hashes by the IDs behind them.
func (d *DB) OrderTeachers(ctx context.Context, sort func(ids []string)) error {
	rows, err := d.conn.QueryContext(ctx, "SELECT teacher_id FROM teachers")
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	sort(ids)
	return d.SetTeacherOrder(ctx, ids)
}

// SetTempDir sets where DuckDB spills what does not fit in memory.
func (d *DB) SetTempDir(ctx context.Context, dir string) error {
	_, err := d.conn.ExecContext(ctx, "SET GLOBAL temp_directory = "+quoteLiteral(dir))
	return err
}

// quoteLiteral is s as a SQL string literal, for the statements that
// take no parameters (SET, ATTACH).
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// SetTeacherOrder gives the order of teacher IDs in which ties for the
// teacher of record are broken, first to last, where the IDs' own text
// order is not the one to use (redacted IDs stand for IDs whose order
// differs). The order is a temporary table: it is never written to the
// database file, so it cannot be used to match hashes to IDs.
func (d *DB) SetTeacherOrder(ctx context.Context, ids []string) error {
	if _, err := d.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE teacher_order (teacher_id VARCHAR, ord BIGINT)"); err != nil {
		return err
	}
	const chunk = 500
	for lo := 0; lo < len(ids); lo += chunk {
		hi := min(lo+chunk, len(ids))
		var q strings.Builder
		q.WriteString("INSERT INTO teacher_order VALUES ")
		args := make([]any, 0, 2*(hi-lo))
		for i := lo; i < hi; i++ {
			if i > lo {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?)")
			args = append(args, ids[i], int64(i+1))
		}
		if _, err := d.conn.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("teacher order: %w", err)
		}
	}
	return nil
}

// SetMainTests names, per subject, the assessment the next Build takes
// as the subject's main spring test in every year it has spring z-scores
// (config [model.main_tests]; see sql/044_spring_tests.sql). Names are
// matched ignoring case and surrounding spaces. The names are a temporary
// table, which Build uses and drops; the spring_tests table records the
// choice.
func (d *DB) SetMainTests(ctx context.Context, tests map[string]string) error {
	if _, err := d.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE main_test_config (subject VARCHAR, assessment_name VARCHAR)"); err != nil {
		return fmt.Errorf("main tests: %w", err)
	}
	for subject, name := range tests {
		if _, err := d.conn.ExecContext(ctx, "INSERT INTO main_test_config VALUES (?, ?)", subject, strings.TrimSpace(name)); err != nil {
			return fmt.Errorf("main tests: %w", err)
		}
	}
	return nil
}
