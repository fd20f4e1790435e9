package pipeline

import (
	"context"
	"path/filepath"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/reports"
)

// report builds the workbooks the config asks for into staging's
// reports folder, and their charts, from the model and the manifest.
func (r *run) report(ctx context.Context, staging string, dataNotes []string) error {
	cfg, man := r.opts.Config, r.man
	rep := reports.Input{DB: r.db, MinCell: cfg.MinCell, MinClassrooms: cfg.MinClassrooms, MinCoachedTeachers: cfg.MinCoachedTeachers, Prior: prior(cfg), ShowTeacherNames: cfg.ShowTeacherNames && r.red == nil, Redacted: man.Redacted, Started: man.Started, Degraded: man.Reasons, DataNotes: dataNotes,
		Progress: func(what string, done, total int) { progress(r.opts, "reports", what, done, total) }}
	for _, b := range []struct{ cfg, book string }{
		{config.ReportDistrict, reports.DistrictBook}, {config.ReportCohorts, reports.CohortsBook}, {config.ReportSchools, reports.SchoolsDir},
	} {
		if !cfg.Builds(b.cfg) {
			rep.Skip = append(rep.Skip, b.book)
		}
	}
	return reports.Build(ctx, rep, filepath.Join(staging, ReportsDir), filepath.Join(staging, ChartsDir))
}
