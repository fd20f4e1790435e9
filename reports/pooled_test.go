package reports_test

import (
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/reports"
)

// TestPooledSmallSchools (issue 15 item 2): where a school's latest year
// hides a subject's group, the Growth sheet pools the school's years for
// that subject, names them, and shows each group's students, classrooms
// (teachers) and mean growth where that gives no hidden cell away. In
// the demo district its three middle schools, whose latest-year groups
// are hidden, get a pooled answer for both groups; every number printed
// equals the model's (mean growth over the years named). TestSuppression
// Attack's A4 checks that no pooled row, less the years shown, gives a
// hidden year.
func TestPooledSmallSchools(t *testing.T) {
	ctx := context.Background()
	out, db := demoDistrict(t)
	dir := filepath.Join(out, "reports", reports.SchoolsDir)
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	answered := map[string]int{} // school -> pooled groups with numbers
	for _, fi := range files {
		id := strings.TrimSuffix(fi.Name(), ".xlsx")
		rows := rowsOf(t, open(t, filepath.Join(dir, fi.Name())), "Growth")
		pooled, _ := rowsUnder(rows, "Years pooled", "Subject", "Group")
		for _, r := range pooled {
			if !strings.HasSuffix(r[0], "years)") {
				t.Errorf("school %s: pooled row %v does not name its years", id, r)
			}
			if len(r) < 6 || strings.HasPrefix(r[5], "suppressed") {
				continue
			}
			n, _ := strconv.Atoi(strings.ReplaceAll(r[4], ",", ""))
			mean, _ := strconv.ParseFloat(strings.TrimSpace(r[5]), 64)
			var wantN int
			var wantMean sql.NullFloat64
			if err := db.QueryRowContext(ctx, `SELECT count(*), avg(growth) FROM student_growth WHERE excluded IS NULL AND school_id = ? AND subject = ? AND coached = ?`,
				id, r[1], r[2] == "coached").Scan(&wantN, &wantMean); err != nil {
				t.Fatal(err)
			}
			if n != wantN || math.Abs(mean-wantMean.Float64) > 0.005 {
				t.Errorf("school %s %s %s pooled: %d students, mean %.2f; model %d, %.4f", id, r[1], r[2], n, mean, wantN, wantMean.Float64)
			}
			answered[id]++
		}
	}
	for _, id := range []string{"0105", "0108", "0110"} {
		if answered[id] != 2 {
			t.Errorf("middle school %s: %d pooled groups with numbers; want both groups", id, answered[id])
		}
	}
}
