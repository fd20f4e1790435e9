package reports

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/coachimpact/coachimpact/model"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The charts Build draws into the charts folder.
const (
	ChartImpact    = "impact_by_subject_and_year.png"
	ChartBands     = "growth_by_dosage_band.png"
	ChartEventTime = "event_time_by_cohort.png"
	ChartSessions  = "coaching_sessions_by_month.png"
	ChartSpringZ   = "spring_z_coached_vs_not.png"
	ChartHours     = "coaching_hours_by_school.png"
)

// chartLabelChars is the most of a name from the inputs (a school, a
// subject) a chart label shows: a longer one would push the plot off
// the image.
const chartLabelChars = 40

// boxLabelChars is the most of a subject name a box plot's label shows.
const boxLabelChars = 18

// figure is one chart before it is saved: the plot, its size, the notes
// printed under it (what the chart leaves out and why), what each part
// of it draws and its legend's entries, so tests can check the plot
// itself.
type figure struct {
	name   string
	plot   *plot.Plot
	w, h   vg.Length
	notes  []string
	parts  []part
	legend []string
}

// part is one plotter of a figure with the role it plays: roleCoached
// and roleNotCoached draw the two arms, roleEstimate a difference
// between them, roleCohort a cohort of joining schools, roleFrame what
// is not data (bands, reference lines, labels).
type part struct {
	role    string
	plotter plot.Plotter
}

// The roles of a figure's parts.
const (
	roleCoached    = "coached"
	roleNotCoached = "not coached"
	roleEstimate   = "estimate"
	roleCohort     = "cohort"
	roleFrame      = "frame"
)

// add adds ps to the plot in role.
func (f *figure) add(role string, ps ...plot.Plotter) {
	f.plot.Add(ps...)
	for _, p := range ps {
		f.parts = append(f.parts, part{role, p})
	}
}

// addLegend adds an entry to the plot's legend.
func (f *figure) addLegend(label string, thumbs ...plot.Thumbnailer) {
	f.plot.Legend.Add(label, thumbs...)
	f.legend = append(f.legend, label)
}

// armRole is the role of the coached arm or the other.
func armRole(coached bool) string {
	if coached {
		return roleCoached
	}
	return roleNotCoached
}

// armColor is the colour of the coached arm or the other.
func armColor(coached bool) color.Color {
	if coached {
		return coachedColor
	}
	return notCoachedColor
}

// figureBuilders are the charts in the order Build draws them.
var figureBuilders = []func(context.Context, Input) (*figure, error){
	impactFigure, bandsFigure, eventTimeFigure, sessionsFigure, springZFigure, hoursFigure,
}

