package reports

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/coachimpact/coachimpact/model"
)

// verdict is what the 95% interval for a difference in growth (coached
// minus not coached classrooms) says, in a principal's words.
type verdict int

const (
	verdictNone   verdict = iota // nothing to compare: no students
	verdictTooFew                // a group hidden by suppression, or under 2 classrooms: no interval
	verdictSame                  // the interval spans 0
	verdictMore                  // the interval lies above 0
	verdictLess                  // the interval lies below 0
	nVerdicts
)

// verdictWords are the verdicts as the workbooks write them.
var verdictWords = [nVerdicts]string{"", "too few classrooms to tell", "no clear difference", "clearly more growth", "clearly less growth"}

func (v verdict) String() string { return verdictWords[v] }

// decide is the verdict of the 95% interval lo to hi: clear when it
// leaves out 0.
func decide(lo, hi float64) verdict {
	switch {
	case lo > 0:
		return verdictMore
	case hi < 0:
		return verdictLess
	}
	return verdictSame
}

// verdictStyle is the cell style of a verdict: Okabe-Ito blue for more
// growth, vermillion for less, greys otherwise (palette.go). The words
// say it too, so colour is never the only cue; the text on each fill
// keeps a contrast of at least 4.5:1 (white on blue 5.2, black on
// vermillion 5.4).
func verdictStyle(v verdict) *excelize.Style {
	fill, font, bold := "F2F2F2", "444444", false
	switch v {
	case verdictMore:
		fill, font, bold = hexColor(okabeBlue), "FFFFFF", true
	case verdictLess:
		fill, font, bold = hexColor(okabeVermillion), "000000", true
	case verdictSame:
		fill, font = "D9D9D9", "000000"
	}
	return &excelize.Style{Font: &excelize.Font{Bold: bold, Color: font, Family: "Calibri"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top", Indent: 1}}
}

// verdictCell is v as a coloured cell (nil for verdictNone).
func (b *book) verdictCell(v verdict) any {
	if v == verdictNone {
		return nil
	}
	return excelize.Cell{Value: v.String(), StyleID: b.verdicts[v]}
}

// diffStats is the difference coached minus not coached of two arms'
// mean growth, with its 95% CI.
//
// The arms' classrooms are disjoint (a classroom is one teacher's
// students in one arm), so the two means are independent and
//
//	SE(diff)² = SE_c² + SE_n²,
//
// each SE the arm's classroom-clustered one (see armStats). Each SE² has
// G-1 degrees of freedom (G the arm's classrooms), as the arm's own
// interval takes; the difference's are Welch-Satterthwaite's:
//
//	df = (SE_c² + SE_n²)² / (SE_c⁴/(G_c-1) + SE_n⁴/(G_n-1)),
//
// and the interval is diff ± t(0.975, df)·SE(diff).
type diffStats struct {
	est, se, df, lo, hi float64
}

// armDiff is coached minus not coached; ok is false when either arm has
// no CI (fewer than 2 classrooms).
func armDiff(co, not armStats) (d diffStats, ok bool) {
	if !co.ok || !not.ok {
		return diffStats{}, false
	}
	vc, vn := co.se*co.se, not.se*not.se
	d = diffStats{est: co.mean - not.mean, se: math.Sqrt(vc + vn)}
	den := vc*vc/float64(co.classrooms-1) + vn*vn/float64(not.classrooms-1)
	if den == 0 { // no spread between classrooms in either arm: a point
		d.df, d.lo, d.hi = float64(co.classrooms+not.classrooms-2), d.est, d.est
		return d, true
	}
	d.df = (vc + vn) * (vc + vn) / den
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: d.df}.Quantile(0.975)
	d.lo, d.hi = d.est-t*d.se, d.est+t*d.se
	return d, true
}

// comparison is one subject's headline over some years: the coached and
// not-coached arms, whether the suppression plan hides either, and what
// the interval for their difference says.
//
// years names the years the arms cover: one school year here. Pooling a
// small school's years (issue 15 item 2) would build the arms from the
// pooled years' classrooms, name the years here and take hidden from
// the pooled cells' plan; compare and everything after it need nothing
// else.
type comparison struct {
	subject, years      string
	co, not             armStats
	coHidden, notHidden bool
	diff                diffStats // when verdict is verdictSame, verdictMore or verdictLess
	verdict             verdict
	why                 string // with no difference: why not
	// pooled marks a comparison over the school's years pooled, its
	// latest year alone too small (pooledComparison): pooledYears of
	// them, years naming the first and last.
	pooled      bool
	pooledYears int
	// prior is set when diff is the empirical-Bayes estimate (shrunk):
	// raw is then the school's own difference.
	prior *model.Shrinkage
	raw   diffStats
	// threshold is the district's threshold (SD) of the chance line a
	// shrunken difference adds (chanceLine).
	threshold float64
}

// compare decides a comparison. No difference is made when an arm is
// hidden (two printed means give nothing away by their difference, but
// one printed mean and a difference would give the hidden one), has no
// students, or has fewer than 2 classrooms.
func (in Input) compare(subject, years string, co, not armStats, coHidden, notHidden bool) comparison {
	c := comparison{subject: subject, years: years, co: co, not: not, coHidden: coHidden, notHidden: notHidden, verdict: verdictTooFew}
	// The reason is short: the Every year table says each group's.
	hidden := ""
	switch {
	case coHidden && co.n > 0 && notHidden && not.n > 0:
		hidden = "both groups suppressed"
	case coHidden && co.n > 0:
		hidden = "coached group " + in.hiddenText(int64(co.n), int64(co.classrooms))
	case notHidden && not.n > 0:
		hidden = "other group " + in.hiddenText(int64(not.n), int64(not.classrooms))
	}
	switch {
	case co.n == 0 && not.n == 0:
		c.verdict, c.why = verdictNone, "no students"
	case co.n == 0:
		c.why = "no coached classrooms"
	case not.n == 0:
		c.why = "no classrooms that were not coached"
	case hidden != "":
		c.why = hidden
	default:
		d, ok := armDiff(co, not)
		if !ok {
			c.why = "fewer than 2 classrooms in a group"
			break
		}
		c.diff, c.verdict = d, decide(d.lo, d.hi)
	}
	return c
}

// shown reports whether c prints a difference.
func (c comparison) shown() bool { return c.verdict >= verdictSame }

// sentence is c in one line a principal reads: how much more or less
// coached classrooms grew, how sure we are, and the verdict.
func (c comparison) sentence() string {
	d := c.diff
	switch c.verdict {
	case verdictMore, verdictLess:
		return fmt.Sprintf("students in coached classrooms grew about %s SD %s in %s than in other classrooms %s (95%% interval %s to %s%s): %s.",
			sd(math.Abs(d.est)), c.verdict.moreOrLess(), c.subject, c.here(), sd(d.lo), sd(d.hi), c.alone(), c.verdict) + c.chanceLine()
	case verdictSame:
		return fmt.Sprintf("%s: no clear difference between coached and other classrooms %s (coached minus other %s SD, 95%% interval %s to %s%s).",
			c.subject, c.here(), sd(d.est), sd(d.lo), sd(d.hi), c.alone()) + c.chanceLine()
	case verdictTooFew:
		return fmt.Sprintf("%s: too few classrooms to tell: %s.", c.subject, c.why)
	}
	return fmt.Sprintf("%s: no students in the model.", c.subject)
}

// alone is, for a shrunken difference, what the sentence adds: that it
// allows for the district's other schools, and the school's own figure.
func (c comparison) alone() string {
	if c.prior == nil {
		return ""
	}
	return fmt.Sprintf(", allowing for the district's other schools; this school alone %s", sd(c.raw.est))
}

// here is where and when the sentence's classrooms are: "here", or for a
// pooled comparison "here over 2020-21 to 2023-24 taken together".
func (c comparison) here() string {
	if c.pooled {
		return "here over " + c.years + " taken together"
	}
	return "here"
}

// label is the comparison's subject as the glance and its chart name it:
// "ELA", or "ELA, 4 years pooled".
func (c comparison) label() string {
	if c.pooled {
		return fmt.Sprintf("%s, %d years pooled", c.subject, c.pooledYears)
	}
	return c.subject
}

// sd writes a difference in SD as the sentences say it: two decimals, or
// three where two would round a number that is not 0 to 0.00 (an
// interval from 0.004 is above 0, and should not read as from 0.00).
func sd(v float64) string {
	if s := fmt.Sprintf("%.2f", v); v == 0 || (s != "0.00" && s != "-0.00") {
		return s
	}
	return fmt.Sprintf("%.3f", v)
}

// answer is the Growth sheet's first line: one sentence per subject of
// the latest year, the first naming the year.
func answer(year string, cs []comparison) string {
	if len(cs) == 0 {
		return "No students of this school are in the model for " + year + " (see below)."
	}
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = c.sentence()
	}
	return joinSentences("In "+year+", ", "\n", lines)
}

