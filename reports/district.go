package reports

import (
	"bytes"
	"context"
	"fmt"
	stdpng "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coachimpact/coachimpact/model"
	"github.com/xuri/excelize/v2"
)

// District writes district.xlsx for the coordinator and district leaders:
// Overview, Impact, Dose-response, Schools, Subgroups, Teacher practice,
// Data quality and About.
func District(ctx context.Context, in Input, path string) error {
	in, err := in.planned(ctx)
	if err != nil {
		return err
	}
	district, err := districtName(ctx, in)
	if err != nil {
		return err
	}
	b, err := newBook(bookInfo{Title: "Coaching and student growth: " + district, Subject: district, Started: in.Started})
	if err != nil {
		return err
	}
	return b.write(ctx, in, path, []step{
		{"Overview", overviewSheet},
		{"Impact", impactSheet},
		{"Dose-response", doseSheet},
		{"Schools", schoolsSheet},
		{"Subgroups", subgroupsSheet},
		{"Teacher practice", practiceSheet},
		{"Run history", historySheet},
		{"Data quality", dataQualitySheet},
		{"About", aboutSheet},
	})
}

// districtName is what the district and cohort workbooks are about: the
// district's name (its ID where the schools table gives none), or how
// many districts there are.
func districtName(ctx context.Context, in Input) (string, error) {
	rows, err := queryRows(ctx, in.DB, `SELECT DISTINCT coalesce(nullif(trim(district_name), ''), district_id) FROM schools ORDER BY 1 LIMIT 2`)
	if err != nil {
		return "", err
	}
	switch len(rows) {
	case 0:
		return "the district", nil
	case 1:
		return clip(str(rows[0][0]), titleNameChars), nil
	}
	n, err := queryRows(ctx, in.DB, `SELECT count(DISTINCT district_id) FROM schools`)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s districts", thousands(i64(n[0][0]))), nil
}

// step writes one sheet of a workbook.
type step struct {
	sheet string
	write func(context.Context, *book, Input) error
}

// write adds a sheet per step, in order, and saves the workbook to path;
// the first sheet is the one Excel opens on.
func (b *book) write(ctx context.Context, in Input, path string, steps []step) error {
	var err error
	for i, s := range steps {
		if i == 0 {
			err = b.f.SetSheetName("Sheet1", sheetName(s.sheet))
		} else {
			_, err = b.f.NewSheet(sheetName(s.sheet))
		}
		if err == nil {
			err = s.write(ctx, b, in)
		}
		if err != nil {
			b.f.Close()
			return fmt.Errorf("%s: %w", s.sheet, err)
		}
	}
	// Sheet1, renamed, stays the active sheet: SetActiveSheet would parse
	// every streamed sheet back only to set what is already set.
	return b.save(path)
}

// noStudentsWhy is, over a group's student_growth rows, why none of its
// tested students is in the model, or NULL when some are: as a count of
// students in the model reads when it is 0.
const noStudentsWhy = `CASE WHEN count(*) FILTER (WHERE excluded IS NULL) > 0 THEN NULL
	WHEN bool_and(excluded = 'no baseline score') THEN 'no baseline scores'
	WHEN bool_and(excluded = 'no teacher of record') THEN 'no teacher of record'
	ELSE 'no baseline scores or teacher of record' END`

// estimateQuery selects every column of the estimates table a sheet shows.
const estimateQuery = `
SELECT analysis, subject, coalesce(school_year, 0), coalesce(subgroup, ''), unit,
       estimate, std_error, ci_low, ci_high, p_value, df,
       n_students, n_coached_students, n_teachers, n_coached_teachers, n_schools,
       hedges_g, improvement_index, baseline_g, coalesce(baseline_equivalence, ''), suppressed, coalesce(note, ''),
       coalesce(few_coached_clusters, false), pretrend_p_value
FROM estimates`

// est is one row of estimateQuery.
type est struct {
	analysis, subject, subgroup, unit string
	year                              int64
	v                                 []any // estimate .. p_value, df
	students, coached, teachers       int64
	coachedTeachers, schools          int64
	g, ii, baseG                      any
	band, note                        string
	suppressed                        bool
	// fewCoached is true when the estimate rests on fewer coached
	// teachers (schools, for the difference-in-differences) than
	// min_coached_teachers: published, but too few to tell.
	fewCoached bool
	// preTrend is the p-value of the pre-trend test (did, did_cs and the
	// event study's overall row), else nil.
	preTrend any
}

func queryEstimates(ctx context.Context, in Input, where string) ([]est, error) {
	rows, err := queryRows(ctx, in.DB, estimateQuery+" WHERE "+where+" ORDER BY id")
	if err != nil {
		return nil, err
	}
	out := make([]est, len(rows))
	for i, r := range rows {
		out[i] = est{
			analysis: str(r[0]), subject: str(r[1]), year: i64(r[2]), subgroup: str(r[3]), unit: str(r[4]),
			v: r[5:11], students: i64(r[11]), coached: i64(r[12]), teachers: i64(r[13]), coachedTeachers: i64(r[14]), schools: i64(r[15]),
			g: r[16], ii: r[17], baseG: r[18], band: str(r[19]), suppressed: r[20] == true, note: str(r[21]),
			fewCoached: r[22] == true, preTrend: r[23],
		}
	}
	return out, nil
}

