package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/outdir"
)

// TestSGPMapping runs the committed SGPdata mapping on a small sample in
// SGPdata's own format (testdata/sgpdata/sample, written by hand; the real
// set lives outside the repository): renamed headers, "2023_2024" years,
// MATHEMATICS/READING, achievement-level words, "Gender: Male" style
// flags, 0-1 instructor weights with a 50/50 tie, a blank "No Score" row,
// and no window or test-name column.
func TestSGPMapping(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "testdata", "sgpdata", "mapping.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	man, err := Run(context.Background(), Options{Input: filepath.Join("..", "testdata", "sgpdata", "sample"), Out: out, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if man.Status != outdir.StatusOK || len(man.Reasons) > 0 {
		t.Errorf("status %s, reasons %v; want ok", man.Status, man.Reasons)
	}
	if man.Rejects != 1 {
		t.Errorf("%d rejects; want 1 (the No Score row)", man.Rejects)
	}
	ctx := context.Background()
	db, err := model.Open(ctx, filepath.Join(out, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries := []struct{ q, want string }{
		{`SELECT file || ':' || row || ':' || "column" || ':' || reason FROM rejects`, "assessments.csv:10:scale_score:missing required value"},
		{`SELECT teacher_id || ' ' || percent_time FROM teacher_of_record WHERE student_id = '0000101'`, "100104001 50.0"},
		{`SELECT teacher_id || ' ' || percent_time FROM teacher_of_record WHERE student_id = '0000102'`, "100104002 60.0"},
		{`SELECT string_agg(DISTINCT subject, ',' ORDER BY subject) FROM assessments`, "ELA,Math"},
		{`SELECT string_agg(DISTINCT "window" || '/' || assessment_name, ',') FROM assessments`, "spring/State Assessment"},
		{`SELECT performance_level FROM assessments WHERE student_id = '0000102' AND school_year = 2024`, "3"},
		{`SELECT gender || english_learner || special_education || economically_disadvantaged FROM students WHERE student_id = '0000101'`, "Mtruefalsetrue"},
		{`SELECT coalesce(ip_cohort::VARCHAR, 'comparison') FROM schools ORDER BY school_id LIMIT 1 OFFSET 1`, "comparison"},
		// Annual testing: every 2024 Math analysis row has a prior-spring baseline.
		{`SELECT count(*) || ' ' || string_agg(DISTINCT baseline_source, ',') FROM student_growth WHERE school_year = 2024 AND subject = 'Math' AND excluded IS NULL`, "5 prior spring"},
		// No test dates: the whole year's 150 minutes count.
		{`SELECT hours FROM student_growth WHERE student_id = '0000101' AND subject = 'Math' AND school_year = 2024`, "2.5"},
		{`SELECT hours FROM student_growth WHERE student_id = '0000102' AND subject = 'Math' AND school_year = 2024`, "0"},
	}
	for _, c := range queries {
		var got string
		if err := db.QueryRowContext(ctx, c.q).Scan(&got); err != nil || got != c.want {
			t.Errorf("%s\n = %q, %v; want %q", c.q, got, err, c.want)
		}
	}
}
