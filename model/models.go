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
// check. A failing check is an error naming it and its first offending row.
func (d *DB) Build(ctx context.Context) error {
	models, err := Models()
	if err != nil {
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
