package model

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/coachimpact/coachimpact/synth"
)

// withinFixture is a hand-made Math panel of 52 students: 6 teachers over
// school years 2022-2024, five of them (A, B, C, E, F) coached in some
// years and not others, D never; teacher C's first student each year has
// a prior-year spring baseline, every other student a fall one. The same
// columns are in model/testdata/crosscheck/within_fixture.R.
func withinFixture() *students {
	teacher := []string{"A", "A", "A", "A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B", "B", "B", "B", "C", "C", "C", "C", "C", "C", "C", "C", "C", "D", "D", "D", "D", "D", "D", "D", "D", "E", "E", "E", "E", "E", "E", "E", "E", "E", "F", "F", "F", "F", "F", "F", "F", "F"}
	grade := []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4}
	year := []float64{2022, 2022, 2022, 2023, 2023, 2023, 2024, 2024, 2024, 2022, 2022, 2022, 2023, 2023, 2023, 2024, 2024, 2024, 2022, 2022, 2022, 2023, 2023, 2023, 2024, 2024, 2024, 2022, 2022, 2022, 2023, 2023, 2024, 2024, 2024, 2022, 2022, 2022, 2023, 2023, 2023, 2024, 2024, 2024, 2022, 2022, 2022, 2023, 2023, 2024, 2024, 2024}
	fall := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	coached := []float64{0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}
	b := []float64{-0.74, -0.94, -1.23, -0.08, 0.85, -0.28, -0.04, 0.61, -0.05, 0.53, 1.09, -0.59, 0.14, -0.09, -0.6, -1.52, -0.08, 1.87, 0.31, 0.06, -0.37, 1.42, -0.02, 0.64, 0.99, 0.31, -0.89, 0.55, 0.11, -0.85, -0.54, -0.51, 1.67, -1.03, 0.06, 0.42, 1.4, 0.43, -0.92, 0.06, -0.5, 0.07, -2.21, 0.45, -0.21, -1.58, -0.27, 0.65, -1.13, -0.47, 0.22, 0.39}
	y := []float64{-0.21, -0.49, -0.54, 0.66, 0.54, 0.07, -0.55, -0.95, 0.93, -0.13, 1.0, -0.4, 0.66, 0.98, 0.22, -1.51, 0.45, 1.32, -0.4, 0.32, 0.3, 1.21, -0.04, -0.05, 0.57, -0.09, -0.67, 0.62, 0.82, 0.2, -0.45, 0.54, 1.1, -1.03, 0.61, 0.09, 0.58, -0.16, -1.75, -0.35, -0.69, 0.06, -1.55, 0.39, 0.16, -0.57, 0.07, 0.55, -1.57, -0.14, 0.79, 0.54}
	n := len(y)
	s := &students{
		n: n, y: y, base: b, coached: coached, hours: coached, grade: grade, fall: fall, year: year,
		teacher: index(teacher), subject: make([]string, n), subgroup: map[string][]string{},
	}
	for i := range n {
		s.subject[i] = "Math"
	}
	s.encode()
	return s
}

// TestWithinTeacherKnownAnswer checks impact_within_teacher on
// withinFixture against R 4.2.2 with clubSandwich 0.5.8
// (model/testdata/crosscheck/within_fixture.R):
//
//	m <- lm(y ~ coached + bfall + bprior + factor(teacher:grade:fall) + factor(year), d)
//	coef_test(m, vcov = "CR2", cluster = d$teacher, test = "Satterthwaite")
//
// and counts the five switchers as its coached teachers.
func TestWithinTeacherKnownAnswer(t *testing.T) {
	s := withinFixture()
	c := cell{subject: "Math", rows: allRows(s.n)}
	e := s.withinTeacher(c, suppression{students: 1, teachers: 1, coached: 3})
	if e.SEMethod != SECR2 || e.FewCoachedClusters || e.Suppressed {
		t.Errorf("se_method %q, flagged %v, suppressed %v: %s", e.SEMethod, e.FewCoachedClusters, e.Suppressed, e.Note)
	}
	if e.NCoachedTeachers != 5 || e.NTeachers != 6 || e.NStudents != 52 {
		t.Errorf("n_coached_teachers %d, n_teachers %d, n_students %d; want 5 switchers, 6, 52", e.NCoachedTeachers, e.NTeachers, e.NStudents)
	}
	check(t, "estimate", e.Estimate, -0.051765500461760657)
	check(t, "std_error", e.StdError, 0.23477573244348815)
	check(t, "df", &e.DF, 3.5632012083824596)
	check(t, "ci_low", e.CILow, -0.73636338922577615)
	check(t, "ci_high", e.CIHigh, 0.63283238830225486)
	check(t, "p_value", e.PValue, 0.83753661719113992)

	// Under a floor of 6 coached teachers the five switchers flag it; with
	// two switchers (teachers A and B, and never-coached D) it is
	// suppressed.
	if e := s.withinTeacher(c, suppression{students: 1, teachers: 1, coached: 6}); !e.FewCoachedClusters || e.Estimate == nil {
		t.Errorf("floor 6: flagged %v, estimate %v; want flagged and published", e.FewCoachedClusters, e.Estimate)
	}
	var ab []int
	for i := range s.n {
		if s.teacher[i] <= 1 || s.teacher[i] == 3 {
			ab = append(ab, i)
		}
	}
	if e := s.withinTeacher(cell{subject: "Math", rows: ab}, suppression{students: 1, teachers: 1}); !e.Suppressed || e.Estimate != nil {
		t.Errorf("two switchers: suppressed %v, estimate %v, note %q; want suppressed", e.Suppressed, e.Estimate, e.Note)
	}
}