// counts are an estimate's students and coached students as printed: a
// count the suppression plan hides reads as the suppression text.
func (in Input) counts(e est) (students, coached any) {
	h := in.plan.totals[subgroupKey{"", e.subject, e.year}]
	if e.subgroup != "" {
		h = in.plan.subgroup[subgroupKey{e.subgroup, e.subject, e.year}]
	}
	students, coached = e.students, e.coached
	// Every analysis counts the students of its cell, which the plan
	// protects, except those whose units are schools or teachers' panels
	// (a new analysis is protected unless listed here: forgetting it
	// hides a count rather than leaking one).
	switch e.analysis {
	case model.AnalysisDiD, model.AnalysisDiDCS, model.AnalysisPractice, model.AnalysisEventStudyTeacher:
		return students, coached
	}
	if h.students {
		students = in.hiddenText(e.students, e.teachers)
	}
	if h.coached {
		coached = in.hiddenText(e.coached, e.coachedTeachers)
	}
	return students, coached
}

// estimateCells are an estimate's number cells, or the suppression text.
func (in Input) estimateCells(e est, n int) []any {
	out := make([]any, n)
	if e.suppressed {
		out[0] = in.suppressedWhy(e)
		return out
	}
	copy(out, e.v)
	return out
}

// suppressedWhy is the suppression text of suppressed estimate e: the
// model's, which names the floor it fell under (students, classrooms or
// coached teachers), else the students' one.
func (in Input) suppressedWhy(e est) string {
	for _, part := range strings.Split(e.note, "; ") {
		if strings.HasPrefix(part, "suppressed (") {
			return part
		}
	}
	return in.suppressed()
}

