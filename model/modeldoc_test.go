package model

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

var updateModelDoc = flag.Bool("update-doc", false, "rewrite docs/model.md from the model's tables")

const modelDoc = "../docs/model.md"

// TestModelDoc keeps docs/model.md, the users' reference of the tables
// coachimpact.duckdb holds besides the inputs, equal to what the model
// builds: each SQL model's columns as DuckDB types them, under the
// header comment of its file, and the tables Go writes (estimates, bands,
// group-time effects, the file reconciliation, the run history) with
// their columns. A column added without the doc fails here (go test
// ./model -run TestModelDoc -update-doc rewrites it).
func TestModelDoc(t *testing.T) {
	db := openTiny(t)
	ctx := context.Background()
	if _, err := db.Analyze(ctx, AnalyzeOptions{MinCell: 1, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.LoadHistory(ctx, nil); err != nil {
		t.Fatal(err)
	}
	got, err := renderModel(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if *updateModelDoc {
		if err := os.WriteFile(modelDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(modelDoc)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s is not what the model builds; run go test ./model -run TestModelDoc -update-doc and read the diff", modelDoc)
	}
}

// goTables describes the tables Go writes, in the order the page lists
// them.
var goTables = []struct{ name, what string }{
	{"estimates", "One row per estimate: every analysis of `analysis` (impact, impact_subgroup, dose_response, dose_onset, impact_within_teacher, event_study_teacher, impact_weighted, did, did_cs, practice) by subject (`All` when pooled), school year (null when pooled), subgroup and event time. The same rows are `estimates` in run.json. `headline` marks the headlines (the README's \"How sure we are\"); `suppressed` rows carry counts and a note, no numbers."},
	{"dosage_bands", "One row per subject, school year (null: pooled) and dosage band (0, under 5, 5-10, 10-20, 20+ hours): students, teachers and mean hours, the adjusted mean spring z and the difference from 0 hours with its CR2 interval, the bending shape's segment slope and the plateau."},
	{"did_group_time", "One row per cohort (the school year a school joined) and school year: did_cs's group-time effect with its influence-function standard error; event_time < 0 rows are the placebo years before joining."},
	{"input_files", "One row per input file (or sheet) read, in reading order: its path, table and sha256; how it was read (header row, encoding, line endings, the columns left unused, hidden sheets, the files a merged table came from); and its rows read, loaded, rejected, filtered out, superseded and added by reshaping: the Data quality sheet's reconciliation."},
	{"input_file_filters", "The rows a reshaped table's filters left out, per file and reason."},
	{"skipped_files", "Files in the input folder that were not read, and why."},
	{"run_history", "The headline estimates of the earlier successful runs (from history.duckdb), for the Run history sheet."},
}

func renderModel(ctx context.Context, db *DB) (string, error) {
	var b strings.Builder
	b.WriteString(`# The model's tables

This page is generated from the model itself
(` + "`go test ./model -run TestModelDoc -update-doc`" + `); the test fails when the
two differ. ` + "`coachimpact.duckdb`" + ` holds the input tables under their canonical
names (see [tables.md](tables.md)), ` + "`rejects`" + ` (one row per rejected row or
value: file, row, column, value, reason), and the tables below. The
README's "The model" says what each analysis estimates; this page is the
contract a script reading the file can rely on: table names, column names
and types. Columns are only ever added.

## SQL models

Built in this order from ` + "`model/sql/NNN_table.sql`" + `; each one's description is
its file's header comment.
`)
	models, err := Models()
	if err != nil {
		return "", err
	}
	for _, m := range models {
		fmt.Fprintf(&b, "\n### `%s`\n\n", m.Table)
		b.WriteString(headerComment(m.SQL))
		b.WriteString("\n")
		if err := writeColumns(ctx, &b, db, m.Table); err != nil {
			return "", err
		}
	}
	b.WriteString("\n## Written by the statistics and the run\n")
	for _, t := range goTables {
		fmt.Fprintf(&b, "\n### `%s`\n\n%s\n\n", t.name, t.what)
		if err := writeColumns(ctx, &b, db, t.name); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// headerComment returns the leading "--" lines of a model's SQL, as
// text.
func headerComment(sql string) string {
	var out []string
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(line, "--") {
			break
		}
		out = append(out, strings.TrimPrefix(strings.TrimPrefix(line, "--"), " "))
	}
	// Blank comment lines separate paragraphs.
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

func writeColumns(ctx context.Context, b *strings.Builder, db *DB, table string) error {
	rows, err := db.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE schema_name = 'main' AND database_name = current_database() AND table_name = ? ORDER BY column_index`, table)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			return err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(cols) == 0 {
		return fmt.Errorf("table %s: no columns (not built?)", table)
	}
	b.WriteString("| column | type |\n|---|---|\n")
	for _, c := range cols {
		fmt.Fprintf(b, "| `%s` | %s |\n", c[0], c[1])
	}
	return nil
}

// TestModelDocCoversTables: every table the model builds beside the
// inputs is on the page (a new Go-written table must be added to
// goTables).
func TestModelDocCoversTables(t *testing.T) {
	db := openTiny(t)
	ctx := context.Background()
	if _, err := db.Analyze(ctx, AnalyzeOptions{MinCell: 1, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	models, err := Models()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		documented[m.Table] = true
	}
	for _, g := range goTables {
		documented[g.name] = true
	}
	inputs := map[string]bool{}
	for _, q := range tinyDistrict {
		if f := strings.Fields(q); len(f) > 2 && f[0] == "CREATE" {
			inputs[f[2]] = true
		}
	}
	rows, err := db.QueryContext(ctx, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if !documented[n] && !inputs[n] {
			missing = append(missing, n)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("tables built but not on docs/model.md: %v (add them to goTables)", missing)
	}
}
