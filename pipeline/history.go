package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
)

// ErrInputChanged means an input file changed while the run read it.
var ErrInputChanged = errors.New("input file changed during the run")

// checksums hashes every input file once (a workbook feeds several
// tables): base name → hex sha256.
func checksums(srcs []*ingest.Source) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range srcs {
		if _, ok := out[s.File]; ok {
			continue
		}
		sum, err := ingest.FileSHA256(s.Path)
		if err != nil {
			return nil, &ingest.FileError{File: s.File, Err: err}
		}
		out[s.File] = sum
	}
	return out, nil
}

// unchanged checks that each file's checksum as read equals the one taken
// before the run.
func unchanged(read []ingest.Stats, srcs []*ingest.Source, before map[string]string) error {
	for i, st := range read {
		if i < len(srcs) && st.SHA256 != before[srcs[i].File] {
			return fmt.Errorf("%w: %s (sha256 %.12s before, %.12s as read)", ErrInputChanged, srcs[i].File, before[srcs[i].File], st.SHA256)
		}
	}
	return nil
}

// fingerprint identifies what a run's outputs depend on: the input files'
// checksums, the settings that change outputs and the program's build.
func fingerprint(inputs map[string]string, cfg config.Config, saltID string) (string, error) {
	cfg.Input, cfg.Out = "", "" // where the files are does not matter
	names := make([]string, 0, len(inputs))
	for n := range inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\t%s\n", n, inputs[n])
	}
	c, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	h.Write(c)
	fmt.Fprintf(h, "\nsalt %s", saltID) // the salt file's content, not only its name
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(h, "\n%s %s", bi.Main.Version, bi.GoVersion)
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				fmt.Fprintf(h, " %s=%s", s.Key, s.Value)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// historyReady opens and closes the run history at path, so that a
// history another process holds fails the run before any work.
func historyReady(ctx context.Context, path string) error {
	h, err := outdir.OpenHistory(ctx, path)
	if err != nil {
		return err
	}
	return h.Close()
}

func addHistory(ctx context.Context, path string, r outdir.Record) error {
	h, err := outdir.OpenHistory(ctx, path)
	if err != nil {
		return err
	}
	return errors.Join(h.Add(ctx, r), h.Close())
}

// headlines are the estimates whose trend across runs district.xlsx
// shows: the pooled impact per subject and overall, the dose-response and
// the two difference-in-differences estimates.
func headlines(ests []model.Estimate) []outdir.Headline {
	var out []outdir.Headline
	for _, e := range ests {
		if e.SchoolYear != nil || e.Subgroup != "" || e.Estimate == nil || e.CILow == nil || e.CIHigh == nil {
			continue
		}
		switch e.Analysis {
		case model.AnalysisImpact, model.AnalysisDose, model.AnalysisDiD, model.AnalysisDiDCS:
			out = append(out, outdir.Headline{Analysis: e.Analysis, Subject: e.Subject, Estimate: *e.Estimate, CILow: *e.CILow, CIHigh: *e.CIHigh})
		}
	}
	return out
}
