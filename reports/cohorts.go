package reports

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/coachimpact/coachimpact/model"
)

// cohortSQL is how a cohort (the ending year of the school year a school
// joined, as in ip_cohort) reads: "joined 2021-22", or "comparison" for a
// school that never joined.
func cohortSQL(col string) string {
	return fmt.Sprintf(`coalesce('joined ' || (%[1]s::INTEGER - 1)::VARCHAR || '-' || right(%[1]s::VARCHAR, 2), 'comparison')`, col)
}

// cohortLabel is a school's cohort from its ip_cohort column.
var cohortLabel = cohortSQL("ip_cohort")

// Cohorts writes cohorts.xlsx for network facilitators: each cohort's
// verdict at a glance, the cohort x year panel, difference-in-differences with the event-time view, dosage by
// cohort, this year's coaching with the cycles in progress by stage,
// coach caseloads, the schools of each cohort, and About (the glossary
// and the run).
func Cohorts(ctx context.Context, in Input, path string) error {
	in, err := in.planned(ctx)
	if err != nil {
		return err
	}
	district, err := districtName(ctx, in)
	if err != nil {
		return err
	}
	subject := "Network cohorts: " + district
	b, err := newBook(bookInfo{Title: "Coaching and student growth: " + subject, Subject: subject, Started: in.Started})
	if err != nil {
		return err
	}
	return b.write(ctx, in, path, []step{
		{"At a glance", cohortGlanceSheet},
		{"Cohort panel", cohortPanelSheet},
		{"Difference-in-differences", didSheet},
		{"Dosage by cohort", cohortDosageSheet},
		{"Coaching this year", currentYearSheet},
		{"Coach caseloads", caseloadSheet},
		{"Schools by cohort", cohortSchoolsSheet},
		{"About", cohortsAboutSheet},
	})
}

func cohortPanelSheet(ctx context.Context, b *book, in Input) error {
	rows, err := queryRows(ctx, in.DB, `
		WITH why AS (
		    SELECT s.ip_cohort, g.school_year, `+noStudentsWhy+` AS why
		    FROM student_growth g JOIN schools s USING (school_id) GROUP BY ALL
		)
		SELECT `+cohortSQL("p.ip_cohort")+` AS cohort, p.school_year, coalesce(p.ip_cohort::VARCHAR, ''),
		       count(*) AS schools,
		       sum(analysis_students) AS students,
		       sum(teachers), sum(coached_teachers), sum(coached_teachers) / nullif(sum(teachers), 0),
		       sum(coaching_hours), sum(coaching_hours) / nullif(sum(coached_teachers), 0),
		       sum(mean_growth * analysis_rows) / nullif(sum(analysis_rows) FILTER (WHERE mean_growth IS NOT NULL), 0),
		       sum(pct_level_3_plus * leveled_scores) / nullif(sum(leveled_scores), 0),
		       coalesce(any_value(why.why), 'no students tested')
		FROM school_year_panel p LEFT JOIN why ON why.ip_cohort IS NOT DISTINCT FROM p.ip_cohort AND why.school_year = p.school_year
		GROUP BY p.ip_cohort, p.school_year
		ORDER BY p.ip_cohort NULLS LAST, p.school_year`)
	if err != nil {
		return err
	}
	for i, r := range rows {
		k := cohortKey{str(r[2]), i64(r[1])}
		r[1] = yearLabel(i64(r[1]))
		n, why := i64(r[4]), r[12]
		r = append(r[:2], r[3:12]...)
		if in.plan.panel[k] {
			r[3], r[9], r[10] = in.hiddenText(i64(r[3]), i64(r[4])), nil, nil
		} else if in.plan.panelLvl[k] {
			r[10] = suppressedComplement
			if i64(r[3]) < int64(in.MinCell) {
				r[10] = in.suppressed()
			}
		}
		if n == 0 {
			r[3] = why // no student to hide: say why there is none
		}
		rows[i] = r
	}
	return b.table("Cohort panel", "Cohorts by school year: participation, dosage, growth and proficiency", []column{
		{Name: "Cohort"}, {Name: "School year"}, {Name: "Schools", Style: b.int}, {Name: "Students in the model", Style: b.int},
		{Name: "Teachers", Style: b.int}, {Name: "Coached teachers", Style: b.int}, {Name: "Share coached", Style: b.pct},
		{Name: "Coaching hours", Style: b.dec}, {Name: "Hours per coached teacher", Style: b.dec},
		{Name: "Mean growth (SD)", Style: b.dec}, {Name: "Share at level 3 or 4", Style: b.pct},
	}, rows)
}

