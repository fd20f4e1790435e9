package model

import (
	"fmt"
	"strings"
)

// impact_weighted (issue 16, item 9): where a student has several rostered
// teachers in a subject and year (co-teaching, pull-out support), the
// student's coaching exposure is the percent_time-weighted share of those
// teachers who were coached, in place of the teacher of record's coached.

// weightedQuery selects, for each analysis row of student_growth, the
// row's exposure: Σ over the student's rostered teachers in the subject
// and year of w_t·coached_t, w_t the teacher's percent_time (blank = 100;
// summed over the teacher's sections) over the sum of all of them, and
// coached_t whether the teacher had coaching minutes that school year on
// or before the student's spring test date (the whole year when it has
// none), as student_growth's coached is for the teacher of record. The
// teachers and the coached ones are listed (sorted, separated by
// chr(31)) for the clusters and counts, except where the one rostered
// teacher is the teacher of record (NULL: most rows). The rows are
// analysisQuery's, in its order, so that the weighted sample takes the
// rest of each row from the students of Analyze.
//
// A row with one roster row (teachers_listed 1, 95% of the state's) has
// its teacher of record as its one teacher: its exposure is coached and
// it has no lists, so only the shared rows are looked up in the rosters
// and the sessions. (The lists are list_sort of a list: string_agg's
// ORDER BY took 5 s more at state size.)
const weightedQuery = `
WITH a AS (
    SELECT school_year, student_id, subject, test_date, teacher_id AS teacher_of_record, coached, teachers_listed
    FROM student_growth WHERE excluded IS NULL
),
shared AS (SELECT school_year, student_id, subject, test_date FROM a WHERE teachers_listed > 1),
links AS (
    SELECT s.school_year, s.student_id, s.subject, s.test_date, r.teacher_id, sum(coalesce(r.percent_time, 100)) AS w
    FROM shared s JOIN rosters r USING (school_year, student_id, subject)
    GROUP BY ALL
),
dates AS (SELECT DISTINCT teacher_id, school_year, test_date FROM links),
coached AS (
    SELECT d.teacher_id, d.school_year, d.test_date, coalesce(sum(s.minutes), 0) > 0 AS coached
    FROM dates d
    LEFT JOIN (SELECT c.teacher_id, c.school_year, s.session_date, s.minutes
               FROM coaching_sessions s JOIN coaching_cycles c USING (cycle_id)) s
      ON s.teacher_id = d.teacher_id AND s.school_year = d.school_year
     AND s.session_date <= coalesce(d.test_date, DATE '9999-12-31')
    GROUP BY ALL
),
exposure AS (
    SELECT l.school_year, l.student_id, l.subject,
           sum(l.w * c.coached::INTEGER) / sum(l.w) AS exposure,
           count(*) AS n_links,
           array_to_string(list_sort(list(l.teacher_id)), chr(31)) AS teachers,
           coalesce(array_to_string(list_sort(list(l.teacher_id) FILTER (WHERE c.coached)), chr(31)), '') AS coached_teachers
    FROM links l
    JOIN coached c ON c.teacher_id = l.teacher_id AND c.school_year = l.school_year
     AND c.test_date IS NOT DISTINCT FROM l.test_date
    GROUP BY ALL
)
SELECT CASE WHEN a.teachers_listed > 1 THEN coalesce(e.exposure, 0) ELSE a.coached::INTEGER END AS exposure,
       CASE WHEN e.n_links = 1 AND e.teachers = a.teacher_of_record THEN NULL ELSE e.teachers END AS teachers,
       CASE WHEN e.n_links = 1 AND e.teachers = a.teacher_of_record THEN NULL ELSE e.coached_teachers END AS coached_teachers
FROM a LEFT JOIN exposure e USING (school_year, student_id, subject)
ORDER BY hash(a.teacher_of_record), a.teacher_of_record, a.school_year, a.subject, hash(a.student_id), a.student_id`

// weighted is the analysis sample of impact_weighted: students with
// coached the exposure, and each row's rostered teachers.
type weighted struct {
	*students
	teachers [][]int32 // rostered teachers of each row (dense codes)
	coachedT [][]int32 // those of them coached
	nCode    int       // distinct rostered teachers
}

