package model

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/coachimpact/coachimpact/ingest"
)

// Reason codes of a degraded run (Reason.Code).
const (
	ReasonFileRejected = "file_rejected"        // most of one file's rows rejected
	ReasonTableEmpty   = "table_empty"          // a table that must load rows has none
	ReasonNoZ          = "scores_without_z"     // most scores have no z-score
	ReasonNoTeacher    = "no_teacher_of_record" // most spring scores link to no teacher
	ReasonNoEstimate   = "no_estimate"          // a tested subject has no impact estimate
)

// Reason is one way in which a run's result is empty or mostly rejected:
// a machine-readable code, what it is about (a file, a table, a subject),
// the share measured where there is one, and a sentence for people.
type Reason struct {
	Code    string   `json:"code"`
	Subject string   `json:"subject"`
	Share   *float64 `json:"share,omitempty"`
	Text    string   `json:"text"`
}

// Thresholds say when a result counts as empty or mostly rejected; a
// share counts when it exceeds its threshold (config.Degraded documents
// each).
type Thresholds struct {
	MaxRejectedShare  float64
	NonEmptyTables    []string
	NoEstimate        bool
	MaxNoTeacherShare float64
	MaxNoZShare       float64
}

// Verdict checks the built and analysed model against th and returns the
// reasons the result is empty or mostly rejected, none when it is sound:
// files with most rows rejected (naming the top reject reason), tables
// that must load rows and have none, scores without z (naming the column
// the test name is read from), spring scores without a teacher of record
// (naming the subjects that match across rosters and assessments), and
// tested subjects without an impact estimate. files are the inputs'
// stats; ests the estimates Analyze returned.
func (d *DB) Verdict(ctx context.Context, files []ingest.Stats, ests []Estimate, th Thresholds) ([]Reason, error) {
	var out []Reason
	for _, f := range files {
		share := fraction(f.RowsRejected, f.RowsRead)
		if f.RowsRejected == 0 || share <= th.MaxRejectedShare {
			continue
		}
		r, err := d.rejectedFile(ctx, f, share)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	for _, t := range th.NonEmptyTables {
		r, empty, err := d.emptyTable(ctx, t, files)
		if err != nil {
			return nil, err
		}
		if empty {
			out = append(out, r)
		}
	}
	for _, check := range []func(context.Context, []ingest.Stats, Thresholds) (*Reason, error){d.scoresWithoutZ, d.noTeacher} {
		r, err := check(ctx, files, th)
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, *r)
		}
	}
	if th.NoEstimate {
		rs, err := d.noEstimate(ctx, ests)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// fraction is n/of, 0 when of is 0.
func fraction(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// percent writes a share as a whole percent, or to one decimal under 1%.
func percent(share float64) string {
	if share > 0 && share < 0.01 {
		return fmt.Sprintf("%.1f%%", 100*share)
	}
	return fmt.Sprintf("%.0f%%", 100*share)
}

// rejectedFile names file f, the share of its rows rejected and the most
// frequent reject reason (by rows) with its column.
func (d *DB) rejectedFile(ctx context.Context, f ingest.Stats, share float64) (Reason, error) {
	var col, reason string
	var rows int
	err := d.conn.QueryRowContext(ctx, `
		SELECT coalesce("column", ''), reason, count(DISTINCT "row") AS n
		FROM rejects WHERE file || coalesce('[' || sheet || ']', '') = ?
		GROUP BY ALL ORDER BY n DESC, 1, 2 LIMIT 1`, f.Source).Scan(&col, &reason, &rows)
	if err != nil {
		return Reason{}, fmt.Errorf("verdict: rejects of %s: %w", f.Source, err)
	}
	top := reason
	if col != "" {
		top = "column " + col + ": " + reason
	}
	text := fmt.Sprintf("%s: %d of %d rows rejected (%s); the most common reason is %s (%d rows)", f.Source, f.RowsRejected, f.RowsRead, percent(share), top, rows)
	return Reason{Code: ReasonFileRejected, Subject: f.Source, Share: &share, Text: text}, nil
}

// emptyTable reports whether table has no rows, and says why: no file,
// a file without rows, or every row rejected.
func (d *DB) emptyTable(ctx context.Context, table string, files []ingest.Stats) (Reason, bool, error) {
	var n int64
	if err := d.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+Ident(table)).Scan(&n); err != nil {
		return Reason{}, false, fmt.Errorf("verdict: count %s: %w", table, err)
	}
	if n > 0 {
		return Reason{}, false, nil
	}
	var srcs []string
	read, rejected := 0, 0
	for _, f := range files {
		if f.Table == table {
			srcs = append(srcs, f.Source)
			read += f.RowsRead
			rejected += f.RowsRejected
		}
	}
	why := "no file was given for it"
	switch {
	case len(srcs) > 0 && read == 0:
		why = strings.Join(srcs, ", ") + " has no data rows"
	case len(srcs) > 0:
		why = fmt.Sprintf("all %d rows of %s were rejected", rejected, strings.Join(srcs, ", "))
	}
	return Reason{Code: ReasonTableEmpty, Subject: table, Text: fmt.Sprintf("table %s is empty: %s", table, why)}, true, nil
}

// scoresWithoutZ checks the share of scores with no z-score: a score
// alone in its group (assessment, subject, tested grade, year, window),
// in a group of equal scores, or with no grade (counted back below K). Groups of one usually mean the test
// name is an ID per test, so the reason names the column it comes from.
func (d *DB) scoresWithoutZ(ctx context.Context, files []ingest.Stats, th Thresholds) (*Reason, error) {
	var n, noZ, alone, noGrade, names int
	err := d.conn.QueryRowContext(ctx, `
		SELECT count(*), count(*) FILTER (WHERE z IS NULL), count(*) FILTER (WHERE group_n = 1 AND tested_grade IS NOT NULL),
		       count(*) FILTER (WHERE tested_grade IS NULL), count(DISTINCT assessment_name)
		FROM scores`).Scan(&n, &noZ, &alone, &noGrade, &names)
	if err != nil {
		return nil, fmt.Errorf("verdict: scores: %w", err)
	}
	share := fraction(noZ, n)
	if noZ == 0 || share <= th.MaxNoZShare {
		return nil, nil
	}
	text := fmt.Sprintf("%d of %d scores (%s) have no z-score", noZ, n, percent(share))
	if alone > 0 {
		text += fmt.Sprintf(": %d groups of a single score (scores are standardised within assessment, subject, tested grade, year and window)", alone)
		var cols []string
		for _, f := range files {
			if c, ok := f.Columns["assessment_name"]; f.Table == "assessments" && ok {
				if v, isDefault := strings.CutPrefix(c, "="); isDefault {
					cols = append(cols, fmt.Sprintf("the constant %q set by the mapping", v))
				} else {
					cols = append(cols, fmt.Sprintf("column %q of %s", c, f.Source))
				}
			}
		}
		if len(cols) > 0 {
			text += fmt.Sprintf("; the test name (assessment_name) is read from %s, which holds %d different values: if that is an ID per test, map a column naming the test instead", strings.Join(cols, " and "), names)
		}
	}
	if equal := noZ - alone - noGrade; equal > 0 {
		text += fmt.Sprintf("; %d scores are in groups whose scores are all equal", equal)
	}
	if noGrade > 0 {
		text += fmt.Sprintf("; %d scores have no grade (no tested grade, and the students table's grade counted back to their year is below K)", noGrade)
	}
	return &Reason{Code: ReasonNoZ, Subject: "assessments", Share: &share, Text: text}, nil
}

// noTeacher checks the share of spring scores with a baseline
// (student_growth rows the models would use) with no teacher of record,
// and names the subjects (and school years) found on one side of the
// rosters-assessments link only. Scores without a baseline are left out:
// a district's first tested year often predates its roster exports.
func (d *DB) noTeacher(ctx context.Context, _ []ingest.Stats, th Thresholds) (*Reason, error) {
	var n, none int
	if err := d.conn.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE teacher_id IS NULL) FROM student_growth WHERE baseline_z IS NOT NULL`).Scan(&n, &none); err != nil {
		return nil, fmt.Errorf("verdict: student_growth: %w", err)
	}
	share := fraction(none, n)
	if none == 0 || share <= th.MaxNoTeacherShare {
		return nil, nil
	}
	text := fmt.Sprintf("no teacher could be linked to %d of %d students' spring scores with a baseline (%s)", none, n, percent(share))
	if none == n {
		text = fmt.Sprintf("no teacher could be linked to any student (%d spring scores with a baseline)", n)
	}
	var rostered int
	if err := d.conn.QueryRowContext(ctx, `SELECT count(*) FROM rosters`).Scan(&rostered); err != nil {
		return nil, fmt.Errorf("verdict: rosters: %w", err)
	}
	if rostered == 0 {
		return &Reason{Code: ReasonNoTeacher, Subject: "rosters", Share: &share, Text: text + ": the rosters table is empty"}, nil
	}
	u, err := d.unmatched(ctx)
	if err != nil {
		return nil, fmt.Errorf("verdict: %w", err)
	}
	if why := u.Reasons(); len(why) > 0 {
		text += ": " + strings.Join(why, "; ")
	} else {
		text += ": the students with spring scores have no roster row in the same subject and school year"
	}
	return &Reason{Code: ReasonNoTeacher, Subject: "rosters", Share: &share, Text: text}, nil
}

// noEstimate lists each subject with spring scores and baselines whose
// pooled impact estimate (all years, no subgroup) is neither a number nor
// suppressed, or gives one reason for all when no subject has such scores.
// A subject tested in one year only (no baseline) is not expected to
// have an estimate.
func (d *DB) noEstimate(ctx context.Context, ests []Estimate) ([]Reason, error) {
	subjects, err := d.strings(ctx, `SELECT DISTINCT subject FROM student_growth WHERE baseline_z IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("verdict: %w", err)
	}
	if len(subjects) == 0 {
		var scores int
		if err := d.conn.QueryRowContext(ctx, `SELECT count(*) FROM scores`).Scan(&scores); err != nil {
			return nil, fmt.Errorf("verdict: scores: %w", err)
		}
		why := "no student has a spring score with a z-score and a baseline (a fall score, or the prior year's spring score)"
		if scores == 0 {
			why = "no assessment scores of known students were loaded"
		}
		return []Reason{{Code: ReasonNoEstimate, Subject: AllSubjects, Text: "no impact estimate for any subject: " + why}}, nil
	}
	var out []Reason
	for _, s := range subjects {
		i := -1
		for j, e := range ests {
			if e.Analysis == AnalysisImpact && e.Subject == s && e.SchoolYear == nil && e.Subgroup == "" {
				i = j
			}
		}
		why := "no student with a spring score and a baseline has a teacher of record"
		if i >= 0 {
			if ests[i].Estimate != nil || ests[i].Suppressed {
				continue
			}
			why = ests[i].Note
		}
		out = append(out, Reason{Code: ReasonNoEstimate, Subject: s, Text: fmt.Sprintf("no impact estimate for %s: %s", s, why)})
	}
	return out, nil
}

// strings returns the first column of q's rows, sorted.
func (d *DB) strings(ctx context.Context, q string) ([]string, error) {
	rows, err := d.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s *string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if s != nil {
			out = append(out, *s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}
