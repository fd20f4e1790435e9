package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/outdir"
)

// tree lists every file under dir (followed if it is a symlink) with its
// size and a hash of its bytes; "" when dir does not exist.
func tree(t *testing.T, dir string) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(dir)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.Type()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			lines = append(lines, rel+" -> "+target)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s:%d:%x", rel, len(b), fnv(b)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// runParquet runs the pipeline on input into out with the Parquet export
// into pq, logging into logs when it is not nil.
func runParquet(input, out, pq string, force bool, logs *strings.Builder) (*Manifest, error) {
	cfg := config.Default()
	cfg.Parquet = pq
	opts := Options{Input: input, Out: out, Config: cfg, Force: force}
	if logs != nil {
		opts.Log = slog.New(slog.NewTextHandler(logs, nil))
	}
	return Run(context.Background(), opts)
}

// historyStatuses is the status of every run in out's history, in order.
func historyStatuses(t *testing.T, out string) string {
	t.Helper()
	h, err := outdir.OpenHistory(context.Background(), filepath.Join(out, outdir.HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	got, err := h.Statuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(got, " ")
}

// changeObservations changes one value of observations.csv, as a new
// nightly export would.
func changeObservations(t *testing.T, input string) {
	t.Helper()
	p := filepath.Join(input, "observations.csv")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 3)
	lines[1] = strings.Replace(lines[1], ",3,", ",4,", 1) + " "
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestParquetDirRefused: --parquet pointed at a folder the exporter does
// not own (the input folder or inside it, the output folder, inside it or
// above it, a non-empty folder of the user's) is refused with
// outdir.ErrParquetDir naming the folder, before anything is written: the
// inputs, the published outputs, the run history and the user's folder
// are as they were, and a new output folder is not even created.
func TestParquetDirRefused(t *testing.T) {
	input, out, before := published(t)
	foreign := t.TempDir()
	for _, f := range []string{"NOTES.md", "2024/scores.parquet"} {
		os.MkdirAll(filepath.Dir(filepath.Join(foreign, f)), 0o750)
		if err := os.WriteFile(filepath.Join(foreign, f), []byte("the user's "+f), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(input, "NOTES.md"), []byte("notes kept beside the exports"), 0o640)
	inputBefore, foreignBefore, hist := tree(t, input), tree(t, foreign), historyStatuses(t, out)
	for _, tc := range []struct{ name, dir, out string }{
		{"InputFolder", input, out},
		{"InsideInput", filepath.Join(input, "pq"), out},
		{"OutputFolder", out, out},
		{"InsideOutput", filepath.Join(out, "pq"), out},
		{"HoldsOutput", filepath.Dir(out), out},
		{"ForeignFolder", foreign, out},
		{"InputFolderNewOut", input, filepath.Join(t.TempDir(), "new-out")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runParquet(input, tc.out, tc.dir, true, nil)
			if !errors.Is(err, outdir.ErrParquetDir) || !strings.Contains(err.Error(), tc.dir) {
				t.Fatalf("err = %v; want outdir.ErrParquetDir naming %s", err, tc.dir)
			}
			if got := tree(t, input); got != inputBefore {
				t.Errorf("the input folder changed:\nbefore %s\nafter  %s", inputBefore, got)
			}
			if got := tree(t, foreign); got != foreignBefore {
				t.Errorf("the user's folder changed:\nbefore %s\nafter  %s", foreignBefore, got)
			}
			if got := snapshot(t, out); got != before {
				t.Errorf("the published outputs changed")
			}
			if got := historyStatuses(t, out); got != hist {
				t.Errorf("run history %q; want %q", got, hist)
			}
			if tc.out != out {
				if _, err := os.Lstat(tc.out); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a refused run created its output folder %s (%v)", tc.out, err)
				}
			}
		})
	}
}

// TestParquetPublishedWithRun: the Parquet export is published by the
// run's own publish: DIR is a link to OUT/current/parquet; a run that
// fails after exporting (its publish blocked by a folder where the new
// current link goes) leaves the Parquet of the published run; the next
// run clears what earlier ones left (staging, old .DIR.tmp-N folders) and
// publishes its own.
func TestParquetPublishedWithRun(t *testing.T) {
	input, _ := demo(t)
	out := t.TempDir()
	pq := filepath.Join(t.TempDir(), "warehouse", "pq")
	if _, err := runParquet(input, out, pq, false, nil); err != nil {
		t.Fatal(err)
	}
	got, err := filepath.EvalSymlinks(pq)
	if err != nil {
		t.Fatal(err)
	}
	current, _ := filepath.EvalSymlinks(filepath.Join(out, outdir.CurrentLink))
	if want := filepath.Join(current, ParquetDir); got != want {
		t.Fatalf("%s resolves to %s; want the published run's %s", pq, got, want)
	}
	pqBefore, outBefore := tree(t, pq), snapshot(t, out)
	if !strings.Contains(pqBefore, filepath.Join("schools", "part-0.parquet")) {
		t.Fatalf("no schools table in the export:\n%s", pqBefore)
	}

	// A run on changed inputs that fails after its export.
	if err := os.MkdirAll(filepath.Join(out, outdir.CurrentLink+".new", "x"), 0o750); err != nil {
		t.Fatal(err)
	}
	changeObservations(t, input)
	if _, err := runParquet(input, out, pq, false, nil); err == nil {
		t.Fatal("a run whose publish was blocked succeeded")
	}
	if got := tree(t, pq); got != pqBefore {
		t.Errorf("a failed run changed the published Parquet")
	}
	if got := snapshot(t, out); got != outBefore {
		t.Errorf("a failed run changed the published outputs")
	}

	// Leftovers: the failed run's staging, an older version's temp folders.
	os.RemoveAll(filepath.Join(out, outdir.CurrentLink+".new"))
	var left []string
	for _, n := range []string{".pq.tmp-123", ".pq.tmp-123.old"} {
		p := filepath.Join(filepath.Dir(pq), n)
		os.MkdirAll(filepath.Join(p, "schools"), 0o750)
		os.WriteFile(filepath.Join(p, "schools", "part-0.parquet"), []byte("PAR1"), 0o640)
		left = append(left, p)
	}
	if _, err := runParquet(input, out, pq, false, nil); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, pq); got == pqBefore || got == "" {
		t.Errorf("the run on changed inputs did not publish its Parquet")
	}
	for _, p := range left {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (%v)", p, err)
		}
	}
	if runs, _ := os.ReadDir(filepath.Join(out, outdir.RunsDir)); len(runs) != 1 {
		t.Errorf("%d run folders left; want 1", len(runs))
	}
	if entries, _ := os.ReadDir(filepath.Dir(pq)); len(entries) != 1 {
		t.Errorf("beside the Parquet link: %v; want the link alone", entries)
	}
}

