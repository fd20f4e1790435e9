package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
	"github.com/coachimpact/coachimpact/reports"
	"github.com/coachimpact/coachimpact/synth"
)

// TestSkipUnchanged: a second run on the same inputs and config is
// skipped and leaves the outputs as they were; --force and a changed input
// each make a full run; the history records all four runs.
func TestSkipUnchanged(t *testing.T) {
	input, _ := demo(t)
	out := t.TempDir()
	first, err := runPipeline(t, input, out)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)

	t0 := time.Now()
	man, err := runPipeline(t, input, out)
	if err != nil || man.Status != outdir.StatusSkipped || !man.SkippedFor.Equal(first.Started) {
		t.Fatalf("unchanged inputs: status %v, skipped for %v (first %v), err %v", man.Status, man.SkippedFor, first.Started, err)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Logf("skipping took %v", d) // hashing the inputs only; not a failure
	}
	if after := snapshot(t, out); after != before {
		t.Errorf("a skipped run changed the outputs")
	}

	man, err = Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Force: true})
	if err != nil || man.Status != outdir.StatusOK {
		t.Fatalf("--force: status %v, err %v", man.Status, err)
	}

	// One changed value in one file: a full run.
	changeObservations(t, input)
	man, err = runPipeline(t, input, out)
	if err != nil || man.Status != outdir.StatusOK {
		t.Fatalf("changed input: status %v, err %v", man.Status, err)
	}

	if got, want := historyStatuses(t, out), "ok skipped ok ok"; got != want {
		t.Errorf("history statuses %v; want %s", got, want)
	}
	// district.xlsx shows the trend: the two earlier successful runs and
	// this one, whose impact is this run's estimate.
	f, err := excelize.OpenFile(filepath.Join(out, ReportsDir, reports.DistrictBook))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Run history")
	if err != nil {
		t.Fatal(err)
	}
	for len(rows) > 0 && (len(rows[0]) == 0 || rows[0][0] != "Run (UTC)") {
		rows = rows[1:] // down to the header
	}
	rows = rows[1:]
	if len(rows) != 3 {
		t.Fatalf("Run history has %d runs; want 3: %v", len(rows), rows)
	}
	for _, e := range man.Estimates {
		if e.Analysis == model.AnalysisImpact && e.Subject == model.AllSubjects && e.SchoolYear == nil {
			cell, _ := f.GetCellValue("Run history", "B6", excelize.Options{RawCellValue: true})
			if got, err := strconv.ParseFloat(cell, 64); err != nil || math.Abs(got-*e.Estimate) > 1e-12 {
				t.Errorf("Run history: this run's impact %s; estimate %v", cell, *e.Estimate)
			}
		}
	}
	// The only run folder left is the published one.
	runs, _ := os.ReadDir(filepath.Join(out, outdir.RunsDir))
	if len(runs) != 1 {
		t.Errorf("%d run folders left; want 1", len(runs))
	}
}

// TestLocked: while one run holds the output folder another fails at once
// with ErrLocked, or with Wait waits for it; two runs started together on
// one folder: one publishes, the other fails clearly or is skipped, and
// the outputs are whole.
func TestLocked(t *testing.T) {
	input, _ := demo(t)
	out := t.TempDir()
	ctx := context.Background()
	held, err := outdir.Lock(ctx, out, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, Options{Input: input, Out: out, Config: config.Default()})
	var le *outdir.LockError
	if !errors.Is(err, outdir.ErrLocked) || !errors.As(err, &le) || !strings.Contains(le.Owner, "pid ") {
		t.Fatalf("second run on a held folder: %v; want ErrLocked naming the owner", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Input: input, Out: out, Config: config.Default(), Wait: time.Minute})
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	held.Release()
	if err := <-done; err != nil {
		t.Fatalf("a run waiting for the lock: %v", err)
	}

	var wg sync.WaitGroup
	errs := make([]error, 2)
	mans := make([]*Manifest, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mans[i], errs[i] = Run(ctx, Options{Input: input, Out: out, Config: config.Default(), Force: true})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, outdir.ErrLocked):
			t.Errorf("run %d: %v", i, err)
		}
	}
	if ok == 0 {
		t.Error("neither concurrent run published")
	}
	snapshot(t, out) // every published name resolves and reads
}

