package reports_test

import (
	"archive/zip"
	"context"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/reports"
)

// okabeIto are the published Okabe-Ito colours, the arms' first.
var okabeIto = map[string]bool{"0072B2": true, "E69F00": true, "000000": true, "56B4E9": true, "009E73": true, "F0E442": true, "D55E00": true, "CC79A7": true}

// wantRoleColor is the colour every chart gives a role: coached blue, not
// coached orange, a difference between them black.
var wantRoleColor = map[string]string{"coached": "0072B2", "not coached": "E69F00", "estimate": "000000"}

func hexOf(c color.Color) string {
	if c == nil {
		return "none"
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("%02X%02X%02X", r>>8, g>>8, b>>8)
}

// colorOf is the colour a plotter draws its data in, and whether it has
// one (a grid or a label has none that is data).
func colorOf(p plot.Plotter) (color.Color, bool) {
	switch x := p.(type) {
	case *plotter.BarChart:
		return x.Color, true
	case *plotter.BoxPlot:
		return x.FillColor, true
	case *plotter.Line:
		return x.Color, true
	case *plotter.Scatter:
		return x.Color, true
	case *plotter.YErrorBars:
		return x.Color, true
	case *plotter.XErrorBars:
		return x.Color, true
	case *plotter.Polygon:
		return x.Color, true
	}
	return nil, false
}

// figuresByName builds every chart of db at the given thresholds.
func figuresByName(t *testing.T, db *model.DB, minCell int) map[string]*reports.Figure {
	t.Helper()
	in := reports.Input{DB: db, MinCell: minCell, MinClassrooms: 3, Started: time.Now()}
	figs, err := reports.Figures(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*reports.Figure{}
	for _, f := range figs {
		out[f.Name()] = f
	}
	return out
}

// TestCharts builds the charts of a small synthetic district and checks
// the plots themselves: every chart has a title and both axis titles;
// every data colour is Okabe-Ito's, the coached arm blue and the other
// orange in every chart; the sessions chart has a bar for every month
// from the first session to the last (months without sessions as
// zeros), counts its axis in whole numbers and labels months without
// overlap; the event-time chart draws each cohort from 0 in the year
// before joining, with confidence bars, or names it in a note; the box
// plot's n are the Impact sheet's counts.
func TestCharts(t *testing.T) {
	_, _, db := run(t, config.Default(), nil)
	figs := figuresByName(t, db, 10)
	for _, name := range []string{reports.ChartImpact, reports.ChartBands, reports.ChartEventTime, reports.ChartSessions, reports.ChartSpringZ, reports.ChartHours} {
		if figs[name] == nil {
			t.Errorf("%s not drawn", name)
		}
	}
	arms := map[string]int{}
	for name, f := range figs {
		p := f.Plot()
		if strings.TrimSpace(p.Title.Text) == "" || strings.TrimSpace(p.X.Label.Text) == "" || strings.TrimSpace(p.Y.Label.Text) == "" {
			t.Errorf("%s: title %q, x axis %q, y axis %q: want all three", name, p.Title.Text, p.X.Label.Text, p.Y.Label.Text)
		}
		roles, parts := f.Parts()
		for i, part := range parts {
			c, ok := colorOf(part)
			if !ok || roles[i] == "frame" {
				continue
			}
			h := hexOf(c)
			if !okabeIto[h] {
				t.Errorf("%s: %s part %T in %s, not an Okabe-Ito colour", name, roles[i], part, h)
			}
			if want, ok := wantRoleColor[roles[i]]; ok && h != want {
				t.Errorf("%s: %s part %T in %s, want %s", name, roles[i], part, h, want)
			}
			if roles[i] == "cohort" && (h == "0072B2" || h == "E69F00") {
				t.Errorf("%s: a cohort in an arm's colour %s", name, h)
			}
			if roles[i] == "coached" || roles[i] == "not coached" {
				arms[roles[i]]++
			}
		}
	}
	if arms["coached"] == 0 || arms["not coached"] == 0 {
		t.Errorf("arms drawn %v: want both", arms)
	}
	t.Run("sessions", func(t *testing.T) { checkSessions(t, db, figs[reports.ChartSessions]) })
	t.Run("event time", func(t *testing.T) { checkEventTime(t, db, figs[reports.ChartEventTime]) })
	t.Run("box plot", func(t *testing.T) { checkBoxes(t, db, figs[reports.ChartSpringZ]) })
}

func checkSessions(t *testing.T, db *model.DB, f *reports.Figure) {
	if f == nil {
		t.Fatal("not drawn")
	}
	months := queryInt(t, db, `SELECT datediff('month', min(session_date), max(session_date)) + 1 FROM coaching_sessions`)
	withSessions := queryInt(t, db, `SELECT count(DISTINCT strftime(session_date, '%Y-%m')) FROM coaching_sessions`)
	sessions := queryInt(t, db, `SELECT count(*) FROM coaching_sessions`)
	if months == withSessions {
		t.Fatalf("every month of the synthetic district has sessions: nothing to test")
	}
	roles, parts := f.Parts()
	var bars *plotter.BarChart
	for i, p := range parts {
		if b, ok := p.(*plotter.BarChart); ok && roles[i] == "coached" {
			bars = b
		}
	}
	if bars == nil {
		t.Fatal("no bars")
	}
	zeros, total := 0, 0.0
	for _, v := range bars.Values {
		total += v
		if v == 0 {
			zeros++
		}
	}
	if len(bars.Values) != months || zeros != months-withSessions || int(total) != sessions {
		t.Errorf("%d bars (%d zero) totalling %g; want %d months, %d without sessions, %d sessions", len(bars.Values), zeros, total, months, months-withSessions, sessions)
	}
	p := f.Plot()
	for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if _, err := strconv.Atoi(tk.Label); tk.Label != "" && err != nil {
			t.Errorf("count axis label %q is not a whole number", tk.Label)
		}
	}
	// Labelled months: at least their own width apart on the data area
	// (the figure less about an inch and a half of axis and margins).
	ticks := p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max)
	perUnit := (f.Width() - 1.5*vg.Inch) / vg.Length(p.X.Max-p.X.Min)
	last, lastW := math.Inf(-1), vg.Length(0)
	labelled := 0
	for _, tk := range ticks {
		if tk.Label == "" {
			continue
		}
		labelled++
		w := p.X.Tick.Label.Width(tk.Label)
		if gap := vg.Length(tk.Value-last) * perUnit; gap < (w+lastW)/2 {
			t.Errorf("month labels %q at %g and the one before overlap: %.1f apart, need %.1f", tk.Label, tk.Value, gap, (w+lastW)/2)
		}
		last, lastW = tk.Value, w
	}
	if labelled < 4 {
		t.Errorf("%d month labels", labelled)
	}
}

