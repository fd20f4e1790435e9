package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
)

// ErrInputChanged means an input file changed while the run read it.
var ErrInputChanged = errors.New("input file changed during the run")

// ErrNotRegular means an input is not a regular file (a FIFO, a device,
// a folder behind a symlink), which could block the run or never end.
var ErrNotRegular = errors.New("not a regular file")

// regularInputs checks, before the input folder dir is listed (which
// opens each workbook), that every entry in it is a regular file or a
// folder: anything else is an *ingest.FileError wrapping ErrNotRegular.
// Hidden entries ("."), which listing skips, are not looked at.
func regularInputs(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // listing reports it
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || e.Type().IsDir() || e.Type().IsRegular() {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, e.Name())) // through a symlink
		if err != nil {
			continue // listing or hashing reports it
		}
		if !fi.Mode().IsRegular() {
			return &ingest.FileError{File: e.Name(), Err: fmt.Errorf("%w: %s", ErrNotRegular, fileKind(fi.Mode()))}
		}
	}
	return nil
}

// checksums hashes every input file once (a workbook feeds several
// tables): base name → hex sha256. An input that is not a regular file is
// an *ingest.FileError wrapping ErrNotRegular; a cancelled ctx stops the
// hashing.
func checksums(ctx context.Context, srcs []*ingest.Source) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range srcs {
		if _, ok := out[s.File]; ok {
			continue
		}
		sum, err := sourceSum(ctx, s)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("hash %s: %w", s.File, ctx.Err())
		}
		if err != nil {
			return nil, &ingest.FileError{File: s.File, Err: err}
		}
		out[s.File] = sum
	}
	return out, nil
}

// sourceSum is the checksum of source s as its Stats.SHA256 gives it:
// the file's, or for a table reshaped from several files one checksum of
// theirs (ingest.CombineSums).
func sourceSum(ctx context.Context, s *ingest.Source) (string, error) {
	if !s.Reshaped() {
		return hashFile(ctx, s.Path)
	}
	parts := s.Parts()
	sums := make([]string, len(parts))
	for i, rel := range parts {
		sum, err := hashFile(ctx, filepath.Join(s.Dir(), filepath.FromSlash(rel)))
		if err != nil {
			return "", fmt.Errorf("%s: %w", rel, err)
		}
		sums[i] = sum
	}
	return ingest.CombineSums(parts, sums), nil
}

// hashFile is the hex sha256 of the regular file at path, read until ctx
// is done. Anything else (a FIFO, which would block until a writer
// comes; a device such as /dev/zero, which never ends; a folder) is
// ErrNotRegular, found before a byte is read.
func hashFile(ctx context.Context, path string) (string, error) {
	// O_NONBLOCK: a FIFO opens at once instead of waiting for a writer;
	// a regular file reads as ever.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ingest.ErrUnreadable, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ingest.ErrUnreadable, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%w: %s", ErrNotRegular, fileKind(fi.Mode()))
	}
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return "", fmt.Errorf("%w: %v", ingest.ErrUnreadable, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileKind names the kind of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// ctxReader reads from r until ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
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
	// TOML, not JSON: it writes every float, NaN and infinities too, so
	// no setting can fail the fingerprint.
	if err := toml.NewEncoder(h).Encode(cfg); err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
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
// history another process holds, or that this user may not read, fails
// the run before any work. A history file that is not a DuckDB database
// is set aside (outdir.SetAsideHistory) and a new one started: note says
// so, for run.json. If the run published in folder current (its
// run.json) is not in the history, because the history could not be
// written when it published, it is added now. past are the successful
// runs' headline estimates, for the Run history sheet's trend.
func historyReady(ctx context.Context, path, current string, log *slog.Logger) (note string, past []model.PastEstimate, err error) {
	h, err := outdir.OpenHistory(ctx, path)
	if errors.Is(err, outdir.ErrHistoryCorrupt) {
		aside, serr := outdir.SetAsideHistory(path, time.Now())
		if serr != nil {
			return "", nil, errors.Join(err, serr)
		}
		log.Warn("the run history is not a DuckDB database: set aside, and a new history started", "why", err, "set_aside", aside)
		note = fmt.Sprintf("run history %s was not a DuckDB database: set aside as %s; a new history starts with this run", filepath.Base(path), filepath.Base(aside))
		h, err = outdir.OpenHistory(ctx, path)
	}
	if err != nil {
		return "", nil, err
	}
	if m := publishedManifest(current); m != nil {
		var has bool
		if has, err = h.Has(ctx, m.RunID); err == nil && !has {
			if err = h.Add(ctx, recordOf(m, m.inputs())); err == nil {
				log.Warn("run history: added the published run, which could not be recorded when it ran", "run_id", m.RunID)
			}
		}
	}
	if err == nil {
		var heads []outdir.PastHeadline
		heads, err = h.Headlines(ctx)
		for _, p := range heads {
			past = append(past, model.PastEstimate{RunID: p.RunID, Started: p.Started, Analysis: p.Analysis, Subject: p.Subject, Estimate: p.Estimate, CILow: p.CILow, CIHigh: p.CIHigh})
		}
	}
	return note, past, errors.Join(err, h.Close())
}

// publishedManifest is the run.json of the run published in folder
// current, or nil when there is none or it does not read.
func publishedManifest(current string) *Manifest {
	if current == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(current, ManifestFile))
	if err != nil {
		return nil
	}
	var m Manifest
	if json.Unmarshal(b, &m) != nil || m.RunID == "" || (m.Status != outdir.StatusOK && m.Status != outdir.StatusDegraded) {
		return nil
	}
	return &m
}

