package model

import (
	"context"
	"math"
	"testing"

	"github.com/coachimpact/coachimpact/synth"
)

// sureFixture is the design model/testdata/crosscheck/sure.R builds: 8
// teachers (the even ones coached) of 3 to 6 students in grades 4 and 5,
// one school year and subject, a fall baseline.
func sureFixture() *students {
	s := &students{subgroup: map[string][]string{}}
	for t := range 8 {
		for i := range 3 + t%4 {
			base := math.Sin(1.3*float64(t) + 0.7*float64(i) + 1)
			s.year = append(s.year, 2024)
			s.subject = append(s.subject, "Math")
			s.grade = append(s.grade, float64(4+i%2))
			s.fall = append(s.fall, 1)
			s.teacher = append(s.teacher, int32(t))
			s.base = append(s.base, base)
			s.y = append(s.y, 0.5*base+0.4*math.Cos(2.1*float64(t))+0.3*math.Sin(3.7*float64(i)+float64(t)))
			s.hours = append(s.hours, 0)
			s.coached = append(s.coached, float64(1-t%2))
		}
	}
	s.n = len(s.y)
	s.encode()
	return s
}

func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

// TestClusterDesignMDE checks the design's ICC, within and between R²,
// total SD and PowerUp! MDE against model/testdata/crosscheck/sure.R (R's
// anova and lm on the same rows, the MDE formula hand-coded).
func TestClusterDesignMDE(t *testing.T) {
	s := sureFixture()
	c := s.cells()[0]
	if c.year != 2024 || c.subject != "Math" {
		t.Fatalf("first cell %+v", c)
	}
	cd := s.clusterDesign(c)
	if cd.j != 8 || cd.g != 1 || cd.p != 0.5 {
		t.Fatalf("design %+v: want 8 teachers, half coached, one baseline", cd)
	}
	within(t, "rho", cd.rho, 0.485644590055749, 1e-12)
	within(t, "R2 within", cd.r1, 0.64715070342898, 1e-12)
	within(t, "R2 between", cd.r2, 0.446010955286022, 1e-12)
	within(t, "sd", cd.sd, 0.555310263463593, 1e-12)
	m, ok := cd.mde()
	if !ok {
		t.Fatal("no MDE")
	}
	within(t, "MDE", m, 0.762259563505185, 1e-10)
}

// TestSureNumbers checks the posterior probabilities, E-values and the
// SE-based MDE against R (model/testdata/crosscheck/sure.R).
func TestSureNumbers(t *testing.T) {
	pos, above := DefaultPrior().Probabilities(0.1, 0.05)
	within(t, "P(>0)", pos, 0.973827468363418, 1e-12)
	within(t, "P(>0.05)", above, 0.818459138220785, 1e-12)
	within(t, "E(0.2)", eValue(0.2), 1.68896071760123, 1e-12)
	within(t, "E(-0.2)", eValue(-0.2), 1.68896071760123, 1e-12)
	within(t, "E of [0.03, 0.37]", eValueCI(0.03, 0.37), 1.19632369081248, 1e-12)
	within(t, "E of [-0.37, -0.03]", eValueCI(-0.37, -0.03), 1.19632369081248, 1e-12)
	if e := eValueCI(-0.01, 0.3); e != 1 {
		t.Errorf("E of an interval covering 0 = %g, want 1", e)
	}
	within(t, "MDE(0.1, df 20)", MDE(0.1, 20), 0.294592788699825, 1e-9)
	within(t, "MDE(0.1, normal)", MDE(0.1, 0), 0.280158521811297, 1e-12)
}

