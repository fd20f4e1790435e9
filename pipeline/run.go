package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/reports"
)

// Output names inside the output folder.
const (
	DBFile       = "coachimpact.duckdb"
	ManifestFile = "run.json"
	ReportsDir   = "reports"
	ChartsDir    = "charts"
)

// Options are the inputs of one run.
type Options struct {
	Input  string
	Out    string
	Config config.Config
	Log    *slog.Logger
	// Mem allocates the Arrow buffers; default the Go allocator.
	Mem memory.Allocator
}

// Stage is the wall time of one step.
type Stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// Manifest is run.json: what the run read, loaded, rejected and found.
type Manifest struct {
	Status    string           `json:"status"`
	Started   time.Time        `json:"started"`
	Finished  time.Time        `json:"finished"`
	Seconds   float64          `json:"seconds"`
	Input     string           `json:"input"`
	Stages    []Stage          `json:"stages"`
	Files     []ingest.Stats   `json:"files"`
	Tables    map[string]int64 `json:"tables"`
	Rejects   int              `json:"rejects"`
	Estimates []model.Estimate `json:"estimates"`
	Notes     []string         `json:"notes,omitempty"`
}

// Run executes the pipeline. It returns the manifest of a successful run,
// or an error; an *ingest.FileError (test with errors.As) means the inputs
// are structurally unusable. Either way nothing in opts.Out is changed
// unless the run succeeded.
func Run(ctx context.Context, opts Options) (*Manifest, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mem := opts.Mem
	if mem == nil {
		mem = memory.NewGoAllocator()
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	man := &Manifest{Status: "ok", Started: time.Now().UTC(), Input: opts.Input, Tables: map[string]int64{}, Estimates: []model.Estimate{}}
	stage := func(name string, t0 time.Time) {
		d := time.Since(t0)
		man.Stages = append(man.Stages, Stage{Name: name, Seconds: d.Seconds()})
		log.Info("stage done", "stage", name, "seconds", fmt.Sprintf("%.3f", d.Seconds()))
	}

	t0 := time.Now()
	tables := ingest.Tables()
	srcs, err := ingest.Discover(opts.Input, tables, &opts.Config.Mapping, ingest.Limits{})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Out, 0o750); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	staging, err := os.MkdirTemp(opts.Out, ".staging-")
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	defer os.RemoveAll(staging)

	db, err := model.Open(ctx, filepath.Join(staging, DBFile))
	if err != nil {
		return nil, err
	}
	defer db.Close()

	rejects, err := load(ctx, db, srcs, tables, opts, mem, man, log)
	if err != nil {
		return nil, err
	}
	stage("ingest", t0)

	t0 = time.Now()
	if err := db.Build(ctx); err != nil {
		return nil, err
	}
	if man.Estimates, err = db.Analyze(ctx, model.AnalyzeOptions{MinCell: opts.Config.MinCell, Seed: 1}); err != nil {
		return nil, err
	}
	if man.Tables, err = db.TableCounts(ctx); err != nil {
		return nil, err
	}
	man.Rejects = len(rejects)
	stage("model", t0)

	t0 = time.Now()
	rep := reports.Input{DB: db, Files: man.Files, MinCell: opts.Config.MinCell, ShowTeacherNames: opts.Config.ShowTeacherNames, Started: man.Started}
	if err := reports.Build(ctx, rep, filepath.Join(staging, ReportsDir), filepath.Join(staging, ChartsDir)); err != nil {
		return nil, err
	}
	stage("reports", t0)

	if err := db.Close(); err != nil {
		return nil, fmt.Errorf("close model: %w", err)
	}
	if err := os.Chmod(filepath.Join(staging, DBFile), 0o640); err != nil {
		return nil, err
	}
	man.Finished = time.Now().UTC()
	man.Seconds = man.Finished.Sub(man.Started).Seconds()
	if err := writeJSON(filepath.Join(staging, ManifestFile), man); err != nil {
		return nil, err
	}
	if err := publish(staging, opts.Out, []string{DBFile, ReportsDir, ChartsDir, ManifestFile}); err != nil {
		return nil, err
	}
	log.Info("run done", "out", opts.Out, "seconds", fmt.Sprintf("%.2f", man.Seconds), "rejects", man.Rejects)
	return man, nil
}

// load reads every source into its table, creates empty tables for the
// optional inputs not given, and loads the rejects.
func load(ctx context.Context, db *model.DB, srcs []*ingest.Source, tables []*ingest.Table, opts Options, mem memory.Allocator, man *Manifest, log *slog.Logger) ([]ingest.RowError, error) {
	var present []string
	for _, s := range srcs {
		present = append(present, s.Table.Name)
	}
	keys := ingest.NewKeys(present)
	var rejects []ingest.RowError
	given := map[string]bool{}
	for _, src := range srcs {
		given[src.Table.Name] = true
		rdr, err := ingest.Open(ctx, src, &opts.Config.Mapping, keys, mem, ingest.Limits{})
		if err != nil {
			return nil, err
		}
		err = db.LoadArrow(ctx, src.Table.Name, rdr)
		st := rdr.Stats()
		rejects = append(rejects, rdr.Rejects...)
		rdr.Release()
		if err != nil {
			return nil, err
		}
		man.Files = append(man.Files, st)
		log.Info("loaded", "file", st.Source, "table", st.Table, "read", st.RowsRead, "loaded", st.RowsLoaded, "rejected", st.RowsRejected)
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

// publish moves the named items from staging into out, replacing what is
// there. Old items are moved aside first and restored if a move fails.
func publish(staging, out string, names []string) error {
	var suffix [6]byte
	rand.Read(suffix[:])
	trash := filepath.Join(out, ".old-"+hex.EncodeToString(suffix[:]))
	if err := os.Mkdir(trash, 0o750); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	defer os.RemoveAll(trash)
	var moved []string
	rollback := func(err error) error {
		for _, n := range moved {
			os.RemoveAll(filepath.Join(out, n))
			os.Rename(filepath.Join(trash, n), filepath.Join(out, n))
		}
		return fmt.Errorf("publish: %w", err)
	}
	for _, n := range names {
		dst := filepath.Join(out, n)
		if _, err := os.Lstat(dst); err == nil {
			if err := os.Rename(dst, filepath.Join(trash, n)); err != nil {
				return rollback(err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return rollback(err)
		}
		moved = append(moved, n)
		if err := os.Rename(filepath.Join(staging, n), dst); err != nil {
			return rollback(err)
		}
	}
	return nil
}
