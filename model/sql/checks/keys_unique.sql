-- Ingest rejects duplicate keys; any duplicate here is a bug.
SELECT 'students' AS tbl, student_id AS id FROM students GROUP BY student_id HAVING count(*) > 1
UNION ALL
SELECT 'teachers', teacher_id FROM teachers GROUP BY teacher_id HAVING count(*) > 1
UNION ALL
SELECT 'schools', school_id FROM schools GROUP BY school_id HAVING count(*) > 1
UNION ALL
SELECT 'coaching_cycles', cycle_id FROM coaching_cycles GROUP BY cycle_id HAVING count(*) > 1
UNION ALL
SELECT 'coaching_sessions', session_id FROM coaching_sessions GROUP BY session_id HAVING count(*) > 1
