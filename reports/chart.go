package reports

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"github.com/coachimpact/coachimpact/model"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
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

// The same colours in every chart: coached blue, not coached grey; cohorts
// take the palette in order.
var (
	coachedColor    = color.RGBA{R: 0x1F, G: 0x77, B: 0xB4, A: 0xFF}
	notCoachedColor = color.RGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xFF}
	palette         = []color.Color{
		color.RGBA{R: 0xD6, G: 0x27, B: 0x28, A: 0xFF}, color.RGBA{R: 0x2C, G: 0xA0, B: 0x2C, A: 0xFF},
		color.RGBA{R: 0xFF, G: 0x7F, B: 0x0E, A: 0xFF}, color.RGBA{R: 0x94, G: 0x67, B: 0xBD, A: 0xFF},
		color.RGBA{R: 0x8C, G: 0x56, B: 0x4B, A: 0xFF}, color.RGBA{R: 0xE3, G: 0x77, B: 0xC2, A: 0xFF},
	}
)

// chartLabelChars is the most of a name from the inputs (a school, a
// subject) a chart label shows: a longer one would push the plot off
// the image.
const chartLabelChars = 40

// boxLabelChars is the most of a subject name a box plot's label shows.
const boxLabelChars = 18

// charts draws every chart into dir. A chart without data is not drawn.
func charts(ctx context.Context, in Input, dir string) error {
	for _, c := range []struct {
		name string
		draw func(context.Context, Input, string) error
	}{
		{ChartImpact, impactChart},
		{ChartBands, bandsChart},
		{ChartEventTime, eventTimeChart},
		{ChartSessions, sessionsChart},
		{ChartSpringZ, springZChart},
		{ChartHours, hoursBySchoolChart},
	} {
		if err := c.draw(ctx, in, filepath.Join(dir, c.name)); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
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

// impactChart is a forest plot: the impact estimate of each subject and
// year, and pooled, with its 95% CI; suppressed cells are left out.
func impactChart(ctx context.Context, in Input, path string) error {
	rows, err := queryRows(ctx, in.DB, `
		SELECT subject, coalesce(school_year, 0), estimate, ci_low, ci_high FROM estimates
		WHERE analysis = 'impact' AND estimate IS NOT NULL
		ORDER BY school_year NULLS FIRST, subject = 'All' DESC, subject`)
	if err != nil || len(rows) == 0 {
		return err
	}
	// Top to bottom in the order of the query: pooled first.
	n := len(rows)
	iv := interval{XYs: make(plotter.XYs, n), lo: make([]float64, n), hi: make([]float64, n)}
	labels := make([]string, n)
	for i, r := range rows {
		y := float64(n - 1 - i)
		est, _ := num(r[2])
		lo, _ := num(r[3])
		hi, _ := num(r[4])
		iv.XYs[i] = plotter.XY{X: est, Y: y}
		iv.lo[i], iv.hi[i] = est-lo, hi-est
		subject := clip(str(r[0]), chartLabelChars)
		if subject == "All" {
			subject = "Both subjects"
		}
		labels[n-1-i] = fmt.Sprintf("%s, %s", subject, yearLabel(i64(r[1])))
	}
	p := newPlot("Spring scores: students of coached vs other teachers\nDot: estimate; bar: 95% confidence interval; dashed line: no difference")
	p.X.Label.Text = "Difference in spring z (SD), same baseline and grade"
	bars, err := plotter.NewXErrorBars(iv)
	if err != nil {
		return err
	}
	bars.Color = coachedColor
	pts, err := plotter.NewScatter(iv)
	if err != nil {
		return err
	}
	pts.Color, pts.Shape, pts.Radius = coachedColor, draw.CircleGlyph{}, vg.Points(4)
	zero := vline(0, -0.5, float64(n)-0.5)
	p.Add(plotter.NewGrid(), zero, bars, pts)
	p.NominalY(labels...)
	nominalRange(&p.Y, n)
	pad := (p.X.Max - p.X.Min) * 0.05
	p.X.Min, p.X.Max = min(p.X.Min, 0)-pad, p.X.Max+pad
	return savePNG(p, 7*vg.Inch, vg.Length(n)*22*vg.Points(1)+130, path)
}

// vline is a dashed vertical line at x from y0 to y1.
func vline(x, y0, y1 float64) *plotter.Line {
	l, _ := plotter.NewLine(plotter.XYs{{X: x, Y: y0}, {X: x, Y: y1}})
	l.Color = color.Black
	l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	return l
}

// bandsChart shows the adjusted mean spring z of each dosage band (all
// years and subjects), with the 95% CI of its difference from 0 hours.
func bandsChart(ctx context.Context, in Input, path string) error {
	rows, err := queryRows(ctx, in.DB, `
		SELECT band, adjusted_mean, ci_low, ci_high, band_order,
		       (SELECT adjusted_mean FROM dosage_bands z WHERE z.subject = 'All' AND z.school_year IS NULL AND z.band_order = 0)
		FROM dosage_bands
		WHERE subject = 'All' AND school_year IS NULL AND adjusted_mean IS NOT NULL
		ORDER BY band_order`)
	if err != nil || len(rows) == 0 {
		return err
	}
	p := newPlot("Spring scores by coaching hours (all years, both subjects)\nBar: adjusted mean; whisker: 95% CI of its difference from 0 hours")
	p.Y.Label.Text = "Adjusted spring z (SD)"
	p.X.Label.Text = "Coaching hours of the teacher of record before the spring test"
	var names []string
	kept := rows[:0]
	for _, r := range rows {
		if !in.plan.bands[bandKey{model.AllSubjects, str(r[0]), 0}] {
			kept = append(kept, r) // a band the Dose-response sheet hides is not drawn
		}
	}
	for i, r := range kept {
		adj, _ := num(r[1])
		bar, err := plotter.NewBarChart(plotter.Values{adj}, vg.Points(40))
		if err != nil {
			return err
		}
		bar.XMin = float64(i)
		bar.LineStyle.Width = 0
		bar.Color = coachedColor
		if i64(r[4]) == 0 {
			bar.Color = notCoachedColor
		}
		p.Add(bar)
		if lo, ok := num(r[2]); ok {
			hi, _ := num(r[3])
			base, _ := num(r[5])
			iv := interval{XYs: plotter.XYs{{X: float64(i), Y: adj}}, lo: []float64{adj - (base + lo)}, hi: []float64{base + hi - adj}}
			eb, err := plotter.NewYErrorBars(iv)
			if err != nil {
				return err
			}
			p.Add(eb)
		}
		names = append(names, str(r[0]))
	}
	p.NominalX(names...)
	p.Add(plotter.NewGrid())
	nominalRange(&p.X, len(names))
	headroom(&p.Y)
	return savePNG(p, 7*vg.Inch, 4.5*vg.Inch, path)
}

// eventTimeChart draws, per cohort, the mean growth of its schools minus
// that of comparison schools, by years since joining.
func eventTimeChart(ctx context.Context, in Input, path string) error {
	rows, err := queryRows(ctx, in.DB, `SELECT cohort, event_time, difference FROM event_time ORDER BY cohort = 'all cohorts', cohort, event_time`)
	if err != nil || len(rows) == 0 {
		return err
	}
	p := newPlot("Growth of joining schools minus comparison schools\nBy years since joining; the dashed line marks when the school joined")
	p.X.Label.Text = "Years since the school joined (0 = joining year)"
	p.Y.Label.Text = "Mean growth difference (SD)"
	series := map[string]plotter.XYs{}
	var order []string
	for _, r := range rows {
		c := str(r[0])
		if _, ok := series[c]; !ok {
			order = append(order, c)
		}
		if k := (cohortKey{c, i64(r[1])}); in.plan.eventHidden(k) || in.plan.eventComp[k] {
			continue // suppressed in the table: not drawn either
		}
		d, _ := num(r[2])
		series[c] = append(series[c], plotter.XY{X: float64(i64(r[1])), Y: d})
	}
	lo, hi := 0.0, 0.0
	first, last := 0, 0
	for i, c := range order {
		l, pts, err := plotter.NewLinePoints(series[c])
		if err != nil {
			return err
		}
		col := palette[i%len(palette)]
		label := c
		if y, err := strconv.Atoi(c); err == nil {
			label = "joined " + yearLabel(int64(y))
		}
		if c == "all cohorts" {
			col, label = color.Black, "all cohorts"
			l.Width = vg.Points(2.5)
		}
		l.Color, pts.Color = col, col
		p.Add(l, pts)
		p.Legend.Add(label, l, pts)
		for _, xy := range series[c] {
			lo, hi = min(lo, xy.Y), max(hi, xy.Y)
			first, last = min(first, int(xy.X)), max(last, int(xy.X))
		}
	}
	joined := vline(-0.5, lo, hi)
	p.Add(joined, plotter.NewGrid())
	p.Legend.Add("school joins", joined)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(8)
	p.Y.Max += (hi - lo) * 0.35 // room for the legend
	var ticks plot.ConstantTicks
	for t := first; t <= last; t++ {
		ticks = append(ticks, plot.Tick{Value: float64(t), Label: fmt.Sprint(t)})
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = float64(first)-0.4, float64(last)+0.4
	return savePNG(p, 7*vg.Inch, 4.5*vg.Inch, path)
}

// sessionsChart counts coaching sessions per month over all years.
func sessionsChart(ctx context.Context, in Input, path string) error {
	rows, err := queryRows(ctx, in.DB, `SELECT strftime(session_date, '%Y-%m'), count(*) FROM coaching_sessions GROUP BY 1 ORDER BY 1`)
	if err != nil || len(rows) == 0 {
		return err
	}
	vals := make(plotter.Values, len(rows))
	names := make([]string, len(rows))
	for i, r := range rows {
		vals[i] = float64(i64(r[1]))
		names[i] = str(r[0])
		if m := names[i][len(names[i])-2:]; len(rows) > 16 && m != "09" && m != "12" && m != "03" && m != "06" {
			names[i] = "" // many months: label September, December, March, June
		}
	}
	p := newPlot("Coaching sessions logged per month")
	p.Y.Label.Text = "Sessions"
	bars, err := plotter.NewBarChart(vals, vg.Points(max(4, 400/float64(len(rows)))))
	if err != nil {
		return err
	}
	bars.Color, bars.LineStyle.Width = coachedColor, 0
	p.Add(plotter.NewGrid(), bars)
	p.NominalX(names...)
	nominalRange(&p.X, len(names))
	headroom(&p.Y)
	p.X.Tick.Label.Rotation = 1.2
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	return savePNG(p, 8*vg.Inch, 4.5*vg.Inch, path)
}

// springZChart draws box plots of spring z for students of coached and
// other teachers, per subject, all years.
func springZChart(ctx context.Context, in Input, path string) error {
	rows, err := queryRows(ctx, in.DB, `SELECT subject, coached, spring_z FROM student_growth WHERE excluded IS NULL ORDER BY subject`)
	if err != nil || len(rows) == 0 {
		return err
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
	p := newPlot("Spring z of students of coached and other teachers (all years)\nBox: middle half of students; line: median; whiskers: the rest, up to 1.5 box heights")
	p.Y.Label.Text = "Spring z (SD)"
	var names []string
	x := 0.0
	for _, s := range subjects {
		for _, coached := range []bool{false, true} {
			v := vals[key{s, coached}]
			// Two lines: four labels side by side have a quarter of
			// the width each.
			label := clip(s, boxLabelChars) + "\nnot coached"
			if coached {
				label = clip(s, boxLabelChars) + "\ncoached"
			}
			names = append(names, label)
			if len(v) < in.MinCell {
				x++
				continue // too few students to draw
			}
			bp, err := plotter.NewBoxPlot(vg.Points(40), x, v)
			if err != nil {
				return err
			}
			bp.FillColor = notCoachedColor
			if coached {
				bp.FillColor = coachedColor
			}
			// Whiskers and box only: single students are not plotted.
			bp.GlyphStyle.Radius = 0
			p.Add(bp)
			x++
		}
	}
	p.NominalX(names...)
	p.Add(plotter.NewGrid())
	nominalRange(&p.X, len(names))
	headroom(&p.Y)
	return savePNG(p, 7*vg.Inch, 4.5*vg.Inch, path)
}

// hoursBySchoolChart draws coaching hours per school in the latest school
// year as horizontal bars, largest first.
func hoursBySchoolChart(ctx context.Context, in Input, path string) error {
	rows, err := queryRows(ctx, in.DB, `
		SELECT school_name, hours, school_year FROM coaching_by_school
		WHERE school_year = (SELECT max(school_year) FROM coaching_by_school)
		ORDER BY hours, school_name`)
	if err != nil || len(rows) == 0 {
		return err
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
		return nil
	}
	uncoached := all - len(rows)
	shown := "every coached school"
	if len(rows) > 60 { // a state: the 60 schools with most hours
		rows = rows[len(rows)-60:]
		shown = "the 60 coached schools with most hours"
	}
	p := newPlot(fmt.Sprintf("Coaching hours logged per school, %s\n%s; %d schools without coaching are not shown", year, shown, uncoached))
	p.X.Label.Text = "Coaching hours (sum of session minutes / 60)"
	vals := make(plotter.Values, len(rows))
	names := make([]string, len(rows))
	for i, r := range rows {
		vals[i], _ = num(r[1])
		names[i] = clip(str(r[0]), chartLabelChars)
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(10))
	if err != nil {
		return err
	}
	bars.Horizontal = true
	bars.Color = coachedColor
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, p.X.Max*1.08
	nominalRange(&p.Y, len(names))
	p.Add(plotter.NewGrid())
	height := vg.Length(max(len(rows), 4))*16*vg.Points(1) + 110
	return savePNG(p, 8*vg.Inch, height, path)
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
// five to seven labels, with only the decimals the step needs.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	raw := (hi - lo) / 6
	if !(raw > 0) || math.IsInf(raw, 0) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 3, 64)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	if math.Abs(step/math.Pow(10, math.Floor(math.Log10(step)+1e-9))-2.5) < 1e-9 {
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

// savePNG renders p as a PNG of the given size at path, atomically, with a
// white margin around the plot so no text touches the edge.
func savePNG(p *plot.Plot, w, h vg.Length, path string) error {
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96), vgimg.UseBackgroundColor(color.White))
	m := vg.Points(10)
	p.Draw(draw.Crop(draw.New(img), m, -m, m/2, -m/2))
	return writeAtomic(path, func(out io.Writer) error { _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(out); return err })
}
