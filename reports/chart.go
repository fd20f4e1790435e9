package reports

import (
	"context"
	"fmt"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// HoursBySchoolChart draws coaching hours per school in the latest school
// year as horizontal bars, largest first.
func HoursBySchoolChart(ctx context.Context, db Querier, path string) error {
	rows, err := queryRows(ctx, db, `
		SELECT school_name, hours, school_year FROM coaching_by_school
		WHERE school_year = (SELECT max(school_year) FROM coaching_by_school)
		ORDER BY hours, school_name`)
	if err != nil {
		return err
	}
	p := plot.New()
	year := int64(0)
	if len(rows) > 0 {
		year, _ = rows[0][2].(int64)
	}
	p.Title.Text = fmt.Sprintf("Coaching hours logged per school, %d-%02d", year-1, year%100)
	p.X.Label.Text = "Coaching hours (sum of session minutes / 60)"
	vals := make(plotter.Values, len(rows))
	names := make([]string, len(rows))
	for i, r := range rows {
		vals[i], _ = r[1].(float64)
		names[i], _ = r[0].(string)
	}
	if len(rows) > 0 {
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
	}
	p.Add(plotter.NewGrid())
	height := vg.Length(max(len(rows), 4))*16*vg.Points(1) + 90
	return savePNG(p, 8*vg.Inch, height, path)
}

// savePNG renders p as a PNG of the given size at path, atomically.
func savePNG(p *plot.Plot, w, h vg.Length, path string) error {
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return err
	}
	return writeAtomic(path, func(out io.Writer) error { _, err := wt.WriteTo(out); return err })
}
