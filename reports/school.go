package reports

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/xuri/excelize/v2"
	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/stat/distuv"
)

// titleNameChars is the most of a school's name its workbook's titles
// show.
const titleNameChars = 100

// schoolData is everything one principal's workbook shows, gathered for
// all schools by a few queries.
type schoolData struct {
	id, name, cohort string  // name cut to titleNameChars
	growth           [][]any // per classroom: school_year, subject, coached, students, sum of growth
	months           [][]any
	activity         [][]any
	focus            [][]any
	teachers         [][]any
	lookfors         [][]any
	noStudents       [][]any // school_year, why: years with tested students none of whom is in the model
}

// bySchool runs q, whose first column is school_id, and hands each row
// (without it) to add.
func bySchool(ctx context.Context, in Input, q string, add func(id string, r []any)) error {
	rows, err := queryRows(ctx, in.DB, q)
	if err != nil {
		return err
	}
	for _, r := range rows {
		add(str(r[0]), r[1:])
	}
	return nil
}

// Schools writes one workbook per school into dir:
// <school_id>.xlsx (the ID made safe as a file name).
func Schools(ctx context.Context, in Input, dir string) error {
	in, err := in.planned(ctx)
	if err != nil {
		return err
	}
	list, err := queryRows(ctx, in.DB, `SELECT school_id, school_name, `+cohortLabel+` FROM schools ORDER BY school_id`)
	if err != nil {
		return err
	}
	schools := map[string]*schoolData{}
	var order []*schoolData
	for _, r := range list {
		s := &schoolData{id: str(r[0]), name: clip(str(r[1]), titleNameChars), cohort: str(r[2])}
		schools[s.id] = s
		order = append(order, s)
	}
	last, err := queryRows(ctx, in.DB, `SELECT max(school_year) FROM student_growth`)
	if err != nil {
		return err
	}
	latest := i64(last[0][0])
	queries := []struct {
		q   string
		dst func(*schoolData) *[][]any
	}{
		// One row per classroom, not per student: 1.9M students of a
		// state come back as 150k classrooms. A student with no growth
		// (no regression for their grade and baseline) is in no group:
		// counted, they would pull the mean toward 0. The plan
		// (loadSchools) counts the same students.
		{`SELECT school_id, school_year, subject, coached, count(*), sum(growth), teacher_id FROM student_growth WHERE excluded IS NULL AND growth IS NOT NULL
		  GROUP BY school_id, school_year, subject, coached, teacher_id ORDER BY school_id, school_year, subject, coached, teacher_id`,
			func(s *schoolData) *[][]any { return &s.growth }},
		{`SELECT t.school_id, strftime(s.session_date, '%Y-%m') AS month, count(*), sum(s.minutes) / 60.0
		  FROM coaching_sessions s JOIN coaching_cycles c USING (cycle_id) JOIN teachers t ON t.teacher_id = c.teacher_id
		  GROUP BY ALL ORDER BY 1, 2`, func(s *schoolData) *[][]any { return &s.months }},
		{`SELECT t.school_id, lower(trim(s.activity)), count(*), sum(s.minutes) / 60.0
		  FROM coaching_sessions s JOIN coaching_cycles c USING (cycle_id) JOIN teachers t ON t.teacher_id = c.teacher_id
		  GROUP BY ALL ORDER BY 1, 3 DESC, 2`, func(s *schoolData) *[][]any { return &s.activity }},
		{`SELECT t.school_id, coalesce(nullif(trim(c.focus_area), ''), 'unspecified'), count(*),
		         count(*) FILTER (WHERE c.stage_reached = 'improve'), count(*) FILTER (WHERE c.goal_met)
		  FROM coaching_cycles c JOIN teachers t USING (teacher_id)
		  GROUP BY ALL ORDER BY 1, 3 DESC, 2`, func(s *schoolData) *[][]any { return &s.focus }},
		{`SELECT o.school_id, o.yr, o.coached, count(DISTINCT o.teacher_id), count(*), avg(o.rating)
		  FROM (
		      SELECT t.school_id, ob.teacher_id, ob.rating,
		             year(ob.observation_date) + (month(ob.observation_date) >= 7)::INTEGER AS yr,
		             EXISTS (SELECT 1 FROM coaching_cycles c WHERE c.teacher_id = ob.teacher_id
		                     AND c.school_year = year(ob.observation_date) + (month(ob.observation_date) >= 7)::INTEGER) AS coached
		      FROM observations ob JOIN teachers t USING (teacher_id)
		  ) o
		  GROUP BY ALL ORDER BY 1, 2, 3`, func(s *schoolData) *[][]any { return &s.lookfors }},
		{`SELECT * FROM (SELECT school_id, school_year, ` + noStudentsWhy + ` AS why FROM student_growth GROUP BY ALL)
		  WHERE why IS NOT NULL ORDER BY 1, 2`, func(s *schoolData) *[][]any { return &s.noStudents }},
	}
	if in.ShowTeacherNames {
		queries = append(queries, struct {
			q   string
			dst func(*schoolData) *[][]any
		}{`SELECT t.school_id, trim(coalesce(t.first_name, '') || ' ' || coalesce(t.last_name, '')), t.teacher_id, d.school_year, d.cycles, d.sessions, d.hours
		   FROM teacher_dosage d JOIN teachers t USING (teacher_id) WHERE d.cycles > 0 ORDER BY 1, 2, 3, 4`,
			func(s *schoolData) *[][]any { return &s.teachers }})
	}
	for _, q := range queries {
		err := bySchool(ctx, in, q.q, func(id string, r []any) {
			if s := schools[id]; s != nil {
				*q.dst(s) = append(*q.dst(s), r)
			}
		})
		if err != nil {
			return err
		}
	}
	district, err := queryRows(ctx, in.DB, fmt.Sprintf(`
		SELECT subject, tested_grade, count(*), avg(spring_z), avg(growth), avg((performance_level >= 3)::INTEGER)
		FROM student_growth WHERE school_year = %d AND excluded IS NULL GROUP BY ALL`, latest))
	if err != nil {
		return err
	}
	bench, err := districtBenchmarks(ctx, in)
	if err != nil {
		return err
	}
	bench.priors = in.schoolPriors(order)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	used := map[string]bool{}
	paths := make([]string, len(order))
	for i, s := range order {
		name := fileName(s.id)
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d", fileName(s.id), i)
		}
		used[name] = true
		paths[i] = filepath.Join(dir, name+".xlsx")
	}
	// The workbooks are independent: one writer per core.
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	var done atomic.Int64
	for i, s := range order {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := schoolBook(in, s, latest, district, bench, paths[i]); err != nil {
				return fmt.Errorf("school %s: %w", s.id, err)
			}
			if in.Progress != nil {
				in.Progress("school workbooks", int(done.Add(1)), len(order))
			}
			return nil
		})
	}
	return g.Wait()
}

