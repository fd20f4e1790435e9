-- Every assessment score with its z-score: standardised with the sample SD
-- within assessment, subject, tested grade, school year and window. The
-- tested grade is the row's grade_level, else the student's. A group of
-- one score, or whose scores are all equal, has no z.
SELECT
    a.school_year,
    a.student_id,
    a.subject,
    a.assessment_name,
    a."window",
    coalesce(a.grade_level, s.grade_level) AS tested_grade,
    a.test_date,
    a.scale_score,
    a.performance_level,
    count(*) OVER g AS group_n,
    (a.scale_score - avg(a.scale_score) OVER g) / nullif(stddev_samp(a.scale_score) OVER g, 0) AS z
FROM assessments a
JOIN students s USING (student_id)
WINDOW g AS (PARTITION BY a.assessment_name, a.subject, coalesce(a.grade_level, s.grade_level), a.school_year, a."window")
