package model

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
)

// teacherPanelQuery selects the teacher-years of student_growth per
// subject with the mean of outcome over their analysis rows: growth (the
// spring z less its prediction from the baseline by the regressions on
// never-coached teachers' students, 050_student_growth.sql) for the event
// study, so the adjustment cannot absorb coaching's effect.
func teacherPanelQuery(outcome string) string {
	return `
SELECT subject, teacher_id, school_year, avg(` + outcome + `) AS mean_growth,
       avg(coached::INTEGER) AS coached_share,
       count(*) AS analysis_rows, count(DISTINCT student_id) AS analysis_students
FROM student_growth
WHERE excluded IS NULL
GROUP BY ALL
ORDER BY subject, teacher_id, school_year`
}

// teacherPanel is one subject's teacher-year panel for the event study:
// a panel whose units (panel.school) are teachers and whose cohorts are
// each teacher's first coached year in the subject (NaN: never coached
// in the panel), so that did.go's Callaway-Sant'Anna machinery applies
// to teachers as it does to schools.
type teacherPanel struct {
	subject string
	*panel
	coached []float64 // share of the teacher-year's rows coached
}

// teacherPanels splits the rows of teacherPanelQuery by subject, in
// subject order.
func teacherPanels(f *frame) []teacherPanel {
	subj, ids := f.strings("subject"), f.strings("teacher_id")
	year, growth := f.floats("school_year"), f.floats("mean_growth")
	share, rows, studs := f.floats("coached_share"), f.floats("analysis_rows"), f.floats("analysis_students")
	var out []teacherPanel
	for lo := 0; lo < f.n; {
		hi := lo
		for hi < f.n && subj[hi] == subj[lo] {
			hi++
		}
		p := &panel{
			school: index(ids[lo:hi]), year: year[lo:hi], growth: growth[lo:hi],
			students: studs[lo:hi], rows: rows[lo:hi], cohort: make([]float64, hi-lo),
			first: int(slices.Min(year[lo:hi])), last: int(slices.Max(year[lo:hi])),
		}
		first := map[int32]float64{} // first coached year of each teacher
		for i, s := range p.school {
			if int(s) == len(p.ids) {
				p.ids = append(p.ids, ids[lo+i])
			}
			if share[lo+i] > 0 {
				if y, ok := first[s]; !ok || p.year[i] < y {
					first[s] = p.year[i]
				}
			}
		}
		for i, s := range p.school {
			p.cohort[i] = math.NaN()
			if y, ok := first[s]; ok {
				p.cohort[i] = y
			}
		}
		out = append(out, teacherPanel{subject: subj[lo], panel: p, coached: share[lo:hi]})
		lo = hi
	}
	return out
}

// eventRow is the aggregate of the ATT(g,t) cells of one event time.
type eventRow struct {
	event              int
	att                float64
	infl               []float64 // each teacher's influence on att
	treated, controls  map[int32]bool
	treatedN, controlN int // student-years of the treated and control teacher-years
}

