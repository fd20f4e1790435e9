package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/synth"
)

// The golden model run: each case runs the whole pipeline once and writes
// a canonical text form of what it made (every model table of the DuckDB
// file, and run.json without its volatile fields) to compare with
// testdata/golden/<case>/want. Any difference (floats: beyond a relative
// 1e-8, see sameLine) fails the test, which names the first differing file
// and line, lists the others, and writes the whole canonical output to
// testdata/golden/<case>/got (git-ignored) for diffing. After a deliberate
// change:
//
//	go test ./pipeline -run TestGolden -update
//
// rewrites want/; review the diff of testdata/golden before committing it.
const goldenRoot = "../testdata/golden"

// goldenFullRows is the most rows a table's want/ file holds in full; a
// larger table's holds its row count, the SHA-256 of its canonical CSV
// with floats at 6 significant digits (see goldenFloat) and its first
// goldenHeadRows rows (got/ always holds the full CSV, at 10 digits).
const (
	goldenFullRows = 5000
	goldenHeadRows = 20
)

// goldenVolatile lists the model columns left out of the canonical form,
// by table: what changes from run to run with the same inputs, config and
// code.
var goldenVolatile = map[string][]string{
	// The earlier runs of the output folder, by ID and start time (a
	// fresh folder has none, but a row would carry the clock).
	"run_history": {"run_id", "started"},
}

// goldenManifestVolatile lists run.json's top-level fields left out of
// the canonical form.
var goldenManifestVolatile = []string{
	"run_id",      // the start time and a random suffix
	"started",     // clock
	"finished",    // clock
	"seconds",     // duration
	"stages",      // each stage's duration and peak RSS
	"input",       // the absolute path of the input folder (a temp dir)
	"fingerprint", // covers the program's build (Go version, VCS revision)
	"skipped_for", // the time of an earlier run (never set in a fresh folder)
	// The size of every output file: the DuckDB file's block layout and
	// the workbooks' and charts' bytes are not the model; the model's
	// content is compared table by table.
	"outputs",
}

type goldenCase struct {
	name string
	// input makes the case's input folder and config.
	input func(t *testing.T) (input string, cfg config.Config)
}

// goldenCatalogue names the bad-input catalogue cases run as golden cases
// (the catalogue has no combined run; each case is its own): one with
// rejects in two files, an ignored column and a decoded encoding, and a
// degraded run kept unpublished.
var goldenCatalogue = []string{"invalid-utf8-late", "assessments-all-rejected"}

func goldenCases() []goldenCase {
	cases := []goldenCase{
		{"demo", func(t *testing.T) (string, config.Config) {
			// Exactly as coachimpact demo makes it: synth's defaults
			// (seed 1, mixed csv and xlsx, the planted bad rows).
			input := t.TempDir()
			if _, err := synth.Generate(context.Background(), input, synth.Config{Seed: 1, Format: synth.FormatMixed}); err != nil {
				t.Fatal(err)
			}
			return input, config.Default()
		}},
		{"sgpdata", func(t *testing.T) (string, config.Config) {
			cfg, err := config.Load(filepath.Join("..", "testdata", "sgpdata", "mapping.toml"))
			if err != nil {
				t.Fatal(err)
			}
			return filepath.Join("..", "testdata", "sgpdata", "sample"), cfg
		}},
	}
	for _, name := range goldenCatalogue {
		cases = append(cases, goldenCase{"catalogue-" + name, func(t *testing.T) (string, config.Config) {
			dir := filepath.Join(catalogue, name)
			input, _ := caseInput(t, dir, readCase(t, dir))
			cfg := config.Default()
			if _, err := os.Stat(filepath.Join(dir, "config.toml")); err == nil {
				if cfg, err = config.Load(filepath.Join(dir, "config.toml")); err != nil {
					t.Fatal(err)
				}
			}
			return input, cfg
		}})
	}
	return cases
}

