package model

import (
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// How sure we are (issue 16, item 6): on every headline estimate, the
// minimum detectable effect of the district's design, the posterior
// probabilities that the effect exceeds 0 and a threshold, and the
// E-value of the effect and of its interval.

// Prior is the normal prior N(Mean, SD²) of a headline effect, in SD of
// spring score, and the Threshold (in the same unit) whose posterior
// probability of being exceeded is published beside that of 0.
type Prior struct {
	Mean, SD, Threshold float64
}

// DefaultPrior is the prior of config's [model] defaults: centred on no
// effect with SD 0.2, wide enough to admit the 0.18 SD of efficacy
// trials in Kraft, Blazar and Hogan's (2018) meta-analysis of coaching,
// and the 0.05 SD threshold.
func DefaultPrior() Prior { return Prior{Mean: 0, SD: 0.2, Threshold: 0.05} }

// Headline reports whether e is a headline estimate, one that carries
// MDE, ProbPositive, ProbAboveThreshold and the E-values: impact per
// subject (each year and pooled years, no subgroup), did and did_cs,
// dose_onset over pooled years, every impact_within_teacher row with no
// subgroup and event_study_teacher's overall row.
func Headline(e Estimate) bool {
	switch e.Analysis {
	case AnalysisImpact, AnalysisWithinTeacher:
		return e.Subgroup == ""
	case AnalysisDiD, AnalysisDiDCS:
		return e.EventTime == nil
	case AnalysisDoseOnset:
		return e.SchoolYear == nil && e.Subgroup == ""
	case AnalysisEventStudyTeacher:
		return e.EventTime == nil && e.Subgroup == ""
	}
	return false
}

// inSD reports whether e's unit is SD of score (not a slope per hour):
// the unit the prior, the threshold and the E-value's conversion are in.
func inSD(e Estimate) bool {
	return strings.HasPrefix(e.Unit, "SD of ") && !strings.Contains(e.Unit, " per ")
}

// sure sets MDE, the posterior probabilities and the E-values on every
// headline of est with a standard error. An impact headline's MDE is the
// design's (clusterDesign.mde on the cell's rows); any other's is MDE of
// its standard error.
func (s *students) sure(est []Estimate, cells []cell, p Prior) {
	type key struct {
		subject string
		year    int
	}
	// The design MDE of each cell with an impact headline to carry it,
	// the cells' designs fitted one per core.
	want := map[key]bool{}
	for _, e := range est {
		if e.Analysis == AnalysisImpact && Headline(e) && !e.Suppressed && e.Estimate != nil {
			want[key{e.Subject, yearOf(e)}] = true
		}
	}
	var need []cell
	for _, c := range cells {
		if want[key{c.subject, c.year}] {
			need = append(need, c)
		}
	}
	type cellMDE struct {
		mde float64
		ok  bool
	}
	byKey := map[key]cellMDE{}
	for k, d := range parallel(need, func(c cell) cellMDE { m, ok := s.clusterDesign(c).mde(); return cellMDE{m, ok} }) {
		byKey[key{need[k].subject, need[k].year}] = d
	}
	for i := range est {
		e := &est[i]
		if !Headline(*e) || e.Suppressed || e.Estimate == nil || e.StdError == nil || *e.StdError <= 0 {
			continue
		}
		mde := MDE(*e.StdError, e.DF)
		if d := byKey[key{e.Subject, yearOf(*e)}]; e.Analysis == AnalysisImpact && d.ok {
			mde = d.mde
		}
		e.MDE = &mde
		if !inSD(*e) {
			continue
		}
		pos, above := p.Probabilities(*e.Estimate, *e.StdError)
		th := p.Threshold
		e.ProbPositive, e.ProbAboveThreshold, e.Threshold = &pos, &above, &th
		ev := eValue(*e.Estimate)
		e.EValue = &ev
		if e.CILow != nil && e.CIHigh != nil {
			evci := eValueCI(*e.CILow, *e.CIHigh)
			e.EValueCI = &evci
		}
	}
}

// power80 is the sum of the two-sided 5% and the 80%-power quantiles of t
// with df degrees of freedom (the standard normal's when df is 0 or
// not finite): the MDE's multiplier M.
func power80(df float64) float64 {
	if df <= 0 || math.IsInf(df, 0) || math.IsNaN(df) {
		return distuv.UnitNormal.Quantile(0.975) + distuv.UnitNormal.Quantile(0.80)
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	return t.Quantile(0.975) + t.Quantile(0.80)
}

// MDE is the minimum detectable effect of an estimate with standard
// error se and df degrees of freedom: (t_{0.975,df} + t_{0.80,df})·se.
func MDE(se, df float64) float64 { return power80(df) * se }

// clusterDesign is the two-level design of an impact cell, treatment at
// the teacher level, as PowerUp! (Dong and Maynard 2013) describes a
// cluster-randomised design: J clusters (teachers of record), the share P
// of them coached, n the mean students per teacher, the ICC rho of spring
// z across teachers, R²₁ and R²₂ the shares of the within- and
// between-teacher variance of spring z the baseline explains, g the
// number of teacher-level covariates R²₂ rests on (one per baseline
// source), and sd the total SD of spring z (the MDE's unit is SD of
// spring score: the standardised MDE times sd).
type clusterDesign struct {
	j, g                  int
	p, n, rho, r1, r2, sd float64
}

// clusterDesign measures c's design on its rows, after the impact
// model's fixed effects (spring z and each baseline column demeaned
// within the grade × baseline source groups):
//
//   - rho by one-way ANOVA across teachers: σ²_b = (MSB - MSW)/n₀,
//     n₀ = (N - Σ n_t²/N)/(J - 1), rho = σ²_b/(σ²_b + MSW), 0 when negative;
//     sd = √(σ²_b + MSW);
//   - R²₁ the R² of spring z on the baseline within teachers (both
//     centred on their teacher's mean);
//   - R²₂ the R² of the teachers' mean spring z on their mean baseline
//     (with an intercept, one row per teacher, unweighted).
func (s *students) clusterDesign(c cell) clusterDesign {
	d := s.design(c, gather(s.coached, c.rows))
	fe, groups := d.fe, 0
	for _, g := range fe {
		groups = max(groups, int(g)+1)
	}
	y := demean(d.y, fe, groups)
	base := make([][]float64, len(d.x)-1)
	for k, col := range d.x[1:] {
		base[k] = demean(col, fe, groups)
	}
	coached := d.x[0]
	nc := 0
	for _, cl := range d.cluster {
		nc = max(nc, int(cl)+1)
	}
	cnt := make([]float64, nc)
	treated := make([]bool, nc)
	for r, cl := range d.cluster {
		cnt[cl]++
		if coached[r] == 1 {
			treated[cl] = true
		}
	}
	means := func(v []float64) []float64 {
		m := make([]float64, nc)
		for r, cl := range d.cluster {
			m[cl] += v[r]
		}
		for k := range m {
			m[k] /= cnt[k]
		}
		return m
	}
	ym := means(y)
	bm := make([][]float64, len(base))
	for k, b := range base {
		bm[k] = means(b)
	}
	within := func(v, m []float64) []float64 {
		out := make([]float64, len(v))
		for r, cl := range d.cluster {
			out[r] = v[r] - m[cl]
		}
		return out
	}
	yw := within(y, ym)
	bw := make([][]float64, len(base))
	for k := range base {
		bw[k] = within(base[k], bm[k])
	}

	N, J := float64(len(y)), float64(nc)
	grand := 0.0
	for _, v := range y {
		grand += v
	}
	grand /= N
	ssb, sumN2 := 0.0, 0.0
	for k := range nc {
		ssb += cnt[k] * (ym[k] - grand) * (ym[k] - grand)
		sumN2 += cnt[k] * cnt[k]
	}
	msw := dot(yw, yw) / (N - J)
	msb := ssb / (J - 1)
	n0 := (N - sumN2/N) / (J - 1)
	vb := max(0, (msb-msw)/n0)
	ncoached := 0
	for _, t := range treated {
		if t {
			ncoached++
		}
	}
	return clusterDesign{
		j: nc, g: len(base), p: float64(ncoached) / J, n: N / J,
		rho: vb / (vb + msw), sd: math.Sqrt(vb + msw),
		r1: rSquared(yw, bw), r2: rSquared(ym, append([][]float64{unitWeights(nc)}, bm...)),
	}
}

// rSquared is 1 - RSS/TSS of the least-squares fit of y on the columns
// x (TSS about y's mean when x holds a column of ones, as in the
// between-teacher fit; about 0 for the centred within-teacher fit, whose
// mean is 0), clamped to [0, 1]; 0 when it cannot be fitted.
func rSquared(y []float64, x [][]float64) float64 {
	n, k := len(y), len(x)
	if k == 0 || n <= k {
		return 0
	}
	a := mat.NewDense(n, k, nil)
	for j, col := range x {
		for i, v := range col {
			a.Set(i, j, v)
		}
	}
	var b mat.VecDense
	if err := b.SolveVec(a, mat.NewVecDense(n, y)); err != nil {
		return 0
	}
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(n)
	var rss, tss float64
	for i, v := range y {
		u := v - mat.Dot(a.RowView(i), &b)
		rss += u * u
		tss += (v - mean) * (v - mean)
	}
	if tss == 0 || math.IsNaN(rss) {
		return 0
	}
	return min(1, max(0, 1-rss/tss))
}

// mde is the design's minimum detectable effect at 80% power, 5%
// two-sided, in SD of spring score (PowerUp!'s MDES times sd):
//
//	MDES = M·√( rho(1-R²₂)/(P(1-P)J) + (1-rho)(1-R²₁)/(P(1-P)J n) ),
//	M = t_{0.975,df} + t_{0.80,df},  df = J - g - 2.
//
// ok is false when the design has no coached or no uncoached teacher or
// too few teachers for df ≥ 1.
func (cd clusterDesign) mde() (float64, bool) {
	df := float64(cd.j - cd.g - 2)
	if df < 1 || cd.p <= 0 || cd.p >= 1 || cd.n <= 0 || math.IsNaN(cd.rho) || cd.sd <= 0 {
		return 0, false
	}
	pq := cd.p * (1 - cd.p) * float64(cd.j)
	v := cd.rho*(1-cd.r2)/pq + (1-cd.rho)*(1-cd.r1)/(pq*cd.n)
	return power80(df) * math.Sqrt(v) * cd.sd, true
}

// Probabilities are the posterior probabilities that the effect θ
// exceeds 0 and p.Threshold, with p's normal prior and the estimate's
// normal likelihood N(θ, se²) (conjugate: precision 1/SD² + 1/se², mean
// the precision-weighted average of p.Mean and est).
func (p Prior) Probabilities(est, se float64) (positive, above float64) {
	w0, w1 := 1/(p.SD*p.SD), 1/(se*se)
	v := 1 / (w0 + w1)
	m := v * (w0*p.Mean + w1*est)
	sd := math.Sqrt(v)
	return ProbAbove(m, sd, 0), ProbAbove(m, sd, p.Threshold)
}

// ProbAbove is P(θ > x) for θ normal with mean m and SD sd.
func ProbAbove(m, sd, x float64) float64 { return distuv.UnitNormal.Survival((x - m) / sd) }

// eValue is the E-value (VanderWeele and Ding 2017) of a standardised
// mean difference d: the risk ratio RR ≈ exp(0.91·|d|) (their conversion
// for a continuous outcome) and E = RR + √(RR·(RR - 1)), the strength of
// association an unmeasured confounder would need with both coaching and
// the outcome to explain the effect away.
func eValue(d float64) float64 {
	rr := math.Exp(0.91 * math.Abs(d))
	return rr + math.Sqrt(rr*(rr-1))
}

// eValueCI is the E-value of the limit of the interval [lo, hi] nearest
// the null: 1 when the interval covers 0.
func eValueCI(lo, hi float64) float64 {
	switch {
	case lo > 0:
		return eValue(lo)
	case hi < 0:
		return eValue(hi)
	}
	return 1
}

// yearOf is e's school year, 0 when it pools years (as a cell's year).
func yearOf(e Estimate) int {
	if e.SchoolYear == nil {
		return 0
	}
	return *e.SchoolYear
}
