package reports

import (
	"context"
	"fmt"
)

// District writes district.xlsx: Summary and Data quality.
func District(ctx context.Context, in Input, path string) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	f := b.f
	if err := f.SetSheetName("Sheet1", "Summary"); err != nil {
		return err
	}
	if err := summarySheet(ctx, b, in); err != nil {
		f.Close()
		return fmt.Errorf("summary: %w", err)
	}
	if _, err := f.NewSheet("Data quality"); err != nil {
		f.Close()
		return err
	}
	if err := dataQualitySheet(ctx, b, in); err != nil {
		f.Close()
		return fmt.Errorf("data quality: %w", err)
	}
	f.SetActiveSheet(0)
	return b.save(path)
}

var inputTables = []string{"schools", "teachers", "coaches", "students", "rosters", "assessments", "coaching_cycles", "coaching_sessions", "observations"}

func summarySheet(ctx context.Context, b *book, in Input) error {
	loaded := map[string]int{}
	rejected := map[string]int{}
	given := map[string]bool{}
	for _, s := range in.Files {
		loaded[s.Table] += s.RowsLoaded
		rejected[s.Table] += s.RowsRejected
		given[s.Table] = true
	}
	var tables [][]any
	for _, t := range inputTables {
		note := ""
		if !given[t] {
			note = "not given"
		}
		tables = append(tables, []any{t, int64(loaded[t]), int64(rejected[t]), note})
	}
	totals, err := queryRows(ctx, in.DB, `
		SELECT
			(SELECT count(DISTINCT coach_id) FROM coaching_cycles),
			(SELECT count(DISTINCT teacher_id) FROM coaching_cycles),
			(SELECT count(*) FROM coaching_cycles),
			(SELECT count(*) FROM coaching_cycles WHERE stage_reached = 'improve'),
			(SELECT count(*) FROM coaching_cycles WHERE goal_met),
			(SELECT count(*) FROM coaching_sessions),
			(SELECT coalesce(sum(minutes), 0) / 60.0 FROM coaching_sessions)`)
	if err != nil {
		return err
	}
	labels := []string{"Coaches with cycles", "Teachers coached", "Coaching cycles", "Cycles reaching improve", "Goals met", "Coaching sessions", "Coaching hours"}
	var coaching [][]any
	for i, l := range labels {
		coaching = append(coaching, []any{l, totals[0][i]})
	}
	bySchool, err := queryRows(ctx, in.DB, `
		SELECT school_id, school_name, coalesce(CAST(ip_cohort AS VARCHAR), 'comparison'), school_year,
		       teachers, teachers_coached, cycles, sessions, round(hours, 1)
		FROM coaching_by_school ORDER BY school_id, school_year`)
	if err != nil {
		return err
	}
	return b.sections("Summary", "Coaching impact: district summary, run "+in.Started.Format("2006-01-02 15:04 UTC"), []section{
		{Title: "Input tables", Cols: []column{{Name: "Table", Width: 24}, {Name: "Rows loaded", Style: b.int}, {Name: "Rows rejected", Style: b.int}, {Name: "Note"}}, Rows: tables},
		{Title: "Coaching logged, all years", Cols: []column{{Name: "Measure"}, {Name: "Total", Style: b.int}}, Rows: coaching},
		{Title: "Coaching by school and year", Cols: []column{{Name: "School ID"}, {Name: "School"}, {Name: "IP cohort"}, {Name: "School year"}, {Name: "Teachers", Style: b.int}, {Name: "Teachers coached", Style: b.int}, {Name: "Cycles", Style: b.int}, {Name: "Sessions", Style: b.int}, {Name: "Hours", Style: b.dec}}, Rows: bySchool},
	})
}

func dataQualitySheet(ctx context.Context, b *book, in Input) error {
	var recon [][]any
	for _, s := range in.Files {
		status := "all rows loaded"
		if s.RowsRejected > 0 {
			status = fmt.Sprintf("%d rows rejected", s.RowsRejected)
		}
		if s.RowsRead != s.RowsLoaded+s.RowsRejected {
			status = "DOES NOT RECONCILE"
		}
		recon = append(recon, []any{s.Source, s.Table, int64(s.RowsRead), int64(s.RowsLoaded), int64(s.RowsRejected), status, s.SHA256})
	}
	rej, err := queryRows(ctx, in.DB, `SELECT file || coalesce('[' || sheet || ']', ''), table_name, "row", coalesce("column", ''), coalesce(value, ''), reason, coalesce(detail, '') FROM rejects ORDER BY file, sheet, "row", "column"`)
	if err != nil {
		return err
	}
	return b.sections("Data quality", fmt.Sprintf("Data quality: %d input files, %d rejected values", len(in.Files), len(rej)), []section{
		{Title: "Reconciliation: every row read is loaded or rejected", Cols: []column{{Name: "File"}, {Name: "Table"}, {Name: "Rows read", Style: b.int}, {Name: "Rows loaded", Style: b.int}, {Name: "Rows rejected", Style: b.int}, {Name: "Status"}, {Name: "SHA-256", Width: 20}}, Rows: recon},
		{Title: "Rejects: one line per rejected value (row numbers as Excel or an editor shows them)", Cols: []column{{Name: "File"}, {Name: "Table"}, {Name: "Row"}, {Name: "Column"}, {Name: "Value"}, {Name: "Reason"}, {Name: "Detail"}}, Rows: rej},
	})
}
