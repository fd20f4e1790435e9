package pipeline

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/config"
)

// exportsDir is the vendor-shaped fixtures of one synthetic district
// (testdata/exports/README.md): each vendor's folder and canonical/, the
// same district in the canonical tables.
const exportsDir = "../testdata/exports"

// profileCase is a district whose exports are one vendor's: the vendor's
// folder read through its profile, the tables that vendor does not hold
// taken from canonical/, and the few lines of mapping only the district
// can write.
type profileCase struct {
	profiles  []string
	folders   []string // vendor folders of testdata/exports copied in, subfolders kept
	exclude   []string // paths within them left out (another layout of the same files)
	canonical []string // canonical tables the vendors do not hold
	district  string   // the district's own config (TOML), at most ten lines
	extra     map[string]string
	// baseline edits a copy of canonical/ into the same district as the
	// vendor holds it (a column the vendor does not export left out).
	baseline func(t *testing.T, dir string)
}

// runProfile runs the case and the canonical district and returns both
// manifests, failing unless every estimate agrees to 1e-9 and some are
// numbers.
func runProfile(t *testing.T, c profileCase) (got, want *Manifest) {
	t.Helper()
	return runProfileWith(t, c, nil)
}

// runProfileWith is runProfile with an edit of the district's own files
// (the canonical tables copied in), e.g. e-mails in teachers.csv.
func runProfileWith(t *testing.T, c profileCase, own func(t *testing.T, dir string)) (got, want *Manifest) {
	t.Helper()
	if n := mappingLines(c.district); n > 10 {
		t.Fatalf("the district writes %d mapping lines; a profile must leave at most ten", n)
	}
	in := inputOf(t, c)
	if own != nil {
		own(t, in)
	}
	cfg := profileConfig(t, c)
	if keep := os.Getenv("COACHIMPACT_PROFILE_INPUTS"); keep != "" {
		// For a person to try coachimpact check on the same folder.
		dst := filepath.Join(keep, t.Name())
		copyTree(t, in, dst, nil)
		if err := os.WriteFile(filepath.Join(keep, t.Name()+".toml"), []byte(c.district), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got = runShown(t, in, cfg)

	base := t.TempDir()
	copyTree(t, filepath.Join(exportsDir, "canonical"), base, nil)
	if c.baseline != nil {
		c.baseline(t, base)
	}
	want = runShown(t, base, config.Default())
	compareEstimates(t, got, want, 1e-9)
	return got, want
}

// inputOf is the case's input folder: its vendor folders, canonical
// tables and side files, copied into a new folder.
func inputOf(t *testing.T, c profileCase) string {
	t.Helper()
	in := t.TempDir()
	for _, f := range c.folders {
		copyTree(t, filepath.Join(exportsDir, f), in, c.exclude)
	}
	for _, tb := range c.canonical {
		copyFile(t, filepath.Join(exportsDir, "canonical", tb+".csv"), filepath.Join(in, tb+".csv"))
	}
	for name, body := range c.extra {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

// profileConfig is the case's config: the district's mapping with its
// profiles, validated (which loads them).
func profileConfig(t *testing.T, c profileCase) config.Config {
	t.Helper()
	cfg := config.Default()
	if c.district != "" {
		path := filepath.Join(t.TempDir(), "district.toml")
		if err := os.WriteFile(path, []byte(c.district), 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		if cfg, err = config.Load(path); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Profiles = append(cfg.Profiles, c.profiles...)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// runShown runs the pipeline on input with cfg, every cell shown (min_cell
// and min_classrooms 1: the comparison is of the numbers, and this
// district is small).
func runShown(t *testing.T, input string, cfg config.Config) *Manifest {
	t.Helper()
	cfg.MinCell, cfg.MinClassrooms = 1, 1
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	man, err := Run(context.Background(), Options{Input: input, Out: t.TempDir(), Config: cfg, Mem: mem})
	if err != nil {
		t.Fatalf("run on %s: %v", input, err)
	}
	if mem.CurrentAlloc() != 0 {
		t.Errorf("%d bytes of Arrow memory not released", mem.CurrentAlloc())
	}
	return man
}

// compareEstimates fails unless got and want have the same estimates,
// equal within tol (relative to 1 or the value), and some are numbers.
func compareEstimates(t *testing.T, got, want *Manifest, tol float64) {
	t.Helper()
	if len(got.Estimates) != len(want.Estimates) {
		t.Fatalf("%d estimates; canonical district %d", len(got.Estimates), len(want.Estimates))
	}
	numbers := 0
	for i, w := range want.Estimates {
		g := got.Estimates[i]
		if g.Analysis != w.Analysis || g.Subject != w.Subject || g.Subgroup != w.Subgroup || yearOf(g.SchoolYear) != yearOf(w.SchoolYear) {
			t.Fatalf("estimate %d is %s/%s/%s; canonical district %s/%s/%s", i, g.Analysis, g.Subject, g.Subgroup, w.Analysis, w.Subject, w.Subgroup)
		}
		if g.NStudents != w.NStudents || g.NTeachers != w.NTeachers {
			t.Errorf("%s %s %s %s: %d students, %d teachers; canonical district %d, %d", w.Analysis, w.Subject, w.Subgroup, yearOf(w.SchoolYear), g.NStudents, g.NTeachers, w.NStudents, w.NTeachers)
		}
		for _, v := range []struct {
			name string
			g, w *float64
		}{{"estimate", g.Estimate, w.Estimate}, {"std_error", g.StdError, w.StdError}, {"ci_low", g.CILow, w.CILow}, {"ci_high", g.CIHigh, w.CIHigh}, {"p_value", g.PValue, w.PValue}} {
			if !within(v.g, v.w, tol) {
				t.Errorf("%s %s %s %s: %s %v; canonical district %v", w.Analysis, w.Subject, w.Subgroup, yearOf(w.SchoolYear), v.name, deref(v.g), deref(v.w))
			}
			if v.name == "estimate" && v.w != nil {
				numbers++
			}
		}
	}
	if numbers == 0 {
		t.Fatalf("no estimate is a number: the comparison proves nothing")
	}
	t.Logf("%d estimates compared, %d of them numbers", len(want.Estimates), numbers)
}

func within(a, b *float64, tol float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) <= tol*math.Max(1, math.Abs(*b))
}

// mappingLines counts the lines of a TOML text that say something: not
// blank, not a comment.
func mappingLines(s string) int {
	n := 0
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}

// copyTree copies the files under src into dst, keeping subfolders,
// except those whose path (relative to src) starts with one of exclude.
func copyTree(t *testing.T, src, dst string, exclude []string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		for _, x := range exclude {
			if strings.HasPrefix(filepath.ToSlash(rel), x) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		if d.IsDir() || strings.HasSuffix(path, ".md") {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		copyFile(t, path, filepath.Join(dst, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dropColumns rewrites the canonical CSV file at path without the named
// columns (what a vendor does not export).
func dropColumns(t *testing.T, path string, cols ...string) {
	t.Helper()
	recs := readRecords(t, path)
	var keep []int
	for i, h := range recs[0] {
		if !slices.Contains(cols, h) {
			keep = append(keep, i)
		}
	}
	if len(keep) == len(recs[0]) {
		t.Fatalf("%s has none of the columns %v", path, cols)
	}
	for k, r := range recs {
		out := make([]string, len(keep))
		for j, i := range keep {
			out[j] = r[i]
		}
		recs[k] = out
	}
	writeRecords(t, path, recs)
}

// readRecords reads a small CSV file whole; writeRecords writes one.
func readRecords(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func writeRecords(t *testing.T, path string, recs [][]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(recs)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fileStats is the manifest's entry for table.
func fileStats(t *testing.T, m *Manifest, table string) statsView {
	t.Helper()
	for _, f := range m.Files {
		if f.Table == table {
			return statsView{f.RowsRead, f.RowsLoaded, f.RowsRejected, f.RowsFiltered, f.RowsSuperseded, f.RowsAdded, len(f.Inputs)}
		}
	}
	t.Fatalf("no file gives %s", table)
	return statsView{}
}

// statsView is the reconciliation of a reshaped table, for messages.
type statsView struct{ read, loaded, rejected, filtered, superseded, added, files int }

func (s statsView) String() string {
	return fmt.Sprintf("%d files: read %d, loaded %d, rejected %d, filtered %d, superseded %d, added %d", s.files, s.read, s.loaded, s.rejected, s.filtered, s.superseded, s.added)
}

// TestProfileIReady: the four i-Ready files (one per subject and year)
// load through the iready profile alone and give the canonical
// district's estimates (i-Ready scores are 2 x canonical, so every z is
// the same). 539 rows = 498 valid + 41 rush-flagged first attempts
// (testdata/exports/README.md): the rushed ones are dropped with their
// reason and the retakes kept, never the other way round.
func TestProfileIReady(t *testing.T) {
	got, _ := runProfile(t, profileCase{
		profiles:  []string{"iready"},
		folders:   []string{"iready"},
		canonical: []string{"schools", "teachers", "coaches", "students", "rosters", "coaching_cycles", "coaching_sessions", "observations"},
	})
	want := statsView{read: 498, loaded: 498, filtered: 41, files: 4}
	if s := fileStats(t, got, "assessments"); s != want {
		t.Errorf("assessments: %v; want %v", s, want)
	}
}

// withEmails is a baseline-style edit: the district's teachers.csv and
// coaches.csv with each person's e-mail, first initial and last name as
// the fixture's addresses are made (exports_gen_test.go, email).
func withEmails(t *testing.T, dir string) {
	t.Helper()
	addColumn(t, filepath.Join(dir, "teachers.csv"), "email", func(r map[string]string) string { return email(r["first_name"], r["last_name"]) })
	addColumn(t, filepath.Join(dir, "coaches.csv"), "email", func(r map[string]string) string {
		first, last, _ := strings.Cut(r["coach_name"], " ")
		return email(first, last)
	})
}

// addColumn rewrites the CSV file at path with one more column, its value
// computed from each row by header.
func addColumn(t *testing.T, path, name string, value func(map[string]string) string) {
	t.Helper()
	recs := readRecords(t, path)
	for k, r := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = r[i]
		}
		recs[k+1] = append(r, value(row))
	}
	recs[0] = append(recs[0], name)
	writeRecords(t, path, recs)
}

// TestProfileCoachingLog: a Google Form's responses (no session or cycle
// IDs, the coach by e-mail, the teacher typed four ways, durations as
// text) load through the coaching-log profile and give the canonical
// district's estimates, each of the 138 sessions in its cycle (the
// district's coaching_cycles, found by coach, teacher and date). The
// district's own coaches.csv and teachers.csv carry e-mails; that is all
// it writes.
func TestProfileCoachingLog(t *testing.T) {
	c := profileCase{
		profiles:  []string{"coaching-log"},
		folders:   []string{"coaching-log"},
		canonical: []string{"schools", "teachers", "coaches", "students", "rosters", "assessments", "coaching_cycles", "observations"},
	}
	got, _ := runProfileWith(t, c, withEmails)
	if s, want := fileStats(t, got, "coaching_sessions"), (statsView{read: 138, loaded: 138, files: 1}); s != want {
		t.Errorf("coaching_sessions: %v; want %v", s, want)
	}
}

// TestProfileCoachingLogMakesCycles: a district that logs sessions only
// (no coaching_cycles file) still gets dosage and impact: one cycle per
// coach, teacher and school year is made from the log, from its first
// session to its last, and every session lies in one.
func TestProfileCoachingLogMakesCycles(t *testing.T) {
	in := t.TempDir()
	copyTree(t, filepath.Join(exportsDir, "coaching-log"), in, nil)
	for _, tb := range []string{"schools", "teachers", "coaches", "students", "rosters", "assessments", "observations"} {
		copyFile(t, filepath.Join(exportsDir, "canonical", tb+".csv"), filepath.Join(in, tb+".csv"))
	}
	withEmails(t, in)
	cfg := config.Default()
	cfg.Profiles = []string{"coaching-log"}
	man := runShown(t, in, cfg)
	// The canonical sessions' distinct (coach, teacher, school year) of
	// their cycles: the cycles made must be exactly these.
	cycles := readCSV(t, filepath.Join(exportsDir, "canonical", "coaching_cycles.csv"))
	byID := map[string]string{}
	for _, c := range cycles {
		byID[c["cycle_id"]] = c["coach_id"] + "/" + c["teacher_id"] + "/" + c["school_year"]
	}
	want := map[string]bool{}
	for _, s := range readCSV(t, filepath.Join(exportsDir, "canonical", "coaching_sessions.csv")) {
		want[byID[s["cycle_id"]]] = true
	}
	if got := fileStats(t, man, "coaching_cycles"); got.loaded != len(want) || got.rejected != 0 {
		t.Errorf("coaching_cycles made: %v; want %d, one per coach, teacher and year with sessions", got, len(want))
	}
	if got := fileStats(t, man, "coaching_sessions"); got.loaded != 138 {
		t.Errorf("coaching_sessions: %v; want all 138 loaded", got)
	}
	if man.Status != "ok" {
		t.Errorf("status %s, reasons %v", man.Status, man.Reasons)
	}
	numbers := 0
	for _, e := range man.Estimates {
		if e.Estimate != nil && (e.Analysis == "impact" || e.Analysis == "dose_response") {
			numbers++
		}
	}
	if numbers == 0 {
		t.Errorf("no impact or dose-response estimate from the made cycles")
	}
}

// readCSV reads a small CSV file as rows by header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	recs := readRecords(t, path)
	var out []map[string]string
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = r[i]
		}
		out = append(out, row)
	}
	return out
}

// TestProfileCoachingLogRedacted: with IDs redacted, the cycles made from
// a session log are named by a keyed hash too; their names would
// otherwise carry the teachers' IDs into every output.
func TestProfileCoachingLogRedacted(t *testing.T) {
	in := t.TempDir()
	copyTree(t, filepath.Join(exportsDir, "coaching-log"), in, nil)
	for _, tb := range []string{"schools", "teachers", "coaches", "students", "rosters", "assessments", "observations"} {
		copyFile(t, filepath.Join(exportsDir, "canonical", tb+".csv"), filepath.Join(in, tb+".csv"))
	}
	withEmails(t, in)
	saltFile := filepath.Join(t.TempDir(), "salt")
	if err := os.WriteFile(saltFile, []byte("0123456789abcdef-district-9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Profiles = []string{"coaching-log"}
	cfg.RedactSaltFile = saltFile
	cfg.MinCell, cfg.MinClassrooms = 1, 1
	out := t.TempDir()
	if _, err := Run(context.Background(), Options{Input: in, Out: out, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(out, DBFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, raw int
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE cycle_id LIKE '%T0001%' OR teacher_id LIKE 'T0001%') FROM coaching_cycles`).Scan(&n, &raw); err != nil {
		t.Fatal(err)
	}
	if n == 0 || raw != 0 {
		t.Errorf("%d cycles, %d of them with a raw teacher ID in cycle_id or teacher_id", n, raw)
	}
}
