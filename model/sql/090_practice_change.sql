-- Per coached teacher with observations on both sides: the mean look-for
-- rating before the first cycle's start, the mean after the first cycle's
-- end, and the change. The model's "practice" estimate is the mean change.
WITH first AS (
    SELECT teacher_id, start_date, end_date, focus_area
    FROM coaching_cycles
    QUALIFY row_number() OVER (PARTITION BY teacher_id ORDER BY start_date, cycle_id) = 1
)
SELECT
    f.teacher_id,
    f.focus_area,
    count(*) FILTER (WHERE o.observation_date < f.start_date) AS observations_before,
    count(*) FILTER (WHERE o.observation_date > f.end_date) AS observations_after,
    avg(o.rating) FILTER (WHERE o.observation_date < f.start_date) AS rating_before,
    avg(o.rating) FILTER (WHERE o.observation_date > f.end_date) AS rating_after,
    rating_after - rating_before AS change
FROM first f
JOIN observations o USING (teacher_id)
GROUP BY ALL
HAVING observations_before > 0 AND observations_after > 0
ORDER BY f.teacher_id