// TestMain doubles as a child process: with COACHIMPACT_CHILD=input|out
// it runs the pipeline (forced), logging JSON to stderr, and exits (for
// TestKilledRun; with |full-disk-in-reports, for TestDiskFull); with COACHIMPACT_HOLD=path it holds the run history at
// path open until killed (for TestHistoryBusy).
func TestMain(m *testing.M) {
	if path := os.Getenv("COACHIMPACT_HOLD"); path != "" {
		h, err := outdir.OpenHistory(context.Background(), path)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		defer h.Close()
		fmt.Println("holding")
		select {} // until killed
	}
	if args := os.Getenv("COACHIMPACT_CHILD"); args != "" {
		f := strings.Split(args, "|")
		input, out := f[0], f[1]
		opts := Options{Input: input, Out: out, Config: config.Default(), Log: slog.New(slog.NewJSONHandler(os.Stderr, nil)), Force: true}
		if len(f) > 2 && f[2] == "full-disk-in-reports" {
			// Once the first workbook is written, no file may grow past
			// 4 KiB: the next write fails as on a full disk (EFBIG). The
			// signal that comes with it is ignored at the OS level, for
			// DuckDB's threads too.
			signal.Ignore(syscall.SIGXFSZ)
			var once sync.Once
			opts.Progress = func(stage, _ string, _, _ int) {
				if stage == "reports" {
					once.Do(func() { syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 4096, Max: 4096}) })
				}
			}
		}
		if _, err := Run(context.Background(), opts); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// published generates the demo district into a new input folder, runs
// the pipeline on it into a new output folder, and returns both with a
// snapshot of the published outputs.
func published(t *testing.T) (input, out, before string) {
	t.Helper()
	input, _ = demo(t)
	out = t.TempDir()
	if _, err := runPipeline(t, input, out); err != nil {
		t.Fatal(err)
	}
	return input, out, snapshot(t, out)
}

// child is this test binary run as one of TestMain's child processes.
func child(env string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env)
	return cmd
}

// TestKilledRun: a run SIGKILLed during the model stage leaves the
// published outputs byte-identical; the next run clears its stale lock and
// staging folder and publishes.
func TestKilledRun(t *testing.T) {
	input, out, before := published(t)

	cmd := child("COACHIMPACT_CHILD=" + input + "|" + out)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var rec struct{ Msg, Stage string }
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "stage done" && rec.Stage == "ingest" {
			cmd.Process.Kill() // SIGKILL, now in the model stage
			killed = true
			break
		}
	}
	io.Copy(io.Discard, stderr)
	cmd.Wait()
	if !killed {
		t.Fatal("the child run never reached the model stage")
	}
	if after := snapshot(t, out); after != before {
		t.Errorf("outputs changed by a killed run:\nbefore %s\nafter  %s", before, after)
	}
	runs, _ := os.ReadDir(filepath.Join(out, outdir.RunsDir))
	if len(runs) != 2 {
		t.Errorf("run folders after the kill: %d; want the published one and the killed staging", len(runs))
	}

	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	man, err := Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Log: log, Force: true})
	if err != nil || man.Status != outdir.StatusOK {
		t.Fatalf("run after the kill: %v", err)
	}
	if !strings.Contains(logs.String(), "stale lock") {
		t.Errorf("the stale lock was not reported:\n%s", logs.String())
	}
	if runs, _ := os.ReadDir(filepath.Join(out, outdir.RunsDir)); len(runs) != 1 {
		t.Errorf("run folders after the next run: %d; want 1", len(runs))
	}
}

// TestInputChangedDuringRun: a file rewritten after the run hashed it
// (an export landing mid-run) fails the run with ErrInputChanged naming
// the file; the outputs stay as they were.
func TestInputChangedDuringRun(t *testing.T) {
	input, out, before := published(t)
	p := filepath.Join(input, "observations.csv")
	opts := Options{Input: input, Out: out, Config: config.Default(), Force: true, afterChecksums: func() {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		f.WriteString("OB999999,T0101,2023-10-02,coach,Questioning,3\n")
	}}
	_, err := Run(context.Background(), opts)
	if !errors.Is(err, ErrInputChanged) || !strings.Contains(err.Error(), "observations.csv") {
		t.Fatalf("err = %v; want ErrInputChanged naming observations.csv", err)
	}
	if after := snapshot(t, out); after != before {
		t.Error("a run whose input changed changed the outputs")
	}
}

