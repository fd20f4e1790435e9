package model

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/marcboeker/go-duckdb"
	"gonum.org/v1/gonum/stat"
)

// AnalyzeOptions are the settings of Analyze.
type AnalyzeOptions struct {
	// MinCell is the suppression threshold: an estimate resting on fewer
	// students in either group (or a dosage band with fewer students) is
	// reported as suppressed. >= 1.
	MinCell int
	// MinClassrooms is the second suppression threshold: an estimate
	// whose coached or uncoached students have fewer teachers of record
	// than this (or a dosage band with fewer teachers) is suppressed, since
	// it would be those teachers' results. 0 means 1 (no floor).
	MinClassrooms int
	// MinCoachedTeachers is the coached-cluster floor: an estimate on
	// fewer coached teachers (treated schools for the
	// difference-in-differences) is published but flagged too few to
	// tell; under 3 it is suppressed. 0 means no flag.
	MinCoachedTeachers int
	// Prior is the normal prior of the headline estimates' posterior
	// probabilities and the threshold they are asked to exceed (see
	// sure.go); a zero Prior (SD 0) means DefaultPrior.
	Prior Prior
	// Seed seeds the analyses that draw at random. (did_cs's standard
	// errors, once a seeded bootstrap, are analytic.)
	Seed uint64
}

// parallel returns f of each cell, in order, computed on every core. The
// largest cells (by rows) are started first, so that the last to finish
// is a small one: in order, the all-subjects cell started last and left
// the other cores idle while it ran.
func parallel[R any](cells []cell, f func(cell) R) []R {
	out := make([]R, len(cells))
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(cells[order[a]].rows) > len(cells[order[b]].rows) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(cells)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1) - 1); k < len(cells); k = int(next.Add(1) - 1) {
				out[order[k]] = f(cells[order[k]])
			}
		}()
	}
	wg.Wait()
	return out
}

// analysisSteps is the number of steps Analyze reports to OnStep
// (TestStepsCounted fails when a step is added without it).
const analysisSteps = 9

// Steps is the number of steps Build and Analyze report to OnStep, for a
// progress bar.
func Steps() int {
	m, _ := Models()
	return len(m) + 1 + analysisSteps // models, checks, analyses
}

// Analyze fits the models on the tables Build made, stores them as the
// tables estimates, dosage_bands and did_group_time, and returns the
// estimates in table order: impact, dose_response, dose_onset, did,
// did_cs, practice, impact_subgroup, impact_within_teacher (each subject
// and all subjects, years pooled: the same teacher's students in coached
// and uncoached years, teacher fixed effects), event_study_teacher (per
// subject: the overall row, then a row per year since the teacher's first
// coached year, the placebo years before it first), impact_weighted.
func (d *DB) Analyze(ctx context.Context, opt AnalyzeOptions) ([]Estimate, error) {
	if opt.MinCell < 1 {
		return nil, fmt.Errorf("analyze: MinCell %d: must be at least 1", opt.MinCell)
	}
	floor := suppression{students: opt.MinCell, teachers: max(opt.MinClassrooms, 1), coached: opt.MinCoachedTeachers}
	done := d.step("analysis students")
	f, err := d.queryFrame(ctx, analysisQuery)
	if err != nil {
		return nil, err
	}
	s := newStudents(f)
	cells := s.cells()
	done()
	// The frames of the later steps are read while the first steps fit.
	ctx, cancel := context.WithCancel(ctx)
	panelRows := d.prefetch(ctx, panelQuery)
	teacherRows := d.prefetch(ctx, teacherPanelQuery("growth"))
	weightedRows := d.prefetch(ctx, weightedQuery)
	defer func() {
		cancel()
		for _, p := range []*prefetched{panelRows, teacherRows, weightedRows} {
			p.wait()
		}
	}()

	var est []Estimate
	var bands []Band
	// The cells' fits are independent and s is only read: one per core.
	done = d.step("analysis impact")
	est = append(est, parallel(cells, func(c cell) Estimate { return s.impact(c, floor) })...)
	done()
	done = d.step("analysis dose-response")
	doses := parallel(cells, func(c cell) [2]Estimate {
		r, o := s.dose(c, floor)
		return [2]Estimate{r, o}
	})
	for _, d := range doses {
		est = append(est, d[0])
	}
	for _, d := range doses {
		est = append(est, d[1])
	}
	for _, b := range parallel(cells, func(c cell) []Band { return s.bands(c, floor) }) {
		bands = append(bands, b...)
	}
	done()

	done = d.step("analysis difference-in-differences")
	pf, err := panelRows.wait()
	if err != nil {
		return nil, err
	}
	p := newPanel(pf)
	tw := p.twfe(floor.coached)
	cs, gt := p.callawaySantAnna(floor.coached)
	// The placebo cells test the parallel trends both estimators rest on.
	if tw.PreTrendP = cs.PreTrendP; tw.PreTrendP != nil && tw.Estimate != nil {
		tw.Note = joinNotes(tw.Note, fmt.Sprintf("pre-trend test: did_cs's placebo cohort-years before joining, joint p = %.3f", *tw.PreTrendP))
	}
	n, err := d.distinctStudents(ctx, p.didSchools())
	if err != nil {
		return nil, err
	}
	tw.NStudents, cs.NStudents = n, n
	est = append(est, tw, cs)
	done()

	done = d.step("analysis practice")
	pr, err := d.practice(ctx)
	if err != nil {
		return nil, err
	}
	est = append(est, pr)
	done()

	done = d.step("analysis subgroups")
	var groups []cell
	for _, c := range cells {
		groups = append(groups, s.subgroups(c)...)
	}
	est = append(est, parallel(groups, func(c cell) Estimate { return s.impact(c, floor) })...)
	done()

	done = d.step("analysis within-teacher")
	est = append(est, parallel(withinCells(cells), func(c cell) Estimate { return s.withinTeacher(c, floor) })...)
	es, err := d.eventStudies(ctx, teacherRows, floor)
	if err != nil {
		return nil, err
	}
	est = append(est, es...)
	done()

	done = d.step("analysis shared classrooms")
	w, err := weightedSample(weightedRows, s)
	if err != nil {
		return nil, err
	}
	est = append(est, weightedImpacts(w, est, floor)...)
	done()

	defer d.step("analysis write")()
	prior := opt.Prior
	if prior.SD == 0 {
		prior = DefaultPrior()
	}
	s.sure(est, cells, prior)
	for i := range est {
		finite(&est[i])
		est[i].Headline = Headline(est[i])
	}
	if err := d.writeEstimates(ctx, est); err != nil {
		return nil, err
	}
	if err := d.writeBands(ctx, bands); err != nil {
		return nil, err
	}
	if err := d.writeGroupTime(ctx, gt); err != nil {
		return nil, err
	}
	return est, nil
}

