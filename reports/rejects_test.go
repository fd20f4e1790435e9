package reports_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/reports"
)

// TestRejectsCapped: a model with more rejects than the Data quality
// sheet lists (100,000; Excel holds 1,048,576 rows a sheet, and 1.1M
// rejects crashed district.xlsx) lists the first 100,000 in file and row
// order and says above them how many more the model's rejects table
// holds and how to query it.
func TestRejectsCapped(t *testing.T) {
	_, man, db := run(t, config.Default(), nil)
	ctx := context.Background()
	before := queryInt(t, db, "SELECT count(*) FROM rejects") // the demo's own (9)
	// zz.csv sorts after every demo file: its rows are the ones left out.
	exec(t, db, `INSERT INTO rejects SELECT 'zz.csv', NULL, 'students', i + 2, 'grade_level', i::VARCHAR, 'out of range', NULL FROM range(100000) t(i)`)
	total := before + 100000
	more := total - 100000

	path := filepath.Join(t.TempDir(), reports.DistrictBook)
	in := reports.Input{DB: db, MinCell: 10, MinClassrooms: 3, Started: time.Now(), ChartsDir: t.TempDir()}
	if err := reports.District(ctx, in, path); err != nil {
		t.Fatal(err)
	}
	f := open(t, path)
	dq := rowsOf(t, f, "Data quality")
	if want := fmt.Sprintf("Data quality: %d input files, %s rejected values", len(man.Files), humanInt(total)); dq[0][0] != want {
		t.Errorf("title %q; want %q", dq[0][0], want)
	}
	rej := dataRows(t, dq, "File", "Table", "Row")
	if len(rej) != 100000 {
		t.Errorf("Data quality lists %d rejects; want the first 100,000", len(rej))
	}
	// The last listed is zz.csv's row 100,000-before+1 (rows start at 2).
	if last := rej[len(rej)-1]; last[0] != "zz.csv" || last[2] != fmt.Sprint(100000-before+1) {
		t.Errorf("last listed reject %v; want zz.csv row %d", last, 100000-before+1)
	}
	// Row numbers are numbers as Excel numbers rows: right-aligned clear
	// of the column name beside them, no thousands separator.
	ref := fmt.Sprintf("C%d", len(dq))
	if id, err := f.GetCellStyle("Data quality", ref); err != nil {
		t.Error(err)
	} else if st, err := f.GetStyle(id); err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "0_);-0_)" {
		t.Errorf("Data quality %s (a row number): style %+v, %v; want the format 0_);-0_)", ref, st, err)
	}
	var line string
	for _, r := range dq {
		if len(r) > 0 && strings.Contains(r[0], "coachimpact sql") {
			line = r[0]
		}
	}
	for _, want := range []string{fmt.Sprintf("first 100,000 of %s", humanInt(total)), fmt.Sprintf("other %d are", more), `SELECT * FROM rejects`} {
		if !strings.Contains(line, want) {
			t.Errorf("line above the rejects %q lacks %q", line, want)
		}
	}
}
