package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/synth"
)

func generate(b *testing.B, cfg synth.Config) string {
	b.Helper()
	dir := b.TempDir()
	if _, err := synth.Generate(context.Background(), dir, cfg); err != nil {
		b.Fatal(err)
	}
	return dir
}

// ingestOnly parses and validates every source, without DuckDB, and
// returns the data rows read from the sources whose file name passes keep
// and the time spent reading them.
func ingestOnly(b *testing.B, dir string, keep func(name string) bool) (int, time.Duration) {
	tables := ingest.Tables()
	srcs, err := ingest.Discover(dir, tables, nil, ingest.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	var present []string
	for _, s := range srcs {
		present = append(present, s.Table.Name)
	}
	keys := ingest.NewKeys(present)
	mem := memory.NewGoAllocator()
	rows := 0
	var spent time.Duration
	for _, s := range srcs {
		t0 := time.Now()
		r, err := ingest.Open(context.Background(), s, nil, keys, mem, ingest.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		r.Release()
		if keep(s.File) {
			rows += r.Stats().RowsRead
			spent += time.Since(t0)
		}
	}
	return rows, spent
}

// BenchmarkIngestCSV: the demo district as plain CSV, parsed, validated and
// built into Arrow batches (no DuckDB). Reports data rows per second.
func BenchmarkIngestCSV(b *testing.B) {
	dir := generate(b, synth.Config{Seed: 1, Format: "csv"})
	b.ResetTimer()
	var rows int
	var spent time.Duration
	for b.Loop() {
		n, d := ingestOnly(b, dir, func(string) bool { return true })
		rows, spent = rows+n, spent+d
	}
	b.ReportMetric(float64(rows)/spent.Seconds(), "rows/s")
}

// BenchmarkIngestXLSX: the demo district's workbooks (students, teachers,
// coaching) read with excelize's streaming reader. Reports xlsx rows per
// second (the CSV files are read too, untimed, for the reference checks).
func BenchmarkIngestXLSX(b *testing.B) {
	dir := generate(b, synth.Config{Seed: 1})
	b.ResetTimer()
	var rows int
	var spent time.Duration
	for b.Loop() {
		n, d := ingestOnly(b, dir, func(name string) bool { return strings.HasSuffix(name, ".xlsx") })
		rows, spent = rows+n, spent+d
	}
	b.ReportMetric(float64(rows)/spent.Seconds(), "rows/s")
}

// BenchmarkDemo: the whole pipeline (ingest, DuckDB model, reports,
// publish) on the demo district. Target: under 5 s.
func BenchmarkDemo(b *testing.B) {
	dir := generate(b, synth.Config{Seed: 1})
	b.ResetTimer()
	for b.Loop() {
		out := b.TempDir()
		if _, err := Run(context.Background(), Options{Input: dir, Out: out, Config: config.Default()}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchModel times the model stage alone (SQL models, checks and the Go
// statistics) on the database a full run over input left behind: each
// iteration starts from a copy of that database.
func benchModel(b *testing.B, input string, cfg config.Config) {
	out := b.TempDir()
	if _, err := Run(context.Background(), Options{Input: input, Out: out, Config: cfg, Mem: memory.NewGoAllocator()}); err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(out, DBFile))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "m.duckdb")
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := os.WriteFile(path, src, 0o600); err != nil {
			b.Fatal(err)
		}
		db, err := model.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := db.Build(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Analyze(ctx, model.AnalyzeOptions{MinCell: cfg.MinCell, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkModelDemo: the model stage on the demo district (goal: under
// 2 s).
func BenchmarkModelDemo(b *testing.B) {
	benchModel(b, generate(b, synth.Config{Seed: 1, Format: "csv"}), config.Default())
}

// BenchmarkModelSGP: the model stage on the SGPdata test set (goal: under
// 10 s). Skipped when ../../shared/external/sgpdata (or $SGPDATA) is not
// there.
func BenchmarkModelSGP(b *testing.B) {
	dir := os.Getenv("SGPDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "external", "sgpdata")
	}
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("no SGPdata: %v", err)
	}
	cfg, err := config.Load(filepath.Join("..", "testdata", "sgpdata", "mapping.toml"))
	if err != nil {
		b.Fatal(err)
	}
	benchModel(b, dir, cfg)
}