// figures builds every chart of in that has data.
func figures(ctx context.Context, in Input) ([]*figure, error) {
	in, err := in.planned(ctx)
	if err != nil {
		return nil, err
	}
	var out []*figure
	for _, build := range figureBuilders {
		f, err := build(ctx, in)
		if err != nil {
			return nil, err
		}
		if f != nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// charts draws every chart into dir. A chart without data is not drawn.
func charts(ctx context.Context, in Input, dir string) error {
	figs, err := figures(ctx, in)
	if err != nil {
		return err
	}
	for _, f := range figs {
		if err := f.save(filepath.Join(dir, f.name)); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// interval is a point with a horizontal or vertical error bar.
type interval struct {
	plotter.XYs
	lo, hi []float64 // distances below and above
}

func (iv interval) XError(i int) (float64, float64) { return iv.lo[i], iv.hi[i] }
func (iv interval) YError(i int) (float64, float64) { return iv.lo[i], iv.hi[i] }

// gapText is the label a suppressed group's empty slot shows, from the
// model's note ("suppressed (fewer than 3 classrooms)") or the plan's
// complement: it says why nothing is drawn, on short lines.
func (in Input) gapText(note string, complement bool) string {
	switch {
	case complement:
		return "suppressed:\nwould reveal\na small group"
	case strings.Contains(note, "classroom"):
		return fmt.Sprintf("suppressed:\nfewer than %d\nclassrooms", in.minRooms())
	}
	return fmt.Sprintf("suppressed:\nfewer than %d\nstudents", in.MinCell)
}

// labels is a text plotter of the given labels at xys, in size points,
// aligned by xa and ya.
func labels(xys plotter.XYs, texts []string, size float64, xa draw.XAlignment, ya draw.YAlignment) (*plotter.Labels, error) {
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = vg.Points(size)
		l.TextStyle[i].Color = textGrey
		l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = xa, ya
	}
	return l, nil
}

// impactFigure is a forest plot: the impact estimate of each subject and
// year, and pooled, with its 95% CI; a suppressed or not estimated row
// keeps its line with the reason written where the dot would be.
func impactFigure(ctx context.Context, in Input) (*figure, error) {
	rows, err := queryRows(ctx, in.DB, `
		SELECT subject, coalesce(school_year, 0), estimate, ci_low, ci_high, suppressed, coalesce(note, '') FROM estimates
		WHERE analysis = 'impact'
		ORDER BY school_year NULLS FIRST, subject = 'All' DESC, subject`)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	f := &figure{name: ChartImpact, plot: newPlot("Spring scores: students of coached vs other teachers\nDot: estimate; bar: 95% confidence interval; dashed line: no difference")}
	p := f.plot
	p.X.Label.Text = "Coached minus not coached, spring z (SD), same baseline and grade"
	p.Y.Label.Text = "Subject and school year"
	// Top to bottom in the order of the query: pooled first.
	n := len(rows)
	var iv interval
	var gapXY plotter.XYs
	var gaps []string
	names := make([]string, n)
	for i, r := range rows {
		y := float64(n - 1 - i)
		subject := clip(str(r[0]), chartLabelChars)
		if subject == model.AllSubjects {
			subject = "Both subjects"
		}
		names[n-1-i] = fmt.Sprintf("%s, %s", subject, yearLabel(i64(r[1])))
		est, ok := num(r[2])
		lo, okLo := num(r[3])
		hi, okHi := num(r[4])
		switch {
		case r[5] == true:
			gapXY = append(gapXY, plotter.XY{Y: y})
			gaps = append(gaps, strings.ReplaceAll(in.gapText(str(r[6]), false), "\n", " "))
		case !ok || !okLo || !okHi:
			gapXY = append(gapXY, plotter.XY{Y: y})
			gaps = append(gaps, "not estimated: "+strings.TrimPrefix(str(r[6]), "not estimated: "))
		default:
			iv.XYs = append(iv.XYs, plotter.XY{X: est, Y: y})
			iv.lo, iv.hi = append(iv.lo, est-lo), append(iv.hi, hi-est)
		}
	}
	if len(iv.XYs) > 0 {
		bars, err := plotter.NewXErrorBars(iv)
		if err != nil {
			return nil, err
		}
		bars.Color = estimateColor
		pts, err := plotter.NewScatter(iv)
		if err != nil {
			return nil, err
		}
		pts.Color, pts.Shape, pts.Radius = estimateColor, draw.CircleGlyph{}, vg.Points(4)
		f.add(roleEstimate, bars, pts)
	}
	f.add(roleFrame, plotter.NewGrid(), vline(0, -0.5, float64(n)-0.5))
	p.NominalY(names...)
	nominalRange(&p.Y, n)
	pad := max((p.X.Max-p.X.Min)*0.05, 0.02)
	p.X.Min, p.X.Max = min(p.X.Min, 0)-pad, max(p.X.Max, 0)+pad
	if len(gaps) > 0 {
		// The reason starts just right of the no-difference line.
		for i := range gapXY {
			gapXY[i].X = 0
		}
		l, err := labels(gapXY, gaps, 9, draw.XLeft, draw.YCenter)
		if err != nil {
			return nil, err
		}
		l.Offset = vg.Point{X: vg.Points(4)}
		f.add(roleFrame, l)
	}
	f.w, f.h = 7*vg.Inch, vg.Length(n)*22*vg.Points(1)+130
	return f, nil
}

// vline is a dashed vertical line at x from y0 to y1.
func vline(x, y0, y1 float64) *plotter.Line {
	l, _ := plotter.NewLine(plotter.XYs{{X: x, Y: y0}, {X: x, Y: y1}})
	l.Color = color.Black
	l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	return l
}

// hline is a thin dotted horizontal line at y from x0 to x1.
func hline(y, x0, x1 float64) *plotter.Line {
	l, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
	l.Color = color.Black
	l.Width = vg.Points(0.75)
	l.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2)}
	return l
}

// bandsFigure shows the adjusted mean spring z of each dosage band (all
// years and subjects), with the 95% CI of its difference from 0 hours;
// a band the Dose-response sheet hides keeps its slot, labelled.
func bandsFigure(ctx context.Context, in Input) (*figure, error) {
	rows, err := queryRows(ctx, in.DB, `
		SELECT band, adjusted_mean, ci_low, ci_high, band_order, suppressed, coalesce(note, ''), n_students
		FROM dosage_bands
		WHERE subject = 'All' AND school_year IS NULL
		ORDER BY band_order`)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	f := &figure{name: ChartBands, plot: newPlot("Spring scores by coaching hours (all years, both subjects)\nBar: adjusted mean; whisker: 95% CI of its difference from 0 hours")}
	p := f.plot
	p.Y.Label.Text = "Adjusted spring z (SD of spring score)"
	p.X.Label.Text = "Coaching hours of the teacher of record before the spring test"
	// The whiskers are drawn around the 0-hours mean: without it shown
	// there is nothing to draw them around.
	base, baseShown := 0.0, false
	for _, r := range rows {
		if i64(r[4]) == 0 && !in.plan.bands[bandKey{model.AllSubjects, str(r[0]), 0}] {
			base, baseShown = num(r[1])
		}
	}
	var gapXY plotter.XYs
	var gaps []string
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = clip(str(r[0]), chartLabelChars)
		hidden := in.plan.bands[bandKey{model.AllSubjects, str(r[0]), 0}]
		adj, ok := num(r[1])
		if hidden || !ok {
			gapXY = append(gapXY, plotter.XY{X: float64(i)})
			switch {
			case hidden:
				gaps = append(gaps, in.gapText(str(r[6]), r[5] != true))
			case i64(r[7]) == 0:
				gaps = append(gaps, "no students")
			default:
				gaps = append(gaps, "not estimated")
			}
			continue
		}
		coached := i64(r[4]) > 0 // the 0-hours band is the students of uncoached teachers
		bar, err := plotter.NewBarChart(plotter.Values{adj}, vg.Points(40))
		if err != nil {
			return nil, err
		}
		bar.XMin = float64(i)
		bar.LineStyle.Width = 0
		bar.Color = armColor(coached)
		f.add(armRole(coached), bar)
		if lo, ok := num(r[2]); ok && baseShown {
			hi, _ := num(r[3])
			iv := interval{XYs: plotter.XYs{{X: float64(i), Y: adj}}, lo: []float64{adj - (base + lo)}, hi: []float64{base + hi - adj}}
			eb, err := plotter.NewYErrorBars(iv)
			if err != nil {
				return nil, err
			}
			f.add(roleEstimate, eb)
		}
	}
	p.NominalX(names...)
	f.add(roleFrame, plotter.NewGrid())
	nominalRange(&p.X, len(names))
	p.Y.Min, p.Y.Max = min(p.Y.Min, 0), max(p.Y.Max, 0)
	headroom(&p.Y)
	if len(gaps) > 0 {
		l, err := labels(gapXY, gaps, 9, draw.XCenter, draw.YBottom)
		if err != nil {
			return nil, err
		}
		l.Offset = vg.Point{Y: vg.Points(4)}
		f.add(roleFrame, l)
	}
	f.w, f.h = 7*vg.Inch, 4.5*vg.Inch
	return f, nil
}

