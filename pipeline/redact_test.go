package pipeline

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/xuri/excelize/v2"
)

// TestRedact runs the demo district plainly and with --redact: the
// redacted outputs hold no student or teacher ID of the plain run and no
// teacher name, anywhere in the model or the workbooks, each ID is
// HMAC-SHA-256 under the salt as documented, and every estimate is the
// plain run's.
func TestRedact(t *testing.T) {
	input, _ := demo(t)
	plainOut, redOut := t.TempDir(), t.TempDir()
	plain, err := runPipeline(t, input, plainOut)
	if err != nil {
		t.Fatal(err)
	}
	saltFile := filepath.Join(t.TempDir(), "salt")
	salt := "0123456789abcdef-district-9"
	if err := os.WriteFile(saltFile, []byte(salt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.RedactSaltFile = saltFile
	red, err := Run(context.Background(), Options{Input: input, Out: redOut, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if red.Redacted == "" || plain.Redacted != "" {
		t.Errorf("manifest redacted = %q (plain %q)", red.Redacted, plain.Redacted)
	}

	// What must not appear: the plain run's IDs (as loaded, and as
	// rejected) and teacher names.
	pdb := openDB(t, filepath.Join(plainOut, DBFile))
	secret := map[string]bool{}
	for _, q := range []string{
		"SELECT student_id FROM students", "SELECT teacher_id FROM teachers", "SELECT student_id FROM assessments",
		"SELECT value FROM rejects WHERE \"column\" IN ('student_id', 'teacher_id') AND value <> ''",
		// Names as the school workbooks would show them (coaches' names
		// stay: facilitators work with the coaches).
		"SELECT first_name || ' ' || last_name AS n FROM teachers WHERE last_name IS NOT NULL AND n NOT IN (SELECT coach_name FROM coaches)",
	} {
		for _, v := range query(t, pdb, q) {
			secret[v] = true
		}
	}
	if len(secret) < 100 {
		t.Fatalf("only %d identifiers to look for", len(secret))
	}
	rdb := openDB(t, filepath.Join(redOut, DBFile))
	if n := query(t, rdb, "SELECT count(*) FROM teachers WHERE first_name IS NOT NULL OR last_name IS NOT NULL")[0]; n != "0" {
		t.Errorf("redacted model: %s teachers with a name", n)
	}
	cols := query(t, rdb, "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR' AND table_catalog = current_database()")
	checked := 0
	for _, tc := range cols {
		tb, col, _ := strings.Cut(tc, ",")
		for _, v := range query(t, rdb, "SELECT DISTINCT \""+col+"\" FROM \""+tb+"\" WHERE \""+col+"\" IS NOT NULL") {
			checked++
			if secret[v] {
				t.Errorf("redacted model: %s.%s holds %q", tb, col, v)
			}
		}
	}
	books, _ := filepath.Glob(filepath.Join(redOut, ReportsDir, "*.xlsx"))
	schools, _ := filepath.Glob(filepath.Join(redOut, ReportsDir, "schools", "*.xlsx"))
	for _, path := range append(books, schools...) {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range f.GetSheetList() {
			rows, _ := f.GetRows(sh)
			for _, r := range rows {
				for _, c := range r {
					checked++
					if secret[c] {
						t.Errorf("%s[%s]: cell %q", filepath.Base(path), sh, c)
					}
				}
			}
		}
		f.Close()
	}
	t.Logf("%d values checked against %d identifiers", checked, len(secret))

	// The documented hash, and the same joins.
	id := query(t, pdb, "SELECT min(student_id) FROM students")[0]
	m := hmac.New(sha256.New, []byte(salt))
	m.Write([]byte(id))
	want := hex.EncodeToString(m.Sum(nil))[:20]
	if n := query(t, rdb, "SELECT count(*) FROM students WHERE student_id = '"+want+"'")[0]; n != "1" {
		t.Errorf("student %s: its hash %s is in the redacted students %s times", id, want, n)
	}
	if len(red.Estimates) != len(plain.Estimates) {
		t.Fatalf("%d estimates redacted, %d plain", len(red.Estimates), len(plain.Estimates))
	}
	for i, p := range plain.Estimates {
		r := red.Estimates[i]
		same := func(a, b *float64) bool {
			return (a == nil) == (b == nil) && (a == nil || math.Abs(*a-*b) <= 1e-9*max(1, math.Abs(*b)))
		}
		if r.Analysis != p.Analysis || r.Subgroup != p.Subgroup || r.NStudents != p.NStudents || !same(r.Estimate, p.Estimate) || !same(r.StdError, p.StdError) {
			t.Errorf("estimate %d (%s %s %s): redacted %v ± %v, plain %v ± %v", i, p.Analysis, p.Subject, p.Subgroup, deref(r.Estimate), deref(r.StdError), deref(p.Estimate), deref(p.StdError))
		}
	}
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestSaltPermissions: a salt file that group or others may read is
// accepted, but the run warns (log level WARN) and run.json notes it; a
// salt readable by its owner only draws neither.
func TestSaltPermissions(t *testing.T) {
	input, _ := demo(t)
	out := t.TempDir()
	saltFile := filepath.Join(t.TempDir(), "salt")
	if err := os.WriteFile(saltFile, []byte("0123456789abcdef-district-9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.RedactSaltFile = saltFile
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o640, true}, {0o604, true}, {0o600, false}} {
		if err := os.Chmod(saltFile, tc.mode); err != nil {
			t.Fatal(err)
		}
		var logs strings.Builder
		man, err := Run(context.Background(), Options{Input: input, Out: out, Config: cfg, Force: true, Log: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatalf("salt %v: %v", tc.mode, err)
		}
		noted := slices.ContainsFunc(man.Notes, func(n string) bool {
			return strings.Contains(n, saltFile) && strings.Contains(n, "readable by group or others")
		})
		warned := strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "readable by group or others")
		if noted != tc.warn || warned != tc.warn {
			t.Errorf("salt %v: note %v, warning %v; want %v\nnotes %q", tc.mode, noted, warned, tc.warn, man.Notes)
		}
		if got := readManifest(t, out); !slices.Equal(got.Notes, man.Notes) {
			t.Errorf("salt %v: run.json notes %q; the run's %q", tc.mode, got.Notes, man.Notes)
		}
	}
}
