package pipeline

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/outdir"
)

// publishedRun reads the manifest of the published run in folder current
// ("" when nothing is published: nil, nil) and checks that the run is
// whole: its run.json reads, with status ok, and every output it lists is
// there with its size. The error says what is missing or damaged.
func publishedRun(current string) (*Manifest, error) {
	if current == "" {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(current, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(current, ManifestFile), err)
	}
	if m.Status == outdir.StatusDegraded {
		// A degraded run published with [degraded] publish = true is
		// whole but never worth keeping: the next run goes ahead.
		return nil, nil
	}
	if m.Status != outdir.StatusOK {
		return nil, fmt.Errorf("%s: status %q", filepath.Join(current, ManifestFile), m.Status)
	}
	if _, ok := m.Outputs[DBFile]; !ok {
		return nil, fmt.Errorf("%s lists no %s (written by an earlier version)", filepath.Join(current, ManifestFile), DBFile)
	}
	for name, size := range m.Outputs {
		if !filepath.IsLocal(name) {
			return nil, fmt.Errorf("%s: output %q is outside the run folder", filepath.Join(current, ManifestFile), name)
		}
		fi, err := os.Lstat(filepath.Join(current, name))
		switch {
		case err != nil:
			return nil, err
		case !fi.Mode().IsRegular() || fi.Size() != size:
			return nil, fmt.Errorf("%s: %d bytes (%v); run.json says %d", filepath.Join(current, name), fi.Size(), fi.Mode().Type(), size)
		}
	}
	return &m, nil
}

// listOutputs lists the files under dir (a run's staging folder) by path
// within it, with their sizes, apart from its outdir.OwnerFile.
func listOutputs(dir string) (map[string]int64, error) {
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == filepath.Join(dir, outdir.OwnerFile) {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = fi.Size()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list outputs: %w", err)
	}
	return out, nil
}

// linkParquet makes the Parquet folder of cfg, if any, the link to the
// published run's export (outdir.Dir.Link).
func linkParquet(dir *outdir.Dir, cfg config.Config) error {
	if cfg.Parquet == "" {
		return nil
	}
	return dir.Link(cfg.Parquet, ParquetDir)
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

// finish closes the model and writes run.json into staging, then keeps a
// degraded run that is not to be published in DegradedDir, or publishes
// the run in dir. published is true once the run is published: nothing
// after that fails it, nor does a cancellation (SIGTERM) that comes then.
func (r *run) finish(dir *outdir.Dir, staging string) (published bool, err error) {
	man, log, out := r.man, r.log, r.opts.Out
	if err := r.db.Close(); err != nil {
		return false, fmt.Errorf("close model: %w", err)
	}
	if err := os.Chmod(filepath.Join(staging, DBFile), 0o640); err != nil {
		return false, err
	}
	if man.Outputs, err = listOutputs(staging); err != nil {
		return false, err
	}
	man.Finished = time.Now().UTC()
	man.Seconds = man.Finished.Sub(man.Started).Seconds()
	if err := writeJSON(filepath.Join(staging, ManifestFile), man); err != nil {
		return false, err
	}
	kept := filepath.Join(out, DegradedDir)
	if !man.Published {
		if err := keep(staging, kept); err != nil {
			return false, err
		}
		log.Warn("run degraded: outputs not published, the last good outputs stay in place ([degraded] publish = true publishes such runs)",
			"kept", kept, "reasons", len(man.Reasons), "rejected_rows", man.Rejects, "rejected_values", man.RejectedValues)
		return false, nil
	}
	if err := dir.Publish(staging, publishedNames()); err != nil {
		if filepath.Base(dir.Current()) != man.RunID {
			return false, err
		}
		log.Error("run published, but tidying up after it failed", "err", err)
	}
	if r.opts.afterPublish != nil {
		r.opts.afterPublish()
	}
	if err := linkParquet(dir, r.opts.Config); err != nil {
		log.Error("run published, but the Parquet export link was not made (the next run makes it)", "err", err)
	}
	if err := os.RemoveAll(kept); err != nil { // an older degraded run's
		log.Error("run published, but the last degraded run's outputs were not removed", "kept", kept, "err", err)
	}
	log.Info("run done", "status", man.Status, "out", out, "seconds", fmt.Sprintf("%.2f", man.Seconds), "rejected_rows", man.Rejects, "rejected_values", man.RejectedValues)
	return true, nil
}