// byEventTime aggregates r's cells by event time e = t - g, each cell
// weighted by its treated teachers, as the overall effect is over e >= 0:
// ATT_e = Σ N_c ATT_c / N_e, with influence Σ_c N_c/N_e·infl_c + the
// weights' own, (ATT_c - ATT_e)/N_e for each teacher treated in c.
// Ordered by event time.
func (tp teacherPanel) byEventTime(r csResult, ix *csIndex) []eventRow {
	students := map[schoolYear]float64{}
	for i, s := range tp.school {
		students[schoolYear{s, int(tp.year[i])}] = tp.students[i]
	}
	type member struct {
		treated, controls []int32
	}
	members := make([]member, len(r.cells))
	for j, c := range r.cells {
		base := c.Cohort - 1
		if c.SchoolYear < c.Cohort {
			base = c.SchoolYear - 1
		}
		for _, s := range ix.schools {
			_, ok1 := ix.y[schoolYear{s, c.SchoolYear}]
			_, ok2 := ix.y[schoolYear{s, base}]
			if !ok1 || !ok2 {
				continue
			}
			switch g := ix.cohort[s]; {
			case !math.IsNaN(g) && int(g) == c.Cohort:
				members[j].treated = append(members[j].treated, s)
			case math.IsNaN(g) || int(g) > c.SchoolYear:
				members[j].controls = append(members[j].controls, s)
			}
		}
	}
	byE := map[int]*eventRow{}
	var events []int
	den := map[int]float64{}
	for j, c := range r.cells {
		e := c.EventTime
		row, ok := byE[e]
		if !ok {
			row = &eventRow{event: e, infl: make([]float64, ix.n), treated: map[int32]bool{}, controls: map[int32]bool{}}
			byE[e] = row
			events = append(events, e)
		}
		nc := float64(c.TreatedSchools)
		row.att += nc * c.ATT
		den[e] += nc
		for _, s := range members[j].treated {
			row.treated[s] = true
			row.treatedN += int(students[schoolYear{s, c.SchoolYear}])
		}
		for _, s := range members[j].controls {
			row.controls[s] = true
			row.controlN += int(students[schoolYear{s, c.SchoolYear}])
		}
	}
	for _, row := range byE {
		row.att /= den[row.event]
	}
	for j, c := range r.cells {
		row, n := byE[c.EventTime], den[c.EventTime]
		for s, v := range r.infl[j] {
			row.infl[s] += float64(c.TreatedSchools) / n * v
		}
		for _, s := range members[j].treated {
			row.infl[s] += (c.ATT - row.att) / n
		}
	}
	slices.Sort(events)
	out := make([]eventRow, len(events))
	for k, e := range events {
		out[k] = *byE[e]
	}
	return out
}

// eventStudy is event_study_teacher on one subject: the overall row
// (EventTime nil: the Callaway-Sant'Anna average of the cells at e >= 0,
// weighted by their treated teachers, with the pre-trend test's p-value),
// then one row per event time, the placebo ones (e < 0) first. Each
// teacher first coached inside the panel (the group g, its first coached
// year) is compared with never-coached teachers and those not yet coached
// by t, on teacher-year mean growth: ATT(g,t) = [Ȳ_g(t) - Ȳ_g(g-1)] -
// [Ȳ_C(t) - Ȳ_C(g-1)], and before g the year-on-year placebo cells (see
// panel.cs). Standard errors are the influence function's, teachers
// independent (clustered by teacher). The overall row's counts are those
// of its cells (e >= 0); nStudents counts the distinct students of its
// teachers.
func (tp teacherPanel) eventStudy(floor suppression, nStudents func([]string) (int, error)) ([]Estimate, error) {
	unit := "SD of spring score (teacher-year mean growth)"
	overall := Estimate{Analysis: AnalysisEventStudyTeacher, Subject: tp.subject, Unit: unit}
	ix := tp.csIndex()
	ones := unitWeights(ix.n)
	point := tp.cs(ones, ix)
	if !point.ok {
		overall.Note = "not estimated: needs teachers first coached inside the panel and never-coached or not-yet-coached teachers"
		return []Estimate{overall}, nil
	}
	rows := tp.byEventTime(point, ix)
	var ids []string
	treated, controls := map[int32]bool{}, map[int32]bool{}
	for _, r := range rows {
		if r.event < 0 {
			continue // the overall row rests on the cells from the first coached year on
		}
		for s := range r.treated {
			treated[s] = true
		}
		for s := range r.controls {
			controls[s] = true
		}
	}
	for s := range tp.ids {
		if treated[int32(s)] || controls[int32(s)] {
			ids = append(ids, tp.ids[s])
		}
	}
	n, err := nStudents(ids)
	if err != nil {
		return nil, err
	}
	overall.NStudents, overall.NTeachers, overall.NCoachedTeachers = n, len(ids), len(treated)
	var out []Estimate
	var placebo csResult // the published placebo rows, for the pre-trend test
	for _, r := range rows {
		e := Estimate{Analysis: AnalysisEventStudyTeacher, Subject: tp.subject, Unit: unit, EventTime: &r.event,
			NStudents: r.treatedN + r.controlN, NCoachedStudents: r.treatedN,
			NTeachers: len(union(r.treated, r.controls)), NCoachedTeachers: len(r.treated)}
		if eventFloor(&e, floor, len(r.controls), r.controlN) {
			setInfluence(&e, r.att, r.infl)
			if r.event < 0 {
				placebo.cells = append(placebo.cells, GroupTime{EventTime: r.event, ATT: r.att})
				placebo.infl = append(placebo.infl, r.infl)
			}
		}
		e.Note = joinNotes(eventNote(r.event), e.Note)
		out = append(out, e)
	}
	first := 0.0 // share of the treated teacher-years coached from g on (the first stage)
	share := *tp.panel
	share.growth = tp.coached
	if s := share.cs(ones, share.csIndex()); s.ok {
		first = s.overall
	}
	overall.Note = fmt.Sprintf("Callaway-Sant'Anna on teachers: each teacher's first coached year is the event, compared with never-coached and not-yet-coached teachers on teacher-year mean growth (residualised on never-coached teachers' students); %d teachers first coached inside the panel, %d comparison teachers; from their first coached year on these teachers were coached in %.0f%% of their teacher-years, so the overall effect is that of starting coaching, not of one coached year; analytic (influence-function) SE clustered by teacher; n_students counts each student once, the event-time rows' student-years",
		len(treated), len(controls), 100*first)
	var treatedN, controlN int
	for _, r := range rows {
		if r.event >= 0 {
			treatedN, controlN = treatedN+r.treatedN, controlN+r.controlN
		}
	}
	overall.NCoachedStudents = treatedN
	if eventFloor(&overall, floor, len(controls), controlN) {
		setInfluence(&overall, point.overall, point.overallInfl)
		if p, k, ok := preTrend(placebo); ok {
			overall.PreTrendP = &p
			overall.Note = joinNotes(overall.Note, fmt.Sprintf("pre-trend test: %d placebo event times before the first coached year, joint p = %.3f", k, p))
		} else {
			overall.Note = joinNotes(overall.Note, "no pre-trend test: no published placebo event time (no teacher has two years before the first coached one)")
		}
	}
	return append([]Estimate{overall}, out...), nil
}

