package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
)

// Output names inside the output folder.
const (
	DBFile       = "coachimpact.duckdb"
	ManifestFile = "run.json"
	ReportsDir   = "reports"
	ChartsDir    = "charts"
	// ParquetDir holds a run's Parquet export (with --parquet), which the
	// --parquet folder, a symlink, shows.
	ParquetDir = "parquet"
	// DegradedDir holds the outputs of the latest degraded run that was
	// not published (model, reports, charts, run.json), for inspection;
	// the next degraded run replaces it and a published run removes it.
	DegradedDir = "degraded"
)

// Options are the inputs of one run.
type Options struct {
	Input  string
	Out    string
	Config config.Config
	Log    *slog.Logger
	// Mem allocates the Arrow buffers; default the Go allocator.
	Mem memory.Allocator
	// Force runs even when the inputs, config and program are those of
	// the published run.
	Force bool
	// Wait is how long to wait for another run on Out to finish; 0 fails
	// at once with an error wrapping outdir.ErrLocked.
	Wait time.Duration
	// Progress, when set, hears the run advance: the stage ("ingest",
	// "model", "reports"), the item just finished (a file, a model step, a
	// workbook), and how many of the stage's items are done of how many.
	// Calls may come from several goroutines.
	Progress func(stage, item string, done, total int)

	// afterChecksums, in tests, runs once the inputs are hashed.
	afterChecksums func()
	// afterPublish, in tests, runs once the run is published.
	afterPublish func()
}

// Stage is the wall time of one step.
type Stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	// PeakRSS is the process's peak resident memory during the stage, in
	// bytes (Linux; 0 where it cannot be read).
	PeakRSS int64 `json:"peak_rss_bytes,omitempty"`
}

// Manifest is run.json: what the run read, loaded, rejected and found.
type Manifest struct {
	// Status is "ok"; "degraded" when the result is empty or mostly
	// rejected past the [degraded] thresholds (Reasons say how); or
	// "skipped" when nothing changed since the run of SkippedFor (whose
	// outputs stay published).
	Status string `json:"status"`
	// Reasons are a degraded run's reasons, in check order.
	Reasons []model.Reason `json:"reasons,omitempty"`
	// Published says whether this run's outputs were published: always
	// for an ok run; for a degraded one only with [degraded] publish =
	// true (else they are in DegradedDir and the last good outputs stay).
	Published   bool             `json:"published"`
	SkippedFor  *time.Time       `json:"skipped_for,omitempty"`
	RunID       string           `json:"run_id"`
	Fingerprint string           `json:"fingerprint"`
	Started     time.Time        `json:"started"`
	Finished    time.Time        `json:"finished"`
	Seconds     float64          `json:"seconds"`
	Input       string           `json:"input"`
	Stages      []Stage          `json:"stages"`
	Files       []ingest.Stats   `json:"files"`
	Tables      map[string]int64 `json:"tables"`
	// SpringTests name the tests taken as each subject's spring outcome,
	// year by year: the main one (the one [model.main_tests] names, else
	// the most takers; chosen_by says which) and any other a student took
	// instead.
	SpringTests []model.SpringTest `json:"spring_tests"`
	// Rejects counts rejected rows, RejectedValues the reject entries
	// (one per bad value: a row may have several).
	Rejects        int              `json:"rejects"`
	RejectedValues int              `json:"rejected_values"`
	Estimates      []model.Estimate `json:"estimates"`
	Notes          []string         `json:"notes,omitempty"`
	// Redacted is the salt ID (ingest.Redactor.SaltID) when student and
	// teacher IDs in every output are keyed hashes, else "".
	Redacted string `json:"redacted,omitempty"`
	// Outputs lists every file the run published apart from run.json, by
	// path within its folder, with its size in bytes: a run that would be
	// skipped first checks they are all there.
	Outputs map[string]int64 `json:"outputs,omitempty"`
	// Skipped lists the files and sheets of the input folder not read,
	// with the reason (README.txt: not a known table).
	Skipped []ingest.Skipped `json:"skipped_files,omitempty"`
}