// joinSentences joins sentences with sep, the first after lead and the
// others capitalised: the subjects' sentences of a school's or a cohort's
// first line.
func joinSentences(lead, sep string, sentences []string) string {
	out := make([]string, len(sentences))
	for i, s := range sentences {
		switch r, n := utf8.DecodeRuneInString(s); {
		case i == 0:
			out[i] = lead + s
		case n > 0:
			out[i] = string(unicode.ToUpper(r)) + s[n:]
		}
	}
	return strings.Join(out, sep)
}

// moreOrLess is how a clear verdict says its direction: "more", or
// "less" for verdictLess.
func (v verdict) moreOrLess() string {
	if v == verdictLess {
		return "less"
	}
	return "more"
}

// subjectYear keys the district's figures.
type subjectYear struct {
	subject string
	year    int64
}

// benchmark is the district's figure for a subject and year: the
// coached-minus-not-coached difference and its verdict. est is a number,
// or the text saying why there is none.
type benchmark struct {
	est     any
	verdict verdict
}

// benchmarks are the district's figures for every subject and year, and
// where they come from (a few words for the glance's title).
type benchmarks struct {
	by     map[subjectYear]benchmark
	source string
	// priors are the empirical-Bayes priors of the schools' differences,
	// by subject and year (schoolPriors).
	priors map[subjectYear]*model.Shrinkage
}

