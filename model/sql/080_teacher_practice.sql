-- Observation look-for ratings around coaching cycles. A coached teacher's
-- cycles are numbered in start-date order across years; each observation
-- is "before" (dated before the first cycle's start), "during cycle 1"
-- (from the first start until the first cycle has ended), or "after cycle
-- k" (k the latest cycle ended before it; 3 and more pooled as "after
-- cycle 3+"). Teachers never in a cycle form "not coached". Rows per focus
-- area of the cycle in question (the first cycle's before and during) and
-- for all areas together (focus_area "all"), with teachers, observations
-- and the mean rating (0-4).
WITH cyc AS (
    SELECT
        teacher_id,
        start_date,
        end_date,
        coalesce(nullif(trim(focus_area), ''), 'unspecified') AS focus_area,
        row_number() OVER (PARTITION BY teacher_id ORDER BY start_date, cycle_id) AS k
    FROM coaching_cycles
),
obs AS (
    SELECT
        o.observation_date,
        o.teacher_id,
        o.look_for,
        o.rating,
        first.start_date AS first_start,
        first.k IS NULL AS never,
        (SELECT max(c.k) FROM cyc c WHERE c.teacher_id = o.teacher_id AND c.end_date < o.observation_date) AS after_k
    FROM observations o
    LEFT JOIN cyc first ON first.teacher_id = o.teacher_id AND first.k = 1
),
phased AS (
    SELECT
        o.teacher_id,
        o.rating,
        CASE
            WHEN o.never THEN 0
            WHEN o.after_k IS NOT NULL THEN 2 + least(o.after_k, 3)
            WHEN o.observation_date < o.first_start THEN 1
            ELSE 2
        END AS phase_order,
        coalesce(c.focus_area, 'not coached') AS focus_area
    FROM obs o
    LEFT JOIN cyc c ON c.teacher_id = o.teacher_id AND c.k = coalesce(o.after_k, 1)
)
SELECT
    coalesce(focus_area, 'all') AS focus_area,
    phase_order,
    ['not coached', 'before', 'during cycle 1', 'after cycle 1', 'after cycle 2', 'after cycle 3+'][phase_order + 1] AS phase,
    count(DISTINCT teacher_id) AS teachers,
    count(*) AS observations,
    avg(rating) AS mean_rating
FROM phased
GROUP BY GROUPING SETS ((focus_area, phase_order), (phase_order))
ORDER BY focus_area = 'all' DESC NULLS FIRST, focus_area, phase_order