// armStats is the mean growth of one group of classrooms with its 95% CI,
// clustered by classroom (teacher): SE² = G/(G-1) Σ_g (Σ_i∈g (y_i - ȳ))² / n².
type armStats struct {
	n, classrooms    int
	mean, se, lo, hi float64
	ok               bool // SE and CI available (2+ classrooms)
}

// classroom is one teacher's students in an arm: how many, and the sum
// of their growth.
type classroom struct {
	n   int64
	sum float64
}

// arm computes an arm's statistics from its classrooms: Σ_i∈g (y_i - ȳ)
// is the classroom's sum less its size times the arm's mean.
func arm(rooms []classroom) armStats {
	a := armStats{classrooms: len(rooms)}
	sum := 0.0
	for _, c := range rooms {
		a.n += int(c.n)
		sum += c.sum
	}
	if a.n == 0 {
		return armStats{}
	}
	a.mean = sum / float64(a.n)
	if a.classrooms < 2 {
		return a
	}
	ss := 0.0
	for _, c := range rooms {
		d := c.sum - float64(c.n)*a.mean
		ss += d * d
	}
	g := float64(a.classrooms)
	a.se = math.Sqrt(g/(g-1)*ss) / float64(a.n)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: g - 1}.Quantile(0.975)
	a.lo, a.hi, a.ok = a.mean-t*a.se, a.mean+t*a.se, true
	return a
}

// armCells are the cells of one arm: classrooms, students, mean growth and
// CI, or, when the suppression plan hides the arm, only the reason.
func (in Input) armCells(a armStats, hidden bool) []any {
	switch {
	case a.n == 0:
		return []any{int64(0), int64(0), "no students", nil, nil}
	case hidden:
		return []any{nil, nil, in.hiddenText(int64(a.n), int64(a.classrooms)), nil, nil}
	}
	r := []any{int64(a.classrooms), int64(a.n), a.mean, nil, nil}
	if a.ok {
		r[3], r[4] = a.lo, a.hi
	}
	return r
}

