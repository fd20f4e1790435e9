package model

import (
	"context"
	"fmt"
)

// Analyses, the values of Estimate.Analysis.
const (
	AnalysisImpact   = "impact"          // spring z on coached, baseline z, grade fixed effects
	AnalysisDose     = "dose_response"   // the slope per coaching hour among the coached, fitted beside dose_onset
	AnalysisSubgroup = "impact_subgroup" // the impact model within a subgroup
	AnalysisDiD      = "did"             // two-way fixed-effects difference-in-differences
	AnalysisDiDCS    = "did_cs"          // Callaway-Sant'Anna group-time average effect
	AnalysisPractice = "practice"        // change in look-for rating after the first cycle

	// Issue 16's analyses.
	AnalysisDoseOnset         = "dose_onset"            // the jump from no coaching to any, fitted with the per-hour slope
	AnalysisWithinTeacher     = "impact_within_teacher" // teacher fixed effects: a teacher's coached years against their uncoached ones
	AnalysisEventStudyTeacher = "event_study_teacher"   // staggered event study on each teacher's first coached year
	AnalysisWeighted          = "impact_weighted"       // exposure weighted by each rostered teacher's percent_time
)

// Standard-error methods, the values of Estimate.SEMethod.
const (
	SECR1       = "CR1"       // cluster-robust, Stata's small-sample factor, t(G-1)
	SECR2       = "CR2"       // Bell-McCaffrey cluster-robust with Satterthwaite degrees of freedom
	SEWild      = "wild"      // wild cluster bootstrap
	SEBootstrap = "bootstrap" // cluster bootstrap, normal interval
	SEAnalytic  = "analytic"  // influence function, normal interval
	SEClassical = "classical" // the t interval of a mean over independent units
)

// AllSubjects is Estimate.Subject of a model pooling subjects.
const AllSubjects = "All"

// Estimate is one published estimate, as listed in run.json and in the
// estimates table. Pointers are nil (null) when the estimate is suppressed
// or cannot be made; Note then says why.
type Estimate struct {
	Analysis string `json:"analysis"`
	Subject  string `json:"subject"` // "All" when subjects are pooled
	// SchoolYear is nil when the model pools all school years.
	SchoolYear *int   `json:"school_year"`
	Subgroup   string `json:"subgroup,omitempty"` // e.g. "english_learner = Y"
	// Unit says what Estimate measures, e.g. "SD of spring score".
	Unit     string   `json:"unit"`
	Estimate *float64 `json:"estimate"`
	StdError *float64 `json:"std_error"`
	CILow    *float64 `json:"ci_low"`
	CIHigh   *float64 `json:"ci_high"`
	PValue   *float64 `json:"p_value"`
	// DF is the degrees of freedom of the t interval: Satterthwaite's
	// (fractional) for a CR2 standard error, units - 1 for a classical one;
	// 0 for a normal interval (bootstrap).
	DF float64 `json:"df"`
	// SEMethod names how StdError was computed: one of the SE constants;
	// empty when there is no standard error.
	SEMethod string `json:"se_method,omitempty"`
	// EventTime is the year relative to the event of an event-study row
	// (-1 the year before, 0 the first treated year); nil on every other
	// estimate and on the event study's overall row.
	EventTime *int `json:"event_time,omitempty"`
	// PreTrendP is the p-value of the joint test that every pre-period
	// (placebo) effect is zero, on an event study's or DiD's overall row.
	PreTrendP        *float64 `json:"pretrend_p_value,omitempty"`
	NStudents        int      `json:"n_students"`
	NCoachedStudents int      `json:"n_coached_students"`
	NTeachers        int      `json:"n_teachers"`
	NCoachedTeachers int      `json:"n_coached_teachers"`
	NSchools         int      `json:"n_schools,omitempty"`
	// FewCoachedClusters is true when the estimate rests on fewer coached
	// clusters (NCoachedTeachers: coached teachers, or treated schools for
	// did and did_cs) than min_coached_teachers: published, but too few
	// coached teachers to tell.
	FewCoachedClusters bool `json:"few_coached_clusters"`
	// HedgesG is the WWC effect size: the adjusted difference over the
	// pooled within-group SD of spring z, times the small-sample factor.
	HedgesG *float64 `json:"hedges_g"`
	// ImprovementIndex is the WWC improvement index: the expected change
	// in percentile rank of an average comparison student, 100·Φ(g) - 50.
	ImprovementIndex *float64 `json:"improvement_index,omitempty"`
	// BaselineG is Hedges' g of the baseline z between the groups, and
	// BaselineEquivalence its WWC band: "satisfied" (|g| <= 0.05),
	// "requires adjustment" (<= 0.25, met by the model's baseline
	// covariate) or "not satisfied".
	BaselineG           *float64 `json:"baseline_g,omitempty"`
	BaselineEquivalence string   `json:"baseline_equivalence,omitempty"`
	// BaselineGFall and BaselineGPrior are Hedges' g of the baseline z
	// among the rows whose baseline is the same year's fall score and among
	// those whose baseline is the prior year's spring score. The source
	// with the larger |g| governs: BaselineG is its g and
	// BaselineEquivalence its band (the worse band); the note names a
	// source that is not "satisfied" when a cell has both.
	BaselineGFall  *float64 `json:"baseline_g_fall,omitempty"`
	BaselineGPrior *float64 `json:"baseline_g_prior,omitempty"`
	// MDE is the minimum detectable effect of the design (80% power, 5%
	// two-sided), in Unit; on headline estimates.
	MDE *float64 `json:"mde,omitempty"`
	// ProbPositive and ProbAboveThreshold are posterior probabilities that
	// the effect exceeds 0 and Threshold, on headline estimates.
	ProbPositive       *float64 `json:"prob_positive,omitempty"`
	ProbAboveThreshold *float64 `json:"prob_above_threshold,omitempty"`
	Threshold          *float64 `json:"threshold,omitempty"`
	// EValue is the E-value of the effect (VanderWeele and Ding 2017, via
	// RR ≈ exp(0.91·|estimate|)) and EValueCI that of the interval limit
	// nearest 0 (1 when the interval covers 0), on headline estimates in
	// SD of score: how strongly an unmeasured confounder would have to be
	// associated with both coaching and the outcome, as a risk ratio, to
	// explain the effect (its interval) away.
	EValue   *float64 `json:"e_value,omitempty"`
	EValueCI *float64 `json:"e_value_ci,omitempty"`
	// Headline marks the headline estimates (see Headline), the ones the
	// workbooks' verdicts, the run history's trend and "how sure" rest on.
	Headline   bool   `json:"headline"`
	Suppressed bool   `json:"suppressed"`
	Note       string `json:"note,omitempty"`
}

// TableCounts returns the number of rows of every table in the model.
func (d *DB) TableCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := d.conn.QueryContext(ctx, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database() ORDER BY 1")
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
