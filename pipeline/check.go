package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
)

// CheckReport is what a dry run (Check) found: per file what a run would
// read and reject, what it would not read, and what the model would be
// able to estimate.
type CheckReport struct {
	Input string `json:"input"`
	// Files are the sources a run would read, in load order.
	Files []FileCheck `json:"files"`
	// Skipped are the files and sheets a run would not read, each with
	// the reason and its first rows.
	Skipped []SkippedCheck `json:"skipped_files,omitempty"`
	// Missing are the required tables no file holds: a run stops on them
	// (exit code 3).
	Missing []string `json:"missing_tables,omitempty"`
	// Model is what the model, built from the files that can be read,
	// can estimate.
	Model *ModelCheck `json:"model,omitempty"`
	// Notes say which optional tables are not given, as a run's do.
	Notes []string `json:"notes,omitempty"`
}

// Structural reports whether a run on the inputs would stop as
// structurally unusable (exit code 3): a required table missing, or a
// file that cannot be read as its table.
func (r *CheckReport) Structural() bool {
	if len(r.Missing) > 0 {
		return true
	}
	for _, f := range r.Files {
		if f.Error != "" {
			return true
		}
	}
	return false
}

// FileCheck is one source as a run would read it.
type FileCheck struct {
	Name  string `json:"name"` // "rosters.csv" or "book.xlsx[rosters]"
	Table string `json:"table"`
	// Error is the structural fault that stops the source (a missing
	// required column, no header): a run stops on it. Stats is then
	// empty and Head holds the rows the header was looked for in.
	Error  string       `json:"error,omitempty"`
	Column string       `json:"error_column,omitempty"` // the canonical columns Error names, if any
	Head   *Head        `json:"head,omitempty"`
	Stats  ingest.Stats `json:"stats"`
	// Rejects are the rejected values grouped by reason and column, the
	// largest group first.
	Rejects []RejectGroup `json:"rejects,omitempty"`
}

// SkippedCheck is a file or sheet a run would not read, with the header
// it seems to have (nil when it cannot be read as rows).
type SkippedCheck struct {
	ingest.Skipped
	Head *Head `json:"head,omitempty"`
}

// RejectGroup is the rejected values of one source with one reason in
// one column: how many values and rows, and the first few.
type RejectGroup struct {
	Reason   string          `json:"reason"` // the sentinel's text, ingest.Reason
	Column   string          `json:"column,omitempty"`
	Values   int             `json:"values"`
	Rows     int             `json:"rows"`
	Examples []RejectExample `json:"examples"`
	err      error           // the sentinel, for errors.Is
}

// Is reports whether the group's reason is the sentinel target.
func (g RejectGroup) Is(target error) bool { return errors.Is(g.err, target) }

// RejectExample is one rejected value as the user finds it in the file.
type RejectExample struct {
	File   string `json:"file"` // "rosters.csv" or "book.xlsx[rosters]"
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Value  string `json:"value"`
	Detail string `json:"detail,omitempty"`
}

// maxExamples is how many rejected values a RejectGroup shows.
const maxExamples = 3

// ModelCheck is what the model, built in memory from the files that
// read, can estimate.
type ModelCheck struct {
	Coverage    model.Coverage     `json:"coverage"`
	SpringTests []model.SpringTest `json:"spring_tests"`
	Estimates   []model.Estimate   `json:"estimates"`
	// Reasons are the degraded reasons a run would give (exit code 4).
	Reasons []model.Reason   `json:"reasons,omitempty"`
	Tables  map[string]int64 `json:"tables"`
}