// districtBenchmarks gives each subject and year the district's figure:
// the model's impact estimate (spring z of coached against other
// classrooms, adjusted for baseline and grade), its interval deciding the
// verdict; where the model has no estimate for a subject and year, the
// difference of arm means computed as a school's, over every school's
// classrooms.
func districtBenchmarks(ctx context.Context, in Input) (benchmarks, error) {
	out := benchmarks{by: map[subjectYear]benchmark{}}
	ok, err := hasTable(ctx, in, "estimates")
	if err != nil {
		return out, err
	}
	var rows [][]any
	if ok {
		rows, err = queryRows(ctx, in.DB, `SELECT subject, school_year, estimate, ci_low, ci_high, suppressed, coalesce(note, '')
			FROM estimates WHERE analysis = 'impact' AND coalesce(subgroup, '') = '' AND school_year IS NOT NULL`)
		if err != nil {
			return out, err
		}
	}
	fromModel := false
	for _, r := range rows {
		k := subjectYear{str(r[0]), i64(r[1])}
		est, ok1 := num(r[2])
		lo, ok2 := num(r[3])
		hi, ok3 := num(r[4])
		switch {
		case r[5] == true:
			out.by[k] = benchmark{est: str(r[6]), verdict: verdictTooFew}
		case ok1 && ok2 && ok3:
			out.by[k] = benchmark{est: est, verdict: decide(lo, hi)}
		default:
			out.by[k] = benchmark{est: "not estimated"}
		}
		fromModel = true
	}
	if err := in.armBenchmarks(ctx, out.by); err != nil {
		return out, err
	}
	out.source = "the same difference over all schools"
	if fromModel {
		out.source = "the model's estimate, adjusted for baseline and grade"
	}
	return out, nil
}

