package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"golang.org/x/sync/errgroup"

	"github.com/coachimpact/coachimpact/ingest"
)

// scan lists the input folder's sources (the run's first step, at
// started: the limits' today), logging and recording what it does not
// read.
func (r *run) scan(started time.Time) ([]*ingest.Source, error) {
	r.lim.Today = ingest.DateOf(started)
	if err := regularInputs(r.opts.Input); err != nil {
		return nil, err
	}
	found, err := ingest.Scan(r.opts.Input, r.tables, &r.opts.Config.Mapping, r.lim)
	if err != nil {
		return nil, err
	}
	r.man.Skipped = found.Skipped
	for _, sk := range r.man.Skipped {
		r.log.Warn("input file not read", "file", sk.Name(), "reason", sk.Reason)
	}
	return found.Sources, nil
}

// fingerprint hashes the sources (the checksums it returns, by source,
// are checked again once they are read) and sets the manifest's salt ID
// and fingerprint: the inputs, the config and the program.
func (r *run) fingerprint(ctx context.Context, srcs []*ingest.Source) (map[string]string, error) {
	inputs, err := checksums(ctx, srcs)
	if err != nil {
		return nil, err
	}
	if r.opts.afterChecksums != nil {
		r.opts.afterChecksums()
	}
	if r.red != nil {
		r.man.Redacted = r.red.SaltID()
	}
	r.man.Fingerprint, err = fingerprint(inputs, r.opts.Config, r.man.Redacted)
	return inputs, err
}

// load reads every source into its table in r.db, creates empty tables
// for the optional inputs not given (with the manifest's note), records
// each file's stats in the manifest, loads the rejects and returns them.
func (r *run) load(ctx context.Context, srcs []*ingest.Source) ([]ingest.RowError, error) {
	var present []string
	for _, s := range srcs {
		present = append(present, s.Table.Name)
	}
	keys := ingest.NewKeys(present)
	defer keys.Release()
	keys.Redact = r.red
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
			rdr, err := ingest.Open(gctx, src, &r.opts.Config.Mapping, keys, r.mem, r.lim)
			if err != nil {
				return err
			}
			err = r.db.LoadArrow(gctx, src.Table.Name, rdr)
			st := rdr.Stats()
			results[i] = result{st, rdr.Rejects}
			rdr.Release()
			if err != nil {
				return err
			}
			close(loaded[src.Table.Name])
			mu.Lock()
			finished++
			progress(r.opts, "ingest", src.Name(), finished, len(srcs))
			mu.Unlock()
			r.log.Info("loaded", "file", st.Source, "table", st.Table, "read", st.RowsRead, "loaded", st.RowsLoaded, "rejected", st.RowsRejected)
			if st.Encoding != "" {
				r.log.Warn("file is not UTF-8; decoded from "+st.Encoding, "file", st.Source)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var rejects []ingest.RowError
	for _, res := range results {
		r.man.Files = append(r.man.Files, res.stats)
		rejects = append(rejects, res.rejects...)
	}
	for _, t := range r.tables {
		if given[t.Name] {
			continue
		}
		empty, err := array.NewRecordReader(t.Schema(), nil)
		if err != nil {
			return nil, err
		}
		if err := r.db.LoadArrow(ctx, t.Name, empty); err != nil {
			return nil, err
		}
		empty.Release()
		r.man.Notes = append(r.man.Notes, fmt.Sprintf("optional table %s not given: %s", t.Name, t.AbsentNote()))
	}
	if err := r.db.LoadFiles(ctx, r.man.Files, r.man.Skipped); err != nil {
		return nil, err
	}
	rr, err := ingest.RejectsReader(r.mem, rejects)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	if err := r.db.LoadArrow(ctx, "rejects", rr); err != nil {
		return nil, err
	}
	return rejects, nil
}