// Run executes the pipeline. It returns the manifest of a successful,
// degraded or skipped run, or an error; an *ingest.FileError (test with
// errors.As) means the inputs are structurally unusable, outdir.ErrLocked
// that another run holds opts.Out. Either way the published outputs in
// opts.Out change only when a run succeeds, in one atomic step; a
// degraded run (Manifest.Status) is published only when the config's
// [degraded] publish says so, and otherwise kept in DegradedDir. Every
// run, failed (cancelled too), degraded and skipped ones, is added to the
// run history. Once a run is published it returns its manifest and no
// error, whatever happens after (a history it cannot write, which is
// logged and gets the row from run.json on the next run; ctx cancelled).
//
// The stages are methods of run, each in the file of its name: scan and
// load (stage_ingest.go), analyse (stage_model.go), report
// (stage_reports.go), finish (publish.go).
func Run(ctx context.Context, opts Options) (man *Manifest, err error) {
	r, err := newRun(opts)
	if err != nil {
		return nil, err
	}
	if r.red, err = r.opts.Config.Redactor(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if r.opts.Config.Parquet != "" {
		if err := outdir.CheckLink(r.opts.Config.Parquet, r.opts.Input, r.opts.Out, ParquetDir); err != nil {
			return nil, fmt.Errorf("config: parquet: %w", err)
		}
	}
	started := time.Now().UTC()
	dir, err := outdir.Lock(ctx, r.opts.Out, r.opts.Wait)
	if err != nil {
		return nil, err
	}
	defer dir.Release()
	if dir.Stale != "" {
		r.log.Warn("cleared a stale lock: the run that held it is gone", "lock", filepath.Join(r.opts.Out, outdir.LockFile), "left_by", dir.Stale)
	}
	if aside, moved, err := dir.SetAsideCopies(publishedNames(), started); err != nil {
		return nil, err
	} else if len(moved) > 0 {
		r.log.Warn("output folder entries that must be links are real files or folders (copied with cp -rL?): moved aside, to be deleted once checked", "moved", moved, "to", aside)
	}
	r.man = &Manifest{Status: outdir.StatusOK, Started: started, RunID: outdir.NewRunID(started), Input: r.opts.Input, Tables: map[string]int64{}, Estimates: []model.Estimate{}}
	man = r.man
	histPath := filepath.Join(r.opts.Out, outdir.HistoryFile)
	note, past, err := historyReady(ctx, histPath, dir.Current(), r.log)
	if err != nil {
		return nil, err
	}
	if note != "" {
		man.Notes = append(man.Notes, note)
	}
	if note := saltExposed(r.opts.Config.RedactSaltFile); note != "" {
		r.log.Warn(note, "file", r.opts.Config.RedactSaltFile)
		man.Notes = append(man.Notes, note)
	}
	// From here on, the run is recorded in the history whatever happens
	// (cancelled too). Once it is published, its status is that of its
	// outputs: a history that cannot be written then is logged, and the
	// next run adds the row from the published run.json.
	self, isPublished := man, false
	var inputs map[string]string
	defer func() {
		if herr := record(ctx, histPath, self, inputs, err); herr != nil {
			r.log.Error("run history not updated", "err", herr)
			if err == nil && !isPublished {
				man, err = nil, herr
			}
		}
	}()

	t0 := time.Now()
	srcs, err := r.scan(started)
	if err != nil {
		return nil, err
	}
	if inputs, err = r.fingerprint(ctx, srcs); err != nil {
		return nil, err
	}
	pub, damage := publishedRun(dir.Current())
	if damage != nil {
		r.log.Warn("the published run is missing or damaged: running", "why", damage)
	}
	if damage == nil && pub != nil && pub.Fingerprint == man.Fingerprint && !r.opts.Force {
		man.Status, man.SkippedFor = outdir.StatusSkipped, &pub.Started
		r.log.Info("inputs, config and program unchanged since the published run: outputs kept (--force reruns)", "published_run", pub.Started.Format(time.RFC3339))
		if err := linkParquet(dir, r.opts.Config); err != nil {
			return nil, err
		}
		return man, nil
	}

	staging, err := dir.Stage(man.RunID)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging) // gone after a publish

	resetPeakRSS()
	if r.db, err = model.Open(ctx, filepath.Join(staging, DBFile)); err != nil {
		return nil, err
	}
	defer r.db.Close()
	r.reportSteps()

	rejects, err := r.load(ctx, srcs)
	if err != nil {
		return nil, err
	}
	if err := unchanged(man.Files, srcs, inputs); err != nil {
		return nil, err
	}
	r.stage("ingest", t0)

	t0 = time.Now()
	if err := r.db.LoadHistory(ctx, past); err != nil { // the Run history sheet's trend
		return nil, err
	}
	dataNotes, err := r.analyse(ctx, rejects)
	if err != nil {
		return nil, err
	}
	r.degraded(dataNotes)
	r.stage("model", t0)

	t0 = time.Now()
	if err := r.report(ctx, staging, dataNotes); err != nil {
		return nil, err
	}
	r.stage("reports", t0)

	if r.opts.Config.Parquet != "" {
		t0 = time.Now()
		if err := r.db.ExportParquet(ctx, filepath.Join(staging, ParquetDir)); err != nil {
			return nil, err
		}
		r.stage("parquet", t0)
	}
	if isPublished, err = r.finish(dir, staging); err != nil {
		return nil, err
	}
	return man, nil
}