// inputs are the files a run read with their sha256, as its checksums
// step took them.
func (m *Manifest) inputs() map[string]string {
	out := map[string]string{}
	for _, f := range m.Files {
		name, _, _ := strings.Cut(filepath.Base(f.Source), "[") // a sheet is named file.xlsx[Sheet]
		out[name] = f.SHA256
	}
	return out
}

// recordOf is the history row of the run of man, which read inputs.
func recordOf(m *Manifest, inputs map[string]string) outdir.Record {
	r := outdir.Record{RunID: m.RunID, Started: m.Started, Finished: m.Finished, Status: m.Status, Fingerprint: m.Fingerprint, Inputs: inputs}
	if m.Status != outdir.StatusSkipped {
		r.Rows, r.Rejects, r.Headlines, r.Reasons = m.Tables, m.Rejects, headlines(m.Estimates), reasonList(m.Reasons)
	}
	return r
}

// record adds the run of man, which read inputs, to the history at path:
// as failed with its error when runErr is set. A cancelled run is
// recorded too: ctx's cancellation is ignored.
func record(ctx context.Context, path string, man *Manifest, inputs map[string]string, runErr error) error {
	r := recordOf(man, inputs)
	r.Finished = time.Now().UTC()
	if runErr != nil {
		r = outdir.Record{RunID: man.RunID, Started: man.Started, Finished: r.Finished, Status: outdir.StatusFailed, Fingerprint: man.Fingerprint, Inputs: inputs, Error: runErr.Error()}
	}
	return addHistory(context.WithoutCancel(ctx), path, r)
}

func addHistory(ctx context.Context, path string, r outdir.Record) error {
	h, err := outdir.OpenHistory(ctx, path)
	if err != nil {
		return err
	}
	return errors.Join(h.Add(ctx, r), h.Close())
}

// headlines are the estimates whose trend across runs district.xlsx
// shows: the model's headlines (Estimate.Headline) over pooled years, each
// subject and All, those with an interval.
func headlines(ests []model.Estimate) []outdir.Headline {
	var out []outdir.Headline
	for _, e := range ests {
		if !e.Headline || e.SchoolYear != nil || e.Estimate == nil || e.CILow == nil || e.CIHigh == nil {
			continue
		}
		out = append(out, outdir.Headline{Analysis: e.Analysis, Subject: e.Subject, Estimate: *e.Estimate, CILow: *e.CILow, CIHigh: *e.CIHigh})
	}
	return out
}
