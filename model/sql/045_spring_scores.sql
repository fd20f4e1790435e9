-- One row per student, subject and school year with a spring score: the
-- year's main spring test in the subject (the assessment with the most
-- spring scores; a student with several spring scores keeps the main
-- test's) and the same year's fall z (the same assessment preferred).
-- student_growth links these to baselines, teachers and coaching; kept as
-- a table of its own so that DuckDB frees the per-student aggregation
-- before those joins.
WITH spring_takers AS (
    SELECT school_year, subject, assessment_name, count(*) AS takers
    FROM scores
    WHERE "window" = 'spring' AND z IS NOT NULL
    GROUP BY ALL
),
-- One pass over the scores: the chosen spring score and the fall scores
-- of each student, subject and year.
per_student AS (
    SELECT
        s.school_year,
        s.student_id,
        s.subject,
        arg_min(
            {'z': s.z, 'grade': s.tested_grade, 'name': s.assessment_name, 'date': s.test_date,
             'score': s.scale_score, 'level': s.performance_level},
            {'takers': -t.takers, 'name': s.assessment_name, 'date': s.test_date}
        ) FILTER (WHERE s."window" = 'spring') AS spring,
        list({'name': s.assessment_name, 'z': s.z}) FILTER (WHERE s."window" = 'fall') AS fall
    FROM scores s
    LEFT JOIN spring_takers t USING (school_year, subject, assessment_name)
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