// armBenchmarks fills the subjects and years by lacks with the
// difference of the district's arm means, as compare makes a school's.
// It is shown only when every school's arms of that subject and year are
// printed: the district's arms are then count-weighted means of printed
// numbers, and give nothing away.
func (in Input) armBenchmarks(ctx context.Context, by map[subjectYear]benchmark) error {
	// Students with no growth (alone in their grade and baseline's
	// regression) are left out: the district's counts are not printed.
	rows, err := queryRows(ctx, in.DB, `SELECT school_year, subject, coached, count(*), sum(growth) FROM student_growth
		WHERE excluded IS NULL AND growth IS NOT NULL GROUP BY school_year, subject, coached, teacher_id`)
	if err != nil {
		return err
	}
	type side struct {
		k       subjectYear
		coached bool
	}
	rooms := map[side][]classroom{}
	for _, r := range rows {
		k := subjectYear{str(r[1]), i64(r[0])}
		if _, done := by[k]; done {
			continue
		}
		g, _ := num(r[4])
		a := side{k, r[2] == true}
		rooms[a] = append(rooms[a], classroom{i64(r[3]), g})
	}
	missing := map[subjectYear]bool{}
	for a := range rooms {
		missing[a.k] = true
	}
	for k := range missing {
		hidden := false
		for _, s := range in.plan.schools {
			hidden = hidden || s.growth[armKey{k.year, k.subject, armCoached}] || s.growth[armKey{k.year, k.subject, armNotCoached}]
		}
		c := in.compare(k.subject, yearLabel(k.year), arm(rooms[side{k, true}]), arm(rooms[side{k, false}]), hidden, hidden)
		switch {
		case hidden:
			by[k] = benchmark{est: suppressedComplement, verdict: verdictTooFew}
		case c.shown():
			by[k] = benchmark{est: c.diff.est, verdict: c.verdict}
		default:
			by[k] = benchmark{est: c.why, verdict: c.verdict}
		}
	}
	return nil
}

// comparisonAnswer is the first line of a school with no coached teacher
// in these years, naming the subjects of its glance rows.
func comparisonAnswer(year string, glance [][]any) string {
	if len(glance) == 0 {
		return answer(year, nil)
	}
	subjects := make([]string, len(glance))
	for i, r := range glance {
		subjects[i] = str(r[0])
	}
	list := strings.Join(subjects, " or ")
	if len(subjects) > 2 {
		list = strings.Join(subjects[:len(subjects)-1], ", ") + " or " + subjects[len(subjects)-1]
	}
	return fmt.Sprintf("In %s, no teacher here was coached, so there are no coached classrooms to compare in %s: the district compares other schools' coached classrooms with classrooms like these.", year, list)
}

// glanceCols are the columns of the At a glance block of a school with
// coached teachers; last names last year. Their widths sum to at most
// 180 characters with the tables below, which share them (the pooled
// years' column is 30 wide): a laptop screen's width.
func (b *book) glanceCols(last string) []column {
	return []column{
		{Name: "Subject"}, {Name: "Verdict", Width: 18},
		{Name: "Coached minus other (SD)", Style: b.decWrap, Width: 14}, {Name: "95% CI low", Style: b.dec, Width: 11}, {Name: "95% CI high", Style: b.dec, Width: 10},
		{Name: "This school alone (SD)", Style: b.decWrap, Width: 10},
		{Name: "Coached students", Style: b.int, Width: 10}, {Name: "Coached classrooms", Style: b.int, Width: 11},
		{Name: "Other students", Style: b.int, Width: 10}, {Name: "Other classrooms", Style: b.int, Width: 11},
		{Name: "District (SD)", Style: b.decWrap, Width: 11}, {Name: "District verdict", Width: 14},
		{Name: last + " verdict", Width: 14},
	}
}