func overviewSheet(ctx context.Context, b *book, in Input) error {
	ests, err := queryEstimates(ctx, in, "analysis IN ('impact', 'dose_response', 'did', 'did_cs', 'practice')")
	if err != nil {
		return err
	}
	var latest int64
	for _, e := range ests {
		latest = max(latest, e.year)
	}
	headline := func(year int64) [][]any {
		var rows [][]any
		// Both subjects together first, then each subject.
		ordered := slices.Clone(ests)
		slices.SortStableFunc(ordered, func(a, b est) int { return b2i(b.subject == "All") - b2i(a.subject == "All") })
		for _, e := range ordered {
			if e.analysis != "impact" || e.year != year {
				continue
			}
			r := []any{e.subject, yearLabel(e.year)}
			est, ok1 := num(e.v[0])
			lo, ok2 := num(e.v[2])
			hi, ok3 := num(e.v[3])
			ii, ok4 := num(e.ii)
			// The verdict in the words and colours of the school
			// workbooks: decided by the interval.
			switch {
			case e.suppressed:
				r = append(r, b.verdictCell(verdictTooFew), in.suppressedWhy(e), nil, nil, nil, nil)
			case e.fewCoached && ok1 && ok2 && ok3 && ok4:
				// Published, but on too few coached teachers for its
				// interval to decide anything.
				r = append(r, excelize.Cell{Value: tooFewCoached, StyleID: b.verdicts[verdictTooFew]},
					fmt.Sprintf("Only %d coached teachers: too few to tell (%s)", e.coachedTeachers, plainSize(est, ii)), est, lo, hi, plainEquivalence(e.band))
			case ok1 && ok2 && ok3 && ok4:
				r = append(r, b.verdictCell(decide(lo, hi)), plainImpact(est, lo, hi, ii), est, lo, hi, plainEquivalence(e.band))
			default:
				r = append(r, b.verdictCell(verdictTooFew), "not estimated: "+strings.TrimPrefix(e.note, "not estimated: "), nil, nil, nil, nil)
			}
			n, c := in.counts(e)
			r = append(r, n, c, e.teachers, e.coachedTeachers)
			rows = append(rows, r)
		}
		return rows
	}
	// The Overview's columns sum to about 175 characters: a laptop
	// screen's width at 100%.
	impactCols := []column{{Name: "Subject", Width: 10}, {Name: "Years", Width: 9}, {Name: "Verdict", Width: 12, Style: b.wrap}, {Name: "What the data say", Width: 24, Style: b.wrap}, {Name: "Effect (SD)", Width: 10, Style: b.dec}, {Name: "95% CI low", Width: 10, Style: b.dec}, {Name: "95% CI high", Width: 10, Style: b.dec}, {Name: "Did the groups start alike?", Width: 20, Style: b.wrap}, {Name: "Students", Width: 10, Style: b.int}, {Name: "Coached students", Width: 10, Style: b.int}, {Name: "Teachers", Width: 10, Style: b.int}, {Name: "Coached teachers", Width: 10, Style: b.int}}

	var other [][]any
	labels := map[string]string{
		"dose_response": "Each 10 hours of coaching a teacher received",
		"did":           "Schools after joining: before/after, against comparison schools",
		"did_cs":        "Schools after joining: each cohort against schools not yet joined",
		"practice":      "Teachers' look-for ratings after their first cycle vs before",
	}
	for _, e := range ests {
		if e.analysis == "impact" || e.year != 0 || e.subject != "All" {
			continue
		}
		r := []any{labels[e.analysis], plainUnit(e.unit)}
		cells := in.estimateCells(e, 4)
		if e.analysis == model.AnalysisDose && !e.suppressed {
			// Per hour the figures are a few thousandths of an SD: per
			// 10 hours they read as the other rows do.
			r[1] = "SD per 10 hours of coaching (the per-hour figure × 10)"
			for i, v := range cells {
				if x, ok := num(v); ok {
					cells[i] = x * 10
				}
			}
		}
		r = append(r, cells...)
		r = append(r, plainNote(e.note))
		other = append(other, r)
	}
	otherCols := []column{{Name: "Question", Width: 22, Style: b.wrap}, {Name: "Unit", Width: 16, Style: b.wrap}, {Name: "Estimate", Style: b.dec}, {Name: "Standard error", Width: 10, Style: b.dec}, {Name: "95% CI low", Width: 10, Style: b.dec}, {Name: "95% CI high", Width: 10, Style: b.dec}, {Name: "Note", Width: 26, Style: b.wrap}}

	cov, err := queryRows(ctx, in.DB, `
		SELECT count(DISTINCT school_id) FILTER (WHERE cycles > 0), count(*), count(*) FILTER (WHERE cycles > 0),
		       count(*) FILTER (WHERE cycles > 0) / nullif(count(*), 0), sum(cycles)::BIGINT, sum(sessions)::BIGINT, sum(hours),
		       sum(goals_met) / nullif(sum(cycles), 0)
		FROM teacher_dosage WHERE school_year = ?`, latest)
	if err != nil {
		return err
	}
	covLabels := []string{"Schools with coaching", "Teachers on rosters", "Teachers coached", "Share of teachers coached", "Coaching cycles", "Coaching sessions", "Coaching hours", "Share of cycles with the goal met"}
	var coverage [][]any
	for i, l := range covLabels {
		v := cov[0][i]
		if i == 3 || i == 7 {
			coverage = append(coverage, []any{l, excelize.Cell{Value: v, StyleID: b.pct}})
		} else {
			coverage = append(coverage, []any{l, excelize.Cell{Value: v, StyleID: b.int}})
		}
	}
	files, err := inputFiles(ctx, in.DB)
	if err != nil {
		return err
	}
	var read, rejected int64
	for _, f := range files {
		read += f.Read
		rejected += f.Rejected
	}
	status := "every row read was loaded"
	if rejected > 0 {
		status = fmt.Sprintf("%d rows rejected: see Data quality", rejected)
	}
	if len(in.Degraded) > 0 {
		status = fmt.Sprintf("degraded: %d problems make the result empty or mostly rejected (see the top of this sheet); %s", len(in.Degraded), status)
	}
	count := func(n int64) excelize.Cell { return excelize.Cell{Value: n, StyleID: b.int} }
	quality := [][]any{{"Input files", count(int64(len(files)))}, {"Rows read", count(read)}, {"Rows rejected", count(rejected)}, {"Status", status}}

	sure, err := sureSection(ctx, b, in)
	if err != nil {
		return err
	}
	var secs []section
	if d, ok := degradedSection(in, b.wrap, 40); ok {
		secs = append(secs, d)
	}
	secs = append(secs, []section{
		{Title: "Does coaching go with more growth? Spring scores of students of coached vs other teachers, all years", Cols: impactCols, Rows: headline(0)},
		{Title: "The same for " + yearLabel(latest), Cols: impactCols, Rows: headline(latest)},
		sure,
		{Title: "Other questions (all years, both subjects)", Cols: otherCols, Rows: other},
		{Title: "Coaching coverage, " + yearLabel(latest), Cols: []column{{Name: "Measure", Width: 22, Style: b.wrap}, {Name: "Value", Width: 16}}, Rows: coverage},
		{Title: "Data quality", Cols: []column{{Name: "Measure", Width: 22, Style: b.wrap}, {Name: "Value", Width: 16, Style: b.wrap}}, Rows: quality},
	}...)
	within, err := withinSections(ctx, b, in)
	if err != nil {
		return err
	}
	secs = append(secs, within...)
	title := "Coaching and student growth: district overview (run " + in.Started.Format("2006-01-02 15:04 UTC") + ")"
	return b.sheet("Overview", title, secs, func(at []placed) error {
		// The forest plot below the tables.
		return b.picture("Overview", fmt.Sprintf("A%d", at[len(at)-1].Last+3), filepath.Join(in.ChartsDir, ChartImpact), 0.8)
	})
}

// picture places the PNG at path on sheet at cell, scaled; a chart that
// was not drawn (no data) is skipped.
func (b *book) picture(sheet, cell, path string, scale float64) error {
	png, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	// Below the tables: kept on one printed page.
	if cfg, err := stdpng.DecodeConfig(bytes.NewReader(png)); err == nil && b.page != nil {
		if _, row, err := excelize.CellNameToCoordinates(cell); err == nil {
			h := float64(cfg.Height) * scale * 0.75 // pixels at 96 dpi to points
			b.page.keep(row, h, h)
		}
	}
	return b.f.AddPictureFromBytes(sheet, cell, &excelize.Picture{Extension: ".png", File: png,
		Format: &excelize.GraphicOptions{ScaleX: scale, ScaleY: scale, Positioning: "oneCell", AltText: filepath.Base(path)}})
}