// schoolBook writes one principal's workbook.
func schoolBook(in Input, s *schoolData, latest int64, district [][]any, bench benchmarks, path string) error {
	subject := fmt.Sprintf("%s (%s, %s)", s.name, s.id, s.cohort)
	b, err := newBook(bookInfo{Title: "Coaching and student growth: " + s.name, Subject: subject, Started: in.Started})
	if err != nil {
		return err
	}
	fail := func(err error) error { b.f.Close(); return err }
	if err := b.f.SetSheetName("Sheet1", "Growth"); err != nil {
		return fail(err)
	}
	if err := schoolGrowthSheet(b, in, s, latest, bench); err != nil {
		return fail(fmt.Errorf("growth: %w", err))
	}
	for _, sh := range []struct {
		name  string
		write func(*book, Input, *schoolData, int64, [][]any) error
	}{
		{"Coaching activity", schoolActivitySheet},
		{"Look-fors", schoolLookforSheet},
		{"Grades and subjects", schoolGradesSheet},
		{"About", schoolAboutSheet},
	} {
		if _, err := b.f.NewSheet(sh.name); err != nil {
			return fail(err)
		}
		if err := sh.write(b, in, s, latest, district); err != nil {
			return fail(fmt.Errorf("%s: %w", sh.name, err))
		}
	}
	// Sheet1, renamed, stays the active sheet: SetActiveSheet would parse
	// every streamed sheet back only to set what is already set.
	return b.save(path)
}

