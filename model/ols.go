package model

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Errors of a model that cannot be estimated; they become an estimate's
// note, not a failed run.
var (
	errFewClusters = errors.New("fewer than 2 clusters")
	errCollinear   = errors.New("regressors are collinear (no variation left after the fixed effects)")
	errNoRows      = errors.New("no observations")
)

// design is a linear model y = X·b + fixed effect + u, with errors
// clustered.
type design struct {
	y       []float64
	x       [][]float64 // regressor columns, each len(y)
	fe      []int32     // fixed-effect group of each row, 0..; nil = an intercept only
	cluster []int32     // cluster of each row, 0..
}

// fit is an OLS fit with its CR2 cluster-robust covariance.
type fit struct {
	coef     []float64
	vcov     *mat.SymDense
	n        int // observations
	clusters int
	cr2      *cr2
}

// test is the inference on one contrast of a fit.
type test struct {
	est, se float64
	df      float64 // Satterthwaite degrees of freedom of the t interval
}

// contrast returns the test of c·b: its CR2 standard error and
// Satterthwaite degrees of freedom.
func (f *fit) contrast(c []float64) test { return f.contrasts(c)[0] }

// contrasts returns the test of each contrast of cs, their degrees of
// freedom in one pass over the clusters.
func (f *fit) contrasts(cs ...[]float64) []test {
	df := f.cr2.satterthwaite(cs...)
	out := make([]test, len(cs))
	b := mat.NewVecDense(len(f.coef), f.coef)
	for k, c := range cs {
		cv := mat.NewVecDense(len(c), c)
		out[k] = test{est: mat.Dot(cv, b), se: math.Sqrt(mat.Inner(cv, f.vcov, cv)), df: df[k]}
	}
	return out
}

// coefTest returns the test of coefficient j.
func (f *fit) coefTest(j int) test { return f.contrast(unit(len(f.coef), j)) }

// unit is the contrast of coefficient j of k.
func unit(k, j int) []float64 {
	c := make([]float64, k)
	c[j] = 1
	return c
}

// tCrit is the two-sided 95% critical value of t with df degrees of
// freedom.
func tCrit(df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
}

// pValue is the two-sided p-value of t with df degrees of freedom.
func pValue(t float64, df float64) float64 {
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
}

// ols fits d by least squares. The fixed effect is absorbed by demeaning
// within its groups (Frisch-Waugh-Lovell: the coefficients and residuals
// are those of the regression with a dummy per group). The covariance is
// CR2 with Satterthwaite degrees of freedom per contrast, computed with
// the dummies in the hat matrix as clubSandwich does for lm (see cr2.go).
func ols(d design) (*fit, error) {
	n, k := len(d.y), len(d.x)
	if n == 0 {
		return nil, errNoRows
	}
	fe := d.fe
	if fe == nil {
		fe = make([]int32, n)
	}
	groups := 0
	for _, g := range fe {
		groups = max(groups, int(g)+1)
	}
	// Demean y and every column within fixed-effect groups.
	cols := make([][]float64, k+1)
	cols[0] = demean(d.y, fe, groups)
	for j, c := range d.x {
		cols[j+1] = demean(c, fe, groups)
	}
	y, x := cols[0], cols[1:]

	xtx := mat.NewSymDense(k, nil)
	xty := mat.NewVecDense(k, nil)
	for a := range k {
		for b := a; b < k; b++ {
			xtx.SetSym(a, b, dot(x[a], x[b]))
		}
		xty.SetVec(a, dot(x[a], y))
	}
	var chol mat.Cholesky
	if k == 0 || !chol.Factorize(xtx) {
		return nil, errCollinear
	}
	// Guard against near-collinearity Cholesky lets through.
	if c := chol.Cond(); c > 1e12 || math.IsNaN(c) {
		return nil, errCollinear
	}
	var coef mat.VecDense
	if err := chol.SolveVecTo(&coef, xty); err != nil {
		return nil, errCollinear
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, errCollinear
	}

	nc := 0
	for _, c := range d.cluster {
		nc = max(nc, int(c)+1)
	}
	g := 0
	seen := make([]bool, nc)
	for _, c := range d.cluster {
		if !seen[c] {
			seen[c] = true
			g++
		}
	}
	if g < 2 {
		return nil, errFewClusters
	}
	if n <= k+groups {
		return nil, fmt.Errorf("%d observations for %d parameters", n, k+groups)
	}
	resid := make([]float64, n)
	for i := range n {
		u := y[i]
		for j := range k {
			u -= x[j][i] * coef.AtVec(j)
		}
		resid[i] = u
	}
	c := newCR2(x, resid, &inv, fe, groups, d.cluster)
	return &fit{coef: coef.RawVector().Data, vcov: c.vcov, n: n, clusters: g, cr2: c}, nil
}

// demean returns v minus its mean within each group.
func demean(v []float64, group []int32, groups int) []float64 {
	sum := make([]float64, groups)
	cnt := make([]float64, groups)
	for i, x := range v {
		sum[group[i]] += x
		cnt[group[i]]++
	}
	for g := range sum {
		if cnt[g] > 0 {
			sum[g] /= cnt[g]
		}
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x - sum[group[i]]
	}
	return out
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
