package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
	"github.com/coachimpact/coachimpact/reports"
	"golang.org/x/sync/errgroup"
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
func Run(ctx context.Context, opts Options) (man *Manifest, err error) {
	log, mem := opts.logAndMem()
	if err := opts.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	red, err := opts.Config.Redactor()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if opts.Config.Parquet != "" {
		if err := outdir.CheckLink(opts.Config.Parquet, opts.Input, opts.Out, ParquetDir); err != nil {
			return nil, fmt.Errorf("config: parquet: %w", err)
		}
	}
	started := time.Now().UTC()
	dir, err := outdir.Lock(ctx, opts.Out, opts.Wait)
	if err != nil {
		return nil, err
	}
	defer dir.Release()
	if dir.Stale != "" {
		log.Warn("cleared a stale lock: the run that held it is gone", "lock", filepath.Join(opts.Out, outdir.LockFile), "left_by", dir.Stale)
	}
	published := []string{DBFile, ReportsDir, ChartsDir, ManifestFile} // the names Publish links
	if aside, moved, err := dir.SetAsideCopies(published, started); err != nil {
		return nil, err
	} else if len(moved) > 0 {
		log.Warn("output folder entries that must be links are real files or folders (copied with cp -rL?): moved aside, to be deleted once checked", "moved", moved, "to", aside)
	}
	man = &Manifest{Status: outdir.StatusOK, Started: started, RunID: outdir.NewRunID(started), Input: opts.Input, Tables: map[string]int64{}, Estimates: []model.Estimate{}}
	histPath := filepath.Join(opts.Out, outdir.HistoryFile)
	if note, err := historyReady(ctx, histPath, dir.Current(), log); err != nil {
		return nil, err
	} else if note != "" {
		man.Notes = append(man.Notes, note)
	}
	if note := saltExposed(opts.Config.RedactSaltFile); note != "" {
		log.Warn(note, "file", opts.Config.RedactSaltFile)
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
			log.Error("run history not updated", "err", herr)
			if err == nil && !isPublished {
				man, err = nil, herr
			}
		}
	}()

	t0 := time.Now()
	tables := ingest.Tables()
	lim := opts.Config.Limits.Ingest()
	lim.Today = ingest.DateOf(started)
	if err := regularInputs(opts.Input); err != nil {
		return nil, err
	}
	found, err := ingest.Scan(opts.Input, tables, &opts.Config.Mapping, lim)
	if err != nil {
		return nil, err
	}
	srcs := found.Sources
	man.Skipped = found.Skipped
	for _, sk := range man.Skipped {
		log.Warn("input file not read", "file", sk.Name(), "reason", sk.Reason)
	}
	if inputs, err = checksums(ctx, srcs); err != nil {
		return nil, err
	}
	if opts.afterChecksums != nil {
		opts.afterChecksums()
	}
	if red != nil {
		man.Redacted = red.SaltID()
	}
	man.Fingerprint, err = fingerprint(inputs, opts.Config, man.Redacted)
	if err != nil {
		return nil, err
	}
	pub, damage := publishedRun(dir.Current())
	if damage != nil {
		log.Warn("the published run is missing or damaged: running", "why", damage)
	}
	if damage == nil && pub != nil && pub.Fingerprint == man.Fingerprint && !opts.Force {
		man.Status, man.SkippedFor = outdir.StatusSkipped, &pub.Started
		log.Info("inputs, config and program unchanged since the published run: outputs kept (--force reruns)", "published_run", pub.Started.Format(time.RFC3339))
		if err := linkParquet(dir, opts.Config); err != nil {
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
	stage := func(name string, t0 time.Time) {
		d := time.Since(t0)
		peak := peakRSS()
		resetPeakRSS() // the next stage's peak starts from here
		man.Stages = append(man.Stages, Stage{Name: name, Seconds: d.Seconds(), PeakRSS: peak})
		log.Info("stage done", "stage", name, "seconds", fmt.Sprintf("%.3f", d.Seconds()), "peak_rss_mib", peak>>20)
	}
	db, err := model.Open(ctx, filepath.Join(staging, DBFile))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	steps, total := 0, model.Steps()
	db.OnStep = func(step string, took time.Duration) {
		log.Debug("model step", "step", step, "seconds", fmt.Sprintf("%.3f", took.Seconds()), "peak_rss_mib", peakRSS()>>20)
		steps++
		progress(opts, "model", step, steps, total)
	}

	rejects, err := load(ctx, db, srcs, tables, opts, lim, red, mem, man, log)
	if err != nil {
		return nil, err
	}
	if err := unchanged(man.Files, srcs, inputs); err != nil {
		return nil, err
	}
	stage("ingest", t0)

	t0 = time.Now()
	dataNotes, err := analyse(ctx, db, opts.Config, red, rejects, histPath, man)
	if err != nil {
		return nil, err
	}
	for _, n := range dataNotes {
		log.Warn(n)
	}
	if len(man.Reasons) > 0 {
		man.Status = outdir.StatusDegraded
		for _, r := range man.Reasons {
			log.Warn("run degraded: "+r.Text, "code", r.Code, "subject", r.Subject)
		}
	}
	man.Published = man.Status == outdir.StatusOK || opts.Config.Degraded.Publish
	stage("model", t0)

	t0 = time.Now()
	rep := reports.Input{DB: db, Files: man.Files, Skipped: man.Skipped, MinCell: opts.Config.MinCell, MinClassrooms: opts.Config.MinClassrooms, MinCoachedTeachers: opts.Config.MinCoachedTeachers,
		Prior: model.Prior{Mean: opts.Config.Model.PriorMean, SD: opts.Config.Model.PriorSD, Threshold: opts.Config.Model.Threshold}, ShowTeacherNames: opts.Config.ShowTeacherNames && red == nil, Redacted: man.Redacted, Started: man.Started, Degraded: man.Reasons, DataNotes: dataNotes,
		Progress: func(what string, done, total int) { progress(opts, "reports", what, done, total) }}
	for _, b := range []struct{ cfg, book string }{
		{config.ReportDistrict, reports.DistrictBook}, {config.ReportCohorts, reports.CohortsBook}, {config.ReportSchools, reports.SchoolsDir},
	} {
		if !opts.Config.Builds(b.cfg) {
			rep.Skip = append(rep.Skip, b.book)
		}
	}
	if err := reports.Build(ctx, rep, filepath.Join(staging, ReportsDir), filepath.Join(staging, ChartsDir)); err != nil {
		return nil, err
	}
	stage("reports", t0)

	if opts.Config.Parquet != "" {
		t0 = time.Now()
		if err := db.ExportParquet(ctx, filepath.Join(staging, ParquetDir)); err != nil {
			return nil, err
		}
		stage("parquet", t0)
	}

	if err := db.Close(); err != nil {
		return nil, fmt.Errorf("close model: %w", err)
	}
	if err := os.Chmod(filepath.Join(staging, DBFile), 0o640); err != nil {
		return nil, err
	}
	if man.Outputs, err = listOutputs(staging); err != nil {
		return nil, err
	}
	man.Finished = time.Now().UTC()
	man.Seconds = man.Finished.Sub(man.Started).Seconds()
	if err := writeJSON(filepath.Join(staging, ManifestFile), man); err != nil {
		return nil, err
	}
	kept := filepath.Join(opts.Out, DegradedDir)
	if !man.Published {
		if err := keep(staging, kept); err != nil {
			return nil, err
		}
		log.Warn("run degraded: outputs not published, the last good outputs stay in place ([degraded] publish = true publishes such runs)",
			"kept", kept, "reasons", len(man.Reasons), "rejected_rows", man.Rejects, "rejected_values", man.RejectedValues)
		return man, nil
	}
	if err := dir.Publish(staging, published); err != nil {
		if filepath.Base(dir.Current()) != man.RunID {
			return nil, err
		}
		log.Error("run published, but tidying up after it failed", "err", err)
	}
	// Published: nothing from here on fails the run, nor does a
	// cancellation (SIGTERM) that comes now.
	isPublished = true
	if opts.afterPublish != nil {
		opts.afterPublish()
	}
	if err := linkParquet(dir, opts.Config); err != nil {
		log.Error("run published, but the Parquet export link was not made (the next run makes it)", "err", err)
	}
	if err := os.RemoveAll(kept); err != nil { // an older degraded run's
		log.Error("run published, but the last degraded run's outputs were not removed", "kept", kept, "err", err)
	}
	log.Info("run done", "status", man.Status, "out", opts.Out, "seconds", fmt.Sprintf("%.2f", man.Seconds), "rejected_rows", man.Rejects, "rejected_values", man.RejectedValues)
	return man, nil
}

// logAndMem are the options' logger and allocator, or a logger that
// discards and Go's allocator.
func (o Options) logAndMem() (*slog.Logger, memory.Allocator) {
	log, mem := o.Log, o.Mem
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if mem == nil {
		mem = memory.NewGoAllocator()
	}
	return log, mem
}

// analyse builds the model over the tables load put in db and analyses
// it, as a run does: it sets man's estimates, table counts, spring tests,
// reject counts, notes and degraded reasons, and returns the notes on the
// data (grades counted back, a main test not taken) for the workbooks. histPath, when not "", is the run
// history whose estimates are imported (for the reports' trend) before
// the tables are counted.
func analyse(ctx context.Context, db *model.DB, cfg config.Config, red *ingest.Redactor, rejects []ingest.RowError, histPath string, man *Manifest) (dataNotes []string, err error) {
	if red != nil {
		// Ties for the teacher of record go where they would without
		// redaction: by the district's own IDs behind the hashes.
		if err := db.OrderTeachers(ctx, red.SortByID); err != nil {
			return nil, err
		}
	}
	if err := db.SetMainTests(ctx, cfg.Model.MainTests); err != nil {
		return nil, err
	}
	if err := db.Build(ctx); err != nil {
		return nil, err
	}
	if man.Estimates, err = db.Analyze(ctx, model.AnalyzeOptions{MinCell: cfg.MinCell, MinClassrooms: cfg.MinClassrooms, MinCoachedTeachers: cfg.MinCoachedTeachers,
		Prior: model.Prior{Mean: cfg.Model.PriorMean, SD: cfg.Model.PriorSD, Threshold: cfg.Model.Threshold}, Seed: 1}); err != nil {
		return nil, err
	}
	if histPath != "" {
		if err := db.ImportHistory(ctx, histPath); err != nil {
			return nil, err
		}
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

// keep moves a degraded run's staging folder to kept, replacing the
// outputs of the degraded run kept there before.
func keep(staging, kept string) error {
	if err := os.RemoveAll(kept); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	if err := os.Rename(staging, kept); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	os.Remove(filepath.Join(kept, outdir.OwnerFile)) // no clean-up looks there
	return nil
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

// load reads every source into its table, creates empty tables for the
// optional inputs not given, and loads the rejects.
func load(ctx context.Context, db *model.DB, srcs []*ingest.Source, tables []*ingest.Table, opts Options, lim ingest.Limits, red *ingest.Redactor, mem memory.Allocator, man *Manifest, log *slog.Logger) ([]ingest.RowError, error) {
	var present []string
	for _, s := range srcs {
		present = append(present, s.Table.Name)
	}
	keys := ingest.NewKeys(present)
	defer keys.Release()
	keys.Redact = red
	// A table is loaded once the tables its IDs refer to are (their keys
	// check its rows); tables that do not depend on each other load at
	// once, one per core. Results are kept in source order.
	type result struct {
		stats   ingest.Stats
		rejects []ingest.RowError
	}
	results := make([]result, len(srcs))
	loaded := map[string]chan struct{}{}
	given := map[string]bool{}
	for _, src := range srcs {
		given[src.Table.Name] = true
		loaded[src.Table.Name] = make(chan struct{})
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	var mu sync.Mutex
	finished := 0
	for i, src := range srcs {
		// Wait here, not in the goroutine, so that a waiting table never
		// holds a slot its dependencies need.
		for _, dep := range src.Table.Refs() {
			if ch, ok := loaded[dep]; ok && dep != src.Table.Name {
				select {
				case <-ch:
				case <-gctx.Done():
				}
			}
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			rdr, err := ingest.Open(gctx, src, &opts.Config.Mapping, keys, mem, lim)
			if err != nil {
				return err
			}
			err = db.LoadArrow(gctx, src.Table.Name, rdr)
			st := rdr.Stats()
			results[i] = result{st, rdr.Rejects}
			rdr.Release()
			if err != nil {
				return err
			}
			close(loaded[src.Table.Name])
			mu.Lock()
			finished++
			progress(opts, "ingest", src.Name(), finished, len(srcs))
			mu.Unlock()
			log.Info("loaded", "file", st.Source, "table", st.Table, "read", st.RowsRead, "loaded", st.RowsLoaded, "rejected", st.RowsRejected)
			if st.Encoding != "" {
				log.Warn("file is not UTF-8; decoded from "+st.Encoding, "file", st.Source)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var rejects []ingest.RowError
	for _, r := range results {
		man.Files = append(man.Files, r.stats)
		rejects = append(rejects, r.rejects...)
	}
	for _, t := range tables {
		if given[t.Name] {
			continue
		}
		empty, err := array.NewRecordReader(t.Schema(), nil)
		if err != nil {
			return nil, err
		}
		if err := db.LoadArrow(ctx, t.Name, empty); err != nil {
			return nil, err
		}
		empty.Release()
		man.Notes = append(man.Notes, fmt.Sprintf("optional table %s not given: %s", t.Name, absentNote(t.Name)))
	}
	rr, err := ingest.RejectsReader(mem, rejects)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	if err := db.LoadArrow(ctx, "rejects", rr); err != nil {
		return nil, err
	}
	return rejects, nil
}

// progress reports to opts.Progress, if set.
func progress(opts Options, stage, item string, done, total int) {
	if opts.Progress != nil {
		opts.Progress(stage, item, done, total)
	}
}

func absentNote(table string) string {
	switch table {
	case "coaches":
		return "coach IDs are taken as given"
	case "observations":
		return "the teacher-practice analysis is skipped"
	}
	return "empty"
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o640)
}