// schoolGrowthSheet writes a school's Growth sheet: one line per subject
// answering "are coached classrooms growing more here, and how sure are
// we?" for the latest year; at a glance, each subject's difference with
// its interval, verdict, groups, the district's figure and last year's
// verdict, beside a chart of the differences; then every year's groups.
// A school with no coached teacher shows its classrooms' growth instead.
func schoolGrowthSheet(b *book, in Input, s *schoolData, latest int64, bench benchmarks) error {
	type key = roomKey
	rooms, keys := growthRooms(s)
	everCoached := false
	for k := range rooms {
		everCoached = everCoached || k.coached
	}
	plan := in.plan.school(s.id)
	hid := func(year int64, subject, label string) bool { return plan.growth[armKey{year, subject, label}] }
	// compareYear is a year's comparison of a subject, nil when the
	// year has no students in it.
	compareYear := func(year int64, subject string) *comparison {
		co, not := rooms[key{year, subject, true}], rooms[key{year, subject, false}]
		if len(co) == 0 && len(not) == 0 {
			return nil
		}
		c := in.compare(subject, yearLabel(year), arm(co), arm(not), hid(year, subject, armCoached), hid(year, subject, armNotCoached))
		c = c.shrunk(bench.priors[subjectYear{subject, year}], in.prior().Threshold)
		return &c
	}
	var rows, glance [][]any
	var headlines []comparison
	var gaps []string // subjects with no bar on the chart, and their verdict
	seen := map[key]bool{}
	for _, k := range keys {
		k.coached = false
		if seen[k] {
			continue
		}
		seen[k] = true
		not := arm(rooms[k])
		kc := k
		kc.coached = true
		co := arm(rooms[kc])
		arms := []struct {
			label string
			st    armStats
		}{{armNotCoached, not}, {armCoached, co}}
		if !everCoached {
			arms = arms[:1] // no coached arm to compare with
			arms[0].label = armAll
		}
		for _, a := range arms {
			rows = append(rows, append([]any{yearLabel(k.year), k.subject, a.label}, in.armCells(a.st, hid(k.year, k.subject, a.label))...))
		}
		if k.year != latest {
			continue
		}
		// The glance's subjects are the chart's categories: cut as a
		// chart label.
		subject := clip(k.subject, chartLabelChars)
		if !everCoached {
			glance = append(glance, []any{subject, glanceCell(in.armCells(not, hid(k.year, k.subject, armAll))[2])})
			continue
		}
		c := in.compare(subject, yearLabel(latest), co, not, hid(k.year, k.subject, armCoached), hid(k.year, k.subject, armNotCoached))
		c = c.shrunk(bench.priors[subjectYear{k.subject, latest}], in.prior().Threshold)
		if !c.shown() && c.verdict == verdictTooFew {
			// Too small a year: the school's years pooled, where the
			// plan shows them (item 2).
			if pc, ok := in.pooledComparison(s, k.subject, subject); ok {
				c = pc
			}
		}
		headlines = append(headlines, c)
		if !c.shown() {
			gaps = append(gaps, fmt.Sprintf("%s (%s)", subject, c.verdict))
		}
		glance = append(glance, b.glanceRow(c, bench.by[subjectYear{k.subject, latest}], compareYear(latest-1, k.subject)))
	}
	// A year whose tested students are none of them in the model (a
	// school testing only in spring has no baseline in its first year)
	// says why, rather than being left out.
	for _, r := range s.noStudents {
		rows = append(rows, []any{yearLabel(i64(r[0])), "all subjects", "", int64(0), int64(0), r[1], nil, nil})
	}
	slices.SortStableFunc(rows, func(a, b []any) int { return strings.Compare(str(a[0]), str(b[0])) })
	title := fmt.Sprintf("%s (%s, %s): growth of students in coached and not-coached classrooms", s.name, s.id, s.cohort)
	glanceCols := b.glanceCols(yearLabel(latest - 1))
	glanceTitle := "At a glance, " + yearLabel(latest) + ": mean growth in coached minus other classrooms (SD; above 0: more growth when coached); district: " + bench.source
	headline := answer(yearLabel(latest), headlines)
	if !everCoached {
		title = fmt.Sprintf("%s (%s, %s): growth of its students (no teacher here was coached in these years)", s.name, s.id, s.cohort)
		glanceCols = []column{{Name: "Subject"}, {Name: "All classrooms", Style: b.decWrap, Width: 22}}
		glanceTitle = "At a glance, " + yearLabel(latest) + ": mean growth (SD; 0 = typical for the baseline)"
		headline = comparisonAnswer(yearLabel(latest), glance)
	}
	growthCols := []column{{Name: "School year"}, {Name: "Subject"}, {Name: "Group", Width: 14}, {Name: "Classrooms", Style: b.int}, {Name: "Students", Style: b.int}, {Name: "Mean growth (SD)", Style: b.dec, Width: 16}, {Name: "95% CI low", Style: b.dec}, {Name: "95% CI high", Style: b.dec}}
	secs := []section{
		{Title: headline},
		{Title: glanceTitle, Cols: glanceCols, Rows: glance},
	}
	if pooled := in.pooledRows(s, everCoached); len(pooled) > 0 {
		secs = append(secs, section{Title: "All years pooled, for a subject whose latest year is too small to show: growth of the years named together",
			Cols: append([]column{{Name: "Years pooled", Width: 30}}, growthCols[1:]...), Rows: pooled})
	}
	secs = append(secs, []section{
		{Title: "Every year (growth = spring score beyond what the baseline predicts; CI allows for classrooms)", Cols: growthCols, Rows: rows, Main: true},
	}...)
	return b.sheet("Growth", title, secs, func(at []placed) error {
		if len(glance) == 0 {
			return nil
		}
		if everCoached {
			// Beside the table below the glance (the pooled years or
			// every year), narrower than the glance.
			return b.differenceChart("Growth", fmt.Sprintf("J%d", at[2].Header), at[1], latest, gaps)
		}
		first, last := at[1].First, at[1].Last
		return b.addChart("Growth", fmt.Sprintf("J%d", at[1].Header), &excelize.Chart{
			Type: excelize.Col,
			Series: []excelize.ChartSeries{{
				Name:       fmt.Sprintf("'Growth'!$B$%d", at[1].Header),
				Categories: fmt.Sprintf("'Growth'!$A$%d:$A$%d", first, last),
				Values:     fmt.Sprintf("'Growth'!$B$%d:$B$%d", first, last),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hexColor(notCoachedColor)}},
			}},
			// One colour for the series, not one per subject.
			VaryColors: ptr(false),
			Title:      chartTitle("Mean growth, " + yearLabel(latest)),
			Legend:     excelize.ChartLegend{Position: "bottom"},
			XAxis:      categoryAxis("Subject", 0, 0),
			YAxis:      valueAxis("Growth (SD)", "0.00"),
			Format:     excelize.GraphicOptions{ScaleX: 0.8, ScaleY: 0.8},
		})
	})
}

