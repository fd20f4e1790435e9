-- One row per school and school year with coaching logged: how many
-- teachers were in cycles, cycles, sessions and hours. Schools appear
-- even in years without coaching when they have rostered teachers.
WITH years AS (
    SELECT DISTINCT school_year FROM rosters
),
teacher_years AS (
    SELECT DISTINCT r.school_year, t.school_id, r.teacher_id
    FROM rosters r JOIN teachers t USING (teacher_id)
),
cyc AS (
    SELECT c.school_year, t.school_id, c.cycle_id, c.teacher_id
    FROM coaching_cycles c JOIN teachers t USING (teacher_id)
),
ses AS (
    SELECT cyc.school_year, cyc.school_id, count(*) AS sessions, sum(s.minutes) AS minutes
    FROM coaching_sessions s JOIN cyc USING (cycle_id)
    GROUP BY ALL
)
SELECT
    s.school_id,
    s.school_name,
    s.ip_cohort,
    y.school_year,
    (SELECT count(*) FROM teacher_years ty WHERE ty.school_id = s.school_id AND ty.school_year = y.school_year) AS teachers,
    (SELECT count(DISTINCT teacher_id) FROM cyc WHERE cyc.school_id = s.school_id AND cyc.school_year = y.school_year) AS teachers_coached,
    (SELECT count(*) FROM cyc WHERE cyc.school_id = s.school_id AND cyc.school_year = y.school_year) AS cycles,
    coalesce(ses.sessions, 0) AS sessions,
    coalesce(ses.minutes, 0) / 60.0 AS hours
FROM schools s
CROSS JOIN years y
LEFT JOIN ses ON ses.school_id = s.school_id AND ses.school_year = y.school_year
ORDER BY s.school_id, y.school_year