// newWeighted makes the weighted sample from weightedQuery's frame f and
// Analyze's students s, whose rows f's are: s with the exposure in place
// of coached, and each row's rostered (and coached) teachers in s's
// teacher codes, teachers off the analysis rows numbered after them.
func newWeighted(f *frame, s *students) (*weighted, error) {
	if f.n != s.n {
		return nil, fmt.Errorf("impact_weighted: %d rows against the analysis's %d", f.n, s.n)
	}
	ws := *s
	ws.coached = f.floats("exposure")
	w := &weighted{students: &ws}
	codes := map[string]int32{}
	for c, id := range s.teacherIDs {
		codes[id] = int32(c)
	}
	code := func(list string) []int32 {
		if list == "" {
			return nil
		}
		var out []int32
		for _, t := range strings.Split(list, "\x1f") {
			c, ok := codes[t]
			if !ok {
				c = int32(len(codes))
				codes[t] = c
			}
			out = append(out, c)
		}
		return out
	}
	teachers, coached := f.strings("teachers"), f.strings("coached_teachers")
	w.teachers, w.coachedT = make([][]int32, f.n), make([][]int32, f.n)
	for i := range f.n {
		if teachers[i] == "" { // NULL: the teacher of record alone
			w.teachers[i] = s.teacher[i : i+1 : i+1]
			if ws.coached[i] > 0 {
				w.coachedT[i] = w.teachers[i]
			}
			continue
		}
		w.teachers[i], w.coachedT[i] = code(teachers[i]), code(coached[i])
	}
	w.nCode = len(codes)
	return w, nil
}

// components numbers the connected components of the teacher-student
// graph of c's rows: teachers are linked when they share a student (a row
// lists both), by union-find; each row gets its component, numbered in
// first-seen order.
func (w *weighted) components(c cell) []int32 {
	parent := make([]int32, w.nCode)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, i := range c.rows {
		ts := w.teachers[i]
		for _, t := range ts[1:] {
			if a, b := find(ts[0]), find(t); a != b {
				parent[b] = a
			}
		}
	}
	number := filled(w.nCode, -1)
	out := make([]int32, len(c.rows))
	next := int32(0)
	for r, i := range c.rows {
		root := find(w.teachers[i][0])
		if number[root] < 0 {
			number[root], next = next, next+1
		}
		out[r] = number[root]
	}
	return out
}

// counts fills e's sample sizes from c's rows: students, students with
// any exposure, rostered teachers and the coached ones among them.
func (w *weighted) counts(e *Estimate, c cell) {
	seen := make([]uint8, w.nCode) // bit 1 rostered, bit 2 coached
	for _, i := range c.rows {
		for _, t := range w.teachers[i] {
			if seen[t]&1 == 0 {
				seen[t] |= 1
				e.NTeachers++
			}
		}
		for _, t := range w.coachedT[i] {
			if seen[t]&2 == 0 {
				seen[t] |= 2
				e.NCoachedTeachers++
			}
		}
		if w.coached[i] > 0 {
			e.NCoachedStudents++
		}
	}
	e.NStudents = len(c.rows)
}

// impact fits impact_weighted on c: spring z on the exposure with the
// impact model's baseline and fixed effects, CR2 clustered by the
// components of c's teacher-student graph (Satterthwaite df). It is
// suppressed where the teacher-of-record impact of the same cell (ref)
// is, and where its own counts fall under floor as impact's would
// (estimable: students with and without any exposure, coached and other
// rostered teachers); the coached-cluster floor counts the coached
// rostered teachers.
func (w *weighted) impact(c cell, ref *Estimate, floor suppression) Estimate {
	e := Estimate{Analysis: AnalysisWeighted, Subject: c.subject, SchoolYear: c.schoolYear(), Unit: "SD of spring score (all coaching against none, by percent_time exposure)"}
	w.counts(&e, c)
	switch {
	case ref == nil:
		e.Note = "not estimated: no teacher-of-record impact cell"
		return e
	case ref.Suppressed:
		e.Suppressed, e.Note = true, ref.Note
		return e
	case ref.Estimate == nil:
		e.Note = ref.Note
		return e
	case !estimable(&e, floor):
		return e
	}
	d := w.design(c, gather(w.coached, c.rows))
	d.cluster = w.components(c)
	f, err := ols(d)
	if err != nil {
		e.Note = joinNotes(e.Note, "not estimated: "+err.Error())
		return e
	}
	setCoef(&e, f, 0)
	e.Note = joinNotes(e.Note, fmt.Sprintf("clustered by %d groups of teachers linked by shared students", f.clusters))
	return e
}

// weightedSample makes the sample of impact_weighted from the rows of
// weightedQuery (prefetched) and the students s they belong to.
func weightedSample(rows *prefetched, s *students) (*weighted, error) {
	f, err := rows.wait()
	if err != nil {
		return nil, err
	}
	return newWeighted(f, s)
}

// weightedImpacts fits impact_weighted on every impact cell of w (no
// subgroup), beside est's impact estimates.
func weightedImpacts(w *weighted, est []Estimate, floor suppression) []Estimate {
	type key struct {
		subject string
		year    int
	}
	ref := map[key]*Estimate{}
	for i, e := range est {
		if e.Analysis == AnalysisImpact {
			y := 0
			if e.SchoolYear != nil {
				y = *e.SchoolYear
			}
			ref[key{e.Subject, y}] = &est[i]
		}
	}
	return parallel(w.cells(), func(c cell) Estimate { return w.impact(c, ref[key{c.subject, c.year}], floor) })
}