// plantedOutcome returns a copy of s whose spring z is the planted effect
// alone (jump for coached rows plus perHour per coaching hour, synth's
// effect with no cap): any of the linear estimators fitted on it gives the
// planted effect its design estimates, what it should recover.
func plantedOutcome(s *students, jump, perHour float64) *students {
	c := *s
	c.y = make([]float64, s.n)
	for i := range c.y {
		c.y[i] = jump*s.coached[i] + perHour*s.hours[i]
	}
	return &c
}

// plantedEventStudy runs event_study_teacher on db per subject, on the
// data (est) and on the planted effect alone (truth, see plantedOutcome).
func plantedEventStudy(t *testing.T, db *DB, floor suppression, jump, perHour float64) (est, truth []Estimate) {
	t.Helper()
	ctx := context.Background()
	run := func(outcome string) []Estimate {
		f, err := db.queryFrame(ctx, teacherPanelQuery(outcome))
		if err != nil {
			t.Fatal(err)
		}
		var out []Estimate
		for _, tp := range teacherPanels(f) {
			e, err := tp.eventStudy(floor, func([]string) (int, error) { return 0, nil })
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e...)
		}
		return out
	}
	return run("growth"), run(fmt.Sprintf("coached::INTEGER * %v + hours * %v", jump, perHour))
}

// TestWithinPlacebo: on 40 placebo districts (no effect planted) with
// selection planted, impact_within_teacher (all subjects) and each
// subject's event_study_teacher overall row are within 2 SE of 0 in at
// least 38 of the 40 (95%). The districts are many small classrooms (36
// schools, 8 students a grade: about 40-60 switchers, Satterthwaite df
// 40-55) rather than a few large ones: with 12 schools of 15 a grade (df
// 10-15) t(12) puts 7% of placebo estimates beyond 2 SE and the counts
// fell to 36. On these seeds: within-teacher ELA 38, Math 40, All 38;
// event study ELA 39, Math 38. (With Selection 0 the same seeds give 39,
// 36, 40, 39, 38: 231 of 240 over both runs, 96%, binomial noise around
// 95%, not a biased SE.)
func TestWithinPlacebo(t *testing.T) {
	const seeds = 40
	type result struct{ within, event []Estimate }
	results := make([]result, seeds)
	floor := suppression{students: 10, teachers: 1}
	t.Run("seeds", func(t *testing.T) {
		for seed := range seeds {
			t.Run(fmt.Sprint(seed+1), func(t *testing.T) {
				t.Parallel()
				db, _ := plantedDB(t, synth.Config{Seed: int64(seed + 1), Schools: 36, StudentsPerGrade: 8, Years: 4, NoEffect: true, Selection: 1})
				s, _ := plantedStudents(t, db)
				for _, c := range withinCells(s.cells()) {
					results[seed].within = append(results[seed].within, s.withinTeacher(c, floor))
				}
				est, _ := plantedEventStudy(t, db, floor, 0, 0)
				for _, e := range est {
					if e.EventTime == nil {
						results[seed].event = append(results[seed].event, e)
					}
				}
			})
		}
	})
	covered := map[string]int{}
	for seed, r := range results {
		for _, e := range append(r.within, r.event...) {
			key := e.Analysis + " " + e.Subject
			if e.Estimate == nil {
				t.Errorf("seed %d %s: no estimate: %s", seed+1, key, e.Note)
				continue
			}
			if math.Abs(*e.Estimate) <= 2**e.StdError {
				covered[key]++
			} else {
				t.Logf("seed %d %s: %.4f (SE %.4f, df %.1f) outside 2 SE of 0", seed+1, key, *e.Estimate, *e.StdError, e.DF)
			}
		}
	}
	for key, n := range covered {
		t.Logf("%s: %d of %d within 2 SE of 0", key, n, seeds)
		if n < 38 {
			t.Errorf("%s: %d of %d placebo estimates within 2 SE of 0; want at least 38", key, n, seeds)
		}
	}
}

