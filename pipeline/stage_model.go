package pipeline

import (
	"context"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
)

// analyse builds the model over the tables load put in r.db and analyses
// it: it sets the manifest's estimates, table counts, spring tests,
// reject counts, notes and degraded reasons, and returns the notes on the
// data (grades counted back, a main test not taken) for the workbooks.
func (r *run) analyse(ctx context.Context, rejects []ingest.RowError) (dataNotes []string, err error) {
	cfg, db, man := r.opts.Config, r.db, r.man
	if r.red != nil {
		// Ties for the teacher of record go where they would without
		// redaction: by the district's own IDs behind the hashes.
		if err := db.OrderTeachers(ctx, r.red.SortByID); err != nil {
			return nil, err
		}
	}
	if err := db.SetMainTests(ctx, cfg.Model.MainTests); err != nil {
		return nil, err
	}
	if err := db.Build(ctx); err != nil {
		return nil, err
	}
	if man.Estimates, err = db.Analyze(ctx, analyzeOptions(cfg)); err != nil {
		return nil, err
	}
	if man.Tables, err = db.TableCounts(ctx); err != nil {
		return nil, err
	}
	if man.SpringTests, err = db.SpringTests(ctx); err != nil {
		return nil, err
	}
	if dataNotes, err = db.GradeNotes(ctx); err != nil {
		return nil, err
	}
	dataNotes = append(dataNotes, model.MainTestNotes(man.SpringTests, cfg.Model.MainTests)...)
	man.Notes = append(man.Notes, dataNotes...)
	man.RejectedValues = len(rejects)
	for _, f := range man.Files {
		man.Rejects += f.RowsRejected
	}
	man.Reasons, err = db.Verdict(ctx, man.Files, man.Estimates, thresholds(cfg.Degraded))
	return dataNotes, err
}

// analyzeOptions are the config's settings of the analyses.
func analyzeOptions(cfg config.Config) model.AnalyzeOptions {
	return model.AnalyzeOptions{MinCell: cfg.MinCell, MinClassrooms: cfg.MinClassrooms, MinCoachedTeachers: cfg.MinCoachedTeachers, Prior: prior(cfg), Seed: 1}
}

// prior is the config's prior and threshold for the headlines' chances
// ([model] prior_mean, prior_sd, threshold).
func prior(cfg config.Config) model.Prior {
	return model.Prior{Mean: cfg.Model.PriorMean, SD: cfg.Model.PriorSD, Threshold: cfg.Model.Threshold}
}

// degraded logs the data notes and, when the model's verdict gave
// reasons, marks the run degraded; it decides whether the run's outputs
// will be published.
func (r *run) degraded(dataNotes []string) {
	for _, n := range dataNotes {
		r.log.Warn(n)
	}
	if len(r.man.Reasons) > 0 {
		r.man.Status = outdir.StatusDegraded
		for _, rs := range r.man.Reasons {
			r.log.Warn("run degraded: "+rs.Text, "code", rs.Code, "subject", rs.Subject)
		}
	}
	r.man.Published = r.man.Status == outdir.StatusOK || r.opts.Config.Degraded.Publish
}

// thresholds are the config's [degraded] table as the model's verdict
// takes it.
func thresholds(d config.Degraded) model.Thresholds {
	return model.Thresholds{MaxRejectedShare: d.MaxRejectedShare, NonEmptyTables: d.NonEmptyTables, NoEstimate: d.NoEstimate,
		MaxNoTeacherShare: d.MaxNoTeacherShare, MaxNoZShare: d.MaxNoZShare}
}

// reasonList is the reasons as the run history keeps them.
func reasonList(rs []model.Reason) []outdir.Reason {
	var out []outdir.Reason
	for _, r := range rs {
		out = append(out, outdir.Reason{Code: r.Code, Text: r.Text})
	}
	return out
}
