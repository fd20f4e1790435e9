package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
)

// baseInput copies the bad-input catalogue's valid district into a new
// folder and returns it.
func baseInput(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	base := filepath.Join(catalogue, "base")
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join(base, e.Name()), filepath.Join(dir, e.Name()))
	}
	return dir
}

// codeRosters puts the roster-subject-codes case's rosters (subjects
// HR100 and MTH6, which no assessment has) in place of input's, and
// returns a function that puts the base rosters back.
func codeRosters(t *testing.T, input string) (restore func()) {
	t.Helper()
	copyFile(t, filepath.Join(catalogue, "roster-subject-codes", "rosters.csv"), filepath.Join(input, "rosters.csv"))
	return func() {
		copyFile(t, filepath.Join(catalogue, "base", "rosters.csv"), filepath.Join(input, "rosters.csv"))
	}
}

func runWith(t *testing.T, input, out string, cfg config.Config) *Manifest {
	t.Helper()
	man, err := Run(context.Background(), Options{Input: input, Out: out, Config: cfg, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return man
}

func codes(rs []model.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

// TestDegradedKeepsOutputs: a run whose rosters link no teacher to any
// student is degraded; by default the last good outputs stay published
// byte for byte, the degraded run's outputs are kept in OUT/degraded, the
// history records it as degraded with its reasons, and the same degraded
// inputs are not skipped as if they were the last good run. A later good
// run publishes and clears OUT/degraded.
func TestDegradedKeepsOutputs(t *testing.T) {
	input, out, cfg := baseInput(t), t.TempDir(), config.Default()
	if man := runWith(t, input, out, cfg); man.Status != outdir.StatusOK || !man.Published || len(man.Reasons) != 0 {
		t.Fatalf("the base district: status %s, published %v, reasons %v; want ok", man.Status, man.Published, man.Reasons)
	}
	before := snapshot(t, out)

	restore := codeRosters(t, input)
	want := []string{model.ReasonNoTeacher, model.ReasonNoEstimate}
	for range 2 { // the second time: not skipped, degraded again
		man := runWith(t, input, out, cfg)
		if man.Status != outdir.StatusDegraded || man.Published || !reflect.DeepEqual(codes(man.Reasons), want) {
			t.Fatalf("roster subjects HR100, MTH6: status %s, published %v, reasons %v; want degraded, unpublished, %v", man.Status, man.Published, codes(man.Reasons), want)
		}
		if after := snapshot(t, out); after != before {
			t.Errorf("a degraded run changed the published outputs:\nbefore %s\nafter  %s", before, after)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, DegradedDir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var kept Manifest
	if err := json.Unmarshal(b, &kept); err != nil || kept.Status != outdir.StatusDegraded || kept.Published || !reflect.DeepEqual(codes(kept.Reasons), want) {
		t.Errorf("degraded/run.json: status %q, published %v, reasons %v, err %v", kept.Status, kept.Published, codes(kept.Reasons), err)
	}
	for _, f := range []string{DBFile, filepath.Join(ReportsDir, "district.xlsx")} {
		if _, err := os.Stat(filepath.Join(out, DegradedDir, f)); err != nil {
			t.Errorf("degraded run's %s not kept: %v", f, err)
		}
	}

	ctx := context.Background()
	h, err := outdir.OpenHistory(ctx, filepath.Join(out, outdir.HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	statuses, err := h.Statuses(ctx)
	h.Close()
	if err != nil || !slices.Equal(statuses, []string{"ok", "degraded", "degraded"}) {
		t.Errorf("history: %v, %v; want ok, degraded, degraded", statuses, err)
	}
	hdb, err := sql.Open("duckdb", filepath.Join(out, outdir.HistoryFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range query(t, hdb, `SELECT reasons FROM runs WHERE status = 'degraded' ORDER BY started`) {
		var rs []outdir.Reason
		if err := json.Unmarshal([]byte(r), &rs); err != nil {
			t.Fatalf("history reasons %s: %v", r, err)
		}
		for _, x := range rs {
			got = append(got, x.Code)
		}
	}
	hdb.Close()
	if want := append(want, want...); !slices.Equal(got, want) {
		t.Errorf("history reasons: %v; want %v", got, want)
	}

	restore()
	man, err := Run(ctx, Options{Input: input, Out: out, Config: cfg, Force: true})
	if err != nil || man.Status != outdir.StatusOK {
		t.Fatalf("good inputs again: status %v, err %v", man.Status, err)
	}
	if _, err := os.Stat(filepath.Join(out, DegradedDir)); !os.IsNotExist(err) {
		t.Errorf("a published run left %s: %v", DegradedDir, err)
	}
}

// TestDegradedPublish: with [degraded] publish = true a degraded run is
// published, and district.xlsx's Overview says in words why; the good
// inputs that follow are run, not skipped, since the published run is
// not the last good one.
func TestDegradedPublish(t *testing.T) {
	input, out, cfg := baseInput(t), t.TempDir(), config.Default()
	cfg.Degraded.Publish = true
	runWith(t, input, out, cfg)
	restore := codeRosters(t, input)
	man := runWith(t, input, out, cfg)
	if man.Status != outdir.StatusDegraded || !man.Published {
		t.Fatalf("status %s, published %v; want degraded and published", man.Status, man.Published)
	}
	f, err := excelize.OpenFile(filepath.Join(out, ReportsDir, "district.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Overview")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The sentence of the roster-subject-codes case: HR100 and MTH6 are
	// its rosters' subjects, Math the base assessments' only one.
	want := "no teacher could be linked to any student (5 spring scores with a baseline): rosters' subjects HR100, MTH6 match no assessment subject; assessments' subjects Math match no roster subject"
	var said, status bool
	for _, r := range rows {
		said = said || slices.Contains(r, want)
		status = status || len(r) > 1 && r[0] == "Status" && strings.HasPrefix(r[1], "degraded: 2 problems")
	}
	if !said || !status {
		t.Errorf("Overview: sentence %v, status %v; want %q and a degraded status in:\n%q", said, status, want, rows)
	}
	if _, err := os.Stat(filepath.Join(out, DegradedDir)); !os.IsNotExist(err) {
		t.Errorf("a published degraded run left %s: %v", DegradedDir, err)
	}

	restore()
	if man := runWith(t, input, out, cfg); man.Status != outdir.StatusOK {
		t.Errorf("the last good inputs after a published degraded run: status %s; want ok (not skipped: the degraded outputs are published)", man.Status)
	}
}

// TestRejectCounts: a row with two bad values is one rejected row and two
// rejected values, in run.json and the history alike.
func TestRejectCounts(t *testing.T) {
	input, out := baseInput(t), t.TempDir()
	p := filepath.Join(input, "rosters.csv")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, "2024,S9,T9,Math,100\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	man := runWith(t, input, out, config.Default())
	if man.Rejects != 1 || man.RejectedValues != 2 {
		t.Errorf("rejects %d, rejected values %d; want 1 row with 2 values (unknown student S9, unknown teacher T9)", man.Rejects, man.RejectedValues)
	}
}

// TestDegradedThresholds: each check answers to its [degraded] key. The
// roster-subject-codes rosters (every baselined spring score without a
// teacher: share 1) stay ok with the no-teacher check at 1 and the
// estimate check off; the header-only sessions with coaching_sessions
// left out of nonempty_tables; the all-names rosters (5 of 5 rejected)
// keep file_rejected only while its share is under the threshold.
func TestDegradedThresholds(t *testing.T) {
	cfg := config.Default()
	cfg.Degraded.MaxNoTeacherShare, cfg.Degraded.NoEstimate = 1, false
	input := baseInput(t)
	codeRosters(t, input)
	if man := runWith(t, input, t.TempDir(), cfg); man.Status != outdir.StatusOK || len(man.Reasons) > 0 {
		t.Errorf("no-teacher share 1, no_estimate off: status %s, reasons %v; want ok", man.Status, codes(man.Reasons))
	}

	cfg = config.Default()
	cfg.Degraded.NonEmptyTables = slices.DeleteFunc(slices.Clone(cfg.Degraded.NonEmptyTables), func(s string) bool { return s == "coaching_sessions" })
	input = baseInput(t)
	copyFile(t, filepath.Join(catalogue, "header-only", "coaching_sessions.csv"), filepath.Join(input, "coaching_sessions.csv"))
	if man := runWith(t, input, t.TempDir(), cfg); man.Status != outdir.StatusOK {
		t.Errorf("coaching_sessions may be empty: status %s, reasons %v; want ok", man.Status, codes(man.Reasons))
	}

	input = baseInput(t)
	copyFile(t, filepath.Join(catalogue, "roster-teacher-names", "rosters.csv"), filepath.Join(input, "rosters.csv"))
	for _, c := range []struct {
		share float64
		want  bool
	}{{0.99, true}, {1, false}} { // 5 of 5 rejected is a share of 1: it must exceed the threshold
		cfg := config.Default()
		cfg.Degraded.MaxRejectedShare = c.share
		man := runWith(t, input, t.TempDir(), cfg)
		if got := slices.Contains(codes(man.Reasons), model.ReasonFileRejected); got != c.want {
			t.Errorf("max_rejected_share %v: reasons %v; want file_rejected %v", c.share, codes(man.Reasons), c.want)
		}
	}
}
