// Command coachimpact links instructional-coaching activity to student
// achievement. It reads a district's exports (students, teachers, rosters,
// assessments, coaching logs) from a folder, builds a DuckDB model, and
// writes Excel workbooks and PNG charts.
//
// Usage:
//
//	coachimpact run --input DIR --out DIR [--config FILE] [--profile NAME,...]
//	                [--reports district,cohorts,schools] [--parquet DIR] [--redact SALTFILE]
//	                [--force] [--wait DURATION] [--log-format text|json] [--quiet] [--verbose]
//	                [--cpuprofile FILE]
//	coachimpact check --input DIR [--config FILE] [--profile NAME,...] [--suggest] [--format text|json]
//	coachimpact demo --out DIR [--seed N] [--schools N] [--selection S]
//	coachimpact generate --out DIR [--seed N] [--schools N] [--districts N] [--students-per-grade N]
//	                     [--years N] [--windows fall,winter,spring] [--format mixed|csv] [--clean] [--selection S]
//	coachimpact sql --db FILE "SELECT ..."
//	coachimpact salt FILE
//
// run is the nightly job. It finds each input table's files in --input
// (NAME.csv, NAME.xlsx, a workbook with a sheet per table, or the files a
// vendor profile (--profile, e.g. nwea-map, edfi, iready, star,
// powerschool, coaching-log) or the config's [mapping] names), and writes
// into --out:
//
//	coachimpact.duckdb           the model: inputs under their canonical names, rejects, model tables
//	reports/district.xlsx        for the coordinator: overview, every estimate, data quality
//	reports/cohorts.xlsx         for network facilitators: cohort verdicts, panel, difference-in-differences
//	reports/schools/<id>.xlsx    one per school, for its principal
//	charts/*.png                 charts
//	run.json                     status, timings, per-file sha256 and row counts, estimates
//	history.duckdb               every run
//
// Outputs are replaced only when the whole run succeeds and its result is
// not degraded (see exit code 4). --reports limits the workbooks written;
// --parquet also exports every model table as Parquet; --redact replaces
// names and IDs by keyed hashes (the salt from coachimpact salt); a run
// whose inputs, config and program are unchanged since the last one is
// skipped unless --force; --wait waits that long for another run's lock.
//
// check is a dry run of run that writes nothing (the model is built in
// memory): per file the table, header row, columns with the header each
// came from and why, the headers not used, the rows that would load and
// be rejected with the first rejects per reason; the files not read; and
// what the model could estimate. It exits as run would. --suggest adds a
// starter mapping for the files and columns it could not place.
//
// demo writes a synthetic district into DIR/input and runs the pipeline on
// it with DIR as the output folder. generate only writes the synthetic
// district. sql runs one query against a model file (opened read-only) and
// prints the result as CSV. salt writes a new secret salt for --redact.
//
// Exit codes (pipeline.ExitCode): 0 success (or skipped: nothing
// changed; a run that published is a success whatever comes after,
// SIGTERM or a run history it cannot write); 1 the run failed; 2 bad
// usage or configuration; 3 the inputs are structurally unusable
// (unreadable file, not a regular file, unknown table, missing required
// column): the message names the file and the column; 4 the run finished
// degraded: its result is empty or mostly rejected past the config's
// [degraded] thresholds. run.json's reasons and stderr say why; the last
// good outputs stay published and the degraded run's are in OUT/degraded,
// unless [degraded] publish = true.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