// eventCell is one cohort row of the event_time table as the chart needs
// it: the cohort's growth minus the comparison schools' that year.
type eventCell struct {
	cohort, at int64 // ip_cohort, years since joining
	diff       float64
	hidden     bool // cohorts.xlsx hides the difference
}

// groupTimeCell is one row of did_group_time, the cohort-by-year table:
// the change of the cohort's gap since the year before it joined, with
// the 95% CI from its analytic (influence-function) standard error.
type groupTimeCell struct {
	cohort, at  int64
	att, lo, hi float64
	hasSE       bool // a finite standard error
	hidden      bool // cohorts.xlsx hides the effect
}

// eventPoint is one point of a cohort's line: years since joining, the
// change of the gap since the year before joining, and its 95% CI when
// band is set.
type eventPoint struct {
	at        int64
	y, lo, hi float64
	band      bool
}

// cohortLine is what the event-time chart draws of one cohort.
type cohortLine struct {
	cohort int64
	points []eventPoint
}

// eventLines normalises each cohort's gap to the year before it joined
// (years since joining -1, which is 0 by definition): from joining on,
// the effect of the cohort-by-year table with its 95% CI; before, the
// event-time difference minus the year before joining's, which has no
// standard error. Cohorts joined in years first to last of the panel are
// drawn; every other cohort, and every cell left out, gets a note, with
// hidden as the reason of a suppressed cell.
func eventLines(cohorts []int64, first, last int64, et []eventCell, gt []groupTimeCell, hidden string) ([]cohortLine, []string) {
	var lines []cohortLine
	var notes []string
	var pre []int64 // years before joining drawn
	for _, c := range cohorts {
		name := "Joined " + yearLabel(c)
		switch {
		case c-1 < first:
			notes = append(notes, fmt.Sprintf("%s: not drawn, no school year before joining in the data (the first is %s).", name, yearLabel(first)))
			continue
		case c > last:
			notes = append(notes, fmt.Sprintf("Joins %s: not drawn, joins after the last school year in the data (%s).", yearLabel(c), yearLabel(last)))
			continue
		}
		line, left := cohortPoints(c, last, et, gt)
		pre = append(pre, left.pre...)
		if len(left.suppressed) > 0 {
			notes = append(notes, fmt.Sprintf("%s, %s: not drawn, %s.", name, yearList(left.suppressed), hidden))
		}
		if len(left.noSE) > 0 {
			notes = append(notes, fmt.Sprintf("%s, %s: no bar, the model has no standard error.", name, yearList(left.noSE)))
		}
		if len(left.noComparison) > 0 {
			notes = append(notes, fmt.Sprintf("%s, %s: not drawn, no comparison or not-yet-joined schools with growth that year.", name, yearList(left.noComparison)))
		}
		if len(line.points) == 1 {
			notes = append(notes, name+": nothing to draw beyond the year before joining.")
			continue
		}
		lines = append(lines, line)
	}
	if len(pre) > 0 {
		slices.Sort(pre)
		pre = slices.Compact(pre)
		notes = append(notes, fmt.Sprintf("Years before joining (%s): the gap to comparison schools only, with no standard error in the model, so no bar.", joinInts(pre)))
	}
	return lines, notes
}

// cohortGaps are the years since joining a cohort's line leaves out or
// draws without a bar, and the years before joining it draws.
type cohortGaps struct {
	suppressed, noSE, noComparison, pre []int64
}

