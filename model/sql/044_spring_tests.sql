-- One row per school year, subject and assessment with spring z-scores:
-- which test is the year's main spring test in the subject (main_rank 1),
-- whose score spring_scores takes for a student with several. The main
-- test is the one the config names for the subject ([model.main_tests],
-- the temporary table main_test_config; names matched ignoring case and
-- surrounding spaces) in a year it has spring z-scores, else the one
-- with the most (ties to the first name); the others follow by takers.
-- chosen_by (main test only): 'config' or 'most takers'. configured: the
-- name the config gives for the subject, null when it gives none (so a
-- year where the named test was not taken shows as chosen_by 'most
-- takers' with configured set).
WITH takers AS (
    SELECT school_year, subject, assessment_name, count(*) AS takers
    FROM scores
    WHERE "window" = 'spring' AND z IS NOT NULL
    GROUP BY ALL
),
named AS (
    SELECT
        t.*,
        c.assessment_name AS configured,
        coalesce(lower(trim(t.assessment_name)) = lower(trim(c.assessment_name)), false) AS is_configured
    FROM takers t
    LEFT JOIN temp.main_test_config c USING (subject)
),
ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY school_year, subject ORDER BY is_configured DESC, takers DESC, assessment_name) AS main_rank
    FROM named
)
SELECT
    school_year,
    subject,
    assessment_name,
    takers,
    main_rank,
    CASE WHEN main_rank = 1 THEN CASE WHEN is_configured THEN 'config' ELSE 'most takers' END END AS chosen_by,
    configured
FROM ranked
