-- Every assessment score with its z-score: standardised with the sample SD
-- within assessment, subject, tested grade, school year and window. A
-- group of one score, or whose scores are all equal, has no z. (The group
-- statistics are aggregated once and joined back: faster than window
-- functions over millions of rows.)
--
-- tested_grade is the row's grade_level. Where that is blank it is the
-- students table's grade counted back to the score's year:
-- students.grade_level is taken as the student's grade in the student's
-- latest school year in the data, the largest school_year of the
-- student's rows in assessments and rosters (students_year: the data's
-- latest year for a student still enrolled, the last year enrolled for
-- one who left), so a score of year Y is grade grade_level -
-- (students_year - Y). This assumes a grade a year: a retained student's
-- earlier grades come out too low, which only a tested grade avoids. A
-- grade counted back below K is unknown: tested_grade stays null and the
-- score has no z. grade_source says where the grade came from:
-- 'assessment', 'students' (counted back) or 'below K'; students_year is
-- set on the rows whose grade came from the students table.
-- (students_year is computed for the students with a blank grade only: a
-- state's ten million scores usually have none.)
WITH blank AS (
    SELECT DISTINCT student_id FROM assessments WHERE grade_level IS NULL
),
student_years AS (
    SELECT student_id, max(school_year) AS students_year
    FROM (
        SELECT student_id, school_year FROM assessments WHERE student_id IN (SELECT student_id FROM blank)
        UNION ALL
        SELECT student_id, school_year FROM rosters WHERE student_id IN (SELECT student_id FROM blank)
    )
    GROUP BY student_id
),
a AS MATERIALIZED (
    SELECT
        a.school_year,
        a.student_id,
        a.subject,
        a.assessment_name,
        a."window",
        CASE
            WHEN a.grade_level IS NOT NULL THEN a.grade_level
            WHEN s.grade_level - (l.students_year - a.school_year) >= 0 THEN s.grade_level - (l.students_year - a.school_year)
        END AS tested_grade,
        CASE
            WHEN a.grade_level IS NOT NULL THEN 'assessment'
            WHEN s.grade_level - (l.students_year - a.school_year) >= 0 THEN 'students'
            ELSE 'below K'
        END AS grade_source,
        CASE WHEN a.grade_level IS NULL THEN l.students_year END AS students_year,
        a.test_date,
        a.scale_score,
        a.performance_level
    FROM assessments a
    JOIN students s USING (student_id)
    LEFT JOIN student_years l USING (student_id)
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
    CASE WHEN a.tested_grade IS NOT NULL THEN (a.scale_score - g.mean) / nullif(g.sd, 0) END AS z
FROM a
JOIN g
  ON a.assessment_name IS NOT DISTINCT FROM g.assessment_name
 AND a.subject IS NOT DISTINCT FROM g.subject
 AND a.tested_grade IS NOT DISTINCT FROM g.tested_grade
 AND a.school_year IS NOT DISTINCT FROM g.school_year
 AND a."window" IS NOT DISTINCT FROM g."window"