// TestGolden runs each golden case and compares its canonical output with
// testdata/golden/<case>/want.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			t0 := time.Now()
			input, cfg := c.input(t)
			tIn := time.Since(t0)
			out := t.TempDir()
			man, err := Run(context.Background(), Options{Input: input, Out: out, Config: cfg, Force: true, Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			at := out
			if !man.Published {
				at = filepath.Join(out, DegradedDir)
			}
			tRun := time.Since(t0) - tIn
			got := canonical(t, at)
			t.Logf("input %.1f s, run %.1f s, canonical form %.1f s", tIn.Seconds(), tRun.Seconds(), (time.Since(t0) - tIn - tRun).Seconds())
			dir := filepath.Join(goldenRoot, c.name)
			if *update {
				os.RemoveAll(filepath.Join(dir, "got"))
				writeGolden(t, filepath.Join(dir, "want"), got, false)
				return
			}
			if msg := compareGolden(t, filepath.Join(dir, "want"), got); msg != "" {
				gotDir := filepath.Join(dir, "got")
				writeGolden(t, gotDir, got, true)
				t.Errorf("golden %s: %s\nthe whole output is in %s (diff it against want/; if the change is intended: go test ./pipeline -run TestGolden -update, then review the diff of testdata/golden)", c.name, msg, gotDir)
				return
			}
			os.RemoveAll(filepath.Join(dir, "got")) // a stale one from an earlier failure
		})
	}
}

// goldenFile is one file of the canonical output: a model table's
// canonical CSV (header, then rows) or run.json's canonical form.
type goldenFile struct {
	header string
	rows   []string // sorted; each a CSV record with its newline
	coarse []string // rows with floats at 6 digits, for a large table's checksum
	text   string   // run.json's form, when rows is nil
}

// full is the file's whole content.
func (f goldenFile) full() string {
	if f.header == "" {
		return f.text
	}
	return f.header + strings.Join(f.rows, "")
}

// want is the file's content as want/ holds it: in full, or for a large
// table its row count, checksum and first rows.
func (f goldenFile) want() string {
	if f.header == "" || len(f.rows) <= goldenFullRows {
		return f.full()
	}
	sum := sha256.Sum256([]byte(f.header + strings.Join(f.coarse, "")))
	return fmt.Sprintf("# %d rows, more than %d: their count, the SHA-256 of the canonical CSV with floats at 6 significant digits, and its first %d rows (got/ holds it in full on a mismatch)\nrows %d\nsha256 %s\n%s%s",
		len(f.rows), goldenFullRows, goldenHeadRows, len(f.rows), hex.EncodeToString(sum[:]), f.header, strings.Join(f.rows[:goldenHeadRows], ""))
}