func schoolActivitySheet(b *book, in Input, s *schoolData, _ int64, _ [][]any) error {
	months := everyMonth(s.months)
	secs := []section{
		{Title: "Coaching sessions per month (every month from the first session to the last)", Cols: []column{{Name: "Month"}, {Name: "Sessions", Style: b.int}, {Name: "Hours", Style: b.dec}}, Rows: months},
		{Title: "Activity mix", Cols: []column{{Name: "Activity", Width: 16}, {Name: "Sessions", Style: b.int}, {Name: "Hours", Style: b.dec}}, Rows: s.activity},
		{Title: "Focus areas of cycles", Cols: []column{{Name: "Focus area", Width: 26}, {Name: "Cycles", Style: b.int}, {Name: "Cycles that reached Improve", Style: b.int, Width: 14}, {Name: "Cycles with the goal met", Style: b.int, Width: 14}}, Rows: s.focus},
	}
	if in.ShowTeacherNames {
		secs = append(secs, section{Title: "Coaching by teacher (activity counts only; coaching is non-evaluative)", Cols: []column{{Name: "Teacher", Width: 22}, {Name: "Teacher ID"}, {Name: "School year"}, {Name: "Cycles", Style: b.int}, {Name: "Sessions", Style: b.int}, {Name: "Hours", Style: b.dec}}, Rows: yearCol(s.teachers, 2)})
	}
	title := s.name + ": coaching activity (all years)"
	if len(s.months) == 0 && len(s.focus) == 0 {
		// A comparison school: one plain line, not empty tables.
		secs = []section{{Title: "No coaching cycles or sessions are logged for this school's teachers in these years.", Rows: nil}}
		title = s.name + ": no coaching logged"
	}
	return b.sheet("Coaching activity", title, secs, func(at []placed) error {
		if len(s.months) == 0 {
			return nil
		}
		skip := 0
		if len(months) > 12 {
			skip = 3 // a label every third month
		}
		return b.addChart("Coaching activity", fmt.Sprintf("F%d", at[0].Header), &excelize.Chart{
			Type:  excelize.Col,
			XAxis: categoryAxis("Month", skip, -45),
			YAxis: valueAxis("Sessions", "0"),
			Series: []excelize.ChartSeries{{
				Name:       "'Coaching activity'!$B$" + fmt.Sprint(at[0].Header),
				Categories: fmt.Sprintf("'Coaching activity'!$A$%d:$A$%d", at[0].First, at[0].Last),
				Values:     fmt.Sprintf("'Coaching activity'!$B$%d:$B$%d", at[0].First, at[0].Last),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hexColor(coachedColor)}},
			}},
			VaryColors: ptr(false),
			Title:      chartTitle("Coaching sessions per month"),
			Legend:     excelize.ChartLegend{Position: "none"},
			Format:     excelize.GraphicOptions{ScaleX: 1.2},
		})
	})
}

// everyMonth is a school's sessions per month ("2023-09", sessions,
// hours) with the months between that have none, as 0: a summer without
// coaching is a gap in the chart, not two years run together.
func everyMonth(rows [][]any) [][]any {
	var counts []monthCount
	hours := map[monthCount]any{}
	for _, r := range rows {
		var y, m int64
		if _, err := fmt.Sscanf(str(r[0]), "%d-%d", &y, &m); err != nil {
			return rows // not a month: as it is
		}
		c := monthCount{year: y, month: m}
		hours[c] = r[2]
		c.n = i64(r[1])
		counts = append(counts, c)
	}
	out := make([][]any, 0, len(counts))
	for _, c := range monthSeries(counts) {
		h := hours[monthCount{year: c.year, month: c.month}]
		if h == nil {
			h = 0.0
		}
		out = append(out, []any{fmt.Sprintf("%04d-%02d", c.year, c.month), c.n, h})
	}
	return out
}

// glanceCell is an arm's mean as the At a glance block shows it: a
// suppressed mean says so briefly and points to the table below, which
// says why.
func glanceCell(v any) any {
	if s, ok := v.(string); ok && strings.HasPrefix(s, "suppressed") {
		return "suppressed (see below)"
	}
	return v
}

// yearCol replaces column i of every row (a school year) with its label.
func yearCol(rows [][]any, i int) [][]any {
	for _, r := range rows {
		r[i] = yearLabel(i64(r[i]))
	}
	return rows
}

