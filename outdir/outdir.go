// Package outdir keeps coachimpact's output folder safe across nightly
// runs: one run at a time (a lock), outputs built aside and published by
// one atomic rename, and a run history that outlives every publish.
//
// The folder looks like this:
//
//	out/
//	  current -> runs/20261130T020000Z-1a2b3c    the published run (a symlink)
//	  runs/20261130T020000Z-1a2b3c/               its files
//	  runs/.staging-<id>/                         a run at work (its .owner flock'd)
//	  runs/.copied-<time>/                        real files found where the links belong, moved aside
//	  reports -> current/reports                  stable names users open
//	  charts -> current/charts
//	  coachimpact.duckdb -> current/coachimpact.duckdb
//	  run.json -> current/run.json
//	  history.duckdb                              every run, never replaced
//	  .lock                                       held while a run works
//
// and, with a Parquet export, outside it the export link (see CheckLink):
//
//	warehouse/coachimpact -> /abs/out/current/parquet
//
// A run builds into a staging folder under runs/ and publishes by
// renaming a new symlink over current: readers see the old run or the new
// one, whole, and a run killed at any point leaves the old one untouched.
package outdir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Names inside the output folder.
const (
	CurrentLink = "current"
	RunsDir     = "runs"
	HistoryFile = "history.duckdb"
	LockFile    = ".lock"
	copiedPre   = ".copied-"
	// OwnerFile, in a staging folder, is flock'd by the run that builds
	// there for as long as it lives: clean-up leaves a folder whose
	// marker is held.
	OwnerFile  = ".owner"
	stagingPre = ".staging-"
)

// Dir is an output folder locked for one run. Release it when done.
type Dir struct {
	path string
	lock *os.File
	// owner is the flock'd OwnerFile of this run's staging folder.
	owner *os.File
	// Stale describes a lock left by a process that is gone and that this
	// run cleared ("" when there was none).
	Stale string
}

// NewRunID names a run by its start time and a random suffix:
// 20261130T020000Z-1a2b3c.
func NewRunID(started time.Time) string {
	var suffix [3]byte
	rand.Read(suffix[:])
	return started.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(suffix[:])
}