// canonical reads the model and run.json of the run whose outputs are in
// at, by file name.
func canonical(t *testing.T, at string) map[string]goldenFile {
	t.Helper()
	files := map[string]goldenFile{}
	db, err := sql.Open("duckdb", filepath.Join(at, DBFile)+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for _, tb := range tables {
		files[tb+".csv"] = canonicalTable(t, db, tb)
	}
	b, err := os.ReadFile(filepath.Join(at, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	files[ManifestFile] = goldenFile{text: canonicalManifest(t, b)}
	return files
}

// canonicalTable is a table's columns (less goldenVolatile's) as CSV,
// its rows sorted.
func canonicalTable(t *testing.T, db *sql.DB, table string) goldenFile {
	t.Helper()
	var cols []string
	rows, err := db.Query(`SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index`, table)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(goldenVolatile[table], n) {
			cols = append(cols, n)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
	}
	rows, err = db.Query(`SELECT ` + strings.Join(quoted, ", ") + ` FROM "` + table + `"`)
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	defer rows.Close()
	var hb strings.Builder
	writeRecord(&hb, cols)
	f := goldenFile{header: hb.String()}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	rec := make([]string, len(cols))
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for _, digits := range []int{10, 6} {
			for i, v := range vals {
				rec[i] = goldenValue(v, digits)
			}
			if table == "input_files" {
				maskWorkbookSHA(cols, rec)
			}
			b.Reset()
			writeRecord(&b, rec)
			if digits == 10 {
				f.rows = append(f.rows, b.String())
			} else {
				f.coarse = append(f.coarse, b.String())
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	sort.Strings(f.rows)
	sort.Strings(f.coarse)
	return f
}

// goldenWorkbook stands for the checksum of a workbook input. excelize
// writes a workbook's zip members in the order of a map (its sheets'
// sync.Map), so synth's multi-sheet coaching.xlsx comes out with the same
// members, byte for byte, in one of several orders from run to run: its
// checksum (input_files.sha256, run.json files[].sha256) is not the
// pipeline's to keep stable. The workbook's content is compared through
// the tables it loads.
const goldenWorkbook = "(workbook: zip member order varies)"

func isWorkbook(path string) bool {
	file, _, _ := strings.Cut(path, "[")
	ext := strings.ToLower(filepath.Ext(file))
	return ext == ".xlsx" || ext == ".xlsm"
}

func maskWorkbookSHA(cols, rec []string) {
	if p, s := slices.Index(cols, "path"), slices.Index(cols, "sha256"); p >= 0 && s >= 0 && isWorkbook(rec[p]) {
		rec[s] = goldenWorkbook
	}
}

// writeRecord writes rec as a CSV record (as encoding/csv would: a field
// quoted when it holds a comma, quote, line break or leading space).
func writeRecord(b *strings.Builder, rec []string) {
	for i, s := range rec {
		if i > 0 {
			b.WriteByte(',')
		}
		if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' {
			b.WriteString(s)
			continue
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(s, `"`, `""`))
		b.WriteByte('"')
	}
	b.WriteByte('\n')
}

// goldenValue is a value's canonical text: NULL as \N, floats with 10
// significant digits, dates as dates, lists and structs element by
// element.
func goldenValue(v any, digits int) string {
	switch v := v.(type) {
	case nil:
		return `\N`
	case float64:
		return goldenFloat(v, digits)
	case float32:
		return goldenFloat(float64(v), digits)
	case string:
		return v
	case []byte:
		return hex.EncodeToString(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		if v.Equal(time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, v.Location())) {
			return v.Format("2006-01-02")
		}
		return v.Format(time.RFC3339Nano)
	case []any:
		s := make([]string, len(v))
		for i, e := range v {
			s[i] = goldenValue(e, digits)
		}
		return "[" + strings.Join(s, "; ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s := make([]string, len(keys))
		for i, k := range keys {
			s[i] = k + ": " + goldenValue(v[k], digits)
		}
		return "{" + strings.Join(s, "; ") + "}"
	default:
		return fmt.Sprint(v)
	}
}

// goldenFloat prints f with digits significant digits: 10 in the
// canonical CSV, so that rounding in the last bits (FMA, summation order)
// does not change it and any real change does. A magnitude below 1e-12
// prints as 0: such a value is a zero up to rounding (a centred mean, a
// difference of equal sums), whose sign and digits are noise.
//
// A large table's checksum is taken over its rows with floats at 6
// significant digits (and below 1e-9 as 0), as it has no tolerance: the
// model's values vary in their last bits from run to run (DuckDB combines
// the partial sums of its parallel aggregates, such as the regr_slope of
// student_growth.growth, in the order its threads finish, and growth =
// spring_z - (a + b·baseline_z) cancels digits), so at 10 digits a few of
// a table's tens of thousands of values would fall either side of a
// rounding boundary on some runs.
func goldenFloat(f float64, digits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.Abs(f) < 1e-12, digits < 10 && math.Abs(f) < 1e-9:
		return "0"
	}
	return strconv.FormatFloat(f, 'g', digits, 64)
}

// canonicalManifest is run.json less goldenManifestVolatile's fields,
// indented, its keys sorted, its non-integer numbers with 10 significant
// digits.
func canonicalManifest(t *testing.T, b []byte) string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%s: %v", ManifestFile, err)
	}
	for _, k := range goldenManifestVolatile {
		delete(m, k)
	}
	if files, ok := m["files"].([]any); ok {
		for _, f := range files {
			if f, ok := f.(map[string]any); ok {
				if p, ok := f["path"].(string); ok && isWorkbook(p) && f["sha256"] != nil {
					f["sha256"] = goldenWorkbook
				}
			}
		}
	}
	out, err := json.MarshalIndent(goldenJSON(m), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}

func goldenJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = goldenJSON(e)
		}
	case []any:
		for i, e := range v {
			v[i] = goldenJSON(e)
		}
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return v
		}
		if f, err := v.Float64(); err == nil {
			return json.Number(goldenFloat(f, 10))
		}
	}
	return v
}