// TestHistoryBusy: another process holding the run history open (a
// DuckDB client left running) fails the run at once with a message that
// says so; the outputs stay as they were.
func TestHistoryBusy(t *testing.T) {
	input, out, before := published(t)
	// DuckDB's file lock is per process: hold it from a child.
	cmd := child("COACHIMPACT_HOLD=" + filepath.Join(out, outdir.HistoryFile))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "holding\n" {
		t.Fatalf("child: %q, %v", line, err)
	}
	_, err = Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Force: true})
	if !errors.Is(err, outdir.ErrHistoryBusy) {
		t.Fatalf("err = %v; want ErrHistoryBusy", err)
	}
	if after := snapshot(t, out); after != before {
		t.Error("a run that could not open the history changed the outputs")
	}
}

// TestHostileHeaders: source headers and mapping keys are data, never
// SQL: a rosters.csv whose student column is headed with an injection
// attempt (mapped to student_id by the config) and which carries an extra
// hostile column loads normally, every table survives, and the hostile
// header is reported as an ignored column.
func TestHostileHeaders(t *testing.T) {
	input, _ := demo(t)
	p := filepath.Join(input, "rosters.csv")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	const mapped = `Student"; DROP TABLE students; --`
	const extra = `x'); DELETE FROM rosters; --`
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	header := strings.Split(lines[0], ",")
	found := false
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), "student id") || h == "student_id" {
			header[i], found = `"`+strings.ReplaceAll(mapped, `"`, `""`)+`"`, true
		}
	}
	if !found {
		t.Fatalf("no student column in %q", lines[0])
	}
	lines[0] = strings.Join(header, ",") + `,"` + extra + `"`
	for i := 1; i < len(lines); i++ {
		lines[i] += ",1"
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Mapping.Columns = map[string]string{mapped: "student_id"}
	man, err := Run(context.Background(), Options{Input: input, Out: t.TempDir(), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range man.Files {
		if f.Table == "rosters" {
			if f.Columns["student_id"] != mapped || !slices.Contains(f.IgnoredColumns, extra) || f.RowsLoaded == 0 {
				t.Errorf("rosters: columns %v, ignored %v, loaded %d", f.Columns, f.IgnoredColumns, f.RowsLoaded)
			}
		}
	}
	if man.Tables["students"] == 0 || man.Tables["rosters"] == 0 {
		t.Errorf("tables after hostile headers: students %d, rosters %d", man.Tables["students"], man.Tables["rosters"])
	}
}

// TestDiskFull: the disk filling up while the reports are written (a file
// size limit set once the first workbook is out) fails the run with the
// system's error, and the published outputs stay byte-identical.
func TestDiskFull(t *testing.T) {
	input, out, before := published(t)
	cmd := child("COACHIMPACT_CHILD=" + input + "|" + out + "|full-disk-in-reports")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(strings.ToLower(stderr.String()), "file too large") {
		t.Fatalf("child: %v, stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"stage":"model"`) || strings.Contains(stderr.String(), `"stage":"reports"`) {
		t.Errorf("the failure was not in the reports stage:\n%s", stderr.String())
	}
	if after := snapshot(t, out); after != before {
		t.Error("a run that filled the disk changed the outputs")
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	t.Logf("the run said: %s", lines[len(lines)-1])
}

// TestSoak: 20 nightly runs in one process on a small district, one input
// changed before each: open files, goroutines, live heap and the size of
// the output folder (apart from the run history) stay flat.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: 20 runs")
	}
	ctx := context.Background()
	input := t.TempDir()
	if _, err := synth.Generate(ctx, input, synth.Config{Seed: 5, Schools: 4, StudentsPerGrade: 30, Years: 3, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	obs := filepath.Join(input, "observations.csv")
	type sample struct {
		fds, goroutines int
		heap            uint64
		size            int64
	}
	var samples []sample
	for i := range 20 {
		f, err := os.OpenFile(obs, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "OBSOAK%03d,T000101,2023-10-02,coach,Questioning,%d\n", i, i%5)
		f.Close()
		man, err := runPipeline(t, input, out)
		if err != nil || man.Status != outdir.StatusOK {
			t.Fatalf("run %d: %v", i+1, err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fds, _ := os.ReadDir("/proc/self/fd")
		samples = append(samples, sample{len(fds), runtime.NumGoroutine(), ms.HeapAlloc, dirSize(t, out, outdir.HistoryFile)})
	}
	first, last := samples[2], samples[len(samples)-1] // after warm-up
	t.Logf("run 3: %+v; run 20: %+v", first, last)
	if last.fds > first.fds+2 {
		t.Errorf("open files grew from %d to %d", first.fds, last.fds)
	}
	if last.goroutines > first.goroutines+2 {
		t.Errorf("goroutines grew from %d to %d", first.goroutines, last.goroutines)
	}
	if last.heap > first.heap+4<<20 {
		t.Errorf("live heap grew from %d to %d bytes", first.heap, last.heap)
	}
	if d := last.size - first.size; d > first.size/20 || d < -first.size/20 {
		t.Errorf("output folder size went from %d to %d bytes", first.size, last.size)
	}
}

// dirSize is the total size of the files under dir, following the
// published links, leaving out the files named skip.
func dirSize(t *testing.T, dir, skip string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == skip || d.Type()&os.ModeSymlink != 0 {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFileModes: everything a run writes is readable by its owner and
// group only: files 0640 at most, folders 0750 at most.
func TestFileModes(t *testing.T) {
	input, out, _ := published(t)
	wh := filepath.Join(t.TempDir(), "warehouse")
	cfg := config.Default()
	cfg.Parquet = wh
	if _, err := Run(context.Background(), Options{Input: input, Out: out, Config: cfg, Force: true}); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{out, wh} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.Type()&os.ModeSymlink != 0 || p == root {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			limit := os.FileMode(0o640)
			if d.IsDir() {
				limit = 0o750
			}
			if fi.Mode().Perm()&^limit != 0 {
				t.Errorf("%s: mode %v, want at most %v", p, fi.Mode().Perm(), limit)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestOutputNotWritable: a run into an output folder it may not write
// fails at once with an error that says so and names the folder; the
// published outputs stay byte-identical. Root writes anywhere, so under
// root the run is a child process as user nobody.
func TestOutputNotWritable(t *testing.T) {
	input, out, before := published(t)
	if err := os.Chmod(out, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(out, 0o750)
	var msg string
	if os.Geteuid() != 0 {
		_, err := Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Force: true})
		if !errors.Is(err, os.ErrPermission) {
			t.Fatalf("err = %v; want a permission error", err)
		}
		msg = err.Error()
	} else {
		code, outb := runAsNobody(t, input, out)
		if code != 1 {
			t.Fatalf("child as nobody: exit %d; want 1\n%s", code, outb)
		}
		msg = outb
	}
	t.Log(msg)
	if !strings.Contains(msg, "output folder "+out+" is not writable") {
		t.Errorf("error %q; want it to say the output folder is not writable", msg)
	}
	if after := snapshot(t, out); after != before {
		t.Error("the published outputs changed")
	}
}

// TestXLSXChangedDuringRun: a workbook changed after the run hashed it,
// rewritten in place or replaced by a rename (an export tool writing a
// temp file and moving it over), fails the run with ErrInputChanged naming
// the file, as a CSV does; the outputs stay as they were.
func TestXLSXChangedDuringRun(t *testing.T) {
	input, out, before := published(t)
	p := filepath.Join(input, "teachers.xlsx")
	// changed writes teachers.xlsx with one name changed to name to path.
	changed := func(t *testing.T, path, name string) {
		f, err := excelize.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.SetCellValue("Staff", "C4", name); err != nil {
			t.Fatal(err)
		}
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T)
	}{
		{"InPlace", func(t *testing.T) { changed(t, p, "InPlace") }},
		{"Rename", func(t *testing.T) {
			tmp := filepath.Join(input, ".teachers.new.xlsx")
			changed(t, tmp, "Rename")
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Input: input, Out: out, Config: config.Default(), Force: true, afterChecksums: func() { tc.change(t) }}
			_, err := Run(context.Background(), opts)
			if !errors.Is(err, ErrInputChanged) || !strings.Contains(err.Error(), "teachers.xlsx") {
				t.Fatalf("err = %v; want ErrInputChanged naming teachers.xlsx", err)
			}
			if after := snapshot(t, out); after != before {
				t.Error("a run whose input changed changed the outputs")
			}
		})
	}
}

// holdHistory starts a child process holding the run history of out open,
// as a DuckDB client left running would, and returns a func that ends it.
func holdHistory(t *testing.T, out string) (stop func()) {
	t.Helper()
	cmd := child("COACHIMPACT_HOLD=" + filepath.Join(out, outdir.HistoryFile))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { cmd.Process.Kill(); cmd.Wait() }) }
	t.Cleanup(stop)
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "holding\n" {
		t.Fatalf("child: %q, %v", line, err)
	}
	return stop
}

// historyRuns is each run in out's history as "run_id status", oldest
// first.
func historyRuns(t *testing.T, out string) []string {
	t.Helper()
	db := openDB(t, filepath.Join(out, outdir.HistoryFile))
	return query(t, db, `SELECT run_id || ' ' || status FROM runs ORDER BY started, run_id`)
}

// TestHistoryLockedAfterPublish: a DuckDB client that opens the run
// history once the run has published (too late for the check at the
// start) costs the run its history row but not its success: the run
// returns its manifest with no error (exit 0), the log says the history
// was not updated, and the next run adds the published run's row from
// its run.json before its own.
func TestHistoryLockedAfterPublish(t *testing.T) {
	input, out, _ := published(t)
	var stop func()
	var logs strings.Builder
	opts := Options{Input: input, Out: out, Config: config.Default(), Force: true, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		afterPublish: func() { stop = holdHistory(t, out) }}
	man, err := Run(context.Background(), opts)
	if err != nil || man.Status != outdir.StatusOK {
		t.Fatalf("a published run whose history is then locked: err %v; want ok and no error", err)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "run history not updated") {
		t.Errorf("the log does not say the history was not updated:\n%s", logs.String())
	}
	if got := readManifest(t, out); got.RunID != man.RunID {
		t.Fatalf("published run %s; want %s", got.RunID, man.RunID)
	}
	stop()
	next, err := runPipeline(t, input, out)
	if err != nil || next.Status != outdir.StatusSkipped {
		t.Fatalf("next run: err %v; want skipped", err)
	}
	runs := historyRuns(t, out)
	if len(runs) != 3 || runs[1] != man.RunID+" ok" || runs[2] != next.RunID+" skipped" {
		t.Errorf("history %q; want the first run, %s ok, %s skipped", runs, man.RunID, next.RunID)
	}
}

// TestCancelAfterPublish: SIGTERM (the context cancelled) right after the
// publishing rename does not fail the run: it is published, returns no
// error (exit 0) and its history row says ok.
func TestCancelAfterPublish(t *testing.T) {
	input, out, _ := published(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	man, err := Run(ctx, Options{Input: input, Out: out, Config: config.Default(), Force: true, afterPublish: cancel})
	if err != nil || man.Status != outdir.StatusOK {
		t.Fatalf("cancelled after publishing: err %v; want ok and no error", err)
	}
	if got := readManifest(t, out); got.RunID != man.RunID {
		t.Fatalf("published run %s; want %s", got.RunID, man.RunID)
	}
	if runs := historyRuns(t, out); len(runs) != 2 || runs[1] != man.RunID+" ok" {
		t.Errorf("history %q; want the first run and %s ok", runs, man.RunID)
	}
}

// TestCancelledRunRecorded: a run cancelled before it publishes (SIGTERM
// while it works) fails with context.Canceled, leaves the outputs as they
// were, and is in the history as failed with its error.
func TestCancelledRunRecorded(t *testing.T) {
	input, out, before := published(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, Options{Input: input, Out: out, Config: config.Default(), Force: true, afterChecksums: cancel})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v; want context.Canceled", err)
	}
	if after := snapshot(t, out); after != before {
		t.Error("a cancelled run changed the outputs")
	}
	db := openDB(t, filepath.Join(out, outdir.HistoryFile))
	got := query(t, db, `SELECT status || ': ' || coalesce(error, '') FROM runs ORDER BY started, run_id`)
	if len(got) != 2 || !strings.HasPrefix(got[1], "failed: ") || !strings.Contains(got[1], context.Canceled.Error()) {
		t.Errorf("history %q; want the first run and the cancelled one failed: context canceled", got)
	}
}

// TestListingFaultRecorded: a structural fault found while listing the
// input files (two files for one table) fails the run with its
// *ingest.FileError and is in the history as failed, naming the file.
func TestListingFaultRecorded(t *testing.T) {
	input, out, _ := published(t)
	copyFile(t, filepath.Join(input, "observations.csv"), filepath.Join(input, "Observations_.csv"))
	_, err := Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Force: true})
	var fe *ingest.FileError
	if !errors.As(err, &fe) || !errors.Is(err, ingest.ErrDuplicateTable) {
		t.Fatalf("err = %v; want a FileError with ErrDuplicateTable", err)
	}
	db := openDB(t, filepath.Join(out, outdir.HistoryFile))
	got := query(t, db, `SELECT status || ': ' || coalesce(error, '') FROM runs ORDER BY started, run_id`)
	if len(got) != 2 || got[1] != "failed: "+err.Error() {
		t.Errorf("history %q; want the first run and failed: %v", got, err)
	}
}

// TestNonRegularInput: an input that is not a regular file (a symlink to
// /dev/zero, which never ends; a FIFO, which blocks until a writer comes)
// fails the run at once as a structural fault naming the file, "not a
// regular file", instead of hashing forever; the outputs stay as they
// were and the history has the failed run.
func TestNonRegularInput(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		make       func(p string) error
	}{
		{"DevZero", "observations.csv", func(p string) error { return os.Symlink("/dev/zero", p) }},
		{"FIFO", "observations.csv", func(p string) error { return syscall.Mkfifo(p, 0o640) }},
		// A workbook is opened while the files are listed, before they
		// are hashed.
		{"FIFOWorkbook", "teachers.xlsx", func(p string) error { return syscall.Mkfifo(p, 0o640) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			input, out, before := published(t)
			p := filepath.Join(input, tc.file)
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := tc.make(p); err != nil {
				t.Fatal(err)
			}
			_, err := Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Force: true})
			var fe *ingest.FileError
			if !errors.As(err, &fe) || fe.File != tc.file || !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "not a regular file") {
				t.Fatalf("err = %v; want a FileError naming %s with ErrNotRegular", err, tc.file)
			}
			if after := snapshot(t, out); after != before {
				t.Error("the outputs changed")
			}
			if got := historyStatuses(t, out); got != "ok failed" {
				t.Errorf("history %q; want ok failed", got)
			}
		})
	}
}

