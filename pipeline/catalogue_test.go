package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/outdir"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the bad-input catalogue's generated files and the want: part of each case.txt (TestBadInput), and testdata/golden/*/want (TestGolden)")

// catalogue is the bad-input catalogue: testdata/badinput/<case>/ holds
// the files a case puts in place of the valid district in base/ (a file
// replaces the base file of the same table), an optional config.toml, and
// case.txt:
//
//	# what the case is (comments)
//	omit: base files to leave out
//	sql: a query whose result the outcome shows
//	want:
//	the exact outcome: a structural stop, or per case file its counts,
//	then the files skipped, then every reject, then each query's result
//
// go test ./pipeline -run TestBadInput -update regenerates the binary case
// files and rewrites want:; review the diff before committing it.
const catalogue = "../testdata/badinput"

type badCase struct {
	name    string
	comment []string
	omit    []string
	queries []string
	want    string
}

func readCase(t *testing.T, dir string) badCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "case.txt"))
	if err != nil {
		t.Fatal(err)
	}
	c := badCase{name: filepath.Base(dir)}
	head, want, _ := strings.Cut(string(b), "want:\n")
	c.want = want
	for _, line := range strings.Split(strings.TrimRight(head, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
			c.comment = append(c.comment, line)
		case strings.HasPrefix(line, "omit:"):
			c.omit = append(c.omit, strings.Fields(strings.TrimPrefix(line, "omit:"))...)
		case strings.HasPrefix(line, "sql:"):
			c.queries = append(c.queries, strings.TrimSpace(strings.TrimPrefix(line, "sql:")))
		case strings.TrimSpace(line) == "":
		default:
			t.Fatalf("%s/case.txt: cannot read line %q", c.name, line)
		}
	}
	return c
}

func (c badCase) write(dir, got string) error {
	var b strings.Builder
	for _, l := range c.comment {
		b.WriteString(l + "\n")
	}
	if len(c.omit) > 0 {
		b.WriteString("omit: " + strings.Join(c.omit, " ") + "\n")
	}
	for _, q := range c.queries {
		b.WriteString("sql: " + q + "\n")
	}
	b.WriteString("want:\n" + got)
	return os.WriteFile(filepath.Join(dir, "case.txt"), []byte(b.String()), 0o644)
}

