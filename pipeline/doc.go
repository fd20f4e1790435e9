// Package pipeline runs coachimpact end to end: discover and check the
// inputs, load them into a fresh DuckDB model through Arrow, build the SQL
// models and statistics, write the workbooks and charts, and publish all of
// it into the output folder only when every step succeeded.
//
// Outputs are built in a staging folder inside the output folder and moved
// into place at the end, so a failed run leaves the last good outputs as
// they were. A run that finishes with an empty or mostly rejected result
// (model.DB.Verdict against the config's [degraded] thresholds) is
// "degraded": unless the config says to publish it, its outputs are kept
// in DegradedDir and the last good outputs stay published.
package pipeline
