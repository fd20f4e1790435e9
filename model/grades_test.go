package model

import (
	"context"
	"math"
	"reflect"
	"testing"
)

// gradesDistrict: students with no tested grade on their scores, over
// two school years; the data's latest year is 2024, so the students
// table's grades of students with 2024 rows are those of 2024. A and B
// are in grade 5, C in K: their 2024 scores are grade 5 (A, B) and K (C);
// in 2023 A and B were in grade 4, and C's 2023 score counts back below K
// (unknown). E left after 2023: the students table's grade 4 is of 2023,
// E's last year (counted back from 2024 it would be grade 3). D, in grade
// 3, has a tested grade (3) on its 2024 score, which stands.
var gradesDistrict = []string{
	`CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR, district_id VARCHAR, district_name VARCHAR, level VARCHAR, ip_cohort INTEGER)`,
	`INSERT INTO schools VALUES ('S1', 'One', 'D1', 'D', 'elementary', NULL)`,
	`CREATE TABLE teachers (teacher_id VARCHAR, school_id VARCHAR, first_name VARCHAR, last_name VARCHAR, subject_area VARCHAR, grade_band VARCHAR, years_experience DOUBLE)`,
	`INSERT INTO teachers VALUES ('T1', 'S1', NULL, NULL, NULL, NULL, NULL)`,
	`CREATE TABLE coaches (coach_id VARCHAR, coach_name VARCHAR, school_id VARCHAR, ip_cohort INTEGER)`,
	`CREATE TABLE students (student_id VARCHAR, school_id VARCHAR, grade_level INTEGER, gender VARCHAR, race_ethnicity VARCHAR, english_learner BOOLEAN, special_education BOOLEAN, economically_disadvantaged BOOLEAN)`,
	`INSERT INTO students VALUES
		('A', 'S1', 5, NULL, NULL, NULL, NULL, NULL), ('B', 'S1', 5, NULL, NULL, NULL, NULL, NULL),
		('C', 'S1', 0, NULL, NULL, NULL, NULL, NULL), ('D', 'S1', 3, NULL, NULL, NULL, NULL, NULL),
		('E', 'S1', 4, NULL, NULL, NULL, NULL, NULL)`,
	`CREATE TABLE rosters (school_year INTEGER, student_id VARCHAR, teacher_id VARCHAR, subject VARCHAR, section_id VARCHAR, percent_time DOUBLE)`,
	`INSERT INTO rosters VALUES (2024, 'A', 'T1', 'Math', NULL, NULL), (2024, 'B', 'T1', 'Math', NULL, NULL)`,
	`CREATE TABLE assessments (school_year INTEGER, student_id VARCHAR, grade_level INTEGER, assessment_name VARCHAR, subject VARCHAR, "window" VARCHAR, test_date DATE, scale_score DOUBLE, performance_level INTEGER, percentile DOUBLE)`,
	`INSERT INTO assessments VALUES
		(2023, 'A', NULL, 'Bench', 'Math', 'spring', NULL, 200, NULL, NULL),
		(2023, 'B', NULL, 'Bench', 'Math', 'spring', NULL, 210, NULL, NULL),
		(2023, 'C', NULL, 'Bench', 'Math', 'spring', NULL, 150, NULL, NULL),
		(2023, 'E', NULL, 'Bench', 'Math', 'spring', NULL, 205, NULL, NULL),
		(2024, 'A', NULL, 'Bench', 'Math', 'spring', NULL, 220, NULL, NULL),
		(2024, 'B', NULL, 'Bench', 'Math', 'spring', NULL, 240, NULL, NULL),
		(2024, 'C', NULL, 'Bench', 'Math', 'spring', NULL, 160, NULL, NULL),
		(2024, 'D', 3, 'Bench', 'Math', 'spring', NULL, 180, NULL, NULL)`,
	`CREATE TABLE coaching_cycles (cycle_id VARCHAR, coach_id VARCHAR, teacher_id VARCHAR, school_year INTEGER, start_date DATE, end_date DATE, focus_area VARCHAR, goal VARCHAR, stage_reached VARCHAR, goal_met BOOLEAN)`,
	`CREATE TABLE coaching_sessions (session_id VARCHAR, cycle_id VARCHAR, session_date DATE, activity VARCHAR, minutes DOUBLE, principles VARCHAR)`,
	`CREATE TABLE observations (observation_id VARCHAR, teacher_id VARCHAR, observation_date DATE, observer_role VARCHAR, look_for VARCHAR, rating DOUBLE)`,
}

