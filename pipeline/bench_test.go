package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
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
