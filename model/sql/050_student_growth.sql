-- One row per student, subject and school year with a spring score: the
-- analysis table of the impact, dose-response and subgroup models.
--
-- spring_z: the spring z of the year's main spring test in the subject
--   (from spring_scores).
-- baseline_z: the same year's fall z in the subject (the same assessment
--   preferred), else the prior year's spring_z (states that test once a
--   year). baseline_source says which.
-- teacher_id: the teacher of record; school_id is the teacher's school
--   (the student's own when there is no teacher of record);
--   teachers_listed the student's roster rows in the subject and year
--   (teacher_of_record's; 2 or more: a shared classroom).
-- hours: the teacher of record's coaching-session minutes / 60 in that
--   school year dated on or before the student's spring test date (the
--   whole year when the test has no date); coached = hours > 0.
-- growth: spring_z minus its prediction from baseline_z by a regression
--   within school year, subject, tested grade and baseline source fitted on
--   the analysis rows of never-coached teachers (no coaching hours in any
--   year), applied to every row: conditional growth, 0 is typical growth
--   for the baseline without coaching, so coaching's effect stays in the
--   growth of coached rows instead of being partly fitted away. A group
--   with fewer than 3 such rows (or no spread in their baselines) falls
--   back to the fit over all its analysis rows.
-- excluded: why a row is not in the models (null = analysis row).
WITH linked AS MATERIALIZED (
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
        coalesce(sp.fall_z, prior.z) AS baseline_z,
        CASE WHEN sp.fall_z IS NOT NULL THEN 'fall' WHEN prior.z IS NOT NULL THEN 'prior spring' END AS baseline_source,
        tor.teacher_id,
        tor.percent_time AS teacher_percent_time,
        tor.teachers_listed,
        coalesce(t.school_id, st.school_id) AS school_id,
        st.gender,
        st.race_ethnicity,
        st.english_learner,
        st.special_education,
        st.economically_disadvantaged
    FROM spring_scores sp
    JOIN students st USING (student_id)
    LEFT JOIN spring_scores prior
      ON prior.school_year = sp.school_year - 1 AND prior.student_id = sp.student_id AND prior.subject = sp.subject
    LEFT JOIN teacher_of_record tor
      ON tor.school_year = sp.school_year AND tor.student_id = sp.student_id AND tor.subject = sp.subject
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
     AND ts.session_date <= coalesce(d.test_date, DATE '9999-12-31')
    GROUP BY ALL
),
rows AS MATERIALIZED (
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
),
ever_coached AS (
    SELECT DISTINCT teacher_id FROM rows WHERE coached
),
fits AS (
    SELECT
        school_year, subject, tested_grade, baseline_source,
        regr_intercept(spring_z, baseline_z) AS a_all,
        regr_slope(spring_z, baseline_z) AS b_all,
        regr_intercept(spring_z, baseline_z) FILTER (WHERE never) AS a_never,
        regr_slope(spring_z, baseline_z) FILTER (WHERE never) AS b_never,
        count(*) FILTER (WHERE never) AS n_never
    FROM (
        SELECT r.*, e.teacher_id IS NULL AS never
        FROM rows r
        LEFT JOIN ever_coached e USING (teacher_id)
        WHERE r.excluded IS NULL
    )
    GROUP BY school_year, subject, tested_grade, baseline_source
),
fit AS (
    SELECT
        school_year, subject, tested_grade, baseline_source,
        CASE WHEN n_never >= 3 AND b_never IS NOT NULL THEN a_never ELSE a_all END AS a,
        CASE WHEN n_never >= 3 AND b_never IS NOT NULL THEN b_never ELSE b_all END AS b
    FROM fits
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
    r.teachers_listed,
    r.hours,
    r.coached,
    CASE WHEN r.excluded IS NULL THEN r.spring_z - (f.a + f.b * r.baseline_z) END AS growth,
    r.gender,
    r.race_ethnicity,
    r.english_learner,
    r.special_education,
    r.economically_disadvantaged,
    r.excluded
FROM rows r
LEFT JOIN fit f USING (school_year, subject, tested_grade, baseline_source)
LEFT JOIN schools sc USING (school_id)