func didSheet(ctx context.Context, b *book, in Input) error {
	ests, err := queryEstimates(ctx, in, "analysis IN ('did', 'did_cs')")
	if err != nil {
		return err
	}
	var est [][]any
	for _, e := range ests {
		// The methods' names are the About sheet's.
		name := "Before/after, against comparison schools"
		if e.analysis == model.AnalysisDiDCS {
			name = "Each cohort against schools not yet joined"
		}
		r := []any{name}
		cells := in.estimateCells(e, 5)
		r = append(r, cells...)
		var p any
		if !e.suppressed {
			p = e.preTrend
		}
		est = append(est, append(r, p, e.schools, e.students, plainNote(e.note)))
	}
	gt, err := queryRows(ctx, in.DB, `SELECT `+cohortSQL("cohort")+`, school_year, event_time, att, std_error, ci_low, ci_high, treated_schools, control_schools, cohort::VARCHAR, cohort FROM did_group_time ORDER BY cohort, school_year`)
	if err != nil {
		return err
	}
	for i, r := range gt {
		// A cohort-year effect is the cohort's growth that year against
		// the year before it joined: hidden with either.
		year := i64(r[1])
		if groupTimeHidden(in.plan, i64(r[10]), year) {
			r[3], r[4], r[5], r[6] = suppressedComplement, nil, nil, nil
		}
		r[1] = yearLabel(year)
		when := "after joining"
		if i64(r[2]) < 0 {
			when = "before joining (placebo check: should be near 0)"
		}
		gt[i] = append(r[:9:9], when)
	}
	et, err := queryRows(ctx, in.DB, `SELECT CASE WHEN cohort = 'all cohorts' THEN cohort ELSE `+cohortSQL("cohort")+` END, event_time, schools, analysis_rows, mean_growth, comparison_growth, difference, comparison_schools, cohort FROM event_time ORDER BY cohort = 'all cohorts', cohort, event_time`)
	if err != nil {
		return err
	}
	for i, r := range et {
		k := cohortKey{str(r[8]), i64(r[1])}
		if in.plan.eventHidden(k) {
			r[3], r[4], r[6] = in.hiddenText(i64(r[3]), in.plan.eventRooms[k]), nil, nil
		}
		if in.plan.eventComp[k] {
			r[5], r[6] = suppressedComplement, nil
		}
		et[i] = r[:8]
	}
	return b.sheet("Difference-in-differences", "What changed after schools joined the network (mean growth in SD)", []section{
		{Title: "What changed when schools joined, two ways (About says how each is computed)", Cols: []column{{Name: "Comparison", Width: 30, Style: b.wrap}, {Name: "Effect (SD)", Style: b.dec4}, {Name: "Standard error", Style: b.dec4}, {Name: "95% CI low", Style: b.dec4}, {Name: "95% CI high", Style: b.dec4}, {Name: "p-value", Style: b.pval}, {Name: "Pre-trend test p-value", Style: b.pval}, {Name: "Schools", Style: b.int}, {Name: "Students (each counted once)", Style: b.int}, {Name: "Note", Width: 30, Style: b.wrap}}, Rows: est},
		{Title: "Effect of joining by cohort and year: each cohort against schools not yet joined (years before joining: the change from the year before, a placebo check)", Cols: []column{{Name: "Cohort"}, {Name: "School year"}, {Name: "Years since joining", Style: b.int}, {Name: "Effect (SD)", Style: b.dec4}, {Name: "Standard error", Style: b.dec4}, {Name: "95% CI low", Style: b.dec4}, {Name: "95% CI high", Style: b.dec4}, {Name: "Joining schools", Style: b.int}, {Name: "Comparison schools", Style: b.int}, {Name: "Before or after joining", Width: 24, Style: b.wrap}}, Rows: gt},
		{Title: "Year by year around joining: mean growth of joining schools and of comparison schools in the same years", Cols: []column{{Name: "Cohort"}, {Name: "Years since joining", Style: b.int}, {Name: "Schools", Style: b.int}, {Name: "Growth scores (student x subject)", Style: b.int}, {Name: "Mean growth", Style: b.dec}, {Name: "Comparison growth", Style: b.dec}, {Name: "Difference", Style: b.dec}, {Name: "Comparison schools", Style: b.int}}, Rows: et},
	}, func(at []placed) error {
		return b.picture("Difference-in-differences", fmt.Sprintf("A%d", at[len(at)-1].Last+3), filepath.Join(in.ChartsDir, ChartEventTime), 0.8) // below the tables
	})
}

func cohortDosageSheet(ctx context.Context, b *book, in Input) error {
	rows, err := queryRows(ctx, in.DB, `
		SELECT `+cohortLabel+` AS cohort, d.school_year,
		       count(*) FILTER (WHERE d.cycles > 0) AS coached,
		       sum(d.cycles), sum(d.cycles) / nullif(count(*) FILTER (WHERE d.cycles > 0), 0),
		       sum(d.sessions), sum(d.hours) / nullif(count(*) FILTER (WHERE d.cycles > 0), 0),
		       sum(d.cycles_improve) / nullif(sum(d.cycles), 0), sum(d.goals_met) / nullif(sum(d.cycles), 0),
		       sum(d.principles_logged) / nullif(sum(d.sessions), 0)
		FROM teacher_dosage d JOIN schools s USING (school_id)
		GROUP BY s.ip_cohort, d.school_year
		HAVING sum(d.cycles) > 0
		ORDER BY s.ip_cohort NULLS LAST, d.school_year`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		r[1] = yearLabel(i64(r[1]))
	}
	return b.table("Dosage by cohort", "Coaching dosage by cohort and year (coached teachers only)", []column{
		{Name: "Cohort"}, {Name: "School year"}, {Name: "Coached teachers", Style: b.int}, {Name: "Cycles", Style: b.int}, {Name: "Cycles per teacher", Style: b.dec},
		{Name: "Sessions", Style: b.int}, {Name: "Hours per teacher", Style: b.dec}, {Name: "Share of cycles that reached Improve", Style: b.pct}, {Name: "Share of cycles with the goal met", Style: b.pct}, {Name: "Partnership principles per session", Style: b.dec},
	}, rows)
}

func cohortSchoolsSheet(ctx context.Context, b *book, in Input) error {
	rows, err := queryRows(ctx, in.DB, `
		SELECT `+cohortLabel+`, school_id, school_name, district_id, coalesce(district_name, ''), coalesce(level, '')
		FROM schools ORDER BY ip_cohort NULLS LAST, school_id`)
	if err != nil {
		return err
	}
	return b.table("Schools by cohort", "Schools by cohort (comparison schools never joined)", []column{
		{Name: "Cohort"}, {Name: "School ID"}, {Name: "School", Width: 34}, {Name: "District ID"}, {Name: "District", Width: 26}, {Name: "Level"},
	}, rows)
}