// Stage creates a fresh, empty staging folder for run id's outputs, with
// its OwnerFile flock'd until Release, after removing any folder under
// runs/ left by runs that are gone: staging folders of killed runs, and
// runs no longer current (a run killed between publishing and tidying
// up). A folder whose OwnerFile another run holds is left alone (that run
// is alive though d holds the lock: OUT/.lock was removed under it), and
// so are the entries SetAsideCopies moved aside.
func (d *Dir) Stage(id string) (string, error) {
	runs := filepath.Join(d.path, RunsDir)
	if err := os.MkdirAll(runs, 0o750); err != nil {
		return "", fmt.Errorf("output folder: %w", err)
	}
	entries, err := os.ReadDir(runs)
	if err != nil {
		return "", fmt.Errorf("output folder: %w", err)
	}
	current, _ := os.Readlink(filepath.Join(d.path, CurrentLink))
	for _, e := range entries {
		rel := filepath.Join(RunsDir, e.Name())
		if rel == current || strings.HasPrefix(e.Name(), copiedPre) || inUse(filepath.Join(runs, e.Name())) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(runs, e.Name())); err != nil {
			return "", fmt.Errorf("output folder: remove %s: %w", rel, err)
		}
	}
	dir := filepath.Join(runs, stagingPre+id)
	if err := os.Mkdir(dir, 0o750); err != nil {
		return "", fmt.Errorf("output folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, OwnerFile), os.O_RDWR|os.O_CREATE, 0o640)
	if err == nil {
		if err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("output folder: %s: %w", filepath.Join(dir, OwnerFile), err)
	}
	d.owner = f
	return dir, nil
}

// inUse reports whether a live process holds the OwnerFile of the run
// folder dir.
func inUse(dir string) bool {
	f, err := os.Open(filepath.Join(dir, OwnerFile))
	if err != nil {
		return false // none: an older version's folder, or not a run's
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	unlock(f)
	return false
}

// SetAsideCopies moves each of names at the top of the output folder,
// and current, that is a real file or folder where a symlink belongs (the
// folder was copied with cp -rL, or restored from a backup that followed
// links) into runs/.copied-<now>/, so that the run can publish. It
// returns that folder and the names it moved (none: "", nil).
func (d *Dir) SetAsideCopies(names []string, now time.Time) (aside string, moved []string, err error) {
	for _, n := range append([]string{CurrentLink}, names...) {
		fi, err := os.Lstat(filepath.Join(d.path, n))
		if err != nil || fi.Mode()&os.ModeSymlink != 0 {
			continue
		}
		if aside == "" {
			aside = filepath.Join(d.path, RunsDir, copiedPre+now.UTC().Format("20060102T150405Z"))
			if err := os.MkdirAll(aside, 0o750); err != nil {
				return "", nil, fmt.Errorf("output folder: %w", err)
			}
		}
		if err := os.Rename(filepath.Join(d.path, n), filepath.Join(aside, n)); err != nil {
			return aside, moved, fmt.Errorf("output folder: move %s aside: %w", n, err)
		}
		moved = append(moved, n)
	}
	return aside, moved, nil
}

// Publish makes staging the current run: it renames it to its run name,
// points current at it with one atomic rename, makes sure each of names
// at the top of the folder is a symlink into current, and removes the run
// it replaced.
func (d *Dir) Publish(staging string, names []string) error {
	if filepath.Dir(staging) != filepath.Join(d.path, RunsDir) || !strings.HasPrefix(filepath.Base(staging), stagingPre) {
		return fmt.Errorf("publish: %s is not a staging folder of %s", staging, d.path)
	}
	final := filepath.Join(d.path, RunsDir, strings.TrimPrefix(filepath.Base(staging), stagingPre))
	if err := os.Rename(staging, final); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	link := filepath.Join(d.path, CurrentLink)
	old, _ := os.Readlink(link)
	tmp := link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(filepath.Join(RunsDir, filepath.Base(final)), tmp); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.Rename(tmp, link); err != nil { // the atomic step
		os.Remove(tmp)
		return fmt.Errorf("publish: %w", err)
	}
	for _, n := range names {
		if err := stableLink(d.path, n); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	if old != "" && filepath.Dir(old) == RunsDir {
		os.RemoveAll(filepath.Join(d.path, old)) // nothing points there now
	}
	os.Remove(filepath.Join(final, OwnerFile)) // current is never cleaned up
	return nil
}

// stableLink makes out/name a symlink to current/name. Its target never
// changes, so it is made once; a real file or folder of that name (from a
// version that wrote outputs in place) is replaced.
func stableLink(out, name string) error {
	p := filepath.Join(out, name)
	want := filepath.Join(CurrentLink, name)
	if got, err := os.Readlink(p); err == nil && got == want {
		return nil
	}
	tmp := p + ".link"
	os.Remove(tmp)
	if err := os.Symlink(want, tmp); err != nil {
		return err
	}
	if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
		if err := os.RemoveAll(p); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	return os.Rename(tmp, p)
}

// Current is the folder of the published run, or "" when there is none.
func (d *Dir) Current() string {
	target, err := os.Readlink(filepath.Join(d.path, CurrentLink))
	if err != nil {
		return ""
	}
	return filepath.Join(d.path, target)
}

// Release unlocks the folder and the run's staging folder.
func (d *Dir) Release() error {
	if d.owner != nil {
		d.owner.Close() // drops its flock
		d.owner = nil
	}
	if d.lock == nil {
		return nil
	}
	// Empty the file first: a PID left in it would read as a stale lock.
	err := errors.Join(d.lock.Truncate(0), unlock(d.lock), d.lock.Close())
	d.lock = nil
	return err
}
