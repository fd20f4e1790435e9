package model

import (
	"context"
	"fmt"
)

// Estimate is one published estimate, as listed in run.json.
type Estimate struct {
	Analysis   string   `json:"analysis"` // impact, dose_response, did, impact_subgroup, ...
	Subject    string   `json:"subject"`
	SchoolYear int      `json:"school_year"`
	Subgroup   string   `json:"subgroup,omitempty"`
	Estimate   *float64 `json:"estimate"` // nil when suppressed
	StdError   *float64 `json:"std_error"`
	CILow      *float64 `json:"ci_low"`
	CIHigh     *float64 `json:"ci_high"`
	NStudents  int      `json:"n_students"`
	NTeachers  int      `json:"n_teachers"`
	HedgesG    *float64 `json:"hedges_g"`
	Suppressed bool     `json:"suppressed,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// TableCounts returns the number of rows of every table in the model.
func (d *DB) TableCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := d.conn.QueryContext(ctx, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1")
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := d.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+Ident(n)).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		out[n] = c
	}
	return out, nil
}