// TestSkipComparesPublished: the history's last successful run is not
// what is published when a run was killed between its publish and its
// history row (simulated by putting back the history as it was before
// that run). A run on the inputs of that history row must not be
// skipped: the published model holds other inputs.
func TestSkipComparesPublished(t *testing.T) {
	input, _ := demo(t)
	out := t.TempDir()
	if _, err := runPipeline(t, input, out); err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(out, outdir.HistoryFile)
	saved, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	obs := filepath.Join(input, "observations.csv")
	original, _ := os.ReadFile(obs)
	changeObservations(t, input)
	if _, err := runPipeline(t, input, out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hist, saved, 0o640); err != nil { // the kill after the swap
		t.Fatal(err)
	}
	os.Remove(hist + ".wal")
	if err := os.WriteFile(obs, original, 0o644); err != nil {
		t.Fatal(err)
	}
	man, err := runPipeline(t, input, out)
	if err != nil || man.Status != outdir.StatusOK {
		t.Fatalf("run on the first inputs: status %v, err %v; want a full run", man.Status, err)
	}
	pub := readManifest(t, out)
	if pub.Fingerprint != man.Fingerprint {
		t.Errorf("published fingerprint %.12s; this run's %.12s", pub.Fingerprint, man.Fingerprint)
	}
	// And now that what is published is these inputs, a rerun is skipped.
	if man, err := runPipeline(t, input, out); err != nil || man.Status != outdir.StatusSkipped {
		t.Errorf("unchanged rerun: status %v, err %v; want skipped", man.Status, err)
	}
}

