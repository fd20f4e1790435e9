-- The school-year panel of the cohort analysis, both subjects pooled:
-- tested students, analysis rows (student-subjects with a teacher of
-- record and a baseline), teachers and the share of them coached, coaching
-- hours, mean student hours, mean conditional growth and the share of
-- spring scores at performance level 3 or 4. post is school_year >=
-- ip_cohort; event_time is school_year - ip_cohort (null for comparison
-- schools).
WITH g AS (
    SELECT
        school_id,
        school_year,
        count(DISTINCT student_id) AS tested_students,
        count(*) FILTER (WHERE excluded IS NULL) AS analysis_rows,
        count(DISTINCT student_id) FILTER (WHERE excluded IS NULL) AS analysis_students,
        avg(hours) FILTER (WHERE excluded IS NULL) AS mean_student_hours,
        avg(coached::INTEGER) FILTER (WHERE excluded IS NULL) AS coached_student_share,
        avg(growth) AS mean_growth,
        count(performance_level) AS leveled_scores,
        avg((performance_level >= 3)::INTEGER) AS pct_level_3_plus
    FROM student_growth
    GROUP BY ALL
),
d AS (
    SELECT
        school_id,
        school_year,
        count(*) AS teachers,
        count(*) FILTER (WHERE cycles > 0) AS coached_teachers,
        sum(cycles) AS cycles,
        sum(sessions) AS sessions,
        sum(hours) AS coaching_hours
    FROM teacher_dosage
    GROUP BY ALL
)
SELECT
    s.school_id,
    s.school_name,
    s.district_id,
    s.ip_cohort,
    y.school_year,
    y.school_year >= s.ip_cohort AS post,
    y.school_year - s.ip_cohort AS event_time,
    coalesce(g.tested_students, 0) AS tested_students,
    coalesce(g.analysis_rows, 0) AS analysis_rows,
    coalesce(g.analysis_students, 0) AS analysis_students,
    coalesce(d.teachers, 0) AS teachers,
    coalesce(d.coached_teachers, 0) AS coached_teachers,
    d.coached_teachers / nullif(d.teachers, 0) AS coached_teacher_share,
    coalesce(d.cycles, 0) AS cycles,
    coalesce(d.sessions, 0) AS sessions,
    coalesce(d.coaching_hours, 0) AS coaching_hours,
    g.mean_student_hours,
    g.coached_student_share,
    g.mean_growth,
    g.leveled_scores,
    g.pct_level_3_plus
FROM schools s
CROSS JOIN (SELECT DISTINCT school_year FROM student_growth) y
LEFT JOIN g USING (school_id, school_year)
LEFT JOIN d USING (school_id, school_year)
WHERE g.school_id IS NOT NULL OR d.school_id IS NOT NULL
ORDER BY s.school_id, y.school_year
