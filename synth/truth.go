package synth

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

// TruthFile is the name of the truth file Generate writes beside the tables.
const TruthFile = "truth.json"

// Truth is what the pipeline must find in a generated district.
type Truth struct {
	Config  Config  // the configuration, defaults applied
	PerHour float64 // = Config.PerHour
	// Jump is the planted effect of any coaching hours (= Config.Jump) and
	// HoursCap the hours beyond which PerHour adds nothing (= Config.HoursCap,
	// 0 = no cap): the dose model's dose_onset and dose_response (below the
	// cap) estimate them.
	Jump     float64
	HoursCap float64
	// Impact is the expected coefficient of "coached" per (school_year,
	// subject), ordered by year then subject; cells without analysis
	// students are left out.
	Impact []CellTruth
	// Overall is Jump + PerHour × the mean coaching hours (capped at
	// HoursCap) of the coached analysis students of all cells pooled.
	Overall float64
	// DiD is the mean planted effect (Jump for the coached + PerHour × hours
	// capped at HoursCap; 0 for the uncoached) over the analysis students in IP school-years with year >= ip_cohort, of the
	// cohorts that join inside the panel (first year < ip_cohort <= LastYear).
	DiD          float64
	PracticeGain float64 // = Config.PracticeGain
	// Selection is Config.Selection, and SelectionGap the selection it
	// realised: the mean teacher effect (value-added, SD of spring score)
	// of coached teacher-years minus that of uncoached ones, over the IP
	// schools' years with coaching (negative: weaker teachers coached).
	Selection    float64
	SelectionGap float64
	// Files has one entry per file, or per sheet of the multi-table
	// workbook ("coaching.xlsx#coaching_sessions").
	Files map[string]FileTruth
	// Rejects lists every planted bad row, ordered by file and row.
	Rejects []Reject
}

// CellTruth is the truth of one (school_year, subject) cell. Analysis
// students are the student-subject-years with a spring score, a teacher of
// record and a baseline; coached ones have coaching hours > 0.
type CellTruth struct {
	SchoolYear                int
	Subject                   string
	Expected                  float64 // Jump + PerHour × mean hours (capped at HoursCap) of the coached analysis students; 0 when none
	CoachedStudents, Students int
}

// FileTruth counts the data rows of one file or sheet: RowsRead are the
// non-blank rows below the header, RowsRejected the planted bad ones.
type FileTruth struct {
	Table                  string
	RowsRead, RowsRejected int
}

// Reject is one planted bad row. Row is the row number a user sees: the
// line of a CSV file counting the header as 1 (a BOM is not a line), the
// row of a sheet. Column is the canonical column name; Value is the text
// written (for a date cell, the date as 2006-01-02).
type Reject struct {
	File, Table, Column, Value, Reason string
	Row                                int
}

func (w *writer) truth() *Truth {
	cfg := w.p.cfg
	t := &Truth{
		Config: cfg, PerHour: cfg.PerHour, Jump: cfg.Jump, HoursCap: cfg.HoursCap, PracticeGain: cfg.PracticeGain,
		Files: map[string]FileTruth{}, Rejects: w.rejects,
	}
	if t.Rejects == nil {
		t.Rejects = []Reject{}
	}
	var all cellAcc
	for yi := range w.cells {
		for s, c := range w.cells[yi] {
			if c.students == 0 {
				continue
			}
			ct := CellTruth{SchoolYear: w.p.firstYear + yi, Subject: subjects[s], CoachedStudents: c.coached, Students: c.students}
			if c.coached > 0 {
				ct.Expected = cfg.Jump + cfg.PerHour*c.hours/float64(c.coached)
			}
			t.Impact = append(t.Impact, ct)
			all.add(c)
		}
	}
	slices.SortFunc(t.Impact, func(a, b CellTruth) int {
		return cmp.Or(cmp.Compare(a.SchoolYear, b.SchoolYear), cmp.Compare(a.Subject, b.Subject))
	})
	if all.coached > 0 {
		t.Overall = cfg.Jump + cfg.PerHour*all.hours/float64(all.coached)
	}
	t.Selection = cfg.Selection
	if sel := w.selection; sel.nCoached > 0 && sel.nUncoached > 0 {
		t.SelectionGap = sel.coached/float64(sel.nCoached) - sel.uncoached/float64(sel.nUncoached)
	}
	if w.did.students > 0 {
		t.DiD = (cfg.Jump*float64(w.did.coached) + cfg.PerHour*w.did.hours) / float64(w.did.students)
	}
	for _, tb := range w.o.t {
		t.Files[tb.key] = FileTruth{Table: tb.name, RowsRead: tb.rows, RowsRejected: tb.rejected}
	}
	return t
}

// writeTruth writes t as indented JSON to path.
func writeTruth(path string, t *Truth) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadTruth reads a truth file written by Generate.
func ReadTruth(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read truth: %w", err)
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("read truth %s: %w", path, err)
	}
	return &t, nil
}