// distinctStudents counts the distinct students of the analysis rows of
// the given schools: the n_students of the DiD estimates.
func (d *DB) distinctStudents(ctx context.Context, schools []string) (int, error) {
	ids, err := json.Marshal(schools)
	if err != nil {
		return 0, err
	}
	var n int
	err = d.conn.QueryRowContext(ctx, `SELECT count(DISTINCT student_id) FROM student_growth
		WHERE excluded IS NULL AND school_id IN (SELECT unnest(from_json(?::JSON, '["VARCHAR"]')))`, string(ids)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count DiD students: %w", err)
	}
	return n, nil
}

// practice is the mean change in look-for rating after a teacher's first
// cycle, over the teachers of practice_change, with a t interval.
func (d *DB) practice(ctx context.Context) (Estimate, error) {
	e := Estimate{Analysis: AnalysisPractice, Subject: AllSubjects, Unit: "look-for rating points (0-4)"}
	var observations int
	if err := d.conn.QueryRowContext(ctx, "SELECT count(*) FROM observations").Scan(&observations); err != nil {
		return e, err
	}
	if observations == 0 {
		e.Note = "skipped: no observations loaded (the observations table is optional)"
		return e, nil
	}
	f, err := d.queryFrame(ctx, "SELECT change FROM practice_change")
	if err != nil {
		return e, err
	}
	ch := f.floats("change")
	e.NTeachers, e.NCoachedTeachers = len(ch), len(ch)
	if len(ch) < 2 {
		e.Note = "not estimated: fewer than 2 coached teachers observed before and after their first cycle"
		return e, nil
	}
	m, sd := stat.MeanStdDev(ch, nil)
	se := sd / math.Sqrt(float64(len(ch)))
	df := float64(len(ch) - 1)
	t := tCrit(df)
	lo, hi, p := m-t*se, m+t*se, pValue(m/se, df)
	e.Estimate, e.StdError, e.CILow, e.CIHigh, e.PValue, e.DF = &m, &se, &lo, &hi, &p, df
	e.SEMethod = SEClassical
	e.Note = "mean over teachers of (mean rating after the first cycle's end - mean rating before its start)"
	return e, nil
}

