package reports

import (
	"context"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Figure is a chart before it is saved, for the tests of reports_test.
type Figure = figure

// Figures builds every chart of in that has data, without saving it.
func Figures(ctx context.Context, in Input) ([]*Figure, error) { return figures(ctx, in) }

func (f *figure) Name() string     { return f.name }
func (f *figure) Plot() *plot.Plot { return f.plot }
func (f *figure) Notes() []string  { return f.notes }
func (f *figure) Legend() []string { return f.legend }
func (f *figure) Width() vg.Length { return f.w }
func (f *figure) Parts() (roles []string, plotters []plot.Plotter) {
	for _, p := range f.parts {
		roles, plotters = append(roles, p.role), append(plotters, p.plotter)
	}
	return roles, plotters
}