// run is one run's state as it goes through the stages: the options it
// was validated with, the logger and allocator, the redactor, the
// ingest limits and tables, the model it fills and the manifest it
// writes. Run makes one with newRun; Check makes one too, for its dry
// run of the same stages.
type run struct {
	opts   Options // opts.Config validated
	log    *slog.Logger
	mem    memory.Allocator
	red    *ingest.Redactor // nil unless IDs are hashed
	lim    ingest.Limits
	tables []*ingest.Table
	db     *model.DB
	man    *Manifest
}

// newRun validates opts.Config once and makes the run's state, with no
// redactor (Run sets it from the config); the error of a bad config
// wraps ErrConfig.
func newRun(opts Options) (*run, error) {
	if err := opts.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	r := &run{opts: opts, log: opts.Log, mem: opts.Mem, lim: opts.Config.Limits.Ingest(), tables: ingest.Tables()}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.mem == nil {
		r.mem = memory.NewGoAllocator()
	}
	return r, nil
}

// publishedNames are the outputs Publish links into the output folder.
func publishedNames() []string { return []string{DBFile, ReportsDir, ChartsDir, ManifestFile} }

// stage records a stage that began at t0 in the manifest, with its peak
// resident memory, and starts the next stage's peak from here.
func (r *run) stage(name string, t0 time.Time) {
	d := time.Since(t0)
	peak := peakRSS()
	resetPeakRSS()
	r.man.Stages = append(r.man.Stages, Stage{Name: name, Seconds: d.Seconds(), PeakRSS: peak})
	r.log.Info("stage done", "stage", name, "seconds", fmt.Sprintf("%.3f", d.Seconds()), "peak_rss_mib", peak>>20)
}

// reportSteps logs each model step (at debug level) and reports it to
// opts.Progress.
func (r *run) reportSteps() {
	steps, total := 0, model.Steps()
	r.db.OnStep = func(step string, took time.Duration) {
		r.log.Debug("model step", "step", step, "seconds", fmt.Sprintf("%.3f", took.Seconds()), "peak_rss_mib", peakRSS()>>20)
		steps++
		progress(r.opts, "model", step, steps, total)
	}
}

// progress reports to opts.Progress, if set.
func progress(opts Options, stage, item string, done, total int) {
	if opts.Progress != nil {
		opts.Progress(stage, item, done, total)
	}
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o640)
}
