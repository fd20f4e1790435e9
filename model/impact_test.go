package model

import (
	"errors"
	"math"
	"testing"
)

// fixture1 is a hand-made cell of 18 students, 6 teachers (3 coached) and
// two tested grades, all with fall baselines. The expected numbers below
// were computed by hand in R 4.2.2 (model/testdata/crosscheck/fixture1.R
// for the points, effect sizes and adjusted means; fixture1_cr2.R for the
// standard errors, intervals and p-values):
//
//	m <- lm(y ~ coached + b + factor(grade), d)
//	clubSandwich::coef_test(m, vcov = "CR2", cluster = d$teacher, test = "Satterthwaite")
//	qt(0.975, df_Satt)
//	hedges g: (1 - 3/(4N - 9)) * diff / pooled SD;  100 * pnorm(g) - 50
//
// and for the bands, lm(y ~ band + b + factor(grade)) with the adjusted
// means from mean(predict(m, newdata with every band set to b)).
func fixture1() *students {
	y := []float64{0.52, -0.31, 1.10, 0.05, -0.84, 0.33, 0.71, -0.12, 0.95, -0.47, 0.26, 1.34, -0.66, 0.18, 0.40, -0.95, 0.61, 0.02}
	b := []float64{0.40, -0.20, 0.90, 0.10, -0.70, 0.15, 0.30, -0.35, 0.60, -0.50, 0.05, 1.00, -0.40, 0.20, 0.45, -0.80, 0.35, -0.10}
	coached := []float64{1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1}
	hours := []float64{4, 4, 4, 4, 0, 0, 0, 0, 12.5, 12.5, 12.5, 0, 0, 0, 7, 0, 0, 7}
	grade := []float64{3, 3, 4, 4, 3, 3, 4, 4, 3, 4, 4, 3, 4, 3, 3, 4, 3, 4}
	teacher := []string{"A", "A", "A", "A", "B", "B", "B", "B", "C", "C", "C", "D", "D", "D", "E", "F", "F", "E"}
	n := len(y)
	s := &students{
		n: n, y: y, base: b, coached: coached, hours: hours, grade: grade,
		teacher: index(teacher), year: make([]float64, n), subject: make([]string, n),
		fall: make([]float64, n), subgroup: map[string][]string{},
	}
	for i := range n {
		s.year[i], s.subject[i], s.fall[i] = 2024, "Math", 1
	}
	s.encode()
	return s
}

func allRows(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}

// near reports whether got is within 1e-9 of want, relative to |want|
// when it exceeds 1.
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

func check(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = nil; want %.15g", name, want)
		return
	}
	if !near(*got, want) {
		t.Errorf("%s = %.15g; want %.15g", name, *got, want)
	}
}