// TestGradesCountedBack: a score with no tested grade gets the grade the
// student was in that year (the students table's grade, that of the
// latest year 2024, less the years between), in the table the impact
// model's grade fixed effects read (student_growth.tested_grade); one
// counted back below K has no grade and no z, and the notes count both.
func TestGradesCountedBack(t *testing.T) {
	ctx := context.Background()
	db := buildFrom(t, gradesDistrict, nil)
	f, err := db.queryFrame(ctx, `SELECT school_year, student_id, tested_grade, spring_z, baseline_z FROM student_growth ORDER BY school_year, student_id`)
	if err != nil {
		t.Fatal(err)
	}
	// 2023 grade 4: A 200, B 210, E 205 (mean 205, SD 5); C is below K.
	// 2024 grade 5: A 220, B 240 (mean 230, SD sqrt(200)); C alone in
	// K and D alone in grade 3: no z, so no spring score.
	r200, nan := math.Sqrt(200), math.NaN()
	want := []struct {
		year        float64
		id          string
		grade, z, b float64
	}{
		{2023, "A", 4, -1, nan}, {2023, "B", 4, 1, nan}, {2023, "E", 4, 0, nan},
		{2024, "A", 5, -10 / r200, -1}, {2024, "B", 5, 10 / r200, 1},
	}
	years, ids, grades, z, base := f.floats("school_year"), f.strings("student_id"), f.floats("tested_grade"), f.floats("spring_z"), f.floats("baseline_z")
	if f.n != len(want) {
		t.Fatalf("student_growth has %d rows; want %d", f.n, len(want))
	}
	same := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 || math.IsNaN(a) && math.IsNaN(b) }
	for i, w := range want {
		if years[i] != w.year || ids[i] != w.id || grades[i] != w.grade || !same(z[i], w.z) || !same(base[i], w.b) {
			t.Errorf("row %d: %v %s grade %v z %v baseline %v; want %+v", i, years[i], ids[i], grades[i], z[i], base[i], w)
		}
	}

	// C's 2023 score: no grade, no z; its 2024 score is K (0). D's and
	// C's 2024 scores are alone in their grade: no z. E's grade is from
	// its own last year, 2023.
	g, err := db.queryFrame(ctx, `SELECT school_year, tested_grade, grade_source, students_year, z FROM scores WHERE student_id IN ('C', 'D', 'E') ORDER BY student_id, school_year`)
	if err != nil {
		t.Fatal(err)
	}
	gy, gg, gs, sy, gz := g.floats("school_year"), g.floats("tested_grade"), g.strings("grade_source"), g.floats("students_year"), g.floats("z")
	wantScores := []struct {
		year, grade float64
		source      string
		sy          float64
		z           float64
	}{{2023, nan, "below K", 2024, nan}, {2024, 0, "students", 2024, nan}, {2024, 3, "assessment", nan, nan}, {2023, 4, "students", 2023, 0}}
	if g.n != len(wantScores) {
		t.Fatalf("%d scores of C, D and E; want %d", g.n, len(wantScores))
	}
	for i, w := range wantScores {
		if gy[i] != w.year || !same(gg[i], w.grade) || gs[i] != w.source || !same(sy[i], w.sy) || !same(gz[i], w.z) {
			t.Errorf("score %d: %v grade %v %s from %v z %v; want %+v", i, gy[i], gg[i], gs[i], sy[i], gz[i], w)
		}
	}

	notes, err := db.GradeNotes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantNotes := []string{
		"6 scores had no tested grade; grade taken from the students table, counted back from 2024, the latest school year in assessments and rosters (a score a year earlier is a grade lower); " +
			"for 1 score of students with no rows in 2024, from the student's own last school year",
		"1 score had no tested grade and the students table's grade counted back to their year is below K: their grade is unknown and they have no z-score (give grade_level in assessments)",
	}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("GradeNotes = %q\nwant %q", notes, wantNotes)
	}

	// The verdict on scores without z tells C's 2023 score (no grade)
	// from the two alone in their group (C's 2024 K, D's grade 3).
	reasons, err := db.Verdict(ctx, nil, nil, Thresholds{MaxRejectedShare: 1, MaxNoTeacherShare: 1, MaxNoZShare: 0})
	if err != nil {
		t.Fatal(err)
	}
	wantText := "3 of 8 scores (38%) have no z-score: 2 groups of a single score (scores are standardised within assessment, subject, tested grade, year and window)" +
		"; 1 scores have no grade (no tested grade, and the students table's grade counted back to their year is below K)"
	if len(reasons) != 1 || reasons[0].Code != ReasonNoZ || reasons[0].Text != wantText {
		t.Errorf("Verdict = %+v\nwant one %s: %s", reasons, ReasonNoZ, wantText)
	}
}

// TestGradeNotesTiny: tinyDistrict's 2024 scores have no tested grade
// (P1-P5 spring, P1, P2 and P5 fall, P4's Retest: 9); counted back zero
// years from 2024 they are still said to come from the students table.
func TestGradeNotesTiny(t *testing.T) {
	notes, err := openTiny(t).GradeNotes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"9 scores had no tested grade; grade taken from the students table, counted back from 2024, the latest school year in assessments and rosters (a score a year earlier is a grade lower)"}
	if !reflect.DeepEqual(notes, want) {
		t.Errorf("GradeNotes = %q\nwant %q", notes, want)
	}
}
