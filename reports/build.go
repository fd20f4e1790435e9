package reports

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/coachimpact/coachimpact/ingest"
)

// Querier is what reports need of the model database.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Input is what the reports are built from.
type Input struct {
	DB      Querier
	Files   []ingest.Stats
	MinCell int
	Started time.Time
}

// Build writes every workbook into reportsDir and every chart into
// chartsDir.
func Build(ctx context.Context, in Input, reportsDir, chartsDir string) error {
	if err := District(ctx, in, filepath.Join(reportsDir, "district.xlsx")); err != nil {
		return fmt.Errorf("district.xlsx: %w", err)
	}
	if err := HoursBySchoolChart(ctx, in.DB, filepath.Join(chartsDir, "coaching_hours_by_school.png")); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

// queryRows runs q and returns every row as Go values (string, int64,
// float64, bool, time.Time or nil).
func queryRows(ctx context.Context, db Querier, q string, args ...any) ([][]any, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			switch x := v.(type) {
			case int32:
				vals[i] = int64(x)
			case int:
				vals[i] = int64(x)
			case float32:
				vals[i] = float64(x)
			case time.Time:
				vals[i] = x.Format("2006-01-02")
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
