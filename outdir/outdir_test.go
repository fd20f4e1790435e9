package outdir

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPublish: a folder written by an older version (real reports/ and
// run.json) becomes symlinks into current; a second publish replaces the
// first run whole and removes it.
func TestPublish(t *testing.T) {
	out := t.TempDir()
	os.MkdirAll(filepath.Join(out, "reports"), 0o750)
	os.WriteFile(filepath.Join(out, "reports", "old.xlsx"), []byte("old"), 0o640)
	os.WriteFile(filepath.Join(out, "run.json"), []byte("old"), 0o640)
	d, err := Lock(context.Background(), out, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	publish := func(body string) string {
		id := NewRunID(time.Now())
		st, err := d.Stage(id)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(st, "reports"), 0o750)
		os.WriteFile(filepath.Join(st, "reports", "district.xlsx"), []byte(body), 0o640)
		os.WriteFile(filepath.Join(st, "run.json"), []byte(body), 0o640)
		if err := d.Publish(st, []string{"reports", "run.json"}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := publish("one")
	if b, err := os.ReadFile(filepath.Join(out, "reports", "district.xlsx")); err != nil || string(b) != "one" {
		t.Fatalf("after the first publish: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(out, "reports", "old.xlsx")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old reports folder is still there: %v", err)
	}
	publish("two")
	if b, _ := os.ReadFile(filepath.Join(out, "run.json")); string(b) != "two" {
		t.Errorf("run.json after the second publish: %q", b)
	}
	if _, err := os.Stat(filepath.Join(out, RunsDir, first)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the replaced run is still there: %v", err)
	}
	if fi, err := os.Lstat(filepath.Join(out, "reports")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("reports is not a symlink: %v %v", fi, err)
	}
}

// TestLockHeld: a second Lock on a held folder fails at once naming the
// holder, and succeeds once the first is released; a stamp left behind
// (as by a killed run) is reported as stale.
func TestLockHeld(t *testing.T) {
	out := t.TempDir()
	ctx := context.Background()
	d, err := Lock(ctx, out, 0)
	if err != nil {
		t.Fatal(err)
	}
	var le *LockError
	if _, err := Lock(ctx, out, 300*time.Millisecond); !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v", err)
	}
	d.Release()
	d2, err := Lock(ctx, out, 0)
	if err != nil || d2.Stale != "" {
		t.Fatalf("lock after release: %v, stale %q", err, d2.Stale)
	}
	d2.lock.Close() // as if killed: the stamp stays, the flock goes
	d3, err := Lock(ctx, out, 0)
	if err != nil || d3.Stale == "" {
		t.Fatalf("lock after a dead holder: %v, stale %q", err, d3.Stale)
	}
	d3.Release()
}

// TestHistory: runs come back, the latest successful one from LastOK.
func TestHistory(t *testing.T) {
	ctx := context.Background()
	h, err := OpenHistory(ctx, filepath.Join(t.TempDir(), HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, ok, err := h.LastOK(ctx); ok || err != nil {
		t.Fatalf("empty history: %v %v", ok, err)
	}
	t0 := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	for i, st := range []string{StatusOK, StatusFailed, StatusSkipped} {
		r := Record{RunID: NewRunID(t0), Started: t0.Add(time.Duration(i) * time.Hour), Status: st, Fingerprint: st,
			Headlines: []Headline{{Analysis: "impact", Subject: "All", Estimate: 0.2, CILow: 0.1, CIHigh: 0.3}}}
		if err := h.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	last, ok, err := h.LastOK(ctx)
	if err != nil || !ok || last.Fingerprint != StatusOK || !last.Started.Equal(t0) {
		t.Errorf("LastOK = %+v, %v, %v", last, ok, err)
	}
	if s, _ := h.Statuses(ctx); len(s) != 3 {
		t.Errorf("statuses %v", s)
	}
	// The trend reads the successful runs' headlines only.
	heads, err := h.Headlines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Headline{Analysis: "impact", Subject: "All", Estimate: 0.2, CILow: 0.1, CIHigh: 0.3}
	if len(heads) != 1 || heads[0].Headline != want || !heads[0].Started.Equal(t0) || heads[0].RunID != last.RunID {
		t.Errorf("Headlines = %+v, want the ok run's %+v", heads, want)
	}
}

// TestStageKeepsLiveStaging: with OUT/.lock removed while a run works, a
// second run takes a new lock, but its clean-up leaves the first run's
// staging folder alone (its owner marker is still flock'd) and removes
// only that of a killed run (a marker nobody holds); once the first run
// is gone, the next clean-up removes its folder too.
func TestStageKeepsLiveStaging(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	first, err := Lock(ctx, out, 0)
	if err != nil {
		t.Fatal(err)
	}
	live, err := first.Stage("run-a")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(live, "run.json"), []byte("being written"), 0o640)
	dead := filepath.Join(out, RunsDir, stagingPre+"killed")
	os.MkdirAll(dead, 0o750)
	os.WriteFile(filepath.Join(dead, OwnerFile), nil, 0o640)
	if err := os.Remove(filepath.Join(out, LockFile)); err != nil {
		t.Fatal(err)
	}
	second, err := Lock(ctx, out, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.Stage("run-b"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(live, "run.json")); err != nil || string(b) != "being written" {
		t.Errorf("the live run's staging folder: %q, %v; want it kept", b, err)
	}
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a killed run's staging folder: %v; want it removed", err)
	}
	first.Release()
	second.Release()
	third, err := Lock(ctx, out, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Release()
	if _, err := third.Stage("run-c"); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(out, RunsDir)); len(entries) != 1 || entries[0].Name() != stagingPre+"run-c" {
		t.Errorf("runs/ after the others ended: %v; want only run-c's staging", entries)
	}
}
