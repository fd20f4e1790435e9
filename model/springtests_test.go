package model

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"testing"
)

// springDistrict is tinyDistrict with a second spring test in each
// subject: in Math the State test (P1 300, P2 310, grade 4: z -/+0.7071)
// beside Bench (P1..P5 in 2024, P3 and P4 in 2023); in ELA MAP Reading
// (P1..P3) beside MAP Language Usage (P4, P5).
var springDistrict = append(append([]string{}, tinyDistrict...),
	`INSERT INTO assessments VALUES
		(2024, 'P1', NULL, 'State', 'Math', 'spring', DATE '2024-04-20', 300, NULL, NULL),
		(2024, 'P2', NULL, 'State', 'Math', 'spring', DATE '2024-04-20', 310, NULL, NULL),
		(2024, 'P1', NULL, 'MAP Reading', 'ELA', 'spring', NULL, 200, NULL, NULL),
		(2024, 'P2', NULL, 'MAP Reading', 'ELA', 'spring', NULL, 205, NULL, NULL),
		(2024, 'P3', NULL, 'MAP Reading', 'ELA', 'spring', NULL, 210, NULL, NULL),
		(2024, 'P4', NULL, 'MAP Language Usage', 'ELA', 'spring', NULL, 190, NULL, NULL),
		(2024, 'P5', NULL, 'MAP Language Usage', 'ELA', 'spring', NULL, 195, NULL, NULL)`)

// buildFrom builds the model of the tables stmts make, with main tests
// named as in the config when mainTests is not nil.
func buildFrom(t *testing.T, stmts []string, mainTests map[string]string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if mainTests != nil {
		if err := db.SetMainTests(ctx, mainTests); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Build(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestSpringTests: without a config the main spring test of a subject
// and year is the one with the most spring z-scores (Bench, 5 takers, over
// State, 2; MAP Reading, 3, over Language Usage, 2), and every student
// who took it has its score as the outcome; a test some students took
// instead is listed after it.
func TestSpringTests(t *testing.T) {
	db := buildFrom(t, springDistrict, nil)
	got, err := db.SpringTests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []SpringTest{
		{2023, "Math", "Bench", 2, true, ChosenByMostTakers, ""},
		{2024, "ELA", "MAP Reading", 3, true, ChosenByMostTakers, ""},
		{2024, "ELA", "MAP Language Usage", 2, false, "", ""},
		{2024, "Math", "Bench", 5, true, ChosenByMostTakers, ""}, // State is nobody's outcome
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SpringTests = %+v\nwant %+v", got, want)
	}
	if notes := MainTestNotes(got, nil); notes != nil {
		t.Errorf("MainTestNotes = %q; want none without a config", notes)
	}
}

// TestMainTestsConfigured: the test [model.main_tests] names (any case,
// spaces around) is the main test wherever it has spring z-scores, over
// the one with more takers: P1's and P2's Math outcome is State, not
// Bench. In 2023 nobody took State: the most-takers rule chooses, and
// SpringTests and the notes say so. A configured subject with no spring
// scores (Science) is noted as having no effect.
func TestMainTestsConfigured(t *testing.T) {
	ctx := context.Background()
	config := map[string]string{"Math": " state ", "ELA": "MAP Language Usage", "Science": "State Science"}
	db := buildFrom(t, springDistrict, config)
	got, err := db.SpringTests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []SpringTest{
		{2023, "Math", "Bench", 2, true, ChosenByMostTakers, "state"},
		{2024, "ELA", "MAP Language Usage", 2, true, ChosenByConfig, ""},
		{2024, "ELA", "MAP Reading", 3, false, "", ""},
		{2024, "Math", "State", 2, true, ChosenByConfig, ""},
		{2024, "Math", "Bench", 3, false, "", ""}, // P3, P4, P5
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SpringTests = %+v\nwant %+v", got, want)
	}

	f, err := db.queryFrame(ctx, `SELECT student_id, assessment_name, spring_z FROM student_growth WHERE school_year = 2024 AND subject = 'Math' ORDER BY student_id`)
	if err != nil {
		t.Fatal(err)
	}
	ids, names, z := f.strings("student_id"), f.strings("assessment_name"), f.floats("spring_z")
	// State: 300 and 310, mean 305, sample SD sqrt(50). Bench: as in
	// TestModelTables (mean 230, SD sqrt(250)).
	r2, sd := math.Sqrt(50), math.Sqrt(250)
	wantRows := []struct {
		id, name string
		z        float64
	}{{"P1", "State", -5 / r2}, {"P2", "State", 5 / r2}, {"P3", "Bench", 0}, {"P4", "Bench", 10 / sd}, {"P5", "Bench", 20 / sd}}
	if f.n != len(wantRows) {
		t.Fatalf("%d Math 2024 rows; want %d", f.n, len(wantRows))
	}
	for i, w := range wantRows {
		if ids[i] != w.id || names[i] != w.name || math.Abs(z[i]-w.z) > 1e-12 {
			t.Errorf("row %d: %s %s z %.6f; want %s %s z %.6f", i, ids[i], names[i], z[i], w.id, w.name, w.z)
		}
	}

	wantNotes := []string{
		`model.main_tests names "state" for Math, which has no spring z-scores in school year 2023: there the main test is the one with the most takers (2023 Bench)`,
		`model.main_tests names "State Science" for Science, but no Science spring scores have z-scores: the setting had no effect`,
	}
	if notes := MainTestNotes(got, config); !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("MainTestNotes = %q\nwant %q", notes, wantNotes)
	}
}
