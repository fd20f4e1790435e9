-- Event-time view of the cohorts: for each cohort (and all cohorts
-- together) and each year from 3 before joining to 3 after, the mean of
-- the school-year mean growth of its schools, the same year's mean over
-- comparison schools (blank ip_cohort), and the difference, averaged over
-- the cohort's school-years. event_time 0 is the joining year.
WITH comparison AS (
    SELECT school_year, avg(mean_growth) AS comparison_growth, count(*) AS comparison_schools
    FROM school_year_panel
    WHERE ip_cohort IS NULL AND mean_growth IS NOT NULL
    GROUP BY ALL
),
cells AS (
    SELECT
        p.ip_cohort,
        p.event_time,
        p.school_id,
        p.analysis_rows,
        p.mean_growth,
        c.comparison_growth,
        c.comparison_schools
    FROM school_year_panel p
    JOIN comparison c USING (school_year)
    WHERE p.ip_cohort IS NOT NULL AND p.mean_growth IS NOT NULL AND p.event_time BETWEEN -3 AND 3
)
SELECT
    coalesce(ip_cohort::VARCHAR, 'all cohorts') AS cohort,
    event_time,
    count(*) AS schools,
    sum(analysis_rows) AS analysis_rows,
    avg(mean_growth) AS mean_growth,
    avg(comparison_growth) AS comparison_growth,
    avg(mean_growth - comparison_growth) AS difference,
    min(comparison_schools) AS comparison_schools
FROM cells
GROUP BY GROUPING SETS ((ip_cohort, event_time), (event_time))
ORDER BY ip_cohort NULLS LAST, event_time
