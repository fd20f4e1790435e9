package model

import (
	"context"
	"fmt"
)

// GradeNotes says how the scores without a tested grade (assessments'
// grade_level blank) got one: the students table's grade counted back
// from the student's latest school year in the data (sql/030_scores.sql),
// and how many fell below K doing so and have no grade and no z-score.
// None when every score has its tested grade.
func (d *DB) GradeNotes(ctx context.Context) ([]string, error) {
	var counted, earlier, belowK int64
	var latest *int64
	err := d.conn.QueryRowContext(ctx, `
		WITH s AS (SELECT grade_source, students_year, max(students_year) OVER () AS latest FROM scores WHERE grade_source <> 'assessment')
		SELECT count(*) FILTER (WHERE grade_source = 'students'), count(*) FILTER (WHERE grade_source = 'students' AND students_year < latest),
		       count(*) FILTER (WHERE grade_source = 'below K'), max(latest)
		FROM s`).Scan(&counted, &earlier, &belowK, &latest)
	if err != nil {
		return nil, fmt.Errorf("grade notes: %w", err)
	}
	if latest == nil {
		return nil, nil
	}
	var notes []string
	if counted > 0 {
		note := fmt.Sprintf("%s had no tested grade; grade taken from the students table, counted back from %d, the latest school year in assessments and rosters (a score a year earlier is a grade lower)",
			scoresCount(counted), *latest)
		if earlier > 0 {
			note += fmt.Sprintf("; for %s of students with no rows in %d, from the student's own last school year", scoresCount(earlier), *latest)
		}
		notes = append(notes, note)
	}
	if belowK > 0 {
		notes = append(notes, fmt.Sprintf("%s had no tested grade and the students table's grade counted back to their year is below K: "+
			"their grade is unknown and they have no z-score (give grade_level in assessments)", scoresCount(belowK)))
	}
	return notes, nil
}

// scoresCount is "1 score" or "N scores".
func scoresCount(n int64) string {
	if n == 1 {
		return "1 score"
	}
	return fmt.Sprintf("%d scores", n)
}