// cohortPoints is cohort c's line in order, from the year before joining
// (0) to the panel's last year, and what it leaves out.
func cohortPoints(c, last int64, et []eventCell, gt []groupTimeCell) (cohortLine, cohortGaps) {
	line := cohortLine{cohort: c, points: []eventPoint{{at: -1}}}
	var left cohortGaps
	var ref *eventCell
	for i := range et {
		if et[i].cohort == c && et[i].at == -1 {
			ref = &et[i]
		}
	}
	for _, e := range et {
		if e.cohort != c || e.at > -2 {
			continue
		}
		if e.hidden || ref == nil || ref.hidden {
			left.suppressed = append(left.suppressed, e.at)
			continue
		}
		line.points = append(line.points, eventPoint{at: e.at, y: e.diff - ref.diff})
		left.pre = append(left.pre, e.at)
	}
	seen := map[int64]bool{}
	for _, g := range gt {
		if g.cohort != c {
			continue
		}
		seen[g.at] = true
		if g.hidden {
			left.suppressed = append(left.suppressed, g.at)
			continue
		}
		line.points = append(line.points, eventPoint{at: g.at, y: g.att, lo: g.lo, hi: g.hi, band: g.hasSE})
		if !g.hasSE {
			left.noSE = append(left.noSE, g.at)
		}
	}
	for at := int64(0); c+at <= last; at++ {
		if !seen[at] {
			left.noComparison = append(left.noComparison, at)
		}
	}
	slices.SortFunc(line.points, func(a, b eventPoint) int { return cmpInt(a.at, b.at) })
	slices.Sort(left.suppressed)
	return line, left
}

// joinInts writes years since joining as "-3, -2".
func joinInts(at []int64) string {
	s := make([]string, len(at))
	for i, a := range at {
		s[i] = strconv.FormatInt(a, 10)
	}
	return strings.Join(s, ", ")
}

// yearList names years since joining: "year 2", "years -3, -2".
func yearList(at []int64) string {
	if len(at) > 1 {
		return "years " + joinInts(at)
	}
	return "year " + joinInts(at)
}

