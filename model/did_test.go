package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// panelFixture: schools S1, S2 join in 2021, S3 in 2022, S4 joined in
// 2015 (coached in every panel year, so left out of both estimators), S5,
// S6 and S7 are comparison schools; S7 has no 2020 row.
func panelFixture() *panel {
	type row struct {
		school string
		cohort float64
		year   float64
		y      float64
	}
	nan := math.NaN()
	rows := []row{
		{"S1", 2021, 2020, 0.10}, {"S1", 2021, 2021, 0.25}, {"S1", 2021, 2022, 0.31}, {"S1", 2021, 2023, 0.28},
		{"S2", 2021, 2020, -0.05}, {"S2", 2021, 2021, 0.12}, {"S2", 2021, 2022, 0.02}, {"S2", 2021, 2023, 0.20},
		{"S3", 2022, 2020, 0.03}, {"S3", 2022, 2021, -0.02}, {"S3", 2022, 2022, 0.15}, {"S3", 2022, 2023, 0.22},
		{"S4", 2015, 2020, 0.50}, {"S4", 2015, 2021, 0.90}, {"S4", 2015, 2022, -0.40}, {"S4", 2015, 2023, 0.70},
		{"S5", nan, 2020, 0.01}, {"S5", nan, 2021, -0.04}, {"S5", nan, 2022, 0.00}, {"S5", nan, 2023, -0.06},
		{"S6", nan, 2020, -0.08}, {"S6", nan, 2021, 0.02}, {"S6", nan, 2022, -0.03}, {"S6", nan, 2023, 0.05},
		{"S7", nan, 2021, 0.07}, {"S7", nan, 2022, -0.01}, {"S7", nan, 2023, 0.04},
	}
	f := &frame{n: len(rows), num: map[string][]float64{}, str: map[string][]string{}}
	for _, r := range rows {
		f.str["school_id"] = append(f.str["school_id"], r.school)
		f.num["ip_cohort"] = append(f.num["ip_cohort"], r.cohort)
		f.num["school_year"] = append(f.num["school_year"], r.year)
		f.num["mean_growth"] = append(f.num["mean_growth"], r.y)
		f.num["analysis_students"] = append(f.num["analysis_students"], 100)
		f.num["analysis_rows"] = append(f.num["analysis_rows"], 200)
	}
	return newPanel(f)
}

// TestTWFEKnownAnswer: the expected numbers are R 4.2.2's, by hand
// (model/testdata/crosscheck/fixture_did.R), without S4:
//
//	m <- lm(y ~ post + factor(school) + factor(year), p)
//	clubSandwich::coef_test(m, vcov = "CR2", cluster = p$school, test = "Satterthwaite")
//
// (clubSandwich 0.5.8), the school dummies in the hat matrix.
func TestTWFEKnownAnswer(t *testing.T) {
	e := panelFixture().twfe(0)
	check(t, "estimate", e.Estimate, 0.17012605042016796)
	check(t, "std_error", e.StdError, 0.040897396514968209)
	check(t, "ci_low", e.CILow, 0.044386560449930307)
	check(t, "ci_high", e.CIHigh, 0.29586554039040558)
	check(t, "p_value", e.PValue, 0.022303491296823918)
	check(t, "df", &e.DF, 3.196644085283654)
	// S1, S2 and S3 are the treated schools, the coached clusters;
	// n_students (distinct students) is Analyze's: 0 here.
	if e.NSchools != 6 || e.NCoachedTeachers != 3 || e.NStudents != 0 || e.SEMethod != SECR2 {
		t.Errorf("schools %d (treated %d), students %d, se_method %q", e.NSchools, e.NCoachedTeachers, e.NStudents, e.SEMethod)
	}
	for _, want := range []string{"1 schools coached in every year", "staggered (cohorts 2021, 2022)", "counts: 6 schools, 23 school-years, 2300 student-years"} {
		if !strings.Contains(e.Note, want) {
			t.Errorf("note %q lacks %q", e.Note, want)
		}
	}
}

