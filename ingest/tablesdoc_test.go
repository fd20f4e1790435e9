package ingest_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/ingest"
)

var updateDoc = flag.Bool("update-doc", false, "rewrite docs/tables.md from the table declarations")

const tablesDoc = "../docs/tables.md"

// TestTablesDoc keeps docs/tables.md, the users' reference of the input
// tables, equal to the declarations in schema.go: a column added there
// without the doc fails here (go test ./ingest -run TestTablesDoc
// -update-doc rewrites it).
func TestTablesDoc(t *testing.T) {
	got := renderTables(ingest.Tables())
	if *updateDoc {
		if err := os.WriteFile(tablesDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(tablesDoc)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s is not what schema.go declares; run go test ./ingest -run TestTablesDoc -update-doc and read the diff", tablesDoc)
	}
}

var kindText = map[ingest.Kind]string{
	ingest.KindString:     "text (kept as written; IDs keep leading zeros)",
	ingest.KindYear:       "school year (2023-24, 2023-2024, 2024: stored as the ending year)",
	ingest.KindGrade:      "grade (K, KG, 0-12, 05, 5th, Fourth grade)",
	ingest.KindDate:       "date (ISO, US m/d/yyyy, 15-Sep-2023, Sep 15, 2023, 20230915, Excel dates)",
	ingest.KindFloat:      "number",
	ingest.KindInt:        "whole number",
	ingest.KindBool:       "flag (Y/N, Yes/No, TRUE/FALSE, 1/0)",
	ingest.KindEnum:       "one of a list",
	ingest.KindSubject:    "subject (Math, ELA and common spellings)",
	ingest.KindPrinciples: "partnership principles, separated by ;",
}

func renderTables(tables []*ingest.Table) string {
	var b strings.Builder
	b.WriteString(`# Input tables

This page is generated from the table declarations in ` + "`ingest/schema.go`" + `
(` + "`go test ./ingest -run TestTablesDoc -update-doc`" + `); the test fails when the
two differ.

Give one file per table (CSV, or a sheet of a workbook) named after the
table or one of its other names; headers are matched to columns by name or
by one of the other spellings listed (case, spaces and punctuation do not
matter). When two headers could fill one column, an explicit mapping wins,
then the column's own name, then another spelling, then a generic one
(Score, Date, Year: read only when nothing more specific is there); the
headers that lose are listed as not used. Anything else is said in a config file's ` + "`[mapping]`" + ` (see the
README and ` + "`config/example.toml`" + `). Required columns must be present and
filled; a row whose value breaks a rule is rejected with its file, row and
column, the rest of the file loads. An Ed-Fi descriptor URI
(` + "`uri://ed-fi.org/GradeLevelDescriptor#Fourth grade`" + `) in a column of any
kind but text is read as its code value (` + "`Fourth grade`" + `).

`)
	for _, t := range tables {
		req := "optional"
		if t.Required {
			req = "required"
		}
		fmt.Fprintf(&b, "## %s (%s)\n\n", t.Name, req)
		if len(t.Aliases) > 0 {
			fmt.Fprintf(&b, "File or sheet also named: %s.\n", strings.Join(t.Aliases, ", "))
		}
		fmt.Fprintf(&b, "One row per %s.\n\n", strings.Join(t.Key, ", "))
		b.WriteString("| column | required | kind | rule | other header spellings | generic spellings |\n|---|---|---|---|---|---|\n")
		for _, c := range t.Columns {
			r := ""
			if c.Required {
				r = "yes"
			}
			var rules []string
			if c.Ref != "" {
				rules = append(rules, "must be a "+c.Ref+" key")
			}
			if c.Min < c.Max {
				lo := "≥"
				if c.MinOpen {
					lo = ">"
				}
				rules = append(rules, fmt.Sprintf("%s %g and ≤ %g", lo, c.Min, c.Max))
			}
			if len(c.Values) > 0 {
				rules = append(rules, strings.Join(c.Values, ", "))
			}
			if c.Future {
				rules = append(rules, "may be after today")
			}
			if c.Duration {
				rules = append(rules, "minutes, or a duration: 45 min, 1.5 hours, 1 hour 30 minutes, 1h30, 1:30, 3/4 hour, half an hour")
			}
			if c.Descriptor {
				rules = append(rules, "an Ed-Fi descriptor URI is read as its code value")
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", c.Name, r, kindText[c.Kind], strings.Join(rules, "; "), strings.Join(c.Aliases, ", "), strings.Join(c.Generic, ", "))
		}
		b.WriteString("\n")
	}
	return b.String()
}