// eventTimeFigure draws, per cohort, how the growth gap between its
// schools and comparison schools moved from the year before joining, by
// years since joining, with 95% confidence intervals.
func eventTimeFigure(ctx context.Context, in Input) (*figure, error) {
	cr, err := queryRows(ctx, in.DB, `SELECT DISTINCT ip_cohort FROM schools WHERE ip_cohort IS NOT NULL ORDER BY 1`)
	if err != nil || len(cr) == 0 {
		return nil, err
	}
	span, err := queryRows(ctx, in.DB, `SELECT min(school_year), max(school_year) FROM school_year_panel WHERE mean_growth IS NOT NULL`)
	if err != nil || span[0][0] == nil {
		return nil, err
	}
	etRows, err := queryRows(ctx, in.DB, `SELECT cohort, event_time, difference FROM event_time WHERE cohort <> ? ORDER BY cohort, event_time`, allCohorts)
	if err != nil {
		return nil, err
	}
	// The placebo cells (event_time < 0) are year-on-year changes, not
	// gaps since the year before joining: the chart draws those years from
	// event_time instead.
	gtRows, err := queryRows(ctx, in.DB, `SELECT cohort, school_year, event_time, att, std_error, ci_low, ci_high FROM did_group_time WHERE event_time >= 0 ORDER BY cohort, school_year`)
	if err != nil {
		return nil, err
	}
	cohorts := make([]int64, len(cr))
	for i, r := range cr {
		cohorts[i] = i64(r[0])
	}
	et := make([]eventCell, len(etRows))
	for i, r := range etRows {
		k := cohortKey{str(r[0]), i64(r[1])}
		c, _ := strconv.ParseInt(k.cohort, 10, 64)
		d, _ := num(r[2])
		et[i] = eventCell{cohort: c, at: k.at, diff: d, hidden: in.plan.eventHidden(k) || in.plan.eventComp[k]}
	}
	gt := make([]groupTimeCell, len(gtRows))
	for i, r := range gtRows {
		c, year := i64(r[0]), i64(r[1])
		att, _ := num(r[3])
		se, okSE := num(r[4])
		lo, _ := num(r[5])
		hi, _ := num(r[6])
		gt[i] = groupTimeCell{cohort: c, at: i64(r[2]), att: att, lo: lo, hi: hi,
			hasSE:  okSE && !math.IsNaN(se) && !math.IsInf(se, 0) && !math.IsNaN(lo) && !math.IsNaN(hi),
			hidden: groupTimeHidden(in.plan, c, year)}
	}
	hidden := fmt.Sprintf("suppressed to protect small groups (fewer than %d students or %d classrooms)", in.MinCell, in.minRooms())
	lines, notes := eventLines(cohorts, i64(span[0][0]), i64(span[0][1]), et, gt, hidden)
	if len(lines) == 0 {
		return nil, nil
	}
	notes = append(notes, "All cohorts together: not drawn; their overall effect and its interval are in the Estimates table.")
	f := &figure{name: ChartEventTime, notes: notes, plot: newPlot("Growth of joining schools minus comparison schools, from the year before joining\n" +
		"Each cohort's gap is set to 0 in the year before it joined; bar: 95% confidence interval")}
	p := f.plot
	p.X.Label.Text = "Years since the school joined (0 = joining year)"
	p.Y.Label.Text = "Gap change since the year before joining (SD)"
	glyphs := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}}
	first, last := int64(-1), int64(-1)
	for i, l := range lines {
		col := cohortColors[i%len(cohortColors)]
		// Cohorts side by side, a little apart, so bars do not hide
		// each other.
		shift := (float64(i) - float64(len(lines)-1)/2) * 0.08
		var xy plotter.XYs
		var iv interval
		for _, pt := range l.points {
			xy = append(xy, plotter.XY{X: float64(pt.at) + shift, Y: pt.y})
			if pt.band {
				iv.XYs = append(iv.XYs, plotter.XY{X: float64(pt.at) + shift, Y: pt.y})
				iv.lo, iv.hi = append(iv.lo, pt.y-pt.lo), append(iv.hi, pt.hi-pt.y)
			}
			first, last = min(first, pt.at), max(last, pt.at)
		}
		// A line joins consecutive years only: across a year not drawn
		// it would show a value there.
		var ln *plotter.Line
		for start := 0; start < len(l.points); {
			end := start + 1
			for end < len(l.points) && l.points[end].at == l.points[end-1].at+1 {
				end++
			}
			seg, err := plotter.NewLine(xy[start:end])
			if err != nil {
				return nil, err
			}
			seg.Color, seg.Width = col, vg.Points(1.5)
			seg.Dashes = cohortDashes[(i/len(cohortColors))%len(cohortDashes)]
			if ln == nil {
				ln = seg
			}
			f.add(roleCohort, seg)
			start = end
		}
		pts, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		pts.Color, pts.Shape, pts.Radius = col, glyphs[i%len(glyphs)], vg.Points(3.5)
		f.add(roleCohort, pts)
		if len(iv.XYs) > 0 {
			eb, err := plotter.NewYErrorBars(iv)
			if err != nil {
				return nil, err
			}
			eb.Color = col
			f.add(roleCohort, eb)
		}
		f.addLegend("joined "+yearLabel(l.cohort), ln, pts)
	}
	lo, hi := p.Y.Min, p.Y.Max
	joined := vline(-0.5, lo, hi)
	f.add(roleFrame, plotter.NewGrid(), joined, hline(0, float64(first)-0.4, float64(last)+0.4))
	f.addLegend("school joins", joined)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(8)
	p.Y.Max += (hi - lo) * 0.35 // room for the legend
	var ticks plot.ConstantTicks
	for t := first; t <= last; t++ {
		ticks = append(ticks, plot.Tick{Value: float64(t), Label: strconv.FormatInt(t, 10)})
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = float64(first)-0.4, float64(last)+0.4
	f.w, f.h = 7*vg.Inch, 4.5*vg.Inch
	return f, nil
}

// cohortDashes are the line styles of the cohorts' lines: solid for the
// first six cohorts, dashed for the next six, when the colours repeat.
var cohortDashes = [][]vg.Length{nil, {vg.Points(5), vg.Points(3)}}

// groupTimeHidden reports whether cohorts.xlsx hides the cohort-by-year
// effect of cohort in year: it rests on the cohort's growth that year and
// in the year before it joined (a placebo cell, before joining: in the
// year before year), and is hidden with either.
func groupTimeHidden(plan *disclosure, cohort, year int64) bool {
	c := strconv.FormatInt(cohort, 10)
	base := cohort - 1
	if year < cohort {
		base = year - 1
	}
	return plan.panel[cohortKey{c, year}] || plan.panel[cohortKey{c, base}]
}

// monthCount is the sessions logged in one calendar month.
type monthCount struct {
	year, month int64 // month 1-12
	n           int64
}

