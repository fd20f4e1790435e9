package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain runs main() when COACHIMPACT_AS_CLI=1, so that tests exec this
// test binary as the CLI and see its real exit codes.
func TestMain(m *testing.M) {
	if os.Getenv("COACHIMPACT_AS_CLI") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// cli runs the test binary as coachimpact with args.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return cliIn(t, "", args...)
}

// cliIn runs the test binary as coachimpact with args in the folder dir
// ("" for the test's own).
func cliIn(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COACHIMPACT_AS_CLI=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestDemoAndSQL(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, code := cli(t, "demo", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	for _, want := range []string{"reports", "coachimpact.duckdb", "run.json", "9 rejected"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output does not mention %q:\n%s", want, stdout)
		}
	}
	var man struct {
		Status string `json:"status"`
		Files  []struct {
			Path                           string
			RowsRead, RowsLoaded, Rejected int
		} `json:"files"`
	}
	b, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &man); err != nil || man.Status != "ok" || len(man.Files) != 9 {
		t.Errorf("run.json: status %q, %d files, err %v", man.Status, len(man.Files), err)
	}

	stdout, stderr, code = cli(t, "sql", "--db", filepath.Join(out, "coachimpact.duckdb"), "SELECT reason, count(*) AS n FROM rejects GROUP BY reason ORDER BY reason")
	if code != 0 {
		t.Fatalf("sql exit %d: %s", code, stderr)
	}
	want := "reason,n\ndate outside school year,1\nduplicate key,1\nnot a number,1\nout of range,1\nunknown id,2\nunrecognised date,1\nunrecognised grade,1\nunrecognised school year,1\n"
	if stdout != want {
		t.Errorf("sql output:\n%s\nwant:\n%s", stdout, want)
	}

	_, stderr, code = cli(t, "sql", "--db", filepath.Join(out, "coachimpact.duckdb"), "SELECT * FROM no_such_table")
	if code != 1 || !strings.Contains(stderr, "no_such_table") {
		t.Errorf("bad query: exit %d, %s", code, stderr)
	}
}

func TestExitCodes(t *testing.T) {
	if _, _, code := cli(t); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
	if _, _, code := cli(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	if _, _, code := cli(t, "run", "--input", t.TempDir()); code != 2 {
		t.Errorf("run without --out: exit %d, want 2", code)
	}
	cfg := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(cfg, []byte("min_cell = 5\nmin_cel = 3\n"), 0o644)
	_, stderr, code := cli(t, "run", "--input", t.TempDir(), "--out", t.TempDir(), "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "min_cel") {
		t.Errorf("unknown config key: exit %d, %s", code, stderr)
	}
	// A scale factor of nan: a config error naming the key, exit 2.
	os.WriteFile(cfg, []byte("[mapping.tables.rosters.scale]\npercent_time = nan\n"), 0o644)
	_, stderr, code = cli(t, "run", "--input", t.TempDir(), "--out", t.TempDir(), "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "mapping.tables.rosters.scale.percent_time") {
		t.Errorf("scale = nan: exit %d, %s", code, stderr)
	}
	// An input folder with a file that names no table: structural, exit 3.
	in := t.TempDir()
	os.WriteFile(filepath.Join(in, "grades.csv"), []byte("a,b\n1,2\n"), 0o644)
	_, stderr, code = cli(t, "run", "--input", in, "--out", t.TempDir())
	if code != 3 || !strings.Contains(stderr, "grades.csv") {
		t.Errorf("unknown table: exit %d, %s", code, stderr)
	}
	// --parquet at the input folder: a usage error naming the folder,
	// before anything is read or written.
	out := filepath.Join(t.TempDir(), "out")
	_, stderr, code = cli(t, "run", "--input", in, "--out", out, "--parquet", in)
	if code != 2 || !strings.Contains(stderr, in+" refused as the Parquet folder: it is the input folder") {
		t.Errorf("--parquet at the input folder: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(in, "grades.csv")); err != nil {
		t.Errorf("the input file: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the output folder was created (%v)", err)
	}
}

// TestSalt: `salt` writes a fresh 32-byte salt readable by its owner only
// and never overwrites one; a run given a short salt is a config error.
func TestSalt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "salt")
	if _, stderr, code := cli(t, "salt", path); code != 0 {
		t.Fatalf("salt: exit %d: %s", code, stderr)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || len(bytes.TrimSpace(b)) != 64 {
		t.Errorf("salt file: mode %v, %d characters; want 0600 and 64 hex digits", fi.Mode().Perm(), len(bytes.TrimSpace(b)))
	}
	if _, stderr, code := cli(t, "salt", path); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("salt over an existing file: exit %d, %q; want 1 and 'exists'", code, stderr)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
		t.Error("the existing salt was changed")
	}
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("tooshort\n"), 0o600)
	if _, stderr, code := cli(t, "run", "--input", dir, "--out", filepath.Join(dir, "out"), "--redact", short); code != 2 || !strings.Contains(stderr, "at least 16") {
		t.Errorf("run with a short salt: exit %d, %q; want 2 naming the length", code, stderr)
	}
}