func TestImpactKnownAnswer(t *testing.T) {
	s := fixture1()
	c := cell{subject: "Math", year: 2024, rows: allRows(s.n)}
	e := s.impact(c, suppression{students: 1, teachers: 1, coached: 3})
	if e.Note != "" || e.FewCoachedClusters || e.SEMethod != SECR2 {
		t.Errorf("note %q, flagged %v, se_method %q", e.Note, e.FewCoachedClusters, e.SEMethod)
	}
	check(t, "estimate", e.Estimate, -0.077368652264722268)
	check(t, "std_error", e.StdError, 0.11938697446972379)
	check(t, "ci_low", e.CILow, -0.4182929136036494)
	check(t, "ci_high", e.CIHigh, 0.26355560907420483)
	check(t, "p_value", e.PValue, 0.55461737847118164)
	check(t, "df", &e.DF, 3.7358015858334577)
	check(t, "hedges_g", e.HedgesG, -0.11095744247349974)
	check(t, "improvement_index", e.ImprovementIndex, -4.4174952868516755)
	check(t, "baseline_g", e.BaselineG, 0.4025394835195531)
	if e.BaselineEquivalence != "not satisfied" {
		t.Errorf("baseline band %q", e.BaselineEquivalence)
	}
	if e.NStudents != 18 || e.NCoachedStudents != 9 || e.NTeachers != 6 || e.NCoachedTeachers != 3 {
		t.Errorf("n %d/%d, teachers %d/%d", e.NStudents, e.NCoachedStudents, e.NTeachers, e.NCoachedTeachers)
	}

	// The dose model, lm(y ~ coached + hours + b + factor(grade)), CR2 with
	// Satterthwaite df: fixture1_cr2.R (clubSandwich 0.5.8 coef_test).
	d, onset := s.dose(c, suppression{students: 1, teachers: 1})
	check(t, "dose_response estimate", d.Estimate, 0.026516325571162697)
	check(t, "dose_response std_error", d.StdError, 0.0050539561759387203)
	check(t, "dose_response df", &d.DF, 1.0469996962838373)
	check(t, "dose_onset estimate", onset.Estimate, -0.27971066975409725)
	check(t, "dose_onset std_error", onset.StdError, 0.11165941165361067)
	check(t, "dose_onset df", &onset.DF, 1.5335086035552286)
	check(t, "dose_onset p", onset.PValue, 0.16595110938165525)
	if d.Analysis != AnalysisDose || onset.Analysis != AnalysisDoseOnset || onset.NCoachedTeachers != 3 || d.SEMethod != SECR2 {
		t.Errorf("dose %+v\nonset %+v", d, onset)
	}

	bands := s.bands(c, suppression{students: 1, teachers: 1})
	wantDiff := []float64{0, -0.162212314743897440, -0.127789980002920522, 0.060117777135381023}
	wantSE := []float64{0, 0.10302477903156607, 0.099959622854055796, 0.10648430649578791}
	wantLow := []float64{0, -0.57279288296341901, -0.55617886129563399, -0.3743930915248771}
	wantAdj := []float64{0.21355977153196054, 0.051347456788063101, 0.085769791529040018, 0.27367754866734156}
	for b := range 4 {
		check(t, bands[b].Band+" adjusted", bands[b].AdjustedMean, wantAdj[b])
		if b > 0 {
			check(t, bands[b].Band+" difference", bands[b].Difference, wantDiff[b])
			check(t, bands[b].Band+" se", bands[b].StdError, wantSE[b])
			check(t, bands[b].Band+" ci_low", bands[b].CILow, wantLow[b])
		}
	}
	if bands[4].NStudents != 0 || bands[4].AdjustedMean != nil || bands[4].Note != "no students" {
		t.Errorf("20+ band: %+v", bands[4])
	}
}

func TestImpactSuppression(t *testing.T) {
	s := fixture1()
	c := cell{subject: "Math", year: 2024, rows: allRows(s.n)}
	// 9 coached and 9 not: a threshold of 10 suppresses, 9 does not.
	e := s.impact(c, suppression{students: 10, teachers: 1})
	if !e.Suppressed || e.Estimate != nil || e.HedgesG != nil || e.Note != "suppressed (n<10)" {
		t.Errorf("minCell 10: %+v", e)
	}
	if e := s.impact(c, suppression{students: 9, teachers: 1}); e.Suppressed || e.Estimate == nil {
		t.Errorf("minCell 9: %+v", e)
	}
	if e, o := s.dose(c, suppression{students: 10, teachers: 1}); !e.Suppressed || e.Estimate != nil || !o.Suppressed || o.Estimate != nil || o.NStudents != 18 {
		t.Errorf("dose, minCell 10: %+v\nonset %+v", e, o)
	}
	// 3 coached teachers (A, C, E) and 3 not (B, D, F): a floor of 3
	// classrooms publishes, 4 suppresses and says why.
	if e := s.impact(c, suppression{students: 9, teachers: 3}); e.Suppressed {
		t.Errorf("3 classrooms per arm, floor 3: %+v", e)
	}
	if e := s.impact(c, suppression{students: 9, teachers: 4}); !e.Suppressed || e.Estimate != nil || e.Note != "suppressed (fewer than 4 classrooms)" {
		t.Errorf("3 classrooms per arm, floor 4: %+v", e)
	}
	bands := s.bands(c, suppression{students: 5, teachers: 1})
	for _, b := range bands[1:4] { // 4, 2 and 3 students
		if b.NStudents > 0 && (!b.Suppressed || b.AdjustedMean != nil || b.Difference != nil) {
			t.Errorf("band %s with %d students not suppressed: %+v", b.Band, b.NStudents, b)
		}
	}
	if bands[0].Suppressed || bands[0].AdjustedMean == nil {
		t.Errorf("0-hours band (9 students) suppressed: %+v", bands[0])
	}
}