// monthSeries returns every month from the first of counts to the last,
// in order, with 0 for a month that has none: a summer without coaching
// is drawn as the gap it is. counts must be in order.
func monthSeries(counts []monthCount) []monthCount {
	if len(counts) == 0 {
		return nil
	}
	var out []monthCount
	next := 0
	for y, m := counts[0].year, counts[0].month; ; {
		c := monthCount{year: y, month: m}
		if next < len(counts) && counts[next].year == y && counts[next].month == m {
			c = counts[next]
			next++
		}
		out = append(out, c)
		last := counts[len(counts)-1]
		if y == last.year && m == last.month {
			return out
		}
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
}

// schoolYearOf is the school year (its ending year) a month falls in: a
// school year runs July to June.
func schoolYearOf(c monthCount) int64 {
	if c.month >= 7 {
		return c.year + 1
	}
	return c.year
}

// yearSpan is the months of a series (indexes first to last) in one
// school year.
type yearSpan struct {
	year        int64
	first, last int
}

// schoolYearSpans splits series into its school years, in order.
func schoolYearSpans(series []monthCount) []yearSpan {
	var out []yearSpan
	for i, c := range series {
		if y := schoolYearOf(c); len(out) == 0 || out[len(out)-1].year != y {
			out = append(out, yearSpan{year: y, first: i, last: i})
		} else {
			out[len(out)-1].last = i
		}
	}
	return out
}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// monthTicks marks every month of series (at its index) and labels
// every step-th from September: every month over a year and a half or
// less, else every third, sixth or twelfth, so that at most about 18
// labels share the axis.
func monthTicks(series []monthCount) plot.ConstantTicks {
	step := int64(1)
	for _, s := range []int64{1, 3, 6, 12} {
		step = s
		if int64(len(series))/s <= 18 {
			break
		}
	}
	ticks := make(plot.ConstantTicks, len(series))
	for i, c := range series {
		ticks[i] = plot.Tick{Value: float64(i)}
		if (c.month-9+12)%step == 0 {
			ticks[i].Label = monthNames[c.month-1]
		}
	}
	return ticks
}

// sessionsFigure counts coaching sessions per calendar month over all
// years, months without sessions included, school years shaded.
func sessionsFigure(ctx context.Context, in Input) (*figure, error) {
	rows, err := queryRows(ctx, in.DB, `SELECT year(session_date), month(session_date), count(*) FROM coaching_sessions GROUP BY ALL ORDER BY 1, 2`)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	counts := make([]monthCount, len(rows))
	for i, r := range rows {
		counts[i] = monthCount{year: i64(r[0]), month: i64(r[1]), n: i64(r[2])}
	}
	series := monthSeries(counts)
	f := &figure{name: ChartSessions, w: 8 * vg.Inch, h: 4.5 * vg.Inch,
		plot: newPlot("Coaching sessions logged per month\nEvery month from the first session to the last; a month without bars had none")}
	p := f.plot
	p.X.Label.Text = "Month (shaded and labelled: school years, July to June)"
	p.Y.Label.Text = "Sessions logged (count)"
	p.Y.Tick.Marker = countTicks{}
	vals := make(plotter.Values, len(series))
	var top int64
	for i, c := range series {
		vals[i] = float64(c.n)
		top = max(top, c.n)
	}
	p.Y.Min, p.Y.Max = 0, float64(max(top, 1))*1.15 // room for the school years' labels
	// School years: alternate ones shaded, labelled at the top; every
	// one, or every second or third when their names would not fit side
	// by side. Bars are as wide as 80% of a month of the data area (the
	// figure less about an inch of axis).
	monthW := (f.w - 1.2*vg.Inch) / vg.Length(len(series))
	yearStyle := text.Style{Font: font.From(plot.DefaultFont, vg.Points(9)), Handler: plot.DefaultTextHandler}
	need := yearStyle.Width("2000-01") * 1.2
	every := int64(1)
	for vg.Length(12*every)*monthW < need {
		every++
	}
	var yearXY plotter.XYs
	var yearNames []string
	for _, y := range schoolYearSpans(series) {
		x0, x1 := float64(y.first)-0.5, float64(y.last)+0.5
		if y.year%2 == 0 {
			band, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: p.Y.Max}, {X: x0, Y: p.Y.Max}})
			if err != nil {
				return nil, err
			}
			band.Color, band.LineStyle.Width = bandGrey, 0
			f.add(roleFrame, band)
		}
		// A school year too short for its name (a month or two at an
		// end of the data) goes unlabelled.
		if y.year%every == 0 && vg.Length(int64(y.last-y.first+1)*every)*monthW >= need {
			yearXY = append(yearXY, plotter.XY{X: (x0 + x1) / 2, Y: p.Y.Max})
			yearNames = append(yearNames, yearLabel(y.year))
		}
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil // the months' ticks are enough
	f.add(roleFrame, grid)
	bars, err := plotter.NewBarChart(vals, max(vg.Points(1), monthW*0.8))
	if err != nil {
		return nil, err
	}
	bars.Color, bars.LineStyle.Width = coachedColor, 0
	f.add(roleCoached, bars)
	if len(yearNames) > 0 {
		l, err := labels(yearXY, yearNames, 9, draw.XCenter, draw.YTop)
		if err != nil {
			return nil, err
		}
		l.Offset = vg.Point{Y: -vg.Points(3)}
		f.add(roleFrame, l)
	}
	p.X.Tick.Marker = monthTicks(series)
	p.X.Min, p.X.Max = -0.6, float64(len(series))-0.4
	p.Y.Min, p.Y.Max = 0, float64(max(top, 1))*1.15
	return f, nil
}