// appendTable creates table name with the given columns (replacing it)
// and appends rows through DuckDB's appender.
func (d *DB) appendTable(ctx context.Context, name, columns string, rows [][]driver.Value) error {
	if _, err := d.conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", Ident(name), columns)); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	err := d.conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", name)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := a.AppendRow(r...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// val turns nil pointers into NULL.
func val[T any](p *T) driver.Value {
	if p == nil {
		return nil
	}
	return *p
}

func (d *DB) writeEstimates(ctx context.Context, est []Estimate) error {
	rows := make([][]driver.Value, len(est))
	for i, e := range est {
		var year driver.Value
		if e.SchoolYear != nil {
			year = int32(*e.SchoolYear)
		}
		var band, method, event driver.Value
		if e.BaselineEquivalence != "" {
			band = e.BaselineEquivalence
		}
		if e.SEMethod != "" {
			method = e.SEMethod
		}
		if e.EventTime != nil {
			event = int32(*e.EventTime)
		}
		rows[i] = []driver.Value{
			int32(i + 1), e.Analysis, e.Subject, year, e.Subgroup, e.Unit,
			val(e.Estimate), val(e.StdError), val(e.CILow), val(e.CIHigh), val(e.PValue), e.DF,
			int32(e.NStudents), int32(e.NCoachedStudents), int32(e.NTeachers), int32(e.NCoachedTeachers), int32(e.NSchools),
			val(e.HedgesG), val(e.ImprovementIndex), val(e.BaselineG), band, e.Suppressed, e.Note,
			method, event, val(e.PreTrendP), val(e.MDE), val(e.ProbPositive), val(e.ProbAboveThreshold), val(e.Threshold),
			e.FewCoachedClusters,
			val(e.BaselineGFall), val(e.BaselineGPrior),
			val(e.EValue), val(e.EValueCI), e.Headline,
		}
	}
	return d.appendTable(ctx, "estimates", `
		id INTEGER, analysis VARCHAR, subject VARCHAR, school_year INTEGER, subgroup VARCHAR, unit VARCHAR,
		estimate DOUBLE, std_error DOUBLE, ci_low DOUBLE, ci_high DOUBLE, p_value DOUBLE, df DOUBLE,
		n_students INTEGER, n_coached_students INTEGER, n_teachers INTEGER, n_coached_teachers INTEGER, n_schools INTEGER,
		hedges_g DOUBLE, improvement_index DOUBLE, baseline_g DOUBLE, baseline_equivalence VARCHAR,
		suppressed BOOLEAN, note VARCHAR,
		se_method VARCHAR, event_time INTEGER, pretrend_p_value DOUBLE,
		mde DOUBLE, prob_positive DOUBLE, prob_above_threshold DOUBLE, threshold DOUBLE,
		few_coached_clusters BOOLEAN,
		baseline_g_fall DOUBLE, baseline_g_prior DOUBLE,
		e_value DOUBLE, e_value_ci DOUBLE, headline BOOLEAN`, rows)
}

func (d *DB) writeBands(ctx context.Context, bands []Band) error {
	rows := make([][]driver.Value, len(bands))
	for i, b := range bands {
		var year, hours driver.Value
		if b.SchoolYear != nil {
			year = int32(*b.SchoolYear)
		}
		if b.NStudents > 0 && !b.Suppressed {
			hours = b.MeanHours
		}
		rows[i] = []driver.Value{
			b.Subject, year, int32(b.Order), b.Band, int32(b.NStudents), int32(b.NTeachers), hours,
			val(b.AdjustedMean), val(b.Difference), val(b.StdError), val(b.CILow), val(b.CIHigh), b.Suppressed, b.Note,
			val(b.Slope), val(b.SlopeSE), val(b.SlopeCILow), val(b.SlopeCIHigh), val(b.PlateauHours),
		}
	}
	return d.appendTable(ctx, "dosage_bands", `
		subject VARCHAR, school_year INTEGER, band_order INTEGER, band VARCHAR, n_students INTEGER, n_teachers INTEGER,
		mean_hours DOUBLE, adjusted_mean DOUBLE, difference DOUBLE, std_error DOUBLE, ci_low DOUBLE, ci_high DOUBLE,
		suppressed BOOLEAN, note VARCHAR,
		slope DOUBLE, slope_std_error DOUBLE, slope_ci_low DOUBLE, slope_ci_high DOUBLE, plateau_hours DOUBLE`, rows)
}

func (d *DB) writeGroupTime(ctx context.Context, gt []GroupTime) error {
	rows := make([][]driver.Value, len(gt))
	for i, g := range gt {
		rows[i] = []driver.Value{
			int32(g.Cohort), int32(g.SchoolYear), int32(g.EventTime), g.ATT, g.StdError, g.CILow, g.CIHigh,
			int32(g.TreatedSchools), int32(g.ControlSchools),
		}
	}
	return d.appendTable(ctx, "did_group_time", `
		cohort INTEGER, school_year INTEGER, event_time INTEGER, att DOUBLE, std_error DOUBLE, ci_low DOUBLE, ci_high DOUBLE,
		treated_schools INTEGER, control_schools INTEGER`, rows)
}

// finite sets every number of e that is NaN or infinite (an effect size
// over groups with no spread, say) to nil: run.json and the estimates
// table hold numbers or nulls, never NaN.
func finite(e *Estimate) {
	for _, p := range []**float64{&e.Estimate, &e.StdError, &e.CILow, &e.CIHigh, &e.PValue, &e.HedgesG, &e.ImprovementIndex,
		&e.BaselineG, &e.PreTrendP, &e.MDE, &e.ProbPositive, &e.ProbAboveThreshold, &e.Threshold,
		&e.BaselineGFall, &e.BaselineGPrior, &e.EValue, &e.EValueCI} {
		if *p != nil && (math.IsNaN(**p) || math.IsInf(**p, 0)) {
			*p = nil
		}
	}
}
