package reports

import "context"

// coachSchoolSQL is each coach's school in a year: the coaches table's,
// else where the teachers the coach's cycles were with teach ("Oak Hill
// Elementary", or "2 schools: Elm Park, Oak Hill").
const coachSchoolSQL = `
	coach_schools AS (
	    SELECT c.coach_id, c.school_year, list(DISTINCT sc.school_name ORDER BY sc.school_name) AS names
	    FROM coaching_cycles c JOIN teachers t USING (teacher_id) JOIN schools sc ON sc.school_id = t.school_id
	    GROUP BY ALL)`

// caseloadSheet lists each coach's caseload by year: teachers, cycles
// open and ended, sessions and hours. Activity only: no outcome rate
// (goals met, stages reached) stands beside a coach's name, as the
// partnership principles ask (coaching is not evaluated by it).
func caseloadSheet(ctx context.Context, b *book, in Input) error {
	rows, err := queryRows(ctx, in.DB, `
		WITH ses AS (SELECT cycle_id, count(*) AS sessions, sum(minutes) / 60.0 AS hours FROM coaching_sessions GROUP BY 1),
		`+coachSchoolSQL+`
		SELECT c.coach_id, coalesce(k.coach_name, ''),
		       coalesce(s.school_name, CASE WHEN len(cs.names) = 1 THEN cs.names[1] ELSE len(cs.names)::VARCHAR || ' schools: ' || array_to_string(cs.names, ', ') END, ''),
		       c.school_year, count(DISTINCT c.teacher_id), count(*),
		       count(*) FILTER (WHERE c.end_date IS NULL), count(*) FILTER (WHERE c.end_date IS NOT NULL),
		       coalesce(sum(ses.sessions), 0), coalesce(sum(ses.hours), 0)
		FROM coaching_cycles c
		LEFT JOIN coaches k USING (coach_id)
		LEFT JOIN schools s ON s.school_id = k.school_id
		LEFT JOIN coach_schools cs ON cs.coach_id = c.coach_id AND cs.school_year = c.school_year
		LEFT JOIN ses USING (cycle_id)
		GROUP BY ALL
		ORDER BY c.coach_id, c.school_year`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		r[3] = yearLabel(i64(r[3]))
	}
	return b.table("Coach caseloads", "Coach caseloads by year: coaching activity (the school is where the coach's teachers teach when the coaches list gives none)", []column{
		{Name: "Coach ID"}, {Name: "Coach", Width: 22}, {Name: "School", Width: 30}, {Name: "School year"}, {Name: "Teachers", Style: b.int}, {Name: "Cycles", Style: b.int},
		{Name: "Cycles open", Style: b.int}, {Name: "Cycles ended", Style: b.int}, {Name: "Sessions", Style: b.int}, {Name: "Hours", Style: b.dec},
	}, rows)
}

// currentYearSheet is this year's coaching by school, for a facilitator
// planning the next visit: the latest school year with cycles, the
// teachers in cycles, the cycles in progress by the stage they are in
// (identify, learn, improve, not recorded), those ended, sessions and
// hours, and the last session's date. Counts of coaching only: no
// student result, no teacher named.
func currentYearSheet(ctx context.Context, b *book, in Input) error {
	rows, err := queryRows(ctx, in.DB, `
		WITH yr AS (SELECT max(school_year) AS y FROM coaching_cycles),
		cyc AS (
		    SELECT c.*, t.school_id FROM coaching_cycles c JOIN teachers t USING (teacher_id), yr WHERE c.school_year = yr.y),
		ses AS (
		    SELECT c.school_id, count(*) AS sessions, sum(s.minutes) / 60.0 AS hours, max(s.session_date) AS last
		    FROM coaching_sessions s JOIN cyc c USING (cycle_id) GROUP BY 1)
		SELECT (SELECT y FROM yr), c.school_id, sc.school_name, `+cohortSQL("sc.ip_cohort")+`,
		       count(DISTINCT c.teacher_id),
		       count(*) FILTER (WHERE c.end_date IS NULL AND c.stage_reached = 'identify'),
		       count(*) FILTER (WHERE c.end_date IS NULL AND c.stage_reached = 'learn'),
		       count(*) FILTER (WHERE c.end_date IS NULL AND c.stage_reached = 'improve'),
		       count(*) FILTER (WHERE c.end_date IS NULL AND c.stage_reached IS NULL),
		       count(*) FILTER (WHERE c.end_date IS NOT NULL),
		       coalesce(any_value(ses.sessions), 0), coalesce(any_value(ses.hours), 0), coalesce(strftime(any_value(ses.last), '%Y-%m-%d'), '')
		FROM cyc c JOIN schools sc ON sc.school_id = c.school_id LEFT JOIN ses ON ses.school_id = c.school_id
		GROUP BY ALL
		ORDER BY c.school_id`)
	if err != nil {
		return err
	}
	title := "Coaching this year: no coaching cycle in the data"
	for _, r := range rows {
		title = "Coaching in " + yearLabel(i64(r[0])) + " by school: cycles in progress by stage, and those ended"
		break
	}
	for i, r := range rows {
		rows[i] = r[1:]
	}
	return b.table("Coaching this year", title, []column{
		{Name: "School ID"}, {Name: "School", Width: 30}, {Name: "Cohort"}, {Name: "Teachers in cycles", Style: b.int},
		{Name: "In progress: identify", Style: b.int}, {Name: "In progress: learn", Style: b.int}, {Name: "In progress: improve", Style: b.int}, {Name: "In progress: stage not recorded", Style: b.int},
		{Name: "Cycles ended", Style: b.int}, {Name: "Sessions", Style: b.int}, {Name: "Hours", Style: b.dec}, {Name: "Last session"},
	}, rows)
}