func impactSheet(ctx context.Context, b *book, in Input) error {
	ests, err := queryEstimates(ctx, in, "analysis <> 'impact_subgroup'")
	if err != nil {
		return err
	}
	events, err := eventTimes(ctx, in, "analysis <> 'impact_subgroup'")
	if err != nil {
		return err
	}
	rows := make([][]any, len(ests))
	for i, e := range ests {
		r := []any{analysisLabel(e.analysis), e.subject, yearOrEvent(e.year, events[i]), plainUnit(e.unit)}
		cells := in.estimateCells(e, 6)
		if df, _ := num(cells[5]); df == 0 {
			cells[5] = nil // no t reference distribution (bootstrap)
		}
		r = append(r, cells...)
		// Students and teachers do not apply to the school-level
		// difference-in-differences, nor schools and students to others.
		students := e.analysis != model.AnalysisPractice
		teachers := e.analysis != model.AnalysisDiD && e.analysis != model.AnalysisDiDCS
		n, c := in.counts(e)
		if !students {
			n = nil
		}
		if !students || !teachers {
			c = nil
		}
		r = append(r, n, c,
			countOrBlank(e.teachers, teachers), countOrBlank(e.coachedTeachers, teachers), countOrBlank(e.schools, !teachers))
		if e.suppressed {
			r = append(r, nil, nil, nil, "")
		} else {
			r = append(r, e.g, e.ii, e.baseG, e.band)
		}
		rows[i] = append(r, e.note)
	}
	d := b.dec
	return b.table("Impact", "All estimates (see About for definitions)", []column{
		{Name: "Analysis", Width: 24, Style: b.wrap}, {Name: "Subject"}, {Name: "School year"}, {Name: "Unit", Width: 20, Style: b.wrap},
		{Name: "Estimate", Width: 10, Style: b.dec4}, {Name: "Standard error", Width: 10, Style: b.dec4}, {Name: "95% CI low", Width: 10, Style: b.dec4}, {Name: "95% CI high", Width: 10, Style: b.dec4}, {Name: "p-value", Width: 9, Style: b.pval}, {Name: "df", Width: 7, Style: b.dec},
		{Name: "Students", Width: 10, Style: b.int}, {Name: "Coached students", Width: 10, Style: b.int}, {Name: "Teachers", Width: 10, Style: b.int}, {Name: "Coached teachers", Width: 10, Style: b.int}, {Name: "Schools", Width: 9, Style: b.int},
		{Name: "Hedges' g", Width: 9, Style: d}, {Name: "Improvement index (percentile points)", Width: 13, Style: d}, {Name: "Baseline g", Width: 9, Style: d}, {Name: "Baseline equivalence", Width: 14, Style: b.wrap}, {Name: "Note", Width: 30, Style: b.wrap},
	}, rows)
}

func doseSheet(ctx context.Context, b *book, in Input) error {
	ests, err := queryEstimates(ctx, in, "analysis IN ('dose_response', 'dose_onset')")
	if err != nil {
		return err
	}
	// The plateau of each cell's bending shape, and its top band's mean
	// hours (how far the data reach).
	shape, err := queryRows(ctx, in.DB, `
		SELECT subject, coalesce(school_year, 0), max(plateau_hours), max(mean_hours) FILTER (WHERE n_students > 0 AND NOT suppressed)
		FROM dosage_bands GROUP BY ALL`)
	if err != nil {
		return err
	}
	type cellKey struct {
		subject string
		year    int64
	}
	plateau, reach := map[cellKey]any{}, map[cellKey]any{}
	for _, r := range shape {
		k := cellKey{str(r[0]), i64(r[1])}
		plateau[k], reach[k] = r[2], r[3]
	}
	onset := map[cellKey]est{}
	for _, e := range ests {
		if e.analysis == model.AnalysisDoseOnset {
			onset[cellKey{e.subject, e.year}] = e
		}
	}
	var per [][]any
	for _, e := range ests {
		if e.analysis != model.AnalysisDose {
			continue
		}
		k := cellKey{e.subject, e.year}
		r := []any{e.subject, yearLabel(e.year)}
		r = append(r, in.estimateCells(e, 4)...)
		n, c := in.counts(e)
		jump := in.estimateCells(onset[k], 4)
		per = append(per, append(r, n, c, jump[0], jump[2], jump[3], doseShapeWords(e, plateau[k], reach[k]), e.note))
	}
	bands, err := queryRows(ctx, in.DB, `
		SELECT subject, coalesce(school_year, 0), band, n_students, n_teachers, mean_hours, adjusted_mean, difference, ci_low, ci_high, suppressed, coalesce(note, ''),
		       slope, slope_ci_low, slope_ci_high
		FROM dosage_bands
		ORDER BY school_year NULLS FIRST, subject = 'All' DESC, subject, band_order`)
	if err != nil {
		return err
	}
	rows := make([][]any, len(bands))
	for i, r := range bands {
		out := []any{r[0], yearLabel(i64(r[1])), r[2]}
		if in.plan.bands[bandKey{str(r[0]), str(r[2]), i64(r[1])}] {
			text := str(r[11])
			if r[10] != true {
				text = suppressedComplement
			}
			out = append(out, text, nil, nil, nil, nil, nil, nil, nil, nil, nil, "")
		} else {
			out = append(out, r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[12], r[13], r[14], r[11])
		}
		rows[i] = out
	}
	return b.sheet("Dose-response", "Growth by coaching dosage (hours the teacher of record was coached before the spring test)", []section{
		{Title: "Any coaching, and each added hour", Cols: []column{{Name: "Subject"}, {Name: "School year"}, {Name: "SD per hour", Style: b.dec4}, {Name: "Standard error", Style: b.dec4}, {Name: "95% CI low", Style: b.dec4}, {Name: "95% CI high", Style: b.dec4}, {Name: "Students", Style: b.int}, {Name: "Coached students", Style: b.int}, {Name: "Any coaching (SD)", Style: b.dec}, {Name: "95% CI low", Style: b.dec}, {Name: "95% CI high", Style: b.dec}, {Name: "Do more hours keep adding growth?", Width: 30, Style: b.wrap}, {Name: "Note", Width: 16, Style: b.wrap}}, Rows: per},
		{Title: "Adjusted spring z by dosage band (difference from 0 hours with its 95% CI), and the growth each added hour brings within the band", Cols: []column{{Name: "Subject"}, {Name: "School year"}, {Name: "Band"}, {Name: "Students", Style: b.int}, {Name: "Teachers", Style: b.int}, {Name: "Mean hours", Style: b.dec}, {Name: "Adjusted mean spring z", Style: b.dec}, {Name: "Difference from 0 hours", Style: b.dec}, {Name: "95% CI low", Style: b.dec}, {Name: "95% CI high", Style: b.dec}, {Name: "SD per hour in this band", Style: b.dec4}, {Name: "95% CI low", Style: b.dec4}, {Name: "95% CI high", Style: b.dec4}, {Name: "Note", Width: 30, Style: b.wrap}}, Rows: rows, Main: true},
	}, func(at []placed) error {
		return b.picture("Dose-response", fmt.Sprintf("A%d", at[len(at)-1].Last+3), filepath.Join(in.ChartsDir, ChartBands), 0.8) // below the tables
	})
}