// TestDegradedExit: a run whose rosters name course codes (HR100, MTH6)
// that match no assessment subject exits 4, says why on stderr, keeps the
// last good run.json published and writes its own to OUT/degraded; the
// summary counts rejected rows and, labelled, rejected values.
func TestDegradedExit(t *testing.T) {
	base := filepath.Join("..", "..", "testdata", "badinput", "base")
	in, out := t.TempDir(), t.TempDir()
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(base, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "rosters.csv" {
			b = append(b, "2024,S9,T9,Math,100\n"...) // one row, two bad values
		}
		if err := os.WriteFile(filepath.Join(in, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, code := cli(t, "run", "--input", in, "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stdout, "1 rejected (2 rejected values)") {
		t.Fatalf("base district: exit %d, stdout %q, stderr %s; want 0 and 1 rejected row with 2 rejected values", code, stdout, stderr)
	}
	codes, err := os.ReadFile(filepath.Join("..", "..", "testdata", "badinput", "roster-subject-codes", "rosters.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "rosters.csv"), codes, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = cli(t, "run", "--input", in, "--out", out, "--quiet")
	// The paths printed are where this run's outputs are: kept aside.
	if want := "manifest:  " + filepath.Join(out, "degraded", "run.json"); !strings.Contains(stdout, want) {
		t.Errorf("degraded run: stdout %q; want %q", stdout, want)
	}
	if code != 4 || !strings.Contains(stderr, "no_teacher_of_record: no teacher could be linked to any student") || !strings.Contains(stderr, "HR100, MTH6") {
		t.Errorf("degraded run: exit %d, stderr %s; want 4 naming no_teacher_of_record and HR100, MTH6", code, stderr)
	}
	for path, want := range map[string]string{filepath.Join(out, "run.json"): "ok", filepath.Join(out, "degraded", "run.json"): "degraded"} {
		var man struct{ Status string }
		b, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(b, &man)
		}
		if err != nil || man.Status != want {
			t.Errorf("%s: status %q, err %v; want %q", path, man.Status, err, want)
		}
	}
	if stdout, _, _ := cli(t, "help"); !strings.Contains(stdout, "4 degraded") {
		t.Errorf("usage does not document exit code 4:\n%s", stdout)
	}
}

// listing is the names in dir and their sizes, one a line.
func listing(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d\n", e.Name(), fi.Size())
	}
	return b.String()
}

// canonical is the folder of the canonical district's exports.
var canonical = filepath.Join("..", "..", "testdata", "exports", "canonical")

// copyCanonical copies the canonical exports into a new folder, each
// file through edit (nil keeps it), and returns the folder.
func copyCanonical(t *testing.T, edit func(name string, b []byte) (string, []byte)) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(canonical)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(canonical, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		name := e.Name()
		if edit != nil {
			name, b = edit(name, b)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestCheckCanonical: check on the canonical exports reads every table,
// names each file with its table and each column with the header it came
// from and why, and exits 0.
func TestCheckCanonical(t *testing.T) {
	stdout, stderr, code := cli(t, "check", "--input", canonical)
	if code != 0 {
		t.Fatalf("check: exit %d, stderr %s\n%s", code, stderr, stdout)
	}
	for _, want := range []string{
		"== schools.csv: table schools", "== teachers.csv: table teachers", "== coaches.csv: table coaches", "== students.csv: table students",
		"== rosters.csv: table rosters", "== assessments.csv: table assessments", "== coaching_cycles.csv: table coaching_cycles",
		"== coaching_sessions.csv: table coaching_sessions", "== observations.csv: table observations",
		`teacher_id                 <- "teacher_id" (exact)`,
		"rows: 535 read, 535 would load, 0 rejected", // rosters.csv: 536 lines, the header one of them
		"verdict: a run would succeed (exit 0)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestCheckTeacherNames: the canonical district with rosters whose
// teacher_id column holds the teachers' names ("Brian Cox", from
// teachers.csv) instead of their IDs. check says the roster rows are
// rejected because the teacher is unknown, that no growth row has a
// teacher of record, exits 4 as the run would, and writes nothing: the
// --out folder is not made and the working folder is unchanged.
func TestCheckTeacherNames(t *testing.T) {
	names := teacherNames(t)
	in := copyCanonical(t, func(name string, b []byte) (string, []byte) {
		if name != "rosters.csv" {
			return name, b
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs[1:] {
			r[2] = names[r[2]] // teacher_id, the third column
		}
		var out bytes.Buffer
		cw := csv.NewWriter(&out)
		cw.WriteAll(recs)
		return name, out.Bytes()
	})
	cwd := t.TempDir()
	os.WriteFile(filepath.Join(cwd, "notes.txt"), []byte("kept\n"), 0o644)
	before, inBefore := listing(t, cwd), listing(t, in)
	out := filepath.Join(t.TempDir(), "out")
	abs, err := filepath.Abs(in)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cliIn(t, cwd, "check", "--input", abs, "--out", out)
	if code != 4 {
		t.Errorf("check: exit %d, want 4 (degraded); stderr %s", code, stderr)
	}
	// 535 roster rows (536 lines, the header one), all rejected; 236
	// growth rows: of the 288 (student, subject, year) spring scores in
	// assessments.csv, those with a fall score that year or a spring
	// score the year before (counted with a script over the CSV).
	for _, want := range []string{
		"rows: 535 read, 0 would load, 535 rejected",
		"rejected: column teacher_id: unknown id: 535 rows (the teacher is unknown",
		`rosters.csv row 2, column teacher_id: "Brian Cox"`,
		"no teacher of record for 236 of 236 growth rows: the rosters table is empty",
		"no_teacher_of_record: ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("check made the --out folder (%v)", err)
	}
	if after := listing(t, cwd); after != before {
		t.Errorf("the working folder changed:\n%s\nthen:\n%s", before, after)
	}
	if after := listing(t, in); after != inBefore {
		t.Errorf("the input folder changed:\n%s\nthen:\n%s", inBefore, after)
	}
}

// teacherNames maps the canonical teachers' IDs to "First Last".
func teacherNames(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(canonical, "teachers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, r := range recs[1:] { // teacher_id, school_id, first_name, last_name, ...
		names[r[0]] = r[2] + " " + r[3]
	}
	return names
}

// TestCheckSuggest: the canonical district with its rosters renamed
// class_lists.csv and headed "Local ID,Teacher Number,...": check exits 3
// (rosters missing), and the mapping --suggest prints, saved as it is,
// is a config with which a second check reads class_lists.csv as the
// rosters and exits 0.
func TestCheckSuggest(t *testing.T) {
	in := copyCanonical(t, func(name string, b []byte) (string, []byte) {
		if name != "rosters.csv" {
			return name, b
		}
		_, rows, _ := bytes.Cut(b, []byte("\n"))
		return "class_lists.csv", append([]byte("School Year,Local ID,Teacher Number,Subject,Section,Percent Time\n"), rows...)
	})
	stdout, stderr, code := cli(t, "check", "--input", in, "--suggest")
	if code != 3 || !strings.Contains(stdout, "missing: required table rosters") {
		t.Fatalf("check: exit %d, want 3 naming the missing rosters; stderr %s\n%s", code, stderr, stdout)
	}
	_, mapping, ok := strings.Cut(stdout, "== suggested mapping")
	if !ok {
		t.Fatalf("no suggested mapping:\n%s", stdout)
	}
	_, mapping, _ = strings.Cut(mapping, "\n")
	cfg := filepath.Join(t.TempDir(), "mapping.toml")
	if err := os.WriteFile(cfg, []byte(mapping), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = cli(t, "check", "--input", in, "--config", cfg)
	if code != 0 || !strings.Contains(stdout, "== class_lists.csv: table rosters") || !strings.Contains(stdout, `teacher_id                 <- "Teacher Number" (mapping)`) {
		t.Errorf("check with the suggested mapping: exit %d, stderr %s\n%s\nmapping:\n%s", code, stderr, stdout, mapping)
	}
}

// TestCheckJSON: --format json is one JSON object with the files and the
// exit code.
func TestCheckJSON(t *testing.T) {
	stdout, stderr, code := cli(t, "check", "--input", canonical, "--format", "json")
	var rep struct {
		Files []struct {
			Name, Table string
		} `json:"files"`
		ExitCode int `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 || rep.ExitCode != 0 || len(rep.Files) != 9 {
		t.Errorf("check --format json: exit %d, err %v, %d files, exit_code %d; stderr %s", code, err, len(rep.Files), rep.ExitCode, stderr)
	}
	if _, _, code := cli(t, "check", "--input", canonical, "--format", "xml"); code != 2 {
		t.Errorf("--format xml: exit %d, want 2", code)
	}
	if _, _, code := cli(t, "check"); code != 2 {
		t.Errorf("check without --input: exit %d, want 2", code)
	}
}

// TestCheckProfile: the canonical district with its assessments as the
// four i-Ready files of testdata/exports/iready: check --profile iready
// reads them as assessments, names the profile as the reason of its
// columns, and exits 0; an unknown profile is a usage error.
func TestCheckProfile(t *testing.T) {
	in := copyCanonical(t, nil)
	if err := os.Remove(filepath.Join(in, "assessments.csv")); err != nil {
		t.Fatal(err)
	}
	iready := filepath.Join("..", "..", "testdata", "exports", "iready")
	files, err := filepath.Glob(filepath.Join(iready, "*.csv"))
	if err != nil || len(files) != 4 {
		t.Fatalf("i-Ready files: %v, %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, code := cli(t, "check", "--input", in, "--profile", "iready")
	if code != 0 || !strings.Contains(stdout, "table assessments\n  read from 4 files:") || !strings.Contains(stdout, `scale_score                <- "Overall Scale Score" (profile iready)`) {
		t.Errorf("check --profile iready: exit %d, stderr %s\n%s", code, stderr, stdout)
	}
	if _, stderr, code := cli(t, "check", "--input", in, "--profile", "no-such-vendor"); code != 2 || !strings.Contains(stderr, "no-such-vendor") {
		t.Errorf("unknown profile: exit %d, stderr %s; want 2 naming it", code, stderr)
	}
}