// glanceRow is a subject's row at a glance: the verdict, the difference
// and its interval (or why there is none), each arm's students and
// classrooms (a hidden arm's read "suppressed"), the district's figure,
// and last year's verdict (last nil: no students last year).
func (b *book) glanceRow(c comparison, dist benchmark, last *comparison) []any {
	r := []any{c.label(), b.verdictCell(c.verdict), c.why, nil, nil, nil}
	if c.shown() {
		r[2], r[3], r[4], r[5] = c.diff.est, c.diff.lo, c.diff.hi, c.diff.est
	}
	if c.prior != nil {
		r[5] = c.raw.est
	}
	for _, a := range []struct {
		st     armStats
		hidden bool
	}{{c.co, c.coHidden}, {c.not, c.notHidden}} {
		switch {
		case a.st.n == 0:
			r = append(r, int64(0), int64(0))
		case a.hidden:
			r = append(r, "suppressed", nil)
		default:
			r = append(r, int64(a.st.n), int64(a.st.classrooms))
		}
	}
	r = append(r, dist.est, b.verdictCell(dist.verdict))
	if last != nil {
		r = append(r, b.verdictCell(last.verdict))
	} else {
		r = append(r, nil)
	}
	return r
}

// differenceChart draws the glance's differences (its column C, by the
// subjects of column A) as grey bars, each with its 95% interval
// (columns D and E) as a black line from end to end. excelize writes no
// custom error bars, so the interval is a high-low-close stock chart on
// the same axes (high E, low D, close the difference, ticked): a bar and
// stock combination Excel and LibreOffice both draw (rendered and looked
// at in LibreOffice). A subject with no difference shown is a gap the
// axis title names (gaps).
func (b *book) differenceChart(sheet, cell string, at placed, latest int64, gaps []string) error {
	ref := func(col string) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, col, at.First, col, at.Last)
	}
	// A series is named by its column's header (excelize takes a name
	// as a reference).
	name := func(col string) string { return fmt.Sprintf("'%s'!$%s$%d", sheet, col, at.Header) }
	black := hexColor(estimateColor)
	end := func(col string) excelize.ChartSeries {
		return excelize.ChartSeries{Name: name(col), Categories: ref("A"), Values: ref(col),
			Line:   excelize.LineOptions{Type: excelize.LineNone},
			Marker: excelize.ChartMarker{Symbol: "dash", Size: 12, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{black}}, Border: excelize.LineOptions{Type: excelize.LineSolid, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{black}}}},
		}
	}
	axis := "Subject (bar: coached minus other classrooms; black line: its 95% interval)"
	if len(gaps) > 0 {
		axis += "; no bar: " + strings.Join(gaps, ", ")
	}
	// The last chart drawn sets the axes: the interval's carry them.
	x, y := categoryAxis(axis, 0, 0), valueAxis("Difference in mean growth (SD)", "0.00")
	interval := &excelize.Chart{
		Type:   excelize.StockHighLowClose,
		Series: []excelize.ChartSeries{end("E"), end("D"), end("C")},
		XAxis:  x,
		YAxis:  y,
	}
	return b.addChart(sheet, cell, &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name: name("C"), Categories: ref("A"), Values: ref("C"),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hexColor(barGrey)}},
		}},
		VaryColors: ptr(false),
		Title:      chartTitle("Coached minus other classrooms, " + yearLabel(latest)),
		Legend:     excelize.ChartLegend{Position: "none"},
		XAxis:      x,
		YAxis:      y,
		Format:     excelize.GraphicOptions{ScaleX: 0.8, ScaleY: 1},
	}, interval)
}