// doseShapeWords says in words whether more coaching hours kept adding
// growth in a dose_response estimate's cell: where the bending shape
// found a plateau (model/bands.go's shape: the slope drops there and no
// later band's slope is above 0), else whether the per-hour slope is
// above 0 across the hours observed (up to the top band's mean hours).
func doseShapeWords(e est, plateau, reach any) string {
	if e.suppressed {
		return ""
	}
	if h, ok := num(plateau); ok {
		return fmt.Sprintf("More hours stop adding growth beyond about %g hours.", h)
	}
	lo, ok := num(e.v[2])
	if !ok {
		return ""
	}
	top := ""
	if h, ok := num(reach); ok {
		top = fmt.Sprintf(" (up to about %.0f hours)", h)
	}
	if lo > 0 {
		return "Each added hour went with more growth across the hours these teachers had" + top + "; the data show no point where it stops."
	}
	return "These data do not show more hours going with more growth" + top + "."
}

func schoolsSheet(ctx context.Context, b *book, in Input) error {
	rows, err := queryRows(ctx, in.DB, `
		WITH why AS (SELECT school_id, school_year, `+noStudentsWhy+` AS why FROM student_growth GROUP BY ALL)
		SELECT school_id, school_name, district_id, `+cohortLabel+`, school_year,
		       tested_students, analysis_students, teachers, coached_teachers, coached_teacher_share,
		       cycles, sessions, coaching_hours, mean_student_hours, mean_growth, pct_level_3_plus, leveled_scores,
		       coalesce(why, 'no students tested')
		FROM school_year_panel LEFT JOIN why USING (school_id, school_year) ORDER BY school_id, school_year`)
	if err != nil {
		return err
	}
	for i, r := range rows {
		plan, year := in.plan.school(str(r[0])), i64(r[4])
		r[4] = yearLabel(year)
		// Growth and hours rest on the analysis students; the share at
		// level 3+ on the leveled scores. The plan hides what the
		// school's workbook hides.
		n := i64(r[6])
		if plan.year[year] {
			text := in.hiddenText(n, plan.yearRooms[year])
			r[6], r[13], r[14] = text, nil, nil
		}
		if plan.yearLv[year] || plan.year[year] {
			r[15] = in.hiddenText(i64(r[16]), plan.yearRooms[year])
			if plan.year[year] {
				r[15] = nil
			}
		}
		if n := i64(r[5]); n > 0 && n < int64(in.MinCell) {
			r[5] = in.suppressed()
		}
		if n == 0 {
			// No student to hide, hidden or not: say why there is
			// none (a school testing only in spring has no baseline in
			// its first year).
			r[6] = r[17]
		}
		rows[i] = r[:16] // leveled_scores was only for the check
	}
	return b.table("Schools", "One row per school and year: coverage, coaching, growth and proficiency", []column{
		{Name: "School ID"}, {Name: "School", Width: 30}, {Name: "District ID"}, {Name: "Cohort"}, {Name: "School year"},
		{Name: "Tested students", Width: 10, Style: b.int}, {Name: "Students in the model", Width: 14, Style: b.int}, {Name: "Teachers", Width: 10, Style: b.int}, {Name: "Coached teachers", Width: 10, Style: b.int}, {Name: "Share coached", Width: 10, Style: b.pct},
		{Name: "Cycles", Width: 10, Style: b.int}, {Name: "Sessions", Width: 10, Style: b.int}, {Name: "Coaching hours", Width: 10, Style: b.dec}, {Name: "Mean hours per student", Width: 10, Style: b.dec}, {Name: "Mean growth (SD)", Width: 10, Style: b.dec}, {Name: "Share at level 3 or 4", Width: 10, Style: b.pct},
	}, rows)
}

