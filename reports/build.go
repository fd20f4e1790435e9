package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/coachimpact/coachimpact/model"
)

// Querier is what reports need of the model database.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Input is what the reports are built from.
type Input struct {
	// DB is the model, file reconciliation (model.LoadFiles) included.
	DB      Querier
	MinCell int // suppression threshold (students), >= 1
	// MinClassrooms is the second threshold: the fewest classrooms
	// (teachers of record) a cell of student results rests on; 0 means 1.
	MinClassrooms int
	// MinCoachedTeachers is the coached-cluster floor the estimates were
	// flagged by (min_coached_teachers), shown on the About sheet.
	MinCoachedTeachers int
	// Prior is the prior and threshold of the estimates' posterior
	// probabilities ([model] prior_mean, prior_sd, threshold), said beside
	// them; a zero Prior means model.DefaultPrior.
	Prior model.Prior
	// ShowTeacherNames lets school workbooks name teachers in
	// coaching-activity counts (never beside student results).
	ShowTeacherNames bool
	// Redacted is the salt ID when student and teacher IDs are keyed
	// hashes (the About sheet says so), else "".
	Redacted string
	// Degraded are the reasons the run's result is empty or mostly
	// rejected (none when it is sound); the district Overview and Data
	// quality sheets say them.
	Degraded []model.Reason
	// DataNotes are what the run noted about the data the model used
	// (grades counted back from the students table, a configured main
	// test not taken): the district Data quality sheet lists them.
	DataNotes []string
	Started   time.Time
	ChartsDir string // set by Build
	// Skip names workbooks Build leaves out: DistrictBook, CohortsBook,
	// SchoolsDir.
	Skip []string
	// Progress, when set, hears each workbook written: what, how many so
	// far of how many. It may be called from several goroutines at once.
	Progress func(what string, done, total int)

	// plan is every suppression decision, made by Build before any
	// workbook is written.
	plan *disclosure
}

// The workbooks Build writes into the reports folder.
const (
	DistrictBook = "district.xlsx"
	CohortsBook  = "cohorts.xlsx"
	SchoolsDir   = "schools" // one workbook per school: schools/<school_id>.xlsx
)

// Build draws every chart into chartsDir and writes every workbook into
// reportsDir (the workbooks embed some of the charts).
func Build(ctx context.Context, in Input, reportsDir, chartsDir string) error {
	if in.MinCell < 1 {
		return fmt.Errorf("reports: MinCell %d: must be at least 1", in.MinCell)
	}
	in.ChartsDir = chartsDir
	in, err := in.planned(ctx)
	if err != nil {
		return err
	}
	skip := func(name string) bool { return slices.Contains(in.Skip, name) }
	// The school workbooks need no chart: they are written alongside the
	// charts and the district and cohort workbooks, which embed charts.
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if skip(SchoolsDir) {
			return nil
		}
		if err := Schools(ctx, in, filepath.Join(reportsDir, SchoolsDir)); err != nil {
			return fmt.Errorf("%s: %w", SchoolsDir, err)
		}
		return nil
	})
	g.Go(func() error {
		if err := charts(ctx, in, chartsDir); err != nil {
			return fmt.Errorf("charts: %w", err)
		}
		for _, b := range []struct {
			name  string
			write func(context.Context, Input, string) error
		}{{DistrictBook, District}, {CohortsBook, Cohorts}} {
			if skip(b.name) {
				continue
			}
			if err := b.write(ctx, in, filepath.Join(reportsDir, b.name)); err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
			if in.Progress != nil {
				in.Progress(b.name, 1, 1)
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
	}
	return os.MkdirAll(reportsDir, 0o750) // published even when empty
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
			case *big.Int: // sums of integers are HUGEINT
				if x.IsInt64() {
					vals[i] = x.Int64()
				} else {
					vals[i], _ = x.Float64()
				}
			case time.Time:
				vals[i] = x.Format("2006-01-02")
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// planned returns in with its suppression plan, made now if it has none
// (a workbook written on its own, outside Build).
func (in Input) planned(ctx context.Context) (Input, error) {
	if in.plan != nil {
		return in, nil
	}
	plan, err := planDisclosure(ctx, in)
	if err != nil {
		return in, fmt.Errorf("suppression: %w", err)
	}
	in.plan = plan
	return in, nil
}
