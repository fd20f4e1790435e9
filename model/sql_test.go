package model

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// tinyDistrict is a hand-built district whose model tables are worked out
// by hand in TestModelTables.
var tinyDistrict = []string{
	`CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR, district_id VARCHAR, district_name VARCHAR, level VARCHAR, ip_cohort INTEGER)`,
	`INSERT INTO schools VALUES ('S1', 'One', 'D1', 'D', 'elementary', 2024), ('S2', 'Two', 'D1', 'D', 'elementary', NULL)`,
	`CREATE TABLE teachers (teacher_id VARCHAR, school_id VARCHAR, first_name VARCHAR, last_name VARCHAR, subject_area VARCHAR, grade_band VARCHAR, years_experience DOUBLE)`,
	`INSERT INTO teachers VALUES ('T1', 'S1', NULL, NULL, NULL, NULL, NULL), ('T2', 'S1', NULL, NULL, NULL, NULL, NULL), ('T3', 'S2', NULL, NULL, NULL, NULL, NULL)`,
	`CREATE TABLE coaches (coach_id VARCHAR, coach_name VARCHAR, school_id VARCHAR, ip_cohort INTEGER)`,
	`CREATE TABLE students (student_id VARCHAR, school_id VARCHAR, grade_level INTEGER, gender VARCHAR, race_ethnicity VARCHAR, english_learner BOOLEAN, special_education BOOLEAN, economically_disadvantaged BOOLEAN)`,
	`INSERT INTO students VALUES
		('P1', 'S1', 4, 'F', 'A', true, false, true), ('P2', 'S1', 4, 'M', 'B', false, false, NULL),
		('P3', 'S1', 4, 'F', 'A', false, true, false), ('P4', 'S1', 4, 'M', NULL, NULL, NULL, NULL),
		('P5', 'S2', 4, 'F', 'B', false, false, true)`,
	`CREATE TABLE rosters (school_year INTEGER, student_id VARCHAR, teacher_id VARCHAR, subject VARCHAR, section_id VARCHAR, percent_time DOUBLE)`,
	// P1: a 50/50 tie goes to T1; P2: 60 beats 40; P3: blank = 100; P4: none.
	`INSERT INTO rosters VALUES
		(2024, 'P1', 'T2', 'Math', NULL, 50), (2024, 'P1', 'T1', 'Math', NULL, 50),
		(2024, 'P2', 'T1', 'Math', NULL, 40), (2024, 'P2', 'T2', 'Math', NULL, 60),
		(2024, 'P3', 'T1', 'Math', NULL, NULL), (2024, 'P5', 'T3', 'Math', NULL, 100)`,
	`CREATE TABLE assessments (school_year INTEGER, student_id VARCHAR, grade_level INTEGER, assessment_name VARCHAR, subject VARCHAR, "window" VARCHAR, test_date DATE, scale_score DOUBLE, performance_level INTEGER, percentile DOUBLE)`,
	`INSERT INTO assessments VALUES
		(2024, 'P1', NULL, 'Bench', 'Math', 'spring', DATE '2024-05-10', 210, 2, NULL),
		(2024, 'P2', NULL, 'Bench', 'Math', 'spring', DATE '2024-05-10', 220, 3, NULL),
		(2024, 'P3', NULL, 'Bench', 'Math', 'spring', DATE '2024-05-10', 230, 3, NULL),
		(2024, 'P4', NULL, 'Bench', 'Math', 'spring', DATE '2024-05-10', 240, 4, NULL),
		(2024, 'P5', NULL, 'Bench', 'Math', 'spring', NULL, 250, 4, NULL),
		(2024, 'P1', NULL, 'Bench', 'Math', 'fall', NULL, 200, NULL, NULL),
		(2024, 'P2', NULL, 'Bench', 'Math', 'fall', NULL, 205, NULL, NULL),
		(2024, 'P5', NULL, 'Bench', 'Math', 'fall', NULL, 215, NULL, NULL),
		(2023, 'P3', 3, 'Bench', 'Math', 'spring', NULL, 190, NULL, NULL),
		(2023, 'P4', 3, 'Bench', 'Math', 'spring', NULL, 200, NULL, NULL),
		(2024, 'P4', NULL, 'Retest', 'Math', 'spring', NULL, 100, NULL, NULL)`,
	`CREATE TABLE coaching_cycles (cycle_id VARCHAR, coach_id VARCHAR, teacher_id VARCHAR, school_year INTEGER, start_date DATE, end_date DATE, focus_area VARCHAR, goal VARCHAR, stage_reached VARCHAR, goal_met BOOLEAN)`,
	`INSERT INTO coaching_cycles VALUES
		('C1', 'K1', 'T1', 2024, DATE '2023-09-01', DATE '2024-05-20', 'questioning', NULL, 'improve', true),
		('C2', 'K2', 'T3', 2024, DATE '2024-05-25', NULL, NULL, NULL, 'learn', NULL)`,
	`CREATE TABLE coaching_sessions (session_id VARCHAR, cycle_id VARCHAR, session_date DATE, activity VARCHAR, minutes DOUBLE, principles VARCHAR)`,
	// T1: 60 + 30 minutes up to the test date (on it counts), 90 after.
	// T3's student has no test date: the whole year counts.
	`INSERT INTO coaching_sessions VALUES
		('E1', 'C1', DATE '2023-10-01', 'Planning', 60, 'voice;choice'),
		('E2', 'C1', DATE '2024-05-10', 'co-teaching', 30, NULL),
		('E3', 'C1', DATE '2024-05-20', 'lesson study', 90, 'reflection'),
		('E4', 'C2', DATE '2024-06-01', 'debrief', 120, '')`,
	`CREATE TABLE observations (observation_id VARCHAR, teacher_id VARCHAR, observation_date DATE, observer_role VARCHAR, look_for VARCHAR, rating DOUBLE)`,
	`INSERT INTO observations VALUES
		('O1', 'T1', DATE '2023-08-15', 'coach', 'x', 2), ('O2', 'T1', DATE '2023-09-20', 'coach', 'x', 3),
		('O3', 'T1', DATE '2024-06-01', 'coach', 'x', 3), ('O4', 'T1', DATE '2024-06-02', 'coach', 'x', 4),
		('O5', 'T2', DATE '2024-01-10', 'peer', 'x', 1)`,
}