// TestWithinPlantedSelection plants selection (synth Selection 2: the
// coached teacher-years' value-added is 0.2 SD below the uncoached ones')
// and an effect of 0.1 SD for coaching (Jump 0.1, PerHour 0.0001). The
// planted effect each estimator should find is the estimator fitted on
// the planted effect alone (plantedOutcome: 0.101 for impact and the
// within-teacher model, about 0.085 for the event study's overall row,
// whose teachers are not coached every year after the first). The naive
// impact model, which compares weaker coached teachers' students with
// stronger uncoached ones', lands more than 2 SE below it in every cell;
// impact_within_teacher and the event study's overall rows are within 2
// SE of it.
func TestWithinPlantedSelection(t *testing.T) {
	const jump, perHour = 0.1, 0.0001
	db, truth := plantedDB(t, synth.Config{Seed: 11, Schools: 40, StudentsPerGrade: 40, Years: 4, Jump: jump, PerHour: perHour, Selection: 2})
	if truth.Selection != 2 || truth.SelectionGap > -0.1 {
		t.Fatalf("truth Selection %v, gap %v: want 2 and below -0.1", truth.Selection, truth.SelectionGap)
	}
	s, _ := plantedStudents(t, db)
	floor := suppression{students: 10, teachers: 1}
	tau := plantedOutcome(s, jump, perHour)
	for _, c := range withinCells(s.cells()) {
		want := *tau.impact(c, floor).Estimate
		if e := s.impact(c, floor); within2(t, "impact "+c.subject, e, want) || *e.Estimate > want {
			t.Errorf("impact %s: not more than 2 SE below the planted %.4f", c.subject, want)
		}
		want = *tau.withinTeacher(c, floor).Estimate
		if e := s.withinTeacher(c, floor); !within2(t, "impact_within_teacher "+c.subject, e, want) {
			t.Errorf("impact_within_teacher %s misses the planted %.4f", c.subject, want)
		}
	}
	est, want := plantedEventStudy(t, db, floor, jump, perHour)
	n := 0
	for i, e := range est {
		if e.EventTime != nil {
			continue
		}
		n++
		if !within2(t, "event_study_teacher "+e.Subject, e, *want[i].Estimate) {
			t.Errorf("event_study_teacher %s misses the planted %.4f", e.Subject, *want[i].Estimate)
		}
		if e.PreTrendP == nil {
			t.Errorf("event_study_teacher %s: no pre-trend test: %s", e.Subject, e.Note)
		}
	}
	if n != 2 {
		t.Errorf("%d event-study overall rows, want 2 (ELA and Math)", n)
	}
}

// TestEventStudyCounts: on a district every event-time row's teachers
// are its treated and comparison teachers counted once (a teacher not yet
// coached compares with earlier groups and is treated in its own), those
// of a row from year 0 on at most the overall row's; the overall row's
// treated teachers are those of its e >= 0 cells, all of which are in
// year 0 (a teacher seen in g + 1 and g - 1 is seen in g, its first
// coached year). Seed 2's Math has a teacher with no Math students of
// record in 2023 between 2022 and a first coached 2024: in a placebo row
// only, and not counted on the overall row.
func TestEventStudyCounts(t *testing.T) {
	db, _ := plantedDB(t, synth.Config{Seed: 2, Schools: 20, StudentsPerGrade: 20, Years: 4})
	est, _ := plantedEventStudy(t, db, suppression{students: 1, teachers: 1}, 0, 0)
	var overall Estimate
	for _, e := range est {
		if e.EventTime == nil {
			overall = e
			continue
		}
		if e.Subject != overall.Subject {
			t.Fatalf("%s row before its overall row", e.Subject)
		}
		if *e.EventTime >= 0 && (e.NTeachers > overall.NTeachers || e.NCoachedTeachers > overall.NCoachedTeachers) || e.NCoachedTeachers >= e.NTeachers {
			t.Errorf("%s year %d: %d teachers (%d treated); overall %d (%d treated)", e.Subject, *e.EventTime, e.NTeachers, e.NCoachedTeachers, overall.NTeachers, overall.NCoachedTeachers)
		}
		if *e.EventTime == 0 && e.NCoachedTeachers != overall.NCoachedTeachers {
			t.Errorf("%s: year 0 has %d treated teachers, the overall row %d: every treated teacher is in year 0", e.Subject, e.NCoachedTeachers, overall.NCoachedTeachers)
		}
	}
}