func checkEventTime(t *testing.T, db *model.DB, f *reports.Figure) {
	if f == nil {
		t.Fatal("not drawn")
	}
	rows, err := db.QueryContext(context.Background(), `SELECT DISTINCT ip_cohort FROM schools WHERE ip_cohort IS NOT NULL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var cohorts []int
	for rows.Next() {
		var c int
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cohorts = append(cohorts, c)
	}
	rows.Close()
	notes := strings.Join(f.Notes(), "\n")
	drawn := 0
	for _, c := range cohorts {
		label := fmt.Sprintf("%d-%02d", c-1, c%100)
		switch {
		case slices.Contains(f.Legend(), "joined "+label):
			drawn++
		case strings.Contains(notes, "Joined "+label+": not drawn") || strings.Contains(notes, "Joins "+label+": not drawn"):
		default:
			t.Errorf("cohort %s neither drawn nor explained; legend %q, notes:\n%s", label, f.Legend(), notes)
		}
	}
	if drawn == 0 {
		t.Fatalf("no cohort drawn: legend %q", f.Legend())
	}
	roles, parts := f.Parts()
	points, bars := 0, 0
	for i, p := range parts {
		if roles[i] != "cohort" {
			continue
		}
		switch x := p.(type) {
		case *plotter.Scatter:
			points++
			// Each cohort's year before joining is 0 by definition
			// (drawn a little to the side of -1 so cohorts do not
			// hide each other).
			base := false
			for _, xy := range x.XYs {
				base = base || (math.Abs(xy.X+1) < 0.3 && xy.Y == 0)
			}
			if !base {
				t.Errorf("a cohort's points %v: none at year -1 with 0", x.XYs)
			}
		case *plotter.YErrorBars:
			bars++
		}
	}
	if points != drawn || bars == 0 {
		t.Errorf("%d cohorts' points for %d drawn, %d sets of confidence bars", points, drawn, bars)
	}
}

func checkBoxes(t *testing.T, db *model.DB, f *reports.Figure) {
	if f == nil {
		t.Fatal("not drawn")
	}
	if !strings.Contains(f.Plot().Title.Text, "UNADJUSTED") {
		t.Errorf("title %q does not say the boxes are unadjusted", f.Plot().Title.Text)
	}
	p := f.Plot()
	var labels []string
	for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if tk.Label != "" {
			labels = append(labels, strings.ReplaceAll(tk.Label, "\n", " "))
		}
	}
	// The counts as the Impact sheet prints them (humanInt: #,##0).
	for _, s := range []string{"ELA", "Math"} {
		coached := queryInt(t, db, `SELECT n_coached_students FROM estimates WHERE analysis = 'impact' AND subject = '`+s+`' AND school_year IS NULL`)
		others := queryInt(t, db, `SELECT n_students - n_coached_students FROM estimates WHERE analysis = 'impact' AND subject = '`+s+`' AND school_year IS NULL`)
		for _, want := range []string{s + " not coached n = " + humanInt(others), s + " coached n = " + humanInt(coached)} {
			if !slices.Contains(labels, want) {
				t.Errorf("box labels %q: want %q", labels, want)
			}
		}
	}
}

// TestChartsSuppressed: with the model and the reports at a threshold
// above every group, no chart draws a number the workbooks hide: no
// impact dot, no dosage band bar, no box, no cohort point but the year
// before joining; the impact rows, bands and boxes keep their slots,
// labelled with the reason.
func TestChartsSuppressed(t *testing.T) {
	cfg := config.Default()
	cfg.MinCell = 1_000_000
	_, _, db := run(t, cfg, nil)
	figs := figuresByName(t, db, cfg.MinCell)
	for name, f := range figs {
		roles, parts := f.Parts()
		var gaps []string
		for i, part := range parts {
			switch x := part.(type) {
			case *plotter.Labels:
				gaps = append(gaps, x.Labels...)
			case *plotter.Scatter:
				if roles[i] == "cohort" {
					for _, xy := range x.XYs {
						if xy.Y != 0 {
							t.Errorf("%s: cohort point %v drawn", name, xy)
						}
					}
				}
			}
			switch name {
			case reports.ChartImpact, reports.ChartBands, reports.ChartSpringZ:
				if roles[i] != "frame" {
					t.Errorf("%s: %s part %T drawn", name, roles[i], part)
				}
			}
		}
		switch name {
		case reports.ChartImpact, reports.ChartBands, reports.ChartSpringZ:
			if !strings.Contains(strings.Join(gaps, " "), "fewer than 1000000") {
				t.Errorf("%s: gaps %q do not say why", name, gaps)
			}
		}
	}
	if figs[reports.ChartImpact] == nil || figs[reports.ChartBands] == nil {
		t.Error("impact or bands chart not drawn: a suppressed group is a labelled gap, not a missing chart")
	}
}

// TestWorkbookChartColours: the school workbooks' own charts (Growth,
// Coaching activity) take the PNG charts' colours: coached bars (the
// sessions of Coaching activity) 0072B2, not-coached ones (a comparison
// school's classrooms on its Growth sheet) E69F00, a difference between
// the arms (a coached school's Growth chart) black 000000; none keeps
// the old blue or grey.
func TestWorkbookChartColours(t *testing.T) {
	_, _, db := run(t, config.Default(), nil)
	dir := t.TempDir()
	in := reports.Input{DB: db, MinCell: 10, MinClassrooms: 3, Started: time.Now()}
	if err := reports.Schools(context.Background(), in, dir); err != nil {
		t.Fatal(err)
	}
	books, _ := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	coached, others, diffs := 0, 0, 0
	for _, path := range books {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			x := string(b)
			coached += strings.Count(x, `val="0072B2"`)
			others += strings.Count(x, `val="E69F00"`)
			diffs += strings.Count(x, `val="000000"`)
			for _, old := range []string{"1F77B4", "999999"} {
				if strings.Contains(x, old) {
					t.Errorf("%s %s: colour %s", filepath.Base(path), zf.Name, old)
				}
			}
		}
		zr.Close()
	}
	if coached == 0 || others == 0 || diffs == 0 {
		t.Errorf("%d workbooks: %d coached fills, %d not coached, %d differences: want each", len(books), coached, others, diffs)
	}
}
