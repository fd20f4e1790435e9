package model

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/synth"
)

// TestComponents links teachers who share a student: rows taught by
// {0,1}, {1,2}, {3}, {4,3}, {5} make three components, {0,1,2}, {3,4} and
// {5}, numbered in first-seen order; the counts take every rostered
// teacher (6) and the coached ones (1 and 4: 2).
func TestComponents(t *testing.T) {
	w := &weighted{
		students: &students{coached: []float64{0.5, 0.5, 0, 0.4, 0}},
		teachers: [][]int32{{0, 1}, {1, 2}, {3}, {4, 3}, {5}},
		coachedT: [][]int32{{1}, {1}, nil, {4}, nil},
		nCode:    6,
	}
	c := cell{rows: []int{0, 1, 2, 3, 4}}
	if got, want := w.components(c), []int32{0, 0, 1, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("components = %v, want %v", got, want)
	}
	// Within rows 2 and 3 alone, {3,4} is one component.
	if got, want := w.components(cell{rows: []int{2, 3}}), []int32{0, 0}; !slices.Equal(got, want) {
		t.Errorf("components of rows 2, 3 = %v, want %v", got, want)
	}
	var e Estimate
	w.counts(&e, c)
	if e.NStudents != 5 || e.NCoachedStudents != 3 || e.NTeachers != 6 || e.NCoachedTeachers != 2 {
		t.Errorf("counts %+v: want 5 students, 3 exposed, 6 teachers, 2 coached", e)
	}
}

// TestWeightedClubSandwich fits impact_weighted on a synthetic district
// (5% of student-subject-years co-taught, synth's default) and checks the
// point, CR2 SE and Satterthwaite df against clubSandwich's coef_test on
// the same rows with cluster = component
// (model/testdata/crosscheck/weighted.R on the dumped rows: ELA 2023
// 0.382070717622, SE 0.043858130434, df 41.796452, 79 clusters; Math
// pooled years 0.286574654096, SE 0.036152957957, df 26.115309). Each
// impact_weighted row sits beside an impact cell and counts at least its
// coached teachers (co-teachers add to them).
func TestWeightedClubSandwich(t *testing.T) {
	db, _ := plantedDB(t, synth.Config{Seed: 5, Schools: 30, StudentsPerGrade: 40, Years: 2, Jump: 0.1})
	est, err := db.Analyze(context.Background(), AnalyzeOptions{MinCell: 10, MinClassrooms: 3, MinCoachedTeachers: 10})
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		subject string
		year    int
	}
	impact, weighted := map[key]Estimate{}, map[key]Estimate{}
	for _, e := range est {
		y := 0
		if e.SchoolYear != nil {
			y = *e.SchoolYear
		}
		switch e.Analysis {
		case AnalysisImpact:
			impact[key{e.Subject, y}] = e
		case AnalysisWeighted:
			weighted[key{e.Subject, y}] = e
		}
	}
	if len(weighted) != len(impact) || len(weighted) != 7 {
		t.Fatalf("%d impact_weighted rows for %d impact cells, want 7 each", len(weighted), len(impact))
	}
	for _, c := range []struct {
		k           key
		b, se, df   float64
		clusterNote string
	}{
		{key{"ELA", 2023}, 0.382070717622, 0.043858130434, 41.796452, "79 groups"},
		{key{"Math", 0}, 0.286574654096, 0.036152957957, 26.115309, "42 groups"},
	} {
		e := weighted[c.k]
		if e.Estimate == nil {
			t.Fatalf("%v: no estimate: %s", c.k, e.Note)
		}
		within(t, fmt.Sprint(c.k, " estimate"), *e.Estimate, c.b, 1e-9)
		within(t, fmt.Sprint(c.k, " SE"), *e.StdError, c.se, 1e-9)
		within(t, fmt.Sprint(c.k, " df"), e.DF, c.df, 1e-5)
		if e.SEMethod != SECR2 || !strings.Contains(e.Note, c.clusterNote) {
			t.Errorf("%v: se_method %q, note %q: want CR2 over %s", c.k, e.SEMethod, e.Note, c.clusterNote)
		}
	}
	for k, e := range weighted {
		if i := impact[k]; e.NStudents != i.NStudents || e.NCoachedTeachers < i.NCoachedTeachers {
			t.Errorf("%v: weighted %d students, %d coached teachers; impact %d, %d", k, e.NStudents, e.NCoachedTeachers, i.NStudents, i.NCoachedTeachers)
		}
	}
}

// TestWeightedFloors: impact_weighted is suppressed, with impact's note,
// where the teacher-of-record impact of its cell is; and on its own counts
// under the floor (here 3 exposed students against a floor of 10).
func TestWeightedFloors(t *testing.T) {
	w := &weighted{
		students: &students{coached: []float64{0.5, 0.5, 0, 0.4, 0}},
		teachers: [][]int32{{0, 1}, {1, 2}, {3}, {4, 3}, {5}},
		coachedT: [][]int32{{1}, {1}, nil, {4}, nil},
		nCode:    6,
	}
	c := cell{subject: "Math", year: 2024, rows: []int{0, 1, 2, 3, 4}}
	ref := Estimate{Suppressed: true, Note: "suppressed (fewer than 3 classrooms)"}
	e := w.impact(c, &ref, suppression{students: 1, teachers: 1})
	if !e.Suppressed || e.Note != ref.Note || e.Estimate != nil {
		t.Errorf("under a suppressed impact: %+v", e)
	}
	b := 0.1
	e = w.impact(c, &Estimate{Estimate: &b}, suppression{students: 10, teachers: 1})
	if !e.Suppressed || e.Note != suppressNote(10) {
		t.Errorf("on 5 students against a floor of 10: %+v", e)
	}
}