// Check is a dry run of Run on opts.Input with opts.Config: it reads
// every file as a run would, builds and analyses the model in an
// in-memory database, and reports what it found. It writes nothing:
// opts.Out is not used, no run history is kept, and DuckDB spills, if
// at all, into a temporary folder removed on return. IDs are never
// redacted (the report is for the coordinator's eyes). It returns an
// error for a config error, and an *ingest.FileError when the input
// folder cannot be listed, a workbook cannot be opened, two sources
// give one table, or a file fails in the middle of being read;
// a required table missing or a file that cannot be read as its table is
// in the report (CheckReport.Structural), and the model is built without
// it.
func Check(ctx context.Context, opts Options) (*CheckReport, error) {
	r, err := newRun(opts)
	if err != nil {
		return nil, err
	}
	tables := r.tables
	r.lim.Today = ingest.DateOf(time.Now().UTC())
	if err := regularInputs(r.opts.Input); err != nil {
		return nil, err
	}
	found, err := ingest.Scan(r.opts.Input, optionalTables(tables), &r.opts.Config.Mapping, r.lim)
	if err != nil {
		return nil, err
	}
	rep := &CheckReport{Input: r.opts.Input}
	byName := map[string]*ingest.Table{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	given := map[string]bool{}
	for _, s := range found.Sources {
		s.Table = byName[s.Table.Name] // required again, for the model's checks
		given[s.Table.Name] = true
		rep.Files = append(rep.Files, FileCheck{Name: s.Name(), Table: s.Table.Name})
	}
	for _, t := range tables {
		if t.Required && !given[t.Name] {
			rep.Missing = append(rep.Missing, t.Name)
		}
	}
	for _, sk := range found.Skipped {
		sc := SkippedCheck{Skipped: sk}
		if sk.Sheet != "" || isTabular(sk.File) {
			sc.Head = readHead(joinInput(r.opts.Input, sk.File), sk.Sheet)
		}
		rep.Skipped = append(rep.Skipped, sc)
	}

	tmp, err := os.MkdirTemp("", "coachimpact-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if r.db, err = model.Open(ctx, ""); err != nil {
		return nil, err
	}
	defer r.db.Close()
	if err := r.db.SetTempDir(ctx, tmp); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	rejects, err := r.loadReadable(ctx, found.Sources, rep)
	if err != nil {
		return nil, err
	}
	man := r.man
	for _, t := range tables {
		if !t.Required && !given[t.Name] {
			rep.Notes = append(rep.Notes, fmt.Sprintf("optional table %s not given: %s", t.Name, t.AbsentNote()))
		}
	}
	groups := groupRejects(rejects)
	for _, st := range man.Files {
		for i := range rep.Files {
			if rep.Files[i].Name == st.Source {
				rep.Files[i].Stats = st
				rep.Files[i].Rejects = groups[st.Source]
			}
		}
	}
	if _, err := r.analyse(ctx, rejects); err != nil {
		return nil, err
	}
	cov, err := r.db.Coverage(ctx)
	if err != nil {
		return nil, err
	}
	rep.Model = &ModelCheck{Coverage: cov, SpringTests: man.SpringTests, Estimates: man.Estimates, Reasons: man.Reasons, Tables: man.Tables}
	return rep, nil
}

// optionalTables are copies of tables with none required, so that Scan
// lists what it finds even when a required table is missing (Check
// reports that itself).
func optionalTables(tables []*ingest.Table) []*ingest.Table {
	out := make([]*ingest.Table, len(tables))
	for i, t := range tables {
		c := *t
		c.Required = false
		out[i] = &c
	}
	return out
}

// loadReadable loads srcs into db as a run does, leaving out the
// sources that cannot be read as their table: when the load stops on a
// structural fault, each source is opened alone to find those that
// fail, their faults (and heads) go into rep.Files, and the rest is
// loaded again. A fault no source shows when opened (one met while
// reading, such as limits.max_rows) is returned.
func (r *run) loadReadable(ctx context.Context, srcs []*ingest.Source, rep *CheckReport) ([]ingest.RowError, error) {
	for {
		r.man = &Manifest{Tables: map[string]int64{}}
		rejects, err := r.load(ctx, srcs)
		var fe *ingest.FileError
		if err == nil || !errors.As(err, &fe) {
			return rejects, err
		}
		var ok []*ingest.Source
		for _, src := range srcs {
			perr := probe(ctx, src, &r.opts.Config.Mapping, r.mem, r.lim)
			if !errors.As(perr, &fe) {
				if perr != nil {
					return nil, perr
				}
				ok = append(ok, src)
				continue
			}
			for i := range rep.Files {
				if rep.Files[i].Name == src.Name() {
					rep.Files[i].Error, rep.Files[i].Column = perr.Error(), fe.Column
					rep.Files[i].Head = readHead(src.Path, src.Sheet)
				}
			}
		}
		if len(ok) == len(srcs) {
			return nil, err
		}
		srcs = ok
	}
}

// probe opens src as a run would and closes it again: the error is the
// structural fault that would stop the run on it, if any.
func probe(ctx context.Context, src *ingest.Source, m *ingest.Mapping, mem memory.Allocator, lim ingest.Limits) error {
	keys := ingest.NewKeys(nil)
	defer keys.Release()
	rdr, err := ingest.Open(ctx, src, m, keys, mem, lim)
	if err != nil {
		return err
	}
	rdr.Release()
	return nil
}

// groupRejects groups rejected values by source (File[Sheet]), then by
// reason and column; within a source the groups with the most values
// come first, and each keeps its first maxExamples values in row order.
func groupRejects(rejects []ingest.RowError) map[string][]RejectGroup {
	type key struct{ src, reason, column string }
	idx := map[key]int{}
	rows := map[key]map[int]bool{}
	out := map[string][]RejectGroup{}
	for _, r := range rejects {
		src := r.File
		if r.Sheet != "" {
			src += "[" + r.Sheet + "]"
		}
		k := key{src, ingest.Reason(r.Err), r.Column}
		i, ok := idx[k]
		if !ok {
			i = len(out[src])
			idx[k] = i
			rows[k] = map[int]bool{}
			out[src] = append(out[src], RejectGroup{Reason: k.reason, Column: r.Column, err: r.Err})
		}
		g := &out[src][i]
		g.Values++
		rows[k][r.Row] = true
		g.Rows = len(rows[k])
		if len(g.Examples) < maxExamples {
			g.Examples = append(g.Examples, RejectExample{File: src, Row: r.Row, Column: r.Column, Value: r.Value, Detail: r.Detail})
		}
	}
	for src, gs := range out {
		for i := range gs {
			slices.SortStableFunc(gs[i].Examples, func(a, b RejectExample) int { return cmp.Compare(a.Row, b.Row) })
		}
		slices.SortStableFunc(gs, func(a, b RejectGroup) int { return cmp.Compare(b.Values, a.Values) })
		out[src] = gs
	}
	return out
}
