-- Every loaded session belongs to a loaded cycle (ingest checks it).
SELECT s.session_id, s.cycle_id
FROM coaching_sessions s ANTI JOIN coaching_cycles c USING (cycle_id)
