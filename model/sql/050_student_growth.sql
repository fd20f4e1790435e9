-- One row per student, subject and school year with a spring score: the
-- analysis table of the impact, dose-response and subgroup models.
--
-- spring_z: the spring z of the year's main spring test in the subject
--   (the assessment with the most spring scores; a student with several
--   spring scores keeps the main test's).
-- baseline_z: the same year's fall z in the subject (the same assessment
--   preferred), else the prior year's spring_z (states that test once a
--   year). baseline_source says which.
-- teacher_id: the teacher of record; school_id is the teacher's school
--   (the student's own when there is no teacher of record).
-- hours: the teacher of record's coaching-session minutes / 60 in that
--   school year dated on or before the student's spring test date (the
--   whole year when the test has no date); coached = hours > 0.
-- growth: spring_z minus its prediction from baseline_z by a regression
--   within school year, subject, tested grade and baseline source over the
--   analysis rows (conditional growth: 0 is typical growth for the
--   baseline).
-- excluded: why a row is not in the models (null = analysis row).
WITH spring_takers AS (
    SELECT school_year, subject, assessment_name, count(*) AS takers
    FROM scores
    WHERE "window" = 'spring' AND z IS NOT NULL
    GROUP BY ALL
),
spring AS (
    SELECT s.*
    FROM scores s
    JOIN spring_takers t USING (school_year, subject, assessment_name)
    WHERE s."window" = 'spring' AND s.z IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY s.school_year, s.student_id, s.subject
        ORDER BY t.takers DESC, s.assessment_name, s.test_date
    ) = 1
),
fall AS (
    SELECT sp.school_year, sp.student_id, sp.subject, f.z
    FROM spring sp
    JOIN scores f
      ON f.school_year = sp.school_year AND f.student_id = sp.student_id
     AND f.subject = sp.subject AND f."window" = 'fall' AND f.z IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY sp.school_year, sp.student_id, sp.subject
        ORDER BY (f.assessment_name = sp.assessment_name) DESC, f.assessment_name
    ) = 1
),
linked AS (
    SELECT
        sp.school_year,
        sp.student_id,
        sp.subject,
        sp.tested_grade,
        sp.assessment_name,
        sp.test_date,
        sp.scale_score AS spring_score,
        sp.z AS spring_z,
        sp.performance_level,
        coalesce(f.z, prior.z) AS baseline_z,
        CASE WHEN f.z IS NOT NULL THEN 'fall' WHEN prior.z IS NOT NULL THEN 'prior spring' END AS baseline_source,
        tor.teacher_id,
        tor.percent_time AS teacher_percent_time,
        coalesce(t.school_id, st.school_id) AS school_id,
        st.gender,
        st.race_ethnicity,
        st.english_learner,
        st.special_education,
        st.economically_disadvantaged
    FROM spring sp
    JOIN students st USING (student_id)
    LEFT JOIN fall f USING (school_year, student_id, subject)
    LEFT JOIN spring prior
      ON prior.school_year = sp.school_year - 1 AND prior.student_id = sp.student_id AND prior.subject = sp.subject
    LEFT JOIN teacher_of_record tor USING (school_year, student_id, subject)
    LEFT JOIN teachers t ON t.teacher_id = tor.teacher_id
),
teacher_sessions AS (
    SELECT c.teacher_id, c.school_year, s.session_date, s.minutes
    FROM coaching_sessions s
    JOIN coaching_cycles c USING (cycle_id)
),
test_dates AS (
    SELECT DISTINCT teacher_id, school_year, test_date FROM linked WHERE teacher_id IS NOT NULL
),
hours AS (
    SELECT d.teacher_id, d.school_year, d.test_date, coalesce(sum(ts.minutes), 0) / 60.0 AS hours
    FROM test_dates d
    LEFT JOIN teacher_sessions ts
      ON ts.teacher_id = d.teacher_id AND ts.school_year = d.school_year
     AND (d.test_date IS NULL OR ts.session_date <= d.test_date)
    GROUP BY ALL
),
rows AS (
    SELECT
        l.*,
        h.hours,
        h.hours > 0 AS coached,
        CASE
            WHEN l.teacher_id IS NULL THEN 'no teacher of record'
            WHEN l.baseline_z IS NULL THEN 'no baseline score'
        END AS excluded
    FROM linked l
    LEFT JOIN hours h
      ON h.teacher_id = l.teacher_id AND h.school_year = l.school_year
     AND h.test_date IS NOT DISTINCT FROM l.test_date
)
SELECT
    r.school_year,
    r.student_id,
    r.subject,
    sc.district_id,
    r.school_id,
    sc.ip_cohort,
    r.tested_grade,
    r.assessment_name,
    r.test_date,
    r.spring_score,
    r.spring_z,
    r.performance_level,
    r.baseline_z,
    r.baseline_source,
    r.teacher_id,
    r.teacher_percent_time,
    r.hours,
    r.coached,
    CASE WHEN r.excluded IS NULL THEN
        r.spring_z - (regr_intercept(r.spring_z, r.baseline_z) OVER g + regr_slope(r.spring_z, r.baseline_z) OVER g * r.baseline_z)
    END AS growth,
    r.gender,
    r.race_ethnicity,
    r.english_learner,
    r.special_education,
    r.economically_disadvantaged,
    r.excluded
FROM rows r
LEFT JOIN schools sc USING (school_id)
WINDOW g AS (PARTITION BY r.school_year, r.subject, r.tested_grade, r.baseline_source, r.excluded IS NULL)
