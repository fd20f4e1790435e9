package reports_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/pipeline"
	"github.com/coachimpact/coachimpact/synth"
)

// TestDistrictWorkbook reads district.xlsx back and checks its numbers
// against the model tables they came from.
func TestDistrictWorkbook(t *testing.T) {
	ctx := context.Background()
	in, out := t.TempDir(), t.TempDir()
	if _, err := synth.Generate(ctx, in, synth.Config{Seed: 3, Schools: 4, StudentsPerGrade: 30, Years: 2}); err != nil {
		t.Fatal(err)
	}
	man, err := pipeline.Run(ctx, pipeline.Options{Input: in, Out: out, Config: config.Default()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "reports", "district.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); fmt.Sprint(got) != "[Summary Data quality]" {
		t.Errorf("sheets = %v", got)
	}
	db, err := model.Open(ctx, filepath.Join(out, "coachimpact.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	rows, err := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	find := func(label string) []string {
		for _, r := range rows {
			if len(r) > 0 && r[0] == label {
				return r
			}
		}
		t.Fatalf("Summary has no row %q", label)
		return nil
	}
	for _, table := range []string{"students", "assessments", "coaching_sessions"} {
		r := find(table)
		if r[1] != strconv.FormatInt(man.Tables[table], 10) {
			t.Errorf("Summary %s loaded = %s; model has %d", table, r[1], man.Tables[table])
		}
	}
	var hours float64
	if err := db.QueryRowContext(ctx, "SELECT sum(minutes)/60 FROM coaching_sessions").Scan(&hours); err != nil {
		t.Fatal(err)
	}
	if got, _ := strconv.ParseFloat(find("Coaching hours")[1], 64); got != hours {
		t.Errorf("Summary coaching hours = %v; model %v", got, hours)
	}

	dq, err := f.GetRows("Data quality", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var nrej, nfiles int
	tables := map[string]bool{}
	for _, tb := range ingest.Tables() {
		tables[tb.Name] = true
	}
	for _, r := range dq {
		if len(r) < 6 || !tables[r[1]] {
			continue
		}
		if len(r) >= 7 && len(r[6]) == 64 { // reconciliation rows end with the sha256
			nfiles++
			read, _ := strconv.Atoi(r[2])
			loaded, _ := strconv.Atoi(r[3])
			rejected, _ := strconv.Atoi(r[4])
			if read != loaded+rejected {
				t.Errorf("Data quality: %s does not reconcile: %v", r[0], r)
			}
		} else {
			nrej++
		}
	}
	var dbRejects int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM rejects").Scan(&dbRejects); err != nil {
		t.Fatal(err)
	}
	if nfiles != len(man.Files) || nrej != dbRejects || dbRejects == 0 {
		t.Errorf("Data quality lists %d files and %d rejects; run has %d files, model %d rejects", nfiles, nrej, len(man.Files), dbRejects)
	}
}
