-- The teacher of record of each student, subject and school year: the
-- roster row with the largest percent_time (blank counts as 100), ties going
-- to the smallest teacher_id in text order (teacher_order: that order, or
-- under redaction the order of the IDs the hashes stand for).
-- teachers_listed counts the student's rostered teachers in that subject
-- and year. (One grouped pass with arg_min: faster than a window over
-- millions of roster rows.)
SELECT
    school_year,
    student_id,
    subject,
    arg_min(teacher_id, (-coalesce(percent_time, 100), o.ord, teacher_id)) AS teacher_id,
    max(coalesce(percent_time, 100)) AS percent_time,
    count(*) AS teachers_listed
FROM rosters
LEFT JOIN teacher_order o USING (teacher_id)
GROUP BY ALL
