package model

import (
	"math"
	"strings"
	"testing"
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
	// S1, S2 and S3 are the treated schools, the coached clusters.
	if e.NSchools != 6 || e.NCoachedTeachers != 3 || e.NStudents != 2300 || e.SEMethod != SECR2 {
		t.Errorf("schools %d (treated %d), students %d, se_method %q", e.NSchools, e.NCoachedTeachers, e.NStudents, e.SEMethod)
	}
	for _, want := range []string{"1 schools coached in every year", "staggered (cohorts 2021, 2022)"} {
		if !strings.Contains(e.Note, want) {
			t.Errorf("note %q lacks %q", e.Note, want)
		}
	}
}

// TestCallawaySantAnnaKnownAnswer: ATT(g,t) worked out by hand from the
// fixture (differences of means; see the comment of each row), the overall
// effect their average weighted by treated schools.
func TestCallawaySantAnnaKnownAnswer(t *testing.T) {
	e, cells := panelFixture().callawaySantAnna(1, 0)
	want := []GroupTime{
		// 2021 against 2020: treated S1 .15, S2 .17; controls S3 -.05, S5 -.05, S6 .10 (S7 has no 2020).
		{Cohort: 2021, SchoolYear: 2021, ATT: 0.16, TreatedSchools: 2, ControlSchools: 3},
		// S3 has joined by 2022: controls S5, S6.
		{Cohort: 2021, SchoolYear: 2022, EventTime: 1, ATT: 0.14 - 0.02, TreatedSchools: 2, ControlSchools: 2},
		{Cohort: 2021, SchoolYear: 2023, EventTime: 2, ATT: 0.215 - 0.03, TreatedSchools: 2, ControlSchools: 2},
		// 2022 against 2021: controls S5, S6, S7.
		{Cohort: 2022, SchoolYear: 2022, ATT: 0.17 + 0.03, TreatedSchools: 1, ControlSchools: 3},
		{Cohort: 2022, SchoolYear: 2023, EventTime: 1, ATT: 0.24 + 0.02/3, TreatedSchools: 1, ControlSchools: 3},
	}
	if len(cells) != len(want) {
		t.Fatalf("%d cells; want %d: %+v", len(cells), len(want), cells)
	}
	sum := 0.0
	for i, w := range want {
		g := cells[i]
		if g.Cohort != w.Cohort || g.SchoolYear != w.SchoolYear || g.EventTime != w.EventTime ||
			g.TreatedSchools != w.TreatedSchools || g.ControlSchools != w.ControlSchools || !near(g.ATT, w.ATT) {
			t.Errorf("cell %d = %+v; want %+v", i, g, w)
		}
		if !(g.StdError > 0) || !near(g.CIHigh-g.ATT, g.ATT-g.CILow) {
			t.Errorf("cell %d interval: %+v", i, g)
		}
		sum += float64(w.TreatedSchools) * w.ATT
	}
	check(t, "overall", e.Estimate, sum/8)
	if e.StdError == nil || !(*e.StdError > 0.005 && *e.StdError < 0.2) {
		t.Errorf("bootstrap SE %v", e.StdError)
	}
	// Seeded: the same seed gives the same SE, another seed a different one.
	e2, _ := panelFixture().callawaySantAnna(1, 0)
	e3, _ := panelFixture().callawaySantAnna(2, 0)
	if *e2.StdError != *e.StdError || *e3.StdError == *e.StdError {
		t.Errorf("bootstrap SEs %v %v %v", *e.StdError, *e2.StdError, *e3.StdError)
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
	e, cells := p.callawaySantAnna(1, 0)
	if e.Estimate == nil || len(cells) != 1 || !near(cells[0].ATT, 0.16+0.05) {
		t.Errorf("cs with not-yet-joined controls only: %+v %+v", e, cells)
	}
}
