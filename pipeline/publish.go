package pipeline

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