// springZFigure draws box plots of spring z for students of coached and
// other teachers, per subject, all years, unadjusted, with the students
// behind each box. A box is drawn only where the subject's impact
// estimate (all years) prints its counts: the box's n is that count, and
// a group the workbooks hide is a labelled gap here too.
func springZFigure(ctx context.Context, in Input) (*figure, error) {
	rows, err := queryRows(ctx, in.DB, `SELECT subject, coached, spring_z FROM student_growth WHERE excluded IS NULL AND spring_z IS NOT NULL ORDER BY subject`)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ests, err := queryEstimates(ctx, in, "analysis = 'impact' AND school_year IS NULL AND coalesce(subgroup, '') = ''")
	if err != nil {
		return nil, err
	}
	pooled := map[string]est{}
	for _, e := range ests {
		pooled[e.subject] = e
	}
	type key struct {
		subject string
		coached bool
	}
	vals := map[key]plotter.Values{}
	var subjects []string
	for _, r := range rows {
		k := key{str(r[0]), r[1] == true}
		if len(subjects) == 0 || subjects[len(subjects)-1] != k.subject {
			subjects = append(subjects, k.subject)
		}
		z, _ := num(r[2])
		vals[k] = append(vals[k], z)
	}
	f := &figure{name: ChartSpringZ, w: 7 * vg.Inch, h: 5 * vg.Inch,
		plot: newPlot("Spring scores of students of coached and other teachers, all years: UNADJUSTED\n" +
			"Not adjusted for baseline or grade: the impact chart gives the adjusted difference\nBox: middle half of students; line: median; whiskers: up to 1.5 box heights"),
		notes: []string{"Spring z: the spring score in SD from the mean of its test, grade and year.",
			"n: student-years (a student counts once per school year and subject), as the Impact sheet counts them."}}
	p := f.plot
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.Y.Label.Text = "Spring z (SD)"
	p.X.Label.Text = "Subject and the students' teacher"
	var names []string
	var gapXY plotter.XYs
	var gaps []string
	for _, s := range subjects {
		e, ok := pooled[s]
		h := in.plan.totals[subgroupKey{"", s, 0}]
		for _, coached := range []bool{false, true} {
			x := float64(len(names))
			v := vals[key{s, coached}]
			name := clip(s, boxLabelChars) + "\nnot coached"
			if coached {
				name = clip(s, boxLabelChars) + "\ncoached"
			}
			// The estimate's count of the arm: its coached students, or
			// the rest; the rest is printed only by subtraction, so it
			// needs both counts shown.
			n := e.students - e.coached
			shown := ok && !e.suppressed && !h.coached && !h.students
			if coached {
				n, shown = e.coached, ok && !e.suppressed && !h.coached
			}
			switch {
			case !ok:
				gapXY = append(gapXY, plotter.XY{X: x})
				gaps = append(gaps, "not drawn:\nno impact\nestimate")
			case !shown:
				// A count hidden as small reads as the estimate's own
				// suppression does; one hidden beside it, as a complement.
				note := e.note
				if !e.suppressed && (n < int64(in.MinCell) || e.coached < int64(in.MinCell) || e.students < int64(in.MinCell)) {
					note = in.suppressed()
				}
				gapXY = append(gapXY, plotter.XY{X: x})
				gaps = append(gaps, in.gapText(note, !e.suppressed && note == e.note))
			case int64(len(v)) != n || len(v) < in.MinCell:
				// Not the estimate's students: a count the workbooks do
				// not print is not printed here.
				gapXY = append(gapXY, plotter.XY{X: x})
				gaps = append(gaps, "not drawn:\nnot the Impact\nsheet's students")
			default:
				bp, err := plotter.NewBoxPlot(vg.Points(40), x, v)
				if err != nil {
					return nil, err
				}
				bp.FillColor = armColor(coached)
				// Whiskers and box only: single students are not plotted.
				bp.GlyphStyle.Radius = 0
				f.add(armRole(coached), bp)
				name += "\nn = " + thousands(n)
			}
			names = append(names, name)
		}
	}
	p.NominalX(names...)
	f.add(roleFrame, plotter.NewGrid())
	nominalRange(&p.X, len(names))
	if math.IsInf(p.Y.Min, 0) { // every box a gap
		p.Y.Min, p.Y.Max = -3, 3
	}
	headroom(&p.Y)
	if len(gaps) > 0 {
		for i := range gapXY {
			gapXY[i].Y = (p.Y.Min + p.Y.Max) / 2
		}
		l, err := labels(gapXY, gaps, 9, draw.XCenter, draw.YCenter)
		if err != nil {
			return nil, err
		}
		f.add(roleFrame, l)
	}
	return f, nil
}

