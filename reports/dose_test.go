package reports_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/reports"
)

// TestDoseSheet: the Dose-response sheet shows, per cell, the per-hour
// slope and beside it the jump of any coaching (dose_onset) and the
// shape in words; the band rows show their segment slopes.
func TestDoseSheet(t *testing.T) {
	out, _, db := run(t, config.Default(), nil)
	f := open(t, filepath.Join(out, "reports", reports.DistrictBook))
	rows := rowsOf(t, f, "Dose-response")
	per := dataRows(t, rows, "Subject", "School year", "SD per hour")
	if n := queryInt(t, db, "SELECT count(*) FROM estimates WHERE analysis = 'dose_response'"); len(per) != n || n == 0 {
		t.Fatalf("%d per-hour rows; want %d", len(per), n)
	}
	for _, r := range per {
		if r[0] != "All" || r[1] != "all years" {
			continue
		}
		if !sameFloat(r[8], queryFloat(t, db, "SELECT estimate FROM estimates WHERE analysis = 'dose_onset' AND subject = 'All' AND school_year IS NULL")) {
			t.Errorf("jump %q: not dose_onset's", r[8])
		}
		if !strings.Contains(r[11], "hour") {
			t.Errorf("shape in words %q", r[11])
		}
	}
	bands := dataRows(t, rows, "Subject", "School year", "Band")
	slopes := 0
	for _, r := range bands {
		if r[2] != "0 hours" && len(r) > 10 && r[10] != "" && !strings.HasPrefix(r[3], "suppressed") {
			slopes++
		}
	}
	if n := queryInt(t, db, "SELECT count(slope) FROM dosage_bands WHERE NOT suppressed"); n == 0 || slopes == 0 {
		t.Errorf("%d band slopes shown, %d in dosage_bands", slopes, n)
	}
}