func subgroupsSheet(ctx context.Context, b *book, in Input) error {
	ests, err := queryEstimates(ctx, in, "analysis = 'impact_subgroup'")
	if err != nil {
		return err
	}
	rows := make([][]any, len(ests))
	for i, e := range ests {
		r := []any{subgroupLabel(e.subgroup), e.subject, yearLabel(e.year)}
		cells := in.estimateCells(e, 4)
		r = append(r, cells[0], cells[2], cells[3])
		if e.suppressed {
			r = append(r, nil)
		} else {
			r = append(r, e.g)
		}
		n, c := in.counts(e)
		rows[i] = append(r, n, c, e.coachedTeachers, e.note)
	}
	return b.table("Subgroups", "Impact within student groups (the impact model fitted within each group)", []column{
		{Name: "Group", Width: 34}, {Name: "Subject"}, {Name: "School year"}, {Name: "Effect (SD)", Style: b.dec}, {Name: "95% CI low", Style: b.dec}, {Name: "95% CI high", Style: b.dec}, {Name: "Hedges' g", Style: b.dec},
		{Name: "Students", Style: b.int}, {Name: "Coached students", Style: b.int}, {Name: "Coached teachers", Style: b.int}, {Name: "Note", Width: 50, Style: b.wrap},
	}, rows)
}

func practiceSheet(ctx context.Context, b *book, in Input) error {
	rows, err := queryRows(ctx, in.DB, `SELECT focus_area, phase, teachers, observations, mean_rating FROM teacher_practice WHERE focus_area <> 'not coached' ORDER BY focus_area = 'all' DESC, focus_area, phase_order`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r[0] == "all" {
			r[0] = "all focus areas"
		}
		if i64(r[2]) < int64(in.minRooms()) {
			r[4] = fmt.Sprintf("suppressed (fewer than %d teachers)", in.minRooms())
		}
	}
	title := "Look-for ratings (0-4) before, during and after coaching cycles"
	if len(rows) == 0 {
		title += ": no observations were loaded (the observations table is optional)"
	}
	return b.table("Teacher practice", title, []column{
		{Name: "Focus area", Width: 28}, {Name: "Phase", Width: 18}, {Name: "Teachers", Style: b.int}, {Name: "Observations", Style: b.int}, {Name: "Mean rating", Style: b.dec},
	}, rows)
}

// historySheet shows the headline estimates of every successful run so
// far (table run_history, copied from the output folder's history) and of
// this run: a jump from one night to the next is worth a look at the
// inputs.
func historySheet(ctx context.Context, b *book, in Input) error {
	past := "SELECT NULL::VARCHAR AS run_id, NULL::TIMESTAMP AS started, NULL::VARCHAR AS analysis, NULL::VARCHAR AS subject, NULL::DOUBLE AS estimate, NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high WHERE false"
	if ok, err := hasTable(ctx, in, "run_history"); err != nil {
		return err
	} else if ok {
		past = "SELECT run_id, started, analysis, subject, estimate, ci_low, ci_high FROM run_history"
	}
	rows, err := queryRows(ctx, in.DB, `
		WITH h AS (
		    `+past+`
		    UNION ALL
		    SELECT 'this run', ?::TIMESTAMP, analysis, subject, estimate, ci_low, ci_high FROM estimates
		    WHERE headline AND school_year IS NULL AND estimate IS NOT NULL
		)
		SELECT strftime(started, '%Y-%m-%d %H:%M:%S'),
		       max(estimate) FILTER (WHERE analysis = 'impact' AND subject = 'All'),
		       max(ci_low) FILTER (WHERE analysis = 'impact' AND subject = 'All'),
		       max(ci_high) FILTER (WHERE analysis = 'impact' AND subject = 'All'),
		       max(estimate) FILTER (WHERE analysis = 'impact' AND subject = 'ELA'),
		       max(estimate) FILTER (WHERE analysis = 'impact' AND subject = 'Math'),
		       max(estimate) FILTER (WHERE analysis = 'impact_within_teacher' AND subject = 'All'),
		       max(estimate) FILTER (WHERE analysis = 'dose_onset' AND subject = 'All'),
		       max(estimate) FILTER (WHERE analysis = 'did'),
		       max(estimate) FILTER (WHERE analysis = 'did_cs')
		FROM h GROUP BY run_id, started ORDER BY started, run_id`, in.Started)
	if err != nil {
		return err
	}
	d := b.dec
	return b.sheet("Run history", "Headline estimates, run by run (successful runs; this run last)", []section{{Cols: []column{
		{Name: "Run (UTC)", Width: 18}, {Name: "Impact, both subjects (SD)", Style: d, Width: 14}, {Name: "95% CI low", Style: d}, {Name: "95% CI high", Style: d},
		{Name: "Impact, ELA", Style: d}, {Name: "Impact, Math", Style: d},
		{Name: "Same teachers, coached vs uncoached years", Style: d, Width: 14}, {Name: "Any coaching vs none (jump)", Style: d, Width: 12},
		{Name: "Joining schools, before/after vs comparison", Style: d, Width: 14}, {Name: "Joining schools, each cohort vs not yet joined", Style: d, Width: 16},
	}, Rows: rows, Main: true}}, func(at []placed) error {
		if len(rows) < 2 {
			return nil // a trend needs two runs
		}
		ref := func(col string) string {
			return fmt.Sprintf("'Run history'!$%s$%d:$%s$%d", col, at[0].First, col, at[0].Last)
		}
		line := func(col, colour string) excelize.ChartSeries {
			return excelize.ChartSeries{Name: fmt.Sprintf("'Run history'!$%s$%d", col, at[0].Header), Categories: ref("A"), Values: ref(col), Line: excelize.LineOptions{Width: 2, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}},
				Marker: excelize.ChartMarker{Symbol: "circle", Size: 5}}
		}
		return b.addChart("Run history", fmt.Sprintf("K%d", at[0].Header), &excelize.Chart{
			Type:   excelize.Line,
			Series: []excelize.ChartSeries{line("B", "1F77B4"), line("C", "AEC7E8"), line("D", "AEC7E8")},
			Title:  chartTitle("Impact estimate across runs (SD)"),
			Legend: excelize.ChartLegend{Position: "bottom"},
			XAxis:  categoryAxis("Run", 0, -45),
			YAxis:  valueAxis("Effect (SD)", "0.00"),
		})
	})
}