// union is the teachers of a and b (a teacher not yet coached is a
// comparison for groups coached earlier and treated in its own).
func union(a, b map[int32]bool) map[int32]bool {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// eventFloor applies the floors to an event-study row whose treated arm is
// e.NCoachedTeachers teachers with e.NCoachedStudents students and whose
// comparison arm is controls teachers with controlN students: either arm
// under the student or classroom floor suppresses it, and the coached
// floor counts its treated teachers. It reports whether e may be
// published.
func eventFloor(e *Estimate, floor suppression, controls, controlN int) bool {
	switch {
	case e.NCoachedStudents < floor.students || controlN < floor.students:
		e.Suppressed, e.Note = true, suppressNote(floor.students)
	case e.NCoachedTeachers < floor.teachers || controls < floor.teachers:
		e.Suppressed, e.Note = true, classroomNote(floor.teachers)
	default:
		return coachedFloor(e, e.NCoachedTeachers, floor.coached, "teachers")
	}
	return false
}

// eventNote says what an event-time row compares.
func eventNote(e int) string {
	if e < 0 {
		return fmt.Sprintf("placebo: %d year(s) before the first coached year, each year against the one before (0 but for noise when trends are parallel)", -e)
	}
	return fmt.Sprintf("%d year(s) after the first coached year, against the year before it", e)
}

// eventStudies runs event_study_teacher on every subject of the teacher
// panel rows (teacherPanelQuery, prefetched).
func (d *DB) eventStudies(ctx context.Context, rows *prefetched, floor suppression) ([]Estimate, error) {
	f, err := rows.wait()
	if err != nil {
		return nil, err
	}
	var out []Estimate
	for _, tp := range teacherPanels(f) {
		est, err := tp.eventStudy(floor, func(ids []string) (int, error) { return d.distinctTeacherStudents(ctx, tp.subject, ids) })
		if err != nil {
			return nil, err
		}
		out = append(out, est...)
	}
	return out, nil
}

// distinctTeacherStudents counts the distinct students of the analysis
// rows of the given teachers in subject.
func (d *DB) distinctTeacherStudents(ctx context.Context, subject string, teachers []string) (int, error) {
	ids, err := json.Marshal(teachers)
	if err != nil {
		return 0, err
	}
	var n int
	err = d.conn.QueryRowContext(ctx, `SELECT count(DISTINCT student_id) FROM student_growth
		WHERE excluded IS NULL AND subject = ? AND teacher_id IN (SELECT unnest(from_json(?::JSON, '["VARCHAR"]')))`, subject, string(ids)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count event-study students: %w", err)
	}
	return n, nil
}
