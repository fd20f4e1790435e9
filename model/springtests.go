package model

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SpringTest is one assessment whose spring scores are a subject's
// outcome in a school year: the main test (the one the config names, else
// the most spring takers), or another one a student took instead.
type SpringTest struct {
	SchoolYear int    `json:"school_year"`
	Subject    string `json:"subject"`
	Assessment string `json:"assessment"`
	Students   int64  `json:"students"` // whose spring score came from this test
	Main       bool   `json:"main"`
	// ChosenBy says, on the main test, what made it main: "config"
	// ([model.main_tests] names it) or "most takers"; "" on the others.
	ChosenBy string `json:"chosen_by,omitempty"`
	// Configured is, on a main test chosen by most takers, the test
	// [model.main_tests] names for the subject: it has no spring z-scores
	// that year (nobody took it, or too few to standardise).
	Configured string `json:"configured,omitempty"`
}

// Values of SpringTest.ChosenBy.
const (
	ChosenByConfig     = "config"
	ChosenByMostTakers = "most takers"
)

// SpringTestsQuery selects SpringTest's columns in its order, the main
// test first in each subject and year and the others by takers (the
// choice spring_tests records and spring_scores makes).
const SpringTestsQuery = `
WITH n AS (SELECT school_year, subject, assessment_name, count(*) AS n FROM spring_scores GROUP BY ALL)
SELECT n.school_year, n.subject, n.assessment_name, n.n, t.main_rank = 1, coalesce(t.chosen_by, ''),
       CASE WHEN t.chosen_by = 'most takers' THEN coalesce(t.configured, '') ELSE '' END
FROM n JOIN spring_tests t USING (school_year, subject, assessment_name)
ORDER BY n.school_year, n.subject, t.main_rank`

// SpringTests says which tests the model took as each subject's spring
// outcome, year by year (from spring_scores and spring_tests), the main
// one first.
func (d *DB) SpringTests(ctx context.Context) ([]SpringTest, error) {
	rows, err := d.conn.QueryContext(ctx, SpringTestsQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SpringTest
	for rows.Next() {
		var t SpringTest
		if err := rows.Scan(&t.SchoolYear, &t.Subject, &t.Assessment, &t.Students, &t.Main, &t.ChosenBy, &t.Configured); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// MainTestNotes says, per subject [model.main_tests] names a test for
// (configured), where the model could not follow it: the school years in
// which the named test has no spring z-scores, so that the most-takers
// rule chose, and a subject with no spring scores at all. tests are
// SpringTests' answer.
func MainTestNotes(tests []SpringTest, configured map[string]string) []string {
	var notes []string
	for _, subject := range slices.Sorted(maps.Keys(configured)) {
		var seen bool
		var years, chosen []string
		for _, t := range tests {
			if t.Subject != subject {
				continue
			}
			seen = true
			if t.Main && t.ChosenBy == ChosenByMostTakers {
				years = append(years, fmt.Sprint(t.SchoolYear))
				chosen = append(chosen, fmt.Sprintf("%d %s", t.SchoolYear, t.Assessment))
			}
		}
		name := strings.TrimSpace(configured[subject])
		switch {
		case !seen:
			notes = append(notes, fmt.Sprintf("model.main_tests names %q for %s, but no %s spring scores have z-scores: the setting had no effect", name, subject, subject))
		case len(years) > 0:
			when := "school year "
			if len(years) > 1 {
				when = "school years "
			}
			notes = append(notes, fmt.Sprintf("model.main_tests names %q for %s, which has no spring z-scores in %s%s: there the main test is the one with the most takers (%s)",
				name, subject, when, strings.Join(years, ", "), strings.Join(chosen, "; ")))
		}
	}
	return notes
}
