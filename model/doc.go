// Package model holds the coachimpact model: a DuckDB database with the
// loaded input tables under their canonical names, the rejects table, and
// the tables the SQL models in sql/ build from them.
//
// SQL models are files: sql/NNN_name.sql builds table name and they run in
// file-name order. Checks are files too: sql/checks/name.sql returns the
// offending rows; zero rows is a pass, any row fails the run.
package model