// writeGolden writes files into dir, which it empties first: want/'s form,
// or with full every table's whole canonical CSV.
func writeGolden(t *testing.T, dir string, files map[string]goldenFile, full bool) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, f := range files {
		s := f.want()
		if full {
			s = f.full()
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compareGolden compares got with the files in dir and says where the
// first difference is, or returns "".
func compareGolden(t *testing.T, dir string, got map[string]goldenFile) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Sprintf("no want/ (%v); write it with go test ./pipeline -run TestGolden -update", err)
	}
	want := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		want[e.Name()] = string(b)
	}
	names := make([]string, 0, len(got)+len(want))
	for n := range got {
		names = append(names, n)
	}
	for n := range want {
		if _, ok := got[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var differ []string // every file that differs, for the message
	first := ""
	for _, n := range names {
		if msg := compareFile(n, got, want); msg != "" {
			differ = append(differ, n)
			if first == "" {
				first = msg
			}
		}
	}
	if first != "" {
		return fmt.Sprintf("%s\n(%d of %d files differ: %s)", first, len(differ), len(names), strings.Join(differ, ", "))
	}
	return ""
}

// compareFile says where got's file n first differs from want's, or
// returns "".
func compareFile(n string, got map[string]goldenFile, want map[string]string) string {
	g, inGot := got[n]
	w, inWant := want[n]
	switch {
	case !inWant:
		return fmt.Sprintf("%s: in got, not in want (a new table?)", n)
	case !inGot:
		return fmt.Sprintf("%s: in want, not in got (a table gone?)", n)
	}
	gs := g.want()
	if gs == w {
		return ""
	}
	gl, wl := strings.SplitAfter(gs, "\n"), strings.SplitAfter(w, "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var a, b string
		if i < len(gl) {
			a = gl[i]
		}
		if i < len(wl) {
			b = wl[i]
		}
		if !sameLine(a, b) {
			return fmt.Sprintf("%s line %d differs:\n got  %q\n want %q", n, i+1, a, b)
		}
	}
	return ""
}

// sameLine says whether got and want are the same line up to float
// rounding: the same tokens, each float within a relative 1e-8 (plus
// 1e-12) of the other, everything else equal. The model's floats vary in
// their last bits from run to run (see goldenFloat), and a few are computed
// ill-conditioned enough to show it at 10 digits: the dosage bands' slope
// standard errors and intervals (Satterthwaite df of a spline with nearly
// collinear knot columns) differ by up to ~2e-9 relative.
func sameLine(got, want string) bool {
	if got == want {
		return true
	}
	g, w := tokens(got), tokens(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] == w[i] {
			continue
		}
		a, errA := strconv.ParseFloat(g[i], 64)
		b, errB := strconv.ParseFloat(w[i], 64)
		if errA != nil || errB != nil || !isFloat(g[i]) || !isFloat(w[i]) || math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
			return false
		}
		if math.Abs(a-b) > 1e-8*max(math.Abs(a), math.Abs(b))+1e-12 {
			return false
		}
	}
	return true
}

// isFloat says whether a token parsed as a number is a float (a point or
// an exponent), not an integer or an ID, which must match exactly.
func isFloat(s string) bool {
	return strings.ContainsAny(s, ".eE") && strings.ContainsAny(s, "0123456789")
}

// tokens splits a line into runs of delimiters and runs of the rest.
func tokens(s string) []string {
	delim := func(r rune) bool { return strings.ContainsRune(",:;\"[]{} \n", r) }
	var out []string
	start := 0
	for i, r := range s {
		if i > start && delim(r) != delim(rune(s[start])) {
			out = append(out, s[start:i])
			start = i
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
