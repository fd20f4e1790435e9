-- Coaching dosage per teacher and school year: every teacher-year on the
-- rosters or in a coaching cycle, with zeros for the uncoached. Hours are
-- all the year's session minutes / 60 (the student link in student_growth
-- counts only sessions up to each student's spring test). Activities are
-- folded to the seven of the Impact Cycle (anything else is "other");
-- principles_logged counts partnership principles named across sessions.
WITH teacher_years AS (
    SELECT DISTINCT teacher_id, school_year FROM rosters
    UNION
    SELECT DISTINCT teacher_id, school_year FROM coaching_cycles
),
cycles AS (
    SELECT
        teacher_id,
        school_year,
        count(*) AS cycles,
        count(*) FILTER (WHERE stage_reached = 'improve') AS cycles_improve,
        count(*) FILTER (WHERE goal_met) AS goals_met,
        count(*) FILTER (WHERE end_date IS NOT NULL) AS cycles_closed,
        min(start_date) AS first_start
    FROM coaching_cycles
    GROUP BY ALL
),
sessions AS (
    SELECT
        c.teacher_id,
        c.school_year,
        s.minutes,
        CASE regexp_replace(lower(trim(s.activity)), '[^a-z]+', '_', 'g')
            WHEN 'planning' THEN 'planning'
            WHEN 'modeling' THEN 'modeling'
            WHEN 'modelling' THEN 'modeling'
            WHEN 'co_teaching' THEN 'co_teaching'
            WHEN 'coteaching' THEN 'co_teaching'
            WHEN 'observation' THEN 'observation'
            WHEN 'video_review' THEN 'video_review'
            WHEN 'debrief' THEN 'debrief'
            WHEN 'data_meeting' THEN 'data_meeting'
            ELSE 'other'
        END AS activity,
        coalesce(len(list_filter(string_split(s.principles, ';'), p -> trim(p) <> '')), 0) AS principles
    FROM coaching_sessions s
    JOIN coaching_cycles c USING (cycle_id)
),
session_totals AS (
    SELECT
        teacher_id,
        school_year,
        count(*) AS sessions,
        sum(minutes) / 60.0 AS hours,
        sum(minutes) FILTER (WHERE activity = 'planning') AS minutes_planning,
        sum(minutes) FILTER (WHERE activity = 'modeling') AS minutes_modeling,
        sum(minutes) FILTER (WHERE activity = 'co_teaching') AS minutes_co_teaching,
        sum(minutes) FILTER (WHERE activity = 'observation') AS minutes_observation,
        sum(minutes) FILTER (WHERE activity = 'video_review') AS minutes_video_review,
        sum(minutes) FILTER (WHERE activity = 'debrief') AS minutes_debrief,
        sum(minutes) FILTER (WHERE activity = 'data_meeting') AS minutes_data_meeting,
        sum(minutes) FILTER (WHERE activity = 'other') AS minutes_other,
        sum(principles) AS principles_logged,
        count(*) FILTER (WHERE principles > 0) AS sessions_with_principles
    FROM sessions
    GROUP BY ALL
)
SELECT
    ty.teacher_id,
    t.school_id,
    ty.school_year,
    coalesce(c.cycles, 0) AS cycles,
    coalesce(c.cycles_improve, 0) AS cycles_improve,
    coalesce(c.goals_met, 0) AS goals_met,
    coalesce(c.cycles_closed, 0) AS cycles_closed,
    c.first_start,
    coalesce(s.sessions, 0) AS sessions,
    coalesce(s.hours, 0) AS hours,
    coalesce(s.minutes_planning, 0) AS minutes_planning,
    coalesce(s.minutes_modeling, 0) AS minutes_modeling,
    coalesce(s.minutes_co_teaching, 0) AS minutes_co_teaching,
    coalesce(s.minutes_observation, 0) AS minutes_observation,
    coalesce(s.minutes_video_review, 0) AS minutes_video_review,
    coalesce(s.minutes_debrief, 0) AS minutes_debrief,
    coalesce(s.minutes_data_meeting, 0) AS minutes_data_meeting,
    coalesce(s.minutes_other, 0) AS minutes_other,
    coalesce(s.principles_logged, 0) AS principles_logged,
    coalesce(s.sessions_with_principles, 0) AS sessions_with_principles
FROM teacher_years ty
JOIN teachers t USING (teacher_id)
LEFT JOIN cycles c USING (teacher_id, school_year)
LEFT JOIN session_totals s USING (teacher_id, school_year)
ORDER BY ty.teacher_id, ty.school_year
