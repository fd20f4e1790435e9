package reports_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/reports"
)

// TestFewCoachedTeachers: with min_coached_teachers above every cell's
// coached teachers, each headline estimate the Overview shows with numbers
// reads "too few coached teachers to tell", not the interval's verdict,
// and says how many coached teachers it rests on; the Impact sheet keeps
// the numbers with the model's note; About shows the floor.
func TestFewCoachedTeachers(t *testing.T) {
	cfg := config.Default()
	cfg.MinCoachedTeachers = 1000
	out, _, db := run(t, cfg, nil)
	f := open(t, filepath.Join(out, "reports", reports.DistrictBook))
	head := dataRows(t, rowsOf(t, f, "Overview"), "Subject", "Years")
	flagged := 0
	for _, r := range head {
		if _, err := strconv.ParseFloat(r[4], 64); err != nil {
			continue // suppressed or not estimated
		}
		flagged++
		if r[2] != "too few coached teachers to tell" || !strings.HasPrefix(r[3], "Only "+r[11]+" coached teachers: too few to tell") {
			t.Errorf("Overview %s %s: verdict %q, words %q (coached teachers %s)", r[0], r[1], r[2], r[3], r[11])
		}
	}
	if flagged == 0 {
		t.Errorf("no headline estimate with numbers: %v", head)
	}
	imp := dataRows(t, rowsOf(t, f, "Impact"), "Analysis", "Subject")
	noted := 0
	for _, r := range imp {
		if n := len(r); n > 0 && strings.Contains(r[n-1], "too few coached teachers to tell (") {
			noted++
		}
	}
	if want := queryInt(t, db, "SELECT count(*) FROM estimates WHERE few_coached_clusters AND analysis IN ('impact', 'dose_response', 'impact_within_teacher', 'event_study_teacher', 'impact_weighted')"); noted != want || want == 0 {
		t.Errorf("%d Impact rows say too few coached teachers; %d impact, dose, within-teacher, event-study and weighted estimates are flagged", noted, want)
	}
	about := rowsOf(t, f, "About")
	found := false
	for _, r := range about {
		found = found || len(r) > 1 && strings.HasPrefix(r[0], "Fewest coached teachers") && r[1] == "1000"
	}
	if !found {
		t.Error("About does not show min_coached_teachers")
	}
}