// hoursFigure draws coaching hours per school in the latest school year
// as horizontal bars, largest first.
func hoursFigure(ctx context.Context, in Input) (*figure, error) {
	rows, err := queryRows(ctx, in.DB, `
		SELECT school_name, hours, school_year FROM coaching_by_school
		WHERE school_year = (SELECT max(school_year) FROM coaching_by_school)
		ORDER BY hours, school_name`)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	year := yearLabel(i64(rows[0][2]))
	all := len(rows)
	for len(rows) > 0 {
		if h, _ := num(rows[0][1]); h > 0 {
			break
		}
		rows = rows[1:] // schools without coaching that year
	}
	if len(rows) == 0 {
		return nil, nil
	}
	uncoached := all - len(rows)
	shown := "every coached school"
	if len(rows) > 60 { // a state: the 60 schools with most hours
		rows = rows[len(rows)-60:]
		shown = "the 60 coached schools with most hours"
	}
	f := &figure{name: ChartHours, w: 8 * vg.Inch, h: vg.Length(max(len(rows), 4))*16*vg.Points(1) + 110,
		plot: newPlot(fmt.Sprintf("Coaching hours logged per school, %s\n%s; %d schools without coaching are not shown", year, shown, uncoached))}
	p := f.plot
	p.X.Label.Text = "Coaching hours (sum of session minutes / 60)"
	p.Y.Label.Text = "School"
	vals := make(plotter.Values, len(rows))
	names := make([]string, len(rows))
	for i, r := range rows {
		vals[i], _ = num(r[1])
		names[i] = clip(str(r[0]), chartLabelChars)
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(10))
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.Color = coachedColor
	bars.LineStyle.Width = 0
	f.add(roleCoached, bars)
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, p.X.Max*1.08
	nominalRange(&p.Y, len(names))
	f.add(roleFrame, plotter.NewGrid())
	return f, nil
}

// newPlot is a plot with the house title: larger, with room above and
// below it. A title may have a second line (after "\n") that says how to
// read the chart.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(10)
	p.X.Label.Padding, p.Y.Label.Padding = vg.Points(6), vg.Points(6)
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	return p
}

// niceTicks labels a value axis every 1, 2, 2.5 or 5 times a power of ten,
// five to seven labels, with only the decimals the step needs (25: none;
// 2.5: one).
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick { return stepTicks(lo, hi, 0) }

// countTicks labels an axis of counts: as niceTicks, but every label a
// whole number (steps of at least 1, never 2.5).
type countTicks struct{}

func (countTicks) Ticks(lo, hi float64) []plot.Tick { return stepTicks(lo, hi, 1) }

// stepTicks are the ticks of niceTicks with a step of at least least
// (0: any) that is a whole multiple of it.
func stepTicks(lo, hi, least float64) []plot.Tick {
	raw := (hi - lo) / 6
	if !(raw > 0) || math.IsInf(raw, 0) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 3, 64)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		s := m * mag
		if least > 0 && (s < least || math.Abs(s/least-math.Round(s/least)) > 1e-9) {
			continue
		}
		if s >= raw {
			step = s
			break
		}
	}
	if least > 0 {
		step = max(step, least)
	}
	// The decimals of the step: the fewest that write it exactly.
	prec := 0
	for prec < 12 && math.Abs(step*math.Pow(10, float64(prec))-math.Round(step*math.Pow(10, float64(prec)))) > 1e-6 {
		prec++
	}
	var ticks []plot.Tick
	for i := math.Ceil(lo/step - 1e-9); i*step <= hi+step*1e-9; i++ {
		v := i * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)})
	}
	return ticks
}

// nominalRange gives n nominal positions on an axis half a slot of room
// on each side, so the first and last bars and labels are not cut.
func nominalRange(a *plot.Axis, n int) {
	a.Min, a.Max = -0.6, float64(n)-0.4
}

// headroom widens the top of a value axis (and the bottom when it is
// below 0) by a tenth, so the tallest bar or whisker is not cut.
func headroom(a *plot.Axis) {
	span := a.Max - a.Min
	a.Max += span * 0.1
	if a.Min < 0 {
		a.Min -= span * 0.05
	}
}

// noteStyle is the text of the notes under a chart.
func noteStyle() text.Style {
	return text.Style{Font: font.From(plot.DefaultFont, vg.Points(9)), Color: textGrey, Handler: plot.DefaultTextHandler, XAlign: draw.XLeft, YAlign: draw.YBottom}
}

// noteLines wraps f's notes to the width of the figure.
func (f *figure) noteLines(margin vg.Length) []string {
	st := noteStyle()
	var out []string
	for _, n := range f.notes {
		line := ""
		for _, w := range strings.Fields(n) {
			if line != "" && st.Width(line+" "+w) > f.w-2*margin {
				out = append(out, line)
				line = "   " + w // a wrapped note's later lines are indented
				continue
			}
			line = strings.TrimPrefix(line+" "+w, " ")
		}
		out = append(out, line)
	}
	return out
}

// save renders f as a PNG at path, atomically, with a white margin
// around the plot so no text touches the edge and the notes under it.
func (f *figure) save(path string) error {
	m := vg.Points(10)
	lines := f.noteLines(m)
	st := noteStyle()
	lineH := st.Height("Ag") * 1.25
	notesH := vg.Length(len(lines)) * lineH
	if len(lines) > 0 {
		notesH += m / 2
	}
	img := vgimg.NewWith(vgimg.UseWH(f.w, f.h+notesH), vgimg.UseDPI(96), vgimg.UseBackgroundColor(color.White))
	c := draw.New(img)
	f.plot.Draw(draw.Crop(c, m, -m, m/2+notesH, -m/2))
	for i, l := range lines {
		c.FillText(st, vg.Point{X: m, Y: m/2 + notesH - vg.Length(i+1)*lineH}, l)
	}
	return writeAtomic(path, func(out io.Writer) error { _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(out); return err })
}
