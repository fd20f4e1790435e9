-- One row per student, subject and school year with a spring score: the
-- year's main spring test in the subject (spring_tests: the one the
-- config names, else the one with the most spring scores; a student with
-- several spring scores keeps the one of the highest-ranked test, the
-- earliest of equal ones) and the same year's fall z (the same assessment
-- preferred). student_growth links these to baselines, teachers and
-- coaching; kept as a table of its own so that DuckDB frees the
-- per-student aggregation before those joins.
--
-- One pass over the scores: the chosen spring score and the fall scores
-- of each student, subject and year.
WITH per_student AS (
    SELECT
        s.school_year,
        s.student_id,
        s.subject,
        arg_min(
            {'z': s.z, 'grade': s.tested_grade, 'name': s.assessment_name, 'date': s.test_date,
             'score': s.scale_score, 'level': s.performance_level},
            {'rank': t.main_rank, 'date': s.test_date}
        ) FILTER (WHERE s."window" = 'spring') AS spring,
        list({'name': s.assessment_name, 'z': s.z}) FILTER (WHERE s."window" = 'fall') AS fall
    FROM scores s
    LEFT JOIN spring_tests t USING (school_year, subject, assessment_name)
    WHERE s.z IS NOT NULL AND s."window" IN ('spring', 'fall')
    GROUP BY ALL
)
SELECT
    school_year,
    student_id,
    subject,
    spring.grade AS tested_grade,
    spring.name AS assessment_name,
    spring.date AS test_date,
    spring.score AS scale_score,
    spring.z AS z,
    spring.level AS performance_level,
    coalesce(
        list_filter(fall, f -> f.name = spring.name)[1].z,
        list_sort(fall)[1].z
    ) AS fall_z
FROM per_student
WHERE spring IS NOT NULL