func readManifest(t *testing.T, out string) Manifest {
	t.Helper()
	var m Manifest
	b, err := os.ReadFile(filepath.Join(out, ManifestFile))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDamagedPublishedRerun: an unchanged run is skipped only when the
// published run is whole; with its folder deleted, its run.json garbled,
// its model or a workbook deleted, the run goes ahead, says why in the
// log, and publishes again.
func TestDamagedPublishedRerun(t *testing.T) {
	input, out, _ := published(t)
	cur := func(t *testing.T) string {
		p, err := filepath.EvalSymlinks(filepath.Join(out, outdir.CurrentLink))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, why string
		damage    func(t *testing.T)
	}{
		{"RunFolderDeleted", "published run", func(t *testing.T) { os.RemoveAll(cur(t)) }},
		{"ManifestGarbled", ManifestFile, func(t *testing.T) { os.WriteFile(filepath.Join(cur(t), ManifestFile), []byte("{"), 0o640) }},
		{"ModelDeleted", DBFile, func(t *testing.T) { os.Remove(filepath.Join(cur(t), DBFile)) }},
		{"WorkbookDeleted", "district.xlsx", func(t *testing.T) { os.Remove(filepath.Join(cur(t), ReportsDir, "district.xlsx")) }},
		{"ChartTruncated", ".png", func(t *testing.T) {
			charts, _ := filepath.Glob(filepath.Join(cur(t), ChartsDir, "*.png"))
			os.Truncate(charts[0], 10)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.damage(t)
			var logs strings.Builder
			man, err := Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Log: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil || man.Status != outdir.StatusOK {
				t.Fatalf("status %v, err %v; want a full run", man.Status, err)
			}
			if !strings.Contains(logs.String(), "published run") || !strings.Contains(logs.String(), tc.why) {
				t.Errorf("the log does not say why the run went ahead (%q):\n%s", tc.why, logs.String())
			}
			snapshot(t, out) // every published name resolves and reads
			if _, err := excelize.OpenFile(filepath.Join(out, ReportsDir, "district.xlsx")); err != nil {
				t.Error(err)
			}
		})
	}
	man, err := runPipeline(t, input, out)
	if err != nil || man.Status != outdir.StatusSkipped {
		t.Errorf("run on a whole published run: status %v, err %v; want skipped", man.Status, err)
	}
}

// TestCopiedFolder: an output folder copied with cp -rL (every link
// followed: current, reports, charts, coachimpact.duckdb and run.json are
// real folders and files in the copy) is recovered: the copied entries
// are moved aside into runs/.copied-<time>/ with a warning, the run
// publishes normally, the names are links again, and the next run on
// unchanged inputs is skipped.
func TestCopiedFolder(t *testing.T) {
	input, out, _ := published(t)
	cp := filepath.Join(t.TempDir(), "copy")
	if b, err := exec.Command("cp", "-rL", out, cp).CombinedOutput(); err != nil {
		t.Fatalf("cp -rL: %v\n%s", err, b)
	}
	names := []string{outdir.CurrentLink, DBFile, ReportsDir, ChartsDir, ManifestFile}
	for _, n := range names {
		if fi, err := os.Lstat(filepath.Join(cp, n)); err != nil || fi.Mode()&os.ModeSymlink != 0 {
			t.Fatalf("the copy's %s: %v, %v; want a real file or folder", n, fi, err)
		}
	}
	var logs strings.Builder
	man, err := Run(context.Background(), Options{Input: input, Out: cp, Config: config.Default(), Force: true, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil || man.Status != outdir.StatusOK {
		t.Fatalf("run on the copied folder: %v", err)
	}
	aside, _ := filepath.Glob(filepath.Join(cp, outdir.RunsDir, ".copied-*"))
	if len(aside) != 1 {
		t.Fatalf("set aside: %v; want one runs/.copied-<time>", aside)
	}
	for _, n := range names {
		if _, err := os.Lstat(filepath.Join(aside[0], n)); err != nil {
			t.Errorf("%s not moved aside: %v", n, err)
		}
		if fi, err := os.Lstat(filepath.Join(cp, n)); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s after the run: %v, %v; want a link", n, fi, err)
		}
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), filepath.Base(aside[0])) {
		t.Errorf("no warning naming %s:\n%s", aside[0], logs.String())
	}
	snapshot(t, cp) // every published name resolves and reads
	if man, err := runPipeline(t, input, cp); err != nil || man.Status != outdir.StatusSkipped {
		t.Errorf("the next run: %v; want skipped", err)
	}
	if _, err := os.Stat(aside[0]); err != nil {
		t.Errorf("the next run removed the set-aside copy: %v", err)
	}
}
