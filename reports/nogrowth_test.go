package reports_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/reports"
)

// TestGrowthGroupsLeaveOutNoGrowth: a student in the model with no growth
// (no regression for their grade and baseline) is in no group of the
// Growth sheet. The test blanks the growth of every other coached
// student of one school's latest year in the model, rebuilds the school
// workbooks and reads the coached rows back: each shows the students with
// a growth and their mean, both recomputed here from student_growth.
// Counted, the blanked students would pull the mean toward 0 and the
// count up by half.
func TestGrowthGroupsLeaveOutNoGrowth(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.MinCell, cfg.MinClassrooms = 5, 2
	_, _, db := run(t, cfg, nil)
	var school string
	var year int64
	if err := db.QueryRowContext(ctx, `SELECT school_id, school_year FROM student_growth
		WHERE excluded IS NULL AND coached GROUP BY ALL ORDER BY count(*) DESC, 1 LIMIT 1`).Scan(&school, &year); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE student_growth SET growth = NULL
		WHERE excluded IS NULL AND coached AND school_id = ? AND school_year = ? AND hash(student_id) % 2 = 0`, school, year); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := reports.Input{DB: db, MinCell: cfg.MinCell, MinClassrooms: cfg.MinClassrooms, Started: time.Now()}
	if err := reports.Schools(ctx, in, dir); err != nil {
		t.Fatal(err)
	}
	rows := dataRows(t, rowsOf(t, open(t, filepath.Join(dir, school+".xlsx")), "Growth"), "School year", "Subject", "Group")
	checked := 0
	for _, r := range rows {
		if len(r) < 6 || r[2] != "coached" || yearOf(r[0]) != year {
			continue
		}
		var n, blank int
		var mean float64
		if err := db.QueryRowContext(ctx, `SELECT count(growth), count(*) - count(growth), avg(growth) FROM student_growth
			WHERE excluded IS NULL AND coached AND school_id = ? AND school_year = ? AND subject = ?`, school, year, r[1]).Scan(&n, &blank, &mean); err != nil {
			t.Fatal(err)
		}
		if blank == 0 {
			t.Fatalf("%s %s: no student's growth blanked", r[0], r[1])
		}
		if got, err := strconv.Atoi(r[4]); err != nil || got != n {
			t.Errorf("%s %s coached: students %q, want %d (the %d with no growth left out)", r[0], r[1], r[4], n, blank)
		}
		if !near(r[5], mean) {
			t.Errorf("%s %s coached: mean growth %q, want %.9f over the students with a growth", r[0], r[1], r[5], mean)
		}
		checked++
	}
	if checked == 0 {
		t.Fatalf("school %s %d: no coached row shown", school, year)
	}
}
