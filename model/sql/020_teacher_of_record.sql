-- The teacher of record of each student, subject and school year: the
-- roster row with the largest percent_time (blank counts as 100), ties going
-- to the smallest teacher_id in text order (teacher_order: that order, or
-- under redaction the order of the IDs the hashes stand for).
-- teachers_listed counts the student's rostered teachers in that subject
-- and year.
SELECT
    school_year,
    student_id,
    subject,
    teacher_id,
    coalesce(percent_time, 100) AS percent_time,
    count(*) OVER (PARTITION BY school_year, student_id, subject) AS teachers_listed
FROM rosters
LEFT JOIN teacher_order USING (teacher_id)
QUALIFY row_number() OVER (
    PARTITION BY school_year, student_id, subject
    ORDER BY coalesce(percent_time, 100) DESC, teacher_order.ord, teacher_id
) = 1