func openTiny(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range tinyDistrict {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Build(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestModelTables(t *testing.T) {
	db := openTiny(t)
	ctx := context.Background()
	f, err := db.queryFrame(ctx, `SELECT student_id, teacher_id, spring_z, baseline_z, baseline_source, hours, coached, excluded, school_id, growth
		FROM student_growth WHERE school_year = 2024 ORDER BY student_id`)
	if err != nil {
		t.Fatal(err)
	}
	// Spring Bench grade 4: 210..250, mean 230, sample SD sqrt(250).
	// Fall Bench grade 4: 200, 205, 215, mean 206.67, SD sqrt(175/3).
	// Spring 2023 grade 3: 190, 200, mean 195, SD sqrt(50).
	// P4's Retest is its own group of one: no z, so Bench is its spring.
	sd, fsd, psd := math.Sqrt(250), math.Sqrt(175.0/3), math.Sqrt(50)
	fm := 620.0 / 3
	nan := math.NaN()
	want := []struct {
		id, teacher, source, excluded, school string
		spring, base, hours                   float64
	}{
		{"P1", "T1", "fall", "", "S1", -20 / sd, (200 - fm) / fsd, 1.5},
		{"P2", "T2", "fall", "", "S1", -10 / sd, (205 - fm) / fsd, 0},
		{"P3", "T1", "prior spring", "", "S1", 0, -5 / psd, 1.5},
		{"P4", "", "prior spring", "no teacher of record", "S1", 10 / sd, 5 / psd, nan},
		{"P5", "T3", "fall", "", "S2", 20 / sd, (215 - fm) / fsd, 2},
	}
	if f.n != len(want) {
		t.Fatalf("%d rows; want %d", f.n, len(want))
	}
	for i, w := range want {
		got := struct {
			id, teacher, source, excluded, school string
			spring, base, hours                   float64
		}{
			f.strings("student_id")[i], f.strings("teacher_id")[i], f.strings("baseline_source")[i],
			f.strings("excluded")[i], f.strings("school_id")[i],
			f.floats("spring_z")[i], f.floats("baseline_z")[i], f.floats("hours")[i],
		}
		same := got.id == w.id && got.teacher == w.teacher && got.source == w.source && got.excluded == w.excluded &&
			got.school == w.school && near(got.spring, w.spring) && near(got.base, w.base) &&
			(near(got.hours, w.hours) || math.IsNaN(w.hours) && math.IsNaN(got.hours))
		if !same {
			t.Errorf("row %d = %+v\n want %+v", i, got, w)
		}
		if coached := f.floats("coached")[i]; w.hours > 0 && coached != 1 || w.hours == 0 && coached != 0 {
			t.Errorf("%s coached = %v", w.id, coached)
		}
	}

	var cycles, improve, goals, sessions int
	var hours, planning, coteach, other, principles float64
	err = db.QueryRowContext(ctx, `SELECT cycles, cycles_improve, goals_met, sessions, hours, minutes_planning, minutes_co_teaching, minutes_other, principles_logged
		FROM teacher_dosage WHERE teacher_id = 'T1' AND school_year = 2024`).Scan(&cycles, &improve, &goals, &sessions, &hours, &planning, &coteach, &other, &principles)
	if err != nil || cycles != 1 || improve != 1 || goals != 1 || sessions != 3 || hours != 3 || planning != 60 || coteach != 30 || other != 90 || principles != 3 {
		t.Errorf("T1 dosage: %d %d %d %d %v %v %v %v %v %v", cycles, improve, goals, sessions, hours, planning, coteach, other, principles, err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM teacher_dosage WHERE teacher_id = 'T2' AND cycles = 0 AND hours = 0`).Scan(&n); err != nil || n != 1 {
		t.Errorf("uncoached T2 rows with zeros: %d, %v", n, err)
	}

	// Practice: T1 is observed before (2), during (3) and after its cycle
	// (3, 4); T2 never coached (1).
	pf, err := db.queryFrame(ctx, `SELECT phase, teachers, observations, mean_rating FROM teacher_practice WHERE focus_area = 'all' ORDER BY phase_order`)
	if err != nil {
		t.Fatal(err)
	}
	wantPhase := []struct {
		phase  string
		obs    float64
		rating float64
	}{{"not coached", 1, 1}, {"before", 1, 2}, {"during cycle 1", 1, 3}, {"after cycle 1", 2, 3.5}}
	for i, w := range wantPhase {
		if i >= pf.n || pf.strings("phase")[i] != w.phase || pf.floats("observations")[i] != w.obs || pf.floats("mean_rating")[i] != w.rating {
			t.Errorf("practice phase %d: want %+v; got frame %v %v", i, w, pf.str, pf.num)
		}
	}
	var change float64
	if err := db.QueryRowContext(ctx, `SELECT change FROM practice_change WHERE teacher_id = 'T1'`).Scan(&change); err != nil || change != 1.5 {
		t.Errorf("T1 change = %v, %v; want 1.5", change, err)
	}
}

func TestAnalyzeTiny(t *testing.T) {
	db := openTiny(t)
	ctx := context.Background()
	est, err := db.Analyze(ctx, AnalyzeOptions{MinCell: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM estimates").Scan(&n); err != nil || n != len(est) {
		t.Errorf("estimates table has %d rows, %v; Analyze returned %d", n, err, len(est))
	}
	byAnalysis := map[string]Estimate{}
	for _, e := range est {
		if e.SchoolYear == nil && e.Subgroup == "" && e.Subject == AllSubjects {
			byAnalysis[e.Analysis] = e
		}
	}
	// 4 analysis rows (P1..P3, P5), 3 teachers: the impact model fits.
	if e := byAnalysis[AnalysisImpact]; e.NStudents != 4 || e.NCoachedStudents != 3 || e.NTeachers != 3 {
		t.Errorf("impact counts: %+v", e)
	}
	if e := byAnalysis[AnalysisPractice]; e.Estimate != nil || e.NTeachers != 1 || e.Note == "" {
		t.Errorf("practice with one teacher: %+v", e)
	}
	// One school joins in 2024, the first panel year: always treated.
	if e := byAnalysis[AnalysisDiD]; e.Estimate != nil {
		t.Errorf("did: %+v", e)
	}
	// Suppression at the default threshold: every cell is too small.
	est, err = db.Analyze(ctx, AnalyzeOptions{MinCell: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range est {
		if (e.Analysis == AnalysisImpact || e.Analysis == AnalysisSubgroup || e.Analysis == AnalysisDose) && (!e.Suppressed || e.Estimate != nil) {
			t.Errorf("not suppressed at 10: %+v", e)
		}
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM dosage_bands WHERE n_students > 0 AND NOT suppressed").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d dosage bands under 10 students not suppressed (%v)", n, err)
	}

	if _, err := db.ExecContext(ctx, "DELETE FROM observations"); err != nil {
		t.Fatal(err)
	}
	if err := db.Build(ctx); err != nil {
		t.Fatal(err)
	}
	est, err = db.Analyze(ctx, AnalyzeOptions{MinCell: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range est {
		if e.Analysis == AnalysisPractice && e.Note != "skipped: no observations loaded (the observations table is optional)" {
			t.Errorf("practice without observations: %+v", e)
		}
	}
	if _, err := db.Analyze(ctx, AnalyzeOptions{MinCell: 0}); err == nil {
		t.Error("MinCell 0 accepted")
	}
}

// TestExportParquet: every table comes back from the Parquet export, read
// by DuckDB's own Parquet reader with Hive partitioning, with its rows and
// its school_year taken from the folder names; a folder that exists is
// refused, not replaced.
func TestExportParquet(t *testing.T) {
	ctx := context.Background()
	db := openTiny(t)
	dir := filepath.Join(t.TempDir(), "warehouse")
	if err := db.ExportParquet(ctx, dir); err != nil {
		t.Fatal(err)
	}
	// An existing folder is never written into or replaced.
	if err := db.ExportParquet(ctx, dir); !errors.Is(err, os.ErrExist) {
		t.Fatalf("export into an existing folder: %v; want ErrExist", err)
	}
	tables, err := db.tableColumns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		glob := filepath.Join(dir, tb.name, "**", "*.parquet")
		var want, got int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+Ident(tb.name)).Scan(&want); err != nil {
			t.Fatal(err)
		}
		q := "SELECT count(*) FROM read_parquet(?, hive_partitioning = true)"
		if !tb.partitioned {
			glob = filepath.Join(dir, tb.name, "part-0.parquet")
		}
		if err := db.QueryRowContext(ctx, q, glob).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		if got != want {
			t.Errorf("%s: %d rows in Parquet; %d in the model", tb.name, got, want)
		}
	}
	// The partition column comes back from the path with the same values.
	var diff int
	q := `SELECT count(*) FROM (
	        SELECT student_id, subject, school_year::BIGINT, spring_z FROM student_growth
	        EXCEPT ALL
	        SELECT student_id, subject, school_year::BIGINT, spring_z FROM read_parquet(?, hive_partitioning = true))`
	if err := db.QueryRowContext(ctx, q, filepath.Join(dir, "student_growth", "**", "*.parquet")).Scan(&diff); err != nil || diff != 0 {
		t.Errorf("student_growth round trip: %d rows differ, %v", diff, err)
	}
}

// TestStepsCounted: Steps, the progress bar's total, is the number of
// steps Build and Analyze report (a new d.step in Analyze must raise
// analysisSteps).
func TestStepsCounted(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range tinyDistrict {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var steps []string
	db.OnStep = func(name string, _ time.Duration) { steps = append(steps, name) }
	if err := db.Build(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Analyze(ctx, AnalyzeOptions{MinCell: 1, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if len(steps) != Steps() {
		t.Errorf("Build and Analyze reported %d steps, Steps() says %d: %q", len(steps), Steps(), steps)
	}
}