// hasTable reports whether the model has a table of that name.
func hasTable(ctx context.Context, in Input, name string) (bool, error) {
	rows, err := queryRows(ctx, in.DB, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", name)
	if err != nil {
		return false, err
	}
	return i64(rows[0][0]) > 0, nil
}

func dataQualitySheet(ctx context.Context, b *book, in Input) error {
	files, err := inputFiles(ctx, in.DB)
	if err != nil {
		return err
	}
	skipped, err := skippedFiles(ctx, in.DB)
	if err != nil {
		return err
	}
	var recon [][]any
	for _, s := range files {
		status := "all rows loaded"
		switch {
		case s.Rejected == 1:
			status = "1 row rejected"
		case s.Rejected > 1:
			status = fmt.Sprintf("%d rows rejected", s.Rejected)
		}
		if s.Read != s.Loaded+s.Rejected {
			status = "DOES NOT RECONCILE"
		}
		recon = append(recon, []any{s.Path, s.Table, s.Read, s.Loaded, s.Rejected, status, fileNotes(s), s.SHA256})
	}
	// Files beside the exports that were not read, and why: a table a
	// coordinator meant to give may be among them.
	for _, s := range skipped {
		recon = append(recon, []any{s.Name, "", nil, nil, nil, "not read", s.Reason, ""})
	}
	count, err := queryRows(ctx, in.DB, `SELECT count(*) FROM rejects`)
	if err != nil {
		return err
	}
	total := i64(count[0][0])
	rej, err := queryRows(ctx, in.DB, `SELECT file || coalesce('[' || sheet || ']', ''), table_name, "row", coalesce("column", ''), coalesce(value, ''), reason, coalesce(detail, '') FROM rejects ORDER BY file, sheet, "row", "column" LIMIT ?`, maxRejectRows)
	if err != nil {
		return err
	}
	secs := []section{{Title: "Reconciliation: every row read is loaded or rejected", Cols: []column{{Name: "File"}, {Name: "Table"}, {Name: "Rows read", Style: b.int}, {Name: "Rows loaded", Style: b.int}, {Name: "Rows rejected", Style: b.int}, {Name: "Status"}, {Name: "Read as", Width: 36, Style: b.wrap}, {Name: "SHA-256", Width: 20}}, Rows: recon}}
	if len(in.DataNotes) > 0 {
		notes := make([][]any, len(in.DataNotes))
		for i, n := range in.DataNotes {
			notes[i] = []any{n}
		}
		secs = append([]section{{Title: "Notes on the data the model used", Cols: []column{{Name: "Note", Width: 120, Style: b.wrap}}, Rows: notes}}, secs...)
	}
	if d, ok := degradedSection(in, 0, 14); ok {
		secs = append([]section{d}, secs...)
	}
	if line, ok := rejectsLeftOut(total, int64(len(rej))); ok {
		secs = append(secs, section{Title: line})
	}
	secs = append(secs, section{Title: "Rejects: one line per rejected value (row numbers as Excel or an editor shows them)", Cols: []column{{Name: "File"}, {Name: "Table"}, {Name: "Row", Style: b.count}, {Name: "Column"}, {Name: "Value", Width: 24, Style: b.wrap}, {Name: "Reason"}, {Name: "Detail", Width: 36, Style: b.wrap}}, Rows: rej, Main: true})
	return b.sections("Data quality", fmt.Sprintf("Data quality: %d input files, %s rejected values", len(files), thousands(total)), secs)
}

// maxRejectRows is the most rejected values the Data quality sheet lists
// (Excel holds 1,048,576 rows a sheet, and a reader no more than a few
// thousand); the model's rejects table holds them all.
const maxRejectRows = 100_000

// rejectsLeftOut is the line above a rejects list cut to listed of total
// values, saying how to query the rest; ok is false when none were left
// out.
func rejectsLeftOut(total, listed int64) (line string, ok bool) {
	if total <= listed {
		return "", false
	}
	return fmt.Sprintf(`The first %s of %s rejected values are listed below (by file and row); the other %s are in the model's rejects table: coachimpact sql --db OUTPUT/coachimpact.duckdb "SELECT * FROM rejects"`,
		thousands(listed), thousands(total), thousands(total-listed)), true
}

// degradedSection says, one row per reason, why the run's result is
// empty or mostly rejected (ok is false when it is not): the check's
// code, what it is about, and the sentence, in a third column textWidth
// wide with the given style (0: the sentence runs on across the empty
// cells to its right).
func degradedSection(in Input, style int, textWidth float64) (sec section, ok bool) {
	if len(in.Degraded) == 0 {
		return section{}, false
	}
	rows := make([][]any, len(in.Degraded))
	for i, r := range in.Degraded {
		rows[i] = []any{r.Code, r.Subject, r.Text}
	}
	return section{
		Title: "DEGRADED: this run's result is empty or mostly rejected, and why (checks set under [degraded] in the config)",
		Cols:  []column{{Name: "Check"}, {Name: "About"}, {Name: "What happened", Width: textWidth, Style: style}},
		Rows:  rows,
	}, true
}

// A note lists at most listedNames names (a Renaissance Star export
// leaves 100-odd columns unused), each cut to noteNameChars characters.
const (
	listedNames   = 10
	noteNameChars = 40
)

// someNames lists the first listedNames names, each cut, and counts the
// rest: "a, b, c and 97 more".
func someNames(names []string) string {
	shown := make([]string, 0, listedNames)
	for _, n := range names[:min(len(names), listedNames)] {
		shown = append(shown, clip(n, noteNameChars))
	}
	list := strings.Join(shown, ", ")
	if k := len(names) - len(shown); k > 0 {
		list += fmt.Sprintf(" and %d more", k)
	}
	return list
}

func aboutSheet(ctx context.Context, b *book, in Input) error {
	read, err := inputFiles(ctx, in.DB)
	if err != nil {
		return err
	}
	var files [][]any
	for _, s := range read {
		files = append(files, []any{s.Path, s.Table, s.Read, s.SHA256})
	}
	tests, err := queryRows(ctx, in.DB, model.SpringTestsQuery)
	if err != nil {
		return err
	}
	for i, r := range tests {
		r[0] = yearLabel(i64(r[0]))
		tests[i] = append(r[:4], springTestRole(r[4] == true, r[5].(string), r[6].(string)))
	}
	return b.sections("About", "About these reports: measures, run and inputs", []section{
		b.glossarySection(inDistrict),
		b.runSection(in),
		{Title: "Spring tests taken as each subject's outcome, year by year (the main test is the one the config names under [model.main_tests], else the one with the most takers)", Cols: []column{{Name: "School year"}, {Name: "Subject"}, {Name: "Test", Width: 24, Style: b.wrap}, {Name: "Students", Style: b.int}, {Name: "Role", Width: 46, Style: b.wrap}}, Rows: tests},
		{Title: "Input files", Cols: []column{{Name: "File", Width: 26, Style: b.wrap}, {Name: "Table"}, {Name: "Rows read", Style: b.int}, {Name: "SHA-256", Width: 20}}, Rows: files},
	})
}

// runSection is the About sheet's account of the run: when it started,
// the suppression thresholds, and how names and IDs are shown.
func (b *book) runSection(in Input) section {
	run := [][]any{
		{"Run started", in.Started.Format("2006-01-02 15:04:05 UTC")},
		{"Suppression threshold (students)", int64(in.MinCell)},
		{"Suppression threshold (classrooms)", int64(in.minRooms())},
		{"Fewest coached teachers an estimate can tell from (fewer: too few to tell; under 3: suppressed)", int64(in.MinCoachedTeachers)},
		{"Cells suppressed only to protect others", int64(in.plan.complements)},
		{"Teacher names in school workbooks", map[bool]string{true: "shown in coaching-activity counts", false: "not shown"}[in.ShowTeacherNames]},
		{"Student and teacher IDs", "as in the input files"},
	}
	if in.Redacted != "" {
		run[len(run)-1][1] = "replaced by keyed hashes (salt " + in.Redacted + "); teacher names left out"
	}
	return section{Title: "This run", Cols: []column{{Name: "Setting", Width: 26, Style: b.wrap}, {Name: "Value", Width: 40}}, Rows: run}
}

// springTestRole is the About sheet's word on a spring test's role:
// SpringTest's Main, ChosenBy and Configured.
func springTestRole(main bool, chosenBy, configured string) string {
	switch {
	case !main:
		return "taken instead by some students"
	case chosenBy == model.ChosenByConfig:
		return "main test (named in the config)"
	case configured != "":
		return fmt.Sprintf("main test (most takers: %q, named in the config, has no spring scores this year)", configured)
	}
	return "main test (most takers)"
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