func TestImpactNotEstimable(t *testing.T) {
	s := fixture1()
	// Only teacher A: no comparison group.
	e := s.impact(cell{subject: "Math", year: 2024, rows: []int{0, 1, 2, 3}}, suppression{students: 1, teachers: 1})
	if e.Estimate != nil || e.Suppressed || e.Note != "no students of uncoached teachers" {
		t.Errorf("one arm: %+v", e)
	}
	// Grade 3 only (teachers A, B and E): two coached teachers, under
	// the floor of 3 every estimate has.
	e = s.impact(cell{subject: "Math", year: 2024, rows: []int{0, 1, 4, 5, 14}}, suppression{students: 1, teachers: 1}) // grade 3 only: A, A, B, B, E
	if e.Estimate != nil || !e.Suppressed || e.Note != "suppressed (fewer than 3 coached teachers)" {
		t.Errorf("grade-3 cell: %+v", e)
	}
	// A's grade-3 students against B's grade-4 ones: the grade effect
	// absorbs coached.
	absorbed := cell{subject: "Math", year: 2024, rows: []int{0, 1, 6, 7}}
	if _, err := ols(s.design(absorbed, gather(s.coached, absorbed.rows))); !errors.Is(err, errCollinear) {
		t.Errorf("coached absorbed by grade: %v", err)
	}
	// No coached student at all.
	e = s.impact(cell{subject: "Math", year: 2024, rows: []int{4, 5, 6, 7, 11, 12, 13}}, suppression{students: 1, teachers: 1})
	if e.Estimate != nil || e.Note != "no coached students" {
		t.Errorf("no coached: %+v", e)
	}
}

// TestBaselinePerSource: a cell whose two pretests differ. Pooled, the
// baseline g is -0.019 ("satisfied"), but among the prior-spring rows it is
// 1.42; the worse source governs and the note says which pretest fails.
// Expected g from model/testdata/crosscheck/baseline_sources.R (R 4.2.2).
func TestBaselinePerSource(t *testing.T) {
	b := []float64{0.3, -0.3, 0.1, -0.1, 0.2, -0.2, 0.25, -0.2, 0.8, 0.4, 0.5, -0.1, 0.4, 0.0, 0.3, 0.1}
	coached := []float64{1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0}
	n := len(b)
	s := &students{n: n, base: b, coached: coached, fall: make([]float64, n)}
	for i := range 8 {
		s.fall[i] = 1
	}
	c := cell{rows: allRows(n)}
	var e Estimate
	s.baselineEquivalence(&e, c, b, coached)
	check(t, "baseline_g_fall", e.BaselineGFall, -0.086240818031385155)
	check(t, "baseline_g_prior", e.BaselineGPrior, 1.4199940537873497)
	check(t, "baseline_g", e.BaselineG, 1.4199940537873497)
	if pooled := hedgesG(diffMeans(b, coached), b, coached); !near(pooled, -0.019191925450831579) {
		t.Errorf("pooled g %v, want -0.0192", pooled)
	}
	if e.BaselineEquivalence != "not satisfied" {
		t.Errorf("band %q, want not satisfied (the prior-spring rows)", e.BaselineEquivalence)
	}
	want := "baseline same-year fall: g = -0.09, requires adjustment; baseline prior-year spring: g = 1.42, not satisfied"
	if e.Note != want {
		t.Errorf("note %q\nwant %q", e.Note, want)
	}

	// One source only: its g, no note.
	var one Estimate
	s.baselineEquivalence(&one, cell{rows: allRows(8)}, b[:8], coached[:8])
	if one.BaselineGPrior != nil || one.Note != "" || one.BaselineEquivalence != "requires adjustment" {
		t.Errorf("fall rows only: %+v", one)
	}
	check(t, "fall-only baseline_g", one.BaselineG, -0.086240818031385155)
}
