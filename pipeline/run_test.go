package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
	"github.com/coachimpact/coachimpact/synth"
)

// demo generates the default synthetic district once per test binary.
func demo(t *testing.T) (string, *synth.Truth) {
	t.Helper()
	dir := t.TempDir()
	truth, err := synth.Generate(context.Background(), dir, synth.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return dir, truth
}

func runPipeline(t *testing.T, input, out string) (*Manifest, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	man, err := Run(context.Background(), Options{Input: input, Out: out, Config: config.Default(), Mem: mem})
	if err == nil && mem.CurrentAlloc() != 0 {
		t.Errorf("%d bytes of Arrow memory not released", mem.CurrentAlloc())
	}
	return man, err
}

// TestDemoDistrict runs the generated district end to end: every file
// reconciles, exactly the planted bad rows are rejected with their reasons,
// and IDs keep their leading zeros in the model.
func TestDemoDistrict(t *testing.T) {
	input, truth := demo(t)
	out := t.TempDir()
	man, err := runPipeline(t, input, out)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's result is sound: no [degraded] threshold fires.
	if man.Status != outdir.StatusOK || !man.Published || len(man.Reasons) > 0 {
		t.Errorf("demo: status %s, published %v, reasons %v; want ok", man.Status, man.Published, man.Reasons)
	}
	// Reconciliation, per file, against the generator's counts.
	seen := map[string]bool{}
	for _, f := range man.Files {
		if f.RowsRead != f.RowsLoaded+f.RowsRejected {
			t.Errorf("%s: read %d != loaded %d + rejected %d", f.Source, f.RowsRead, f.RowsLoaded, f.RowsRejected)
		}
		if len(f.SHA256) != 64 {
			t.Errorf("%s: sha256 %q", f.Source, f.SHA256)
		}
		key := truthKey(f.Source)
		ft, ok := truth.Files[key]
		if !ok {
			// A single-table workbook is keyed by its file name.
			key = strings.SplitN(f.Source, "[", 2)[0]
			ft, ok = truth.Files[key]
		}
		if !ok {
			t.Errorf("%s: not in truth.json (%v)", f.Source, truth.Files)
			continue
		}
		seen[key] = true
		if f.RowsRead != ft.RowsRead || f.RowsRejected != ft.RowsRejected {
			t.Errorf("%s: read %d rejected %d; truth says %d and %d", f.Source, f.RowsRead, f.RowsRejected, ft.RowsRead, ft.RowsRejected)
		}
	}
	if len(seen) != len(truth.Files) {
		t.Errorf("files loaded %v; truth lists %d", seen, len(truth.Files))
	}

	db, err := model.Open(context.Background(), filepath.Join(out, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT file, coalesce(sheet, ''), "row", "column", value, reason FROM rejects`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var file, sheet, col, val, reason string
		var row int
		if err := rows.Scan(&file, &sheet, &row, &col, &val, &reason); err != nil {
			t.Fatal(err)
		}
		if sheet != "" && !strings.HasPrefix(file, "students") && !strings.HasPrefix(file, "teachers") {
			file += "#" + sheet
		}
		got = append(got, fmt.Sprintf("%s:%d %s %q %s", file, row, col, val, reason))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var want []string
	for _, r := range truth.Rejects {
		want = append(want, fmt.Sprintf("%s:%d %s %q %s", r.File, r.Row, r.Column, r.Value, r.Reason))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejects:\n%s\nwant (planted):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Every estimate with a standard error names its method: CR2 with
	// Satterthwaite df for the clustered models (impact_within_teacher
	// included), the analytic (influence-function) SE for Callaway-Sant'Anna
	// (did_cs and event_study_teacher), classical for practice; and every published one
	// on fewer coached clusters than min_coached_teachers is flagged.
	var bad, withSE, flagged int
	if err := db.QueryRowContext(context.Background(), `
		SELECT count(*) FILTER (WHERE NOT CASE analysis
		           WHEN 'did_cs' THEN se_method = 'analytic' AND df = 0
		           WHEN 'event_study_teacher' THEN se_method = 'analytic' AND df = 0
		           WHEN 'practice' THEN se_method = 'classical' AND df = n_teachers - 1
		           ELSE se_method = 'CR2' AND df > 0 AND df <= n_teachers + n_schools END),
		       count(*),
		       count(*) FILTER (WHERE few_coached_clusters)
		FROM estimates WHERE std_error IS NOT NULL`).Scan(&bad, &withSE, &flagged); err != nil {
		t.Fatal(err)
	}
	if bad > 0 || withSE < 20 || flagged == 0 {
		t.Errorf("%d of %d estimates with a standard error have the wrong se_method or df (%d flagged; the demo's subgroups have some on few coached teachers)", bad, withSE, flagged)
	}
	var misflagged int
	if err := db.QueryRowContext(context.Background(), `
		SELECT count(*) FROM estimates
		WHERE analysis <> 'practice' AND NOT suppressed AND estimate IS NOT NULL
		  AND few_coached_clusters <> (n_coached_teachers < ?)`, config.Default().MinCoachedTeachers).Scan(&misflagged); err != nil {
		t.Fatal(err)
	}
	if misflagged > 0 {
		t.Errorf("%d estimates flagged against their n_coached_teachers", misflagged)
	}
	for _, e := range man.Estimates {
		if e.StdError != nil && e.SEMethod == "" {
			t.Errorf("run.json estimate %s %s %v without se_method", e.Analysis, e.Subject, e.SchoolYear)
		}
	}

	// Leading zeros survive end to end.
	var zeros, total int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FILTER (WHERE student_id LIKE '0%'), count(*) FROM students`).Scan(&zeros, &total); err != nil {
		t.Fatal(err)
	}
	if zeros != total || total == 0 {
		t.Errorf("%d of %d student IDs keep their leading zero", zeros, total)
	}
	var joined int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM assessments JOIN students USING (student_id)`).Scan(&joined); err != nil {
		t.Fatal(err)
	}
	if joined != int(man.Tables["assessments"]) {
		t.Errorf("%d of %d assessment rows join students", joined, man.Tables["assessments"])
	}
	for _, p := range []string{"reports/district.xlsx", "charts/coaching_hours_by_school.png", "run.json", DBFile} {
		st, err := os.Stat(filepath.Join(out, p))
		if err != nil {
			t.Errorf("output %s: %v", p, err)
			continue
		}
		if st.Mode().Perm()&0o007 != 0 {
			t.Errorf("%s is world-accessible: %v", p, st.Mode())
		}
	}
}

// truthKey turns "coaching.xlsx[coaching_sessions]" into the truth file's
// "coaching.xlsx#coaching_sessions".
func truthKey(source string) string {
	return strings.TrimSuffix(strings.Replace(source, "[", "#", 1), "]")
}

// TestStructuralFaultKeepsOutputs: a missing column stops the run with a
// FileError naming file and column, and the last good outputs are left as
// they were, byte for byte.
func TestStructuralFaultKeepsOutputs(t *testing.T) {
	input, out, before := published(t)

	rosters := filepath.Join(input, "rosters.csv")
	b, err := os.ReadFile(rosters)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("Teacher ID,"), []byte("Teacher,"), 1) // still an alias
	b = bytes.Replace(b, []byte("Teacher,"), []byte("Instructor Name,"), 1)
	if err := os.WriteFile(rosters, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = runPipeline(t, input, out)
	var fe *ingest.FileError
	if !errors.As(err, &fe) || !errors.Is(err, ingest.ErrMissingColumn) || fe.File != "rosters.csv" || fe.Column != "teacher_id" {
		t.Fatalf("err = %v; want rosters.csv: column teacher_id: missing required column", err)
	}
	if after := snapshot(t, out); after != before {
		t.Errorf("outputs changed by a failed run:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot lists every published output under out, through the stable
// names users open, with its size and content hash. The run history and
// the lock change on every run by design and are left out.
func snapshot(t *testing.T, out string) string {
	t.Helper()
	var lines []string
	for _, n := range []string{DBFile, ManifestFile, ReportsDir, ChartsDir} {
		target, err := filepath.EvalSymlinks(filepath.Join(out, n))
		if err != nil {
			t.Fatalf("published %s: %v", n, err)
		}
		rel, _ := filepath.Rel(out, target)
		lines = append(lines, n+" -> "+rel)
	}
	if _, err := filepath.EvalSymlinks(filepath.Join(out, "current")); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n") + "\n" + tree(t, filepath.Join(out, "current"))
}

func fnv(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// TestFingerprintNaN: the fingerprint of a config holding a NaN (which
// Validate refuses, but Run's callers may skip it) is computed, not an
// error, and is the same twice.
func TestFingerprintNaN(t *testing.T) {
	cfg := config.Default()
	cfg.Mapping.Tables = map[string]ingest.TableMapping{"rosters": {Scale: map[string]float64{"percent_time": math.NaN()}}}
	inputs := map[string]string{"rosters.csv": "ab12"}
	a, err := fingerprint(inputs, cfg, "")
	if err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	if b, _ := fingerprint(inputs, cfg, ""); a != b || len(a) != 64 {
		t.Errorf("fingerprints %q and %q; want one sha256, twice", a, b)
	}
	cfg.Mapping.Tables["rosters"].Scale["percent_time"] = 1
	if c, _ := fingerprint(inputs, cfg, ""); c == a {
		t.Error("scale 1 and NaN give one fingerprint")
	}
}