// TestCallawaySantAnnaKnownAnswer: ATT(g,t) worked out by hand from the
// fixture (differences of means; see the comment of each row), the overall
// effect their average weighted by treated schools; the analytic SEs and
// the pre-trend test from a separate hand-coded estimator in R 4.2.2
// (model/testdata/crosscheck/cs_analytic.R).
func TestCallawaySantAnnaKnownAnswer(t *testing.T) {
	e, cells := panelFixture().callawaySantAnna(0)
	want := []GroupTime{
		// 2021 against 2020: treated S1 .15, S2 .17; controls S3 -.05, S5 -.05, S6 .10 (S7 has no 2020).
		{Cohort: 2021, SchoolYear: 2021, ATT: 0.16, StdError: 0.05099019513592784, TreatedSchools: 2, ControlSchools: 3},
		// S3 has joined by 2022: controls S5, S6.
		{Cohort: 2021, SchoolYear: 2022, EventTime: 1, ATT: 0.14 - 0.02, StdError: 0.076157731058639086, TreatedSchools: 2, ControlSchools: 2},
		{Cohort: 2021, SchoolYear: 2023, EventTime: 2, ATT: 0.215 - 0.03, StdError: 0.10594810050208546, TreatedSchools: 2, ControlSchools: 2},
		// Placebo: 2022's cohort from 2020 to 2021, before joining: S3
		// -.05 against S5 -.05, S6 .10 (S1, S2 joined in 2021).
		{Cohort: 2022, SchoolYear: 2021, EventTime: -1, ATT: -0.05 - 0.025, StdError: 0.075000000000000025, TreatedSchools: 1, ControlSchools: 2},
		// 2022 against 2021: controls S5, S6, S7.
		{Cohort: 2022, SchoolYear: 2022, ATT: 0.17 + 0.03, StdError: 0.03605551275463989, TreatedSchools: 1, ControlSchools: 3},
		{Cohort: 2022, SchoolYear: 2023, EventTime: 1, ATT: 0.24 + 0.02/3, StdError: 0.018559214542766739, TreatedSchools: 1, ControlSchools: 3},
	}
	if len(cells) != len(want) {
		t.Fatalf("%d cells; want %d: %+v", len(cells), len(want), cells)
	}
	sum := 0.0
	for i, w := range want {
		g := cells[i]
		if g.Cohort != w.Cohort || g.SchoolYear != w.SchoolYear || g.EventTime != w.EventTime ||
			g.TreatedSchools != w.TreatedSchools || g.ControlSchools != w.ControlSchools || !near(g.ATT, w.ATT) || !near(g.StdError, w.StdError) {
			t.Errorf("cell %d = %+v; want %+v", i, g, w)
		}
		if !near(g.CIHigh-g.ATT, 1.959963984540054*g.StdError) || !near(g.CIHigh-g.ATT, g.ATT-g.CILow) {
			t.Errorf("cell %d interval: %+v", i, g)
		}
		if w.EventTime >= 0 {
			sum += float64(w.TreatedSchools) * w.ATT
		}
	}
	check(t, "overall", e.Estimate, sum/8)
	check(t, "overall R", e.Estimate, 0.17208333333333334)
	check(t, "analytic SE", e.StdError, 0.047427138715568196)
	check(t, "pre-trend p", e.PreTrendP, 0.31731050786291415)
	if e.SEMethod != SEAnalytic || e.NSchools != 6 || !strings.Contains(e.Note, "counts: 6 schools, 23 school-years, 2300 student-years") {
		t.Errorf("did_cs %+v", e)
	}
}

// TestCallawaySantAnnaSEMatchesBootstrap: on a panel of 300 schools the
// analytic SE is the school bootstrap's without its Monte Carlo error:
// 2000 draws of schools with replacement give an SD within 5% of it (the
// draws' own Monte Carlo error is about 1.6%).
func TestCallawaySantAnnaSEMatchesBootstrap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	f := &frame{num: map[string][]float64{}, str: map[string][]string{}}
	for s := range 300 {
		cohort := []float64{math.NaN(), 2021, 2022, 2023}[s%4]
		level := rng.NormFloat64() * 0.2
		for y := 2020; y <= 2024; y++ {
			g := level + 0.1*rng.NormFloat64()
			if !math.IsNaN(cohort) && float64(y) >= cohort {
				g += 0.1
			}
			f.str["school_id"] = append(f.str["school_id"], fmt.Sprint("S", s))
			f.num["ip_cohort"] = append(f.num["ip_cohort"], cohort)
			f.num["school_year"] = append(f.num["school_year"], float64(y))
			f.num["mean_growth"] = append(f.num["mean_growth"], g)
			f.num["analysis_students"] = append(f.num["analysis_students"], 50)
			f.num["analysis_rows"] = append(f.num["analysis_rows"], 100)
			f.n++
		}
	}
	p := newPanel(f)
	e, _ := p.callawaySantAnna(0)
	ix := p.csIndex()
	w := make([]float64, ix.n)
	var draws []float64
	for range 2000 {
		clear(w)
		for range ix.n {
			w[rng.IntN(ix.n)]++
		}
		if r := p.cs(w, ix); r.ok {
			draws = append(draws, r.overall)
		}
	}
	boot := stat.StdDev(draws, nil)
	t.Logf("analytic SE %.5f, bootstrap SD %.5f (%d draws)", *e.StdError, boot, len(draws))
	if math.Abs(boot / *e.StdError - 1) > 0.05 {
		t.Errorf("analytic SE %.5f, bootstrap %.5f: more than 5%% apart", *e.StdError, boot)
	}
}

func TestDiDNeedsBothGroups(t *testing.T) {
	p := panelFixture()
	for i := range p.cohort {
		if math.IsNaN(p.cohort[i]) {
			p.cohort[i] = 2015 // no comparison school left
		}
	}
	if e := p.twfe(0); e.Estimate != nil || !strings.Contains(e.Note, "not estimated") {
		t.Errorf("twfe without comparison schools: %+v", e)
	}
	// Callaway-Sant'Anna still has not-yet-joined S3 for the 2021 cohort's
	// first year.
	e, cells := p.callawaySantAnna(0)
	if e.Estimate == nil || len(cells) != 1 || !near(cells[0].ATT, 0.16+0.05) {
		t.Errorf("cs with not-yet-joined controls only: %+v %+v", e, cells)
	}
}