// caseInput builds a case's input folder: base with the case's files in
// place of the base files of the same tables.
func caseInput(t *testing.T, dir string, c badCase) (input string, own map[string]bool) {
	t.Helper()
	input = t.TempDir()
	own = map[string]bool{}
	replaced := map[string]bool{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	tables := ingest.Tables()
	for _, e := range entries {
		if e.Name() == "case.txt" || e.Name() == "config.toml" {
			continue
		}
		own[e.Name()] = true
		if tb := ingest.TableByName(tables, strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))); tb != nil {
			replaced[tb.Name] = true
		}
		copyFile(t, filepath.Join(dir, e.Name()), filepath.Join(input, e.Name()))
	}
	base := filepath.Join(catalogue, "base")
	entries, err = os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		stem := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		if replaced[stem] || slices.Contains(c.omit, e.Name()) {
			continue
		}
		copyFile(t, filepath.Join(base, e.Name()), filepath.Join(input, e.Name()))
	}
	return input, own
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// outcome renders what a run made of a case, in case.txt's want: form.
func outcome(t *testing.T, c badCase, own map[string]bool, out string, man *Manifest, runErr error) string {
	t.Helper()
	var b strings.Builder
	if runErr != nil {
		fmt.Fprintf(&b, "stop: %v\n", runErr)
		var fe *ingest.FileError
		if errors.As(runErr, &fe) {
			fmt.Fprintf(&b, "structural: file %q", fe.File)
			if fe.Sheet != "" {
				fmt.Fprintf(&b, ", sheet %q", fe.Sheet)
			}
			if fe.Column != "" {
				fmt.Fprintf(&b, ", column %q", fe.Column)
			}
			b.WriteString("\n")
		}
		if _, err := os.Lstat(filepath.Join(out, "current")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a stopped run published outputs (%v)", err)
		}
		return b.String()
	}
	for _, f := range man.Files {
		file, _, _ := strings.Cut(f.Source, "[")
		if !own[file] {
			continue
		}
		fmt.Fprintf(&b, "file %s: table %s, read %d, loaded %d, rejected %d", f.Source, f.Table, f.RowsRead, f.RowsLoaded, f.RowsRejected)
		if f.Encoding != "" {
			fmt.Fprintf(&b, ", decoded from %s", f.Encoding)
		}
		if f.LineEndings != "" {
			fmt.Fprintf(&b, ", line endings %s", f.LineEndings)
		}
		if len(f.IgnoredColumns) > 0 {
			fmt.Fprintf(&b, ", ignored %q", f.IgnoredColumns)
		}
		if len(f.HiddenSheets) > 0 {
			fmt.Fprintf(&b, ", hidden sheets %q not read", f.HiddenSheets)
		}
		b.WriteString("\n")
	}
	for _, sk := range man.Skipped {
		fmt.Fprintf(&b, "skipped %s: %s\n", sk.Name(), sk.Reason)
	}
	// A degraded run: its status and reasons; unpublished, its outputs
	// are read where it kept them.
	if man.Status != outdir.StatusOK {
		fmt.Fprintf(&b, "status: %s, published %v\n", man.Status, man.Published)
		for _, r := range man.Reasons {
			fmt.Fprintf(&b, "reason %s: %s\n", r.Code, r.Text)
		}
	}
	if !man.Published {
		if _, err := os.Lstat(filepath.Join(out, "current")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("an unpublished degraded run published outputs (%v)", err)
		}
		out = filepath.Join(out, DegradedDir)
	}
	db, err := sql.Open("duckdb", filepath.Join(out, DBFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows := query(t, db, `SELECT file || coalesce('[' || sheet || ']', '') || ': row ' || "row" || coalesce(', column ' || "column", '') || ': ' || reason || coalesce(' ' || nullif(value, ''), '') || coalesce(' (' || nullif(detail, '') || ')', '') FROM rejects ORDER BY file, sheet, "row", "column"`)
	for _, r := range rows {
		b.WriteString("reject " + r + "\n")
	}
	// The principal's copy of the rejects: district.xlsx's Data quality.
	f, err := excelize.OpenFile(filepath.Join(out, ReportsDir, "district.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	title, _ := f.GetCellValue("Data quality", "A1")
	if want := fmt.Sprintf(", %d rejected values", len(rows)); !strings.HasSuffix(title, want) {
		t.Errorf("district.xlsx Data quality says %q; want it to end %q", title, want)
	}
	// And what the file was read as: its encoding, its hidden sheets.
	dq, _ := f.GetRows("Data quality")
	for _, st := range man.Files {
		var want []string
		if st.Encoding != "" {
			want = append(want, "decoded from "+st.Encoding)
		}
		if len(st.HiddenSheets) > 0 {
			want = append(want, "hidden sheets not read: "+strings.Join(st.HiddenSheets, ", "))
		}
		for _, w := range want {
			if !slices.ContainsFunc(dq, func(r []string) bool {
				return len(r) > 0 && r[0] == st.Source && slices.ContainsFunc(r, func(c string) bool { return strings.Contains(c, w) })
			}) {
				t.Errorf("district.xlsx Data quality: no %q on the row of %s", w, st.Source)
			}
		}
	}
	// Each file not read, with its reason, on the Data quality sheet.
	for _, sk := range man.Skipped {
		if !slices.ContainsFunc(dq, func(r []string) bool {
			return len(r) > 0 && r[0] == sk.Name() && slices.Contains(r, sk.Reason)
		}) {
			t.Errorf("district.xlsx Data quality: no row saying %s was not read (%s)", sk.Name(), sk.Reason)
		}
	}
	// A degraded run's reasons, in words, on the Overview and Data
	// quality sheets.
	for _, sheet := range []string{"Overview", "Data quality"} {
		rows, _ := f.GetRows(sheet)
		for _, r := range man.Reasons {
			if !slices.ContainsFunc(rows, func(row []string) bool { return slices.Contains(row, r.Text) }) {
				t.Errorf("district.xlsx %s does not say %q", sheet, r.Text)
			}
		}
	}
	for _, q := range c.queries {
		b.WriteString("sql: " + q + "\n")
		for _, r := range query(t, db, q) {
			b.WriteString("  " + r + "\n")
		}
	}
	return b.String()
}

// query returns each row of q as its values joined by commas.
func query(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		s := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				s[i] = "NULL"
			case interface{ Format(string) string }:
				s[i] = v.Format("2006-01-02")
			default:
				s[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(s, ","))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBadInput runs every case of the catalogue as a whole run and
// compares its outcome with the case's want:. No case may panic, hang
// (the test's deadline) or take the process past 2 GiB.
func TestBadInput(t *testing.T) {
	if *update {
		writeGenerated(t, catalogue)
	}
	entries, err := os.ReadDir(catalogue)
	if err != nil {
		t.Fatal(err)
	}
	stop := sampleRSS()
	t.Run("cases", func(t *testing.T) {
		for _, e := range entries {
			if !e.IsDir() || e.Name() == "base" {
				continue
			}
			dir := filepath.Join(catalogue, e.Name())
			t.Run(e.Name(), func(t *testing.T) {
				t.Parallel()
				c := readCase(t, dir)
				input, own := caseInput(t, dir, c)
				cfg := config.Default()
				if _, err := os.Stat(filepath.Join(dir, "config.toml")); err == nil {
					if cfg, err = config.Load(filepath.Join(dir, "config.toml")); err != nil {
						t.Fatal(err)
					}
				}
				out := t.TempDir()
				man, err := Run(context.Background(), Options{Input: input, Out: out, Config: cfg, Log: slog.New(slog.DiscardHandler)})
				got := outcome(t, c, own, out, man, err)
				if *update {
					if err := c.write(dir, got); err != nil {
						t.Fatal(err)
					}
					return
				}
				if got != c.want {
					t.Errorf("outcome differs from %s/case.txt:\n--- got\n%s--- want\n%s", c.name, got, c.want)
				}
			})
		}
	})
	peak := stop()
	t.Logf("peak RSS over the catalogue: %d MiB", peak>>20)
	if peak > 2<<30 {
		t.Errorf("peak RSS over the catalogue: %d MiB; the ceiling is 2 GiB", peak>>20)
	}
}

// sampleRSS samples the process's resident set every few milliseconds
// until stop is called, which returns the largest sample. (Runs reset the
// kernel's peak per stage, so VmHWM cannot span several runs.)
func sampleRSS() (stop func() int64) {
	done := make(chan struct{})
	res := make(chan int64)
	go func() {
		var peak int64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if b, err := os.ReadFile("/proc/self/statm"); err == nil {
				var size, rss int64
				if n, _ := fmt.Sscan(string(b), &size, &rss); n == 2 {
					peak = max(peak, rss*int64(os.Getpagesize()))
				}
			}
			select {
			case <-tick.C:
			case <-done:
				res <- peak
				return
			}
		}
	}()
	return func() int64 { close(done); return <-res }
}