// TestHeadline checks which estimates are headlines.
func TestHeadline(t *testing.T) {
	y, et := 2024, -1
	for _, c := range []struct {
		e    Estimate
		want bool
	}{
		{Estimate{Analysis: AnalysisImpact, Subject: "Math"}, true},
		{Estimate{Analysis: AnalysisImpact, Subject: "Math", SchoolYear: &y}, true},
		{Estimate{Analysis: AnalysisSubgroup, Subject: "Math", Subgroup: "english_learner = Y"}, false},
		{Estimate{Analysis: AnalysisDoseOnset, Subject: "Math"}, true},
		{Estimate{Analysis: AnalysisDoseOnset, Subject: "Math", SchoolYear: &y}, false},
		{Estimate{Analysis: AnalysisDose, Subject: "Math"}, false},
		{Estimate{Analysis: AnalysisDiDCS, Subject: AllSubjects}, true},
		{Estimate{Analysis: AnalysisDiD, Subject: AllSubjects}, true},
		{Estimate{Analysis: AnalysisWithinTeacher, Subject: "ELA", SchoolYear: &y}, true},
		{Estimate{Analysis: AnalysisEventStudyTeacher, Subject: "ELA"}, true},
		{Estimate{Analysis: AnalysisEventStudyTeacher, Subject: "ELA", EventTime: &et}, false},
		{Estimate{Analysis: AnalysisPractice, Subject: AllSubjects}, false},
		{Estimate{Analysis: AnalysisWeighted, Subject: "Math"}, false},
	} {
		if got := Headline(c.e); got != c.want {
			t.Errorf("Headline(%s %s %v) = %v, want %v", c.e.Analysis, c.e.Subject, c.e.SchoolYear, got, c.want)
		}
	}
}

// TestSurePlanted runs Analyze on a synthetic district with a planted
// effect of 0.1 SD and checks the how-sure fields: every headline with a
// standard error has an MDE, and those in SD of score the probabilities
// and E-values (threshold the default 0.05); no subgroup or per-hour slope
// has them. An impact cell's design MDE (PowerUp!, from its ICC and R²)
// must agree with the one its CR2 standard error implies, 2.8·SE, within
// a factor 1.5 both ways: two views of one design's precision.
func TestSurePlanted(t *testing.T) {
	db, _ := plantedDB(t, synth.Config{Seed: 5, Schools: 30, StudentsPerGrade: 40, Years: 2, Jump: 0.1})
	est, err := db.Analyze(context.Background(), AnalyzeOptions{MinCell: 10, MinClassrooms: 3, MinCoachedTeachers: 10})
	if err != nil {
		t.Fatal(err)
	}
	impacts := 0
	for _, e := range est {
		has := e.MDE != nil
		if !Headline(e) || e.Suppressed || e.StdError == nil {
			if has || e.ProbPositive != nil || e.EValue != nil {
				t.Errorf("%s %s %v %q: how-sure fields on a non-headline", e.Analysis, e.Subject, e.SchoolYear, e.Subgroup)
			}
			continue
		}
		if !has {
			t.Errorf("%s %s %v: headline with no MDE", e.Analysis, e.Subject, e.SchoolYear)
			continue
		}
		if inSD(e) && (e.ProbPositive == nil || e.ProbAboveThreshold == nil || e.Threshold == nil || *e.Threshold != 0.05 || e.EValue == nil || e.EValueCI == nil) {
			t.Errorf("%s %s %v: probabilities or E-values missing", e.Analysis, e.Subject, e.SchoolYear)
		}
		if inSD(e) && *e.ProbAboveThreshold > *e.ProbPositive {
			t.Errorf("%s: P(> 0.05) %v above P(> 0) %v", e.Analysis, *e.ProbAboveThreshold, *e.ProbPositive)
		}
		if e.Analysis == AnalysisImpact {
			impacts++
			ratio := *e.MDE / (MDE(*e.StdError, e.DF))
			year := 0
			if e.SchoolYear != nil {
				year = *e.SchoolYear
			}
			t.Logf("impact %s %d: MDE %.4f, SE %.4f (df %.1f), ratio to the SE's %.2f; P(>0) %.3f, E %.2f", e.Subject, year, *e.MDE, *e.StdError, e.DF, ratio, *e.ProbPositive, *e.EValue)
			if ratio < 1/1.5 || ratio > 1.5 {
				t.Errorf("impact %s %d: design MDE %.4f against %.4f from the SE", e.Subject, year, *e.MDE, MDE(*e.StdError, e.DF))
			}
		}
	}
	if impacts == 0 {
		t.Fatal("no impact headline")
	}
}