// runAsNobody runs the pipeline (forced) on input into out in a child
// process as user nobody (root may read and write anything, so that
// permission faults need another user), and returns its exit code and
// output. The test binary and the input are copied where nobody may read
// them, and out's parents opened to it.
func runAsNobody(t *testing.T, input, out string) (int, string) {
	t.Helper()
	shared, err := os.MkdirTemp("", "coachimpact-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(shared)
	bin := filepath.Join(shared, "pipeline.test")
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(shared, "input")
	if err := os.CopyFS(in, os.DirFS(input)); err != nil {
		t.Fatal(err)
	}
	if err := filepath.Walk(shared, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chmod(p, fi.Mode().Perm()|0o555)
	}); err != nil {
		t.Fatal(err)
	}
	// The output folder's parents too: t.TempDir makes them 0700.
	for d := filepath.Dir(out); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(d, fi.Mode().Perm()|0o055)
		defer os.Chmod(d, fi.Mode().Perm())
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), "COACHIMPACT_CHILD="+in+"|"+out)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	outb, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), strings.TrimSpace(string(outb))
}

// TestHistoryCorrupt: a run history that is empty or garbage (not a
// DuckDB database) is set aside as history.duckdb.corrupt-<time>, bytes
// kept, with a warning in the log and a note in run.json, and the run
// starts a new history with the published run's row and its own; one
// this user may not read fails the run saying so and what to do, and is
// left alone.
func TestHistoryCorrupt(t *testing.T) {
	for _, tc := range []struct{ name, content string }{
		{"Empty", ""},
		{"Garbage", "this is not a database, it is a note someone saved over the history\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			input, out, _ := published(t)
			first := readManifest(t, out).RunID
			hist := filepath.Join(out, outdir.HistoryFile)
			if err := os.WriteFile(hist, []byte(tc.content), 0o640); err != nil {
				t.Fatal(err)
			}
			var logs strings.Builder
			man, err := Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Force: true, Log: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil || man.Status != outdir.StatusOK {
				t.Fatalf("run over a corrupt history: %v", err)
			}
			aside, _ := filepath.Glob(hist + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("set aside: %v; want one history.duckdb.corrupt-<time>", aside)
			}
			if b, err := os.ReadFile(aside[0]); err != nil || string(b) != tc.content {
				t.Errorf("set-aside file holds %q, %v; want the corrupt bytes", b, err)
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), filepath.Base(aside[0])) {
				t.Errorf("no warning naming %s:\n%s", aside[0], logs.String())
			}
			if !slices.ContainsFunc(readManifest(t, out).Notes, func(n string) bool { return strings.Contains(n, filepath.Base(aside[0])) }) {
				t.Errorf("run.json notes %q do not name %s", readManifest(t, out).Notes, aside[0])
			}
			// The new history starts with the run that was published
			// (from its run.json), then this one.
			if runs := historyRuns(t, out); len(runs) != 2 || runs[0] != first+" ok" || runs[1] != man.RunID+" ok" {
				t.Errorf("new history %q; want %s ok (the published run) and %s ok", runs, first, man.RunID)
			}
		})
	}
	t.Run("Unreadable", func(t *testing.T) {
		input, out, before := published(t)
		hist := filepath.Join(out, outdir.HistoryFile)
		if err := os.Chmod(hist, 0o000); err != nil {
			t.Fatal(err)
		}
		var msg string
		if os.Geteuid() != 0 {
			_, err := Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Force: true})
			if !errors.Is(err, os.ErrPermission) {
				t.Fatalf("err = %v; want a permission error", err)
			}
			msg = err.Error()
		} else {
			// nobody may use the output folder but not the history.
			if err := filepath.Walk(out, func(p string, _ os.FileInfo, err error) error {
				if err != nil || p == hist {
					return err
				}
				return os.Lchown(p, 65534, 65534)
			}); err != nil {
				t.Fatal(err)
			}
			code, outb := runAsNobody(t, input, out)
			if code != 1 {
				t.Fatalf("child as nobody: exit %d; want 1\n%s", code, outb)
			}
			msg = outb
		}
		t.Log(msg)
		if !strings.Contains(msg, "run history "+hist+" cannot be read and written by this user") || !strings.Contains(msg, "move it aside") {
			t.Errorf("error %q; want it to say the history cannot be read and what to do", msg)
		}
		if aside, _ := filepath.Glob(hist + ".corrupt-*"); len(aside) != 0 {
			t.Errorf("an unreadable history was set aside: %v", aside)
		}
		os.Chmod(hist, 0o640)
		if after := snapshot(t, out); after != before {
			t.Error("the published outputs changed")
		}
	})
}

// TestHashCancelled: hashing the inputs stops when the run is cancelled
// (SIGTERM): a 1 TiB sparse file, which would take minutes to hash, is
// not read once the context is done.
func TestHashCancelled(t *testing.T) {
	p := filepath.Join(t.TempDir(), "observations.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		f.Close()
		t.Skipf("no sparse 1 TiB file here: %v", err)
	}
	f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = checksums(ctx, []*ingest.Source{{Path: p, File: "observations.csv"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
}

// TestChecksumsNonRegular: a file that becomes a FIFO after the folder
// was checked (swapped in between) is still refused by the hashing,
// which opens it without waiting for a writer and checks what it opened.
func TestChecksumsNonRegular(t *testing.T) {
	p := filepath.Join(t.TempDir(), "observations.csv")
	if err := syscall.Mkfifo(p, 0o640); err != nil {
		t.Fatal(err)
	}
	_, err := checksums(context.Background(), []*ingest.Source{{Path: p, File: "observations.csv"}})
	var fe *ingest.FileError
	if !errors.As(err, &fe) || fe.File != "observations.csv" || !errors.Is(err, ErrNotRegular) {
		t.Fatalf("err = %v; want a FileError naming observations.csv with ErrNotRegular", err)
	}
}
