package reports_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/pipeline"
	"github.com/coachimpact/coachimpact/reports"
	"github.com/coachimpact/coachimpact/synth"
)

// BenchmarkReportsDemo: every chart and workbook of the demo district
// (goal: under 2 s).
func BenchmarkReportsDemo(b *testing.B) {
	benchReports(b, synth.Config{Seed: 1, Format: "csv"}, func(ctx context.Context, in reports.Input, dir string) error {
		return reports.Build(ctx, in, filepath.Join(dir, "reports"), filepath.Join(dir, "charts"))
	})
}

// BenchmarkSchoolWorkbooks: the principals' workbooks alone for 14, 140 and
// 1,300 schools (one section per grade, so the data grow with the schools);
// ns/school should stay flat.
func BenchmarkSchoolWorkbooks(b *testing.B) {
	for _, n := range []int{14, 140, 1300} {
		b.Run(fmt.Sprintf("schools=%d", n), func(b *testing.B) {
			cfg := synth.Config{Seed: 1, Schools: n, Districts: max(1, n/10), StudentsPerGrade: 24, Years: 3, Format: "csv"}
			benchReports(b, cfg, func(ctx context.Context, in reports.Input, dir string) error {
				return reports.Schools(ctx, in, filepath.Join(dir, "schools"))
			})
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/school")
		})
	}
}

// benchReports runs the pipeline once on a generated district (untimed),
// then times build on its model.
func benchReports(b *testing.B, cfg synth.Config, build func(context.Context, reports.Input, string) error) {
	ctx := context.Background()
	in, out := b.TempDir(), b.TempDir()
	if _, err := synth.Generate(ctx, in, cfg); err != nil {
		b.Fatal(err)
	}
	_, err := pipeline.Run(ctx, pipeline.Options{Input: in, Out: out, Config: config.Default()})
	if err != nil {
		b.Fatal(err)
	}
	db, err := model.Open(ctx, filepath.Join(out, pipeline.DBFile))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	input := reports.Input{DB: db, MinCell: 10, Started: time.Now(), ChartsDir: filepath.Join(out, "charts")}
	b.ResetTimer()
	for b.Loop() {
		if err := build(ctx, input, b.TempDir()); err != nil {
			b.Fatal(err)
		}
	}
}