func schoolLookforSheet(b *book, in Input, s *schoolData, _ int64, _ [][]any) error {
	var rows [][]any
	for _, r := range s.lookfors {
		group := "teachers not coached that year"
		if r[1] == true {
			group = "teachers coached that year"
		}
		out := []any{yearLabel(i64(r[0])), group, r[2], r[3], r[4]}
		if i64(r[2]) < int64(in.minRooms()) {
			out[2], out[3], out[4] = nil, nil, fmt.Sprintf("suppressed (fewer than %d teachers)", in.minRooms())
		}
		rows = append(rows, out)
	}
	title := s.name + ": look-for ratings (0-4) by year"
	if len(rows) == 0 {
		title = s.name + ": no observations loaded"
	}
	return b.table("Look-fors", title, []column{{Name: "School year"}, {Name: "Group", Width: 32}, {Name: "Teachers", Style: b.int}, {Name: "Observations", Style: b.int}, {Name: "Mean rating", Style: b.dec}}, rows)
}

func schoolGradesSheet(b *book, in Input, s *schoolData, latest int64, district [][]any) error {
	dist := map[gradeKey][]any{}
	for _, r := range district {
		// The district's mean spring z and growth are 0 by construction:
		// not shown.
		dist[gradeKey{str(r[0]), i64(r[1])}] = []any{r[2], r[5]}
	}
	plan := in.plan.school(s.id)
	var rows [][]any
	for _, g := range sortedKeys(plan.grade, gradeCmp) {
		keys := plan.atomsWhere(func(k atomKey) bool { return k.year == latest && k.subject == g.subject && k.grade == g.grade })
		st := plan.sum(keys)
		out := []any{g.subject, g.grade}
		switch {
		case plan.grade[g]:
			out = append(out, in.hiddenText(st.n, int64(len(plan.rooms(keys)))), nil, nil, nil)
		default:
			var level any = in.suppressed()
			if plan.level[g] {
				level = in.hiddenText(st.leveled, int64(len(plan.rooms(keys))))
			} else if st.leveled > 0 {
				level = float64(st.level3) / float64(st.leveled)
			}
			var growth any
			if st.growthN > 0 {
				growth = st.growth / float64(st.growthN)
			}
			out = append(out, st.n, st.springZ/float64(st.n), growth, level)
		}
		out = append(out, dist[g]...)
		rows = append(rows, out)
	}
	return b.table("Grades and subjects", fmt.Sprintf("%s beside the district, %s: students in the model (spring score and growth in SD: 0 = the district's average)", s.name, yearLabel(latest)), []column{
		{Name: "Subject"}, {Name: "Grade", Style: b.int},
		{Name: "School students", Style: b.int}, {Name: "School mean spring score (SD)", Style: b.dec}, {Name: "School mean growth (SD)", Style: b.dec}, {Name: "School share at level 3 or 4", Style: b.pct},
		{Name: "District students", Style: b.int}, {Name: "District share at level 3 or 4", Style: b.pct},
	}, rows)
}

func gradeCmp(a, b gradeKey) int {
	if c := strings.Compare(a.subject, b.subject); c != 0 {
		return c
	}
	return cmpInt(a.grade, b.grade)
}

// The native charts' text: dark axis labels (the default is pale grey in
// LibreOffice), category labels below the plot even when values are
// negative, axis titles that name the unit.
func axisFont() excelize.Font { return excelize.Font{Color: "333333", Size: 9} }

func chartTitle(text string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: text, Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E79"}}}}
}

func axisTitle(text string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: text, Font: &excelize.Font{Size: 9, Color: "333333"}}}}
}

// categoryAxis labels every skip-th category (0: Excel decides), rotated
// by rotation degrees.
func categoryAxis(title string, skip, rotation int) excelize.ChartAxis {
	return excelize.ChartAxis{TickLabelPosition: excelize.ChartTickLabelLow, TickLabelSkip: skip, Font: axisFont(),
		Alignment: excelize.Alignment{TextRotation: rotation}, Title: axisTitle(title)}
}

func valueAxis(title, format string) excelize.ChartAxis {
	return excelize.ChartAxis{MajorGridLines: true, Font: axisFont(), NumFmt: excelize.ChartNumFmt{CustomNumFmt: format}, Title: axisTitle(title)}
}
