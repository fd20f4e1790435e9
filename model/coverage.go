package model

import (
	"context"
	"fmt"
	"strings"
)

// Coverage is what the built model can link, for `coachimpact check`:
// the growth rows (student_growth rows with a baseline: a spring score
// and a fall or prior-year spring score) with and without a teacher of
// record, the subjects and years on one side of the rosters-assessments
// link only, and the coached teachers against the teachers of record.
type Coverage struct {
	SpringRows  int // student_growth rows: students' spring scores
	GrowthRows  int // of them, with a baseline
	WithTeacher int // growth rows with a teacher of record
	CoachedRows int // growth rows whose teacher of record was coached
	Rosters     int // roster rows loaded
	// Unmatched are the reasons a score finds no roster row: subjects
	// and school years found on one side of the link only.
	Unmatched Unmatched
	// CycleTeachers are the teachers in a coaching cycle; Coached, those
	// of them with coaching-session minutes; CoachedOfRecord, the coached
	// teachers who are a teacher of record of a growth row (whose
	// students carry the impact estimate); OfRecord, all teachers of
	// record of growth rows.
	CycleTeachers, Coached, CoachedOfRecord, OfRecord int
	Subjects                                          []SubjectCoverage
}

// SubjectCoverage is Coverage's growth rows of one subject.
type SubjectCoverage struct {
	Subject                              string
	GrowthRows, WithTeacher, CoachedRows int
}

// Unmatched lists the values found on one side of the link between
// rosters and assessment scores only, each sorted.
type Unmatched struct {
	RosterSubjects     []string // in rosters, in no assessment
	AssessmentSubjects []string // in assessments, in no roster
	YearsWithoutRoster []string // school years of growth rows with no roster row
}

// Reasons says what u lists, one clause per list that is not empty:
// "rosters' subjects HR100, MTH6 match no assessment subject".
func (u Unmatched) Reasons() []string {
	var why []string
	for _, l := range []struct {
		vals   []string
		format string
	}{
		{u.RosterSubjects, "rosters' subjects %s match no assessment subject"},
		{u.AssessmentSubjects, "assessments' subjects %s match no roster subject"},
		{u.YearsWithoutRoster, "no roster rows for school years %s"},
	} {
		if len(l.vals) > 0 {
			why = append(why, fmt.Sprintf(l.format, strings.Join(l.vals, ", ")))
		}
	}
	return why
}

// unmatched finds the subjects and school years on one side of the
// rosters-assessments link only.
func (d *DB) unmatched(ctx context.Context) (Unmatched, error) {
	var u Unmatched
	for _, q := range []struct {
		q   string
		out *[]string
	}{
		{`SELECT DISTINCT subject FROM rosters EXCEPT SELECT DISTINCT subject FROM assessments`, &u.RosterSubjects},
		{`SELECT DISTINCT subject FROM assessments EXCEPT SELECT DISTINCT subject FROM rosters`, &u.AssessmentSubjects},
		{`SELECT DISTINCT school_year::VARCHAR FROM student_growth WHERE baseline_z IS NOT NULL EXCEPT SELECT DISTINCT school_year::VARCHAR FROM rosters`, &u.YearsWithoutRoster},
	} {
		vals, err := d.strings(ctx, q.q)
		if err != nil {
			return Unmatched{}, err
		}
		*q.out = vals
	}
	return u, nil
}

// Coverage counts what the built model can link (see Coverage).
func (d *DB) Coverage(ctx context.Context) (Coverage, error) {
	var c Coverage
	err := d.conn.QueryRowContext(ctx, `
		SELECT count(*),
		       count(*) FILTER (WHERE baseline_z IS NOT NULL),
		       count(*) FILTER (WHERE baseline_z IS NOT NULL AND teacher_id IS NOT NULL),
		       count(*) FILTER (WHERE baseline_z IS NOT NULL AND teacher_id IS NOT NULL AND coached),
		       (SELECT count(*) FROM rosters)
		FROM student_growth`).Scan(&c.SpringRows, &c.GrowthRows, &c.WithTeacher, &c.CoachedRows, &c.Rosters)
	if err != nil {
		return Coverage{}, fmt.Errorf("coverage: %w", err)
	}
	err = d.conn.QueryRowContext(ctx, `
		WITH cycle AS (SELECT DISTINCT teacher_id FROM coaching_cycles),
		coached AS (SELECT DISTINCT c.teacher_id FROM coaching_sessions s JOIN coaching_cycles c USING (cycle_id) WHERE s.minutes > 0),
		of_record AS (SELECT DISTINCT teacher_id FROM student_growth WHERE baseline_z IS NOT NULL AND teacher_id IS NOT NULL)
		SELECT (SELECT count(*) FROM cycle), (SELECT count(*) FROM coached),
		       (SELECT count(*) FROM coached JOIN of_record USING (teacher_id)), (SELECT count(*) FROM of_record)`).
		Scan(&c.CycleTeachers, &c.Coached, &c.CoachedOfRecord, &c.OfRecord)
	if err != nil {
		return Coverage{}, fmt.Errorf("coverage: teachers: %w", err)
	}
	rows, err := d.conn.QueryContext(ctx, `
		SELECT subject, count(*), count(teacher_id), count(*) FILTER (WHERE teacher_id IS NOT NULL AND coached)
		FROM student_growth WHERE baseline_z IS NOT NULL GROUP BY subject ORDER BY subject`)
	if err != nil {
		return Coverage{}, fmt.Errorf("coverage: subjects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s SubjectCoverage
		if err := rows.Scan(&s.Subject, &s.GrowthRows, &s.WithTeacher, &s.CoachedRows); err != nil {
			return Coverage{}, fmt.Errorf("coverage: subjects: %w", err)
		}
		c.Subjects = append(c.Subjects, s)
	}
	if err := rows.Err(); err != nil {
		return Coverage{}, fmt.Errorf("coverage: subjects: %w", err)
	}
	if c.Unmatched, err = d.unmatched(ctx); err != nil {
		return Coverage{}, fmt.Errorf("coverage: %w", err)
	}
	return c, nil
}
