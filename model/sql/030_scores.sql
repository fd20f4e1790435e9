-- Every assessment score with its z-score: standardised with the sample SD
-- within assessment, subject, tested grade, school year and window. The
-- tested grade is the row's grade_level, else the student's. A group of
-- one score, or whose scores are all equal, has no z. (The group
-- statistics are aggregated once and joined back: faster than window
-- functions over millions of rows.)
WITH a AS MATERIALIZED (
    SELECT
        a.school_year,
        a.student_id,
        a.subject,
        a.assessment_name,
        a."window",
        coalesce(a.grade_level, s.grade_level) AS tested_grade,
        a.test_date,
        a.scale_score,
        a.performance_level
    FROM assessments a
    JOIN students s USING (student_id)
),
g AS (
    SELECT
        assessment_name, subject, tested_grade, school_year, "window",
        count(*) AS group_n,
        avg(scale_score) AS mean,
        stddev_samp(scale_score) AS sd
    FROM a
    GROUP BY ALL
)
SELECT
    a.*,
    g.group_n,
    (a.scale_score - g.mean) / nullif(g.sd, 0) AS z
FROM a
JOIN g
  ON a.assessment_name IS NOT DISTINCT FROM g.assessment_name
 AND a.subject IS NOT DISTINCT FROM g.subject
 AND a.tested_grade IS NOT DISTINCT FROM g.tested_grade
 AND a.school_year IS NOT DISTINCT FROM g.school_year
 AND a."window" IS NOT DISTINCT FROM g."window"
