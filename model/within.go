package model

import (
	"fmt"
	"slices"
)

// withinCells returns the cells of impact_within_teacher: impact's cells
// that pool the school years (each subject, and all subjects when there
// is more than one row), without subgroups. A teacher's coached and
// uncoached years are only compared across years.
func withinCells(cells []cell) []cell {
	var out []cell
	for _, c := range cells {
		if c.year == 0 && c.subgroup == "" {
			out = append(out, c)
		}
	}
	return out
}

// withinDesign builds the within-teacher model of cell c: spring z on
// coached, the baseline z (one slope per baseline source present) and a
// dummy per school year but the first (per subject and year when c pools
// subjects), with a fixed effect per teacher × subject × tested grade ×
// baseline source, clustered by teacher of record. The fixed effect takes
// out everything constant about a teacher's classes (their value-added,
// whatever made them likelier to be coached), so coached's coefficient
// compares the same teacher's students in coached and uncoached years.
func (s *students) withinDesign(c cell) design {
	// Impact's design (coached, the baseline slopes, clusters by
	// teacher), with its fixed effect replaced and the year dummies added.
	d := s.design(c, gather(s.coached, c.rows))
	type feKey struct{ teacher, gradeFall, subject int32 }
	fe := map[feKey]int32{}
	// Year dummies: a column per (year, subject) code, the first year of
	// each subject dropped (its level is in the fixed effect).
	firstYear := filled(s.nSubject, -1)
	yearOf := make([]float64, s.nYear)
	for _, i := range c.rows {
		yearOf[s.yearIx[i]] = s.year[i]
	}
	for _, i := range c.rows {
		if k := s.subjectIx[i]; firstYear[k] < 0 || s.year[i] < yearOf[firstYear[k]] {
			firstYear[k] = s.yearIx[i]
		}
	}
	dummy := map[[2]int32]int{}
	var dummies [][]float64
	for r, i := range c.rows {
		k := feKey{s.teacher[i], s.gradeFall[i], s.subjectIx[i]}
		g, ok := fe[k]
		if !ok {
			g = int32(len(fe))
			fe[k] = g
		}
		d.fe[r] = g
		if y, subj := s.yearIx[i], s.subjectIx[i]; y != firstYear[subj] {
			j, ok := dummy[[2]int32{y, subj}]
			if !ok {
				j = len(dummies)
				dummy[[2]int32{y, subj}] = j
				dummies = append(dummies, make([]float64, len(c.rows)))
			}
			dummies[j][r] = 1
		}
	}
	d.x = append(d.x, dummies...)
	return d
}

// switchers counts the teachers of c with both coached and uncoached
// students: the only clusters whose contrast identifies the within-teacher
// effect.
func (s *students) switchers(c cell) int {
	seen := make([]uint8, s.nTeacher) // bit 1 coached, bit 2 uncoached
	for _, i := range c.rows {
		if s.coached[i] == 1 {
			seen[s.teacher[i]] |= 1
		} else {
			seen[s.teacher[i]] |= 2
		}
	}
	return len(slices.DeleteFunc(seen, func(b uint8) bool { return b != 3 }))
}

// withinTeacher fits the within-teacher model (AnalysisWithinTeacher) on
// c. Counts are impact's, but NCoachedTeachers is the switchers, and the
// coached-cluster floor applies to them (its notes say "coached teachers",
// the note beside them that these are the switchers); the student and
// classroom floors are impact's.
func (s *students) withinTeacher(c cell, floor suppression) Estimate {
	e := Estimate{Analysis: AnalysisWithinTeacher, Subject: c.subject, SchoolYear: c.schoolYear(), Unit: "SD of spring score (same teacher, coached against uncoached years)"}
	s.counts(&e, c)
	noFlag := floor
	noFlag.coached = 0 // the flag is the switchers', below
	if !estimable(&e, noFlag) {
		return e
	}
	sw := s.switchers(c)
	e.NCoachedTeachers = sw
	note := fmt.Sprintf("%d teachers observed in both coached and uncoached years (switchers) identify the effect; fixed effects teacher × subject × grade × baseline source, school-year dummies", sw)
	if !coachedFloor(&e, sw, floor.coached, "teachers") {
		e.Note = joinNotes(e.Note, note)
		return e
	}
	f, err := ols(s.withinDesign(c))
	if err != nil {
		e.Note = joinNotes(e.Note, note, "not estimated: "+err.Error())
		return e
	}
	setCoef(&e, f, 0)
	e.Note = joinNotes(note, e.Note)
	return e
}
