package model

import "testing"

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
