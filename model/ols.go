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

// fit is an OLS fit with its CR1 cluster-robust covariance.
type fit struct {
	coef     []float64
	vcov     *mat.SymDense
	n        int // observations
	k        int // parameters counted in the small-sample factor
	clusters int
	nested   bool // the fixed effect is nested in the clusters
}

// se is the standard error of coefficient j.
func (f *fit) se(j int) float64 { return math.Sqrt(f.vcov.At(j, j)) }

// df is the degrees of freedom of t tests and intervals: clusters - 1.
func (f *fit) df() int { return f.clusters - 1 }

// contrast returns c·b and its standard error.
func (f *fit) contrast(c []float64) (est, se float64) {
	cv := mat.NewVecDense(len(c), c)
	est = mat.Dot(cv, mat.NewVecDense(len(f.coef), f.coef))
	return est, math.Sqrt(mat.Inner(cv, f.vcov, cv))
}

// tCrit is the two-sided 95% critical value of t with df degrees of
// freedom.
func tCrit(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// pValue is the two-sided p-value of t with df degrees of freedom.
func pValue(t float64, df int) float64 {
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Survival(math.Abs(t))
}

// ols fits d by least squares. The fixed effect is absorbed by demeaning
// within its groups (Frisch-Waugh-Lovell: the coefficients, residuals and
// cluster-robust covariance of X are those of the regression with a dummy
// per group). The covariance is CR1, the small-sample correction of Stata
// and R's fixest:
//
//	V = G/(G-1) · (N-1)/(N-K) · (X'X)⁻¹ (Σ_g X_g'u_g u_g'X_g) (X'X)⁻¹
//
// where K counts the columns of X plus the fixed-effect groups, unless the
// fixed effect is nested in the clusters (each group inside one cluster),
// in which case, as fixest (ssc fixef.K = "nested") and Stata's xtreg and
// reghdfe do, only one of the groups is counted, as an intercept would be.
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

	// Scores summed within clusters.
	nc := 0
	for _, c := range d.cluster {
		nc = max(nc, int(c)+1)
	}
	scores := make([]float64, nc*k)
	seen := make([]bool, nc)
	for i := range n {
		u := y[i]
		for j := range k {
			u -= x[j][i] * coef.AtVec(j)
		}
		c := int(d.cluster[i])
		seen[c] = true
		for j := range k {
			scores[c*k+j] += x[j][i] * u
		}
	}
	g := 0
	meat := mat.NewSymDense(k, nil)
	for c := range nc {
		if !seen[c] {
			continue
		}
		g++
		s := mat.NewVecDense(k, scores[c*k:(c+1)*k])
		meat.SymRankOne(meat, 1, s)
	}
	if g < 2 {
		return nil, errFewClusters
	}
	nested := nestedIn(fe, d.cluster, groups)
	kk := k + groups
	if nested {
		kk = k + 1 // fixest's "nested": the groups minus one are not counted
	}
	if n <= kk {
		return nil, fmt.Errorf("%d observations for %d parameters", n, kk)
	}
	var tmp mat.Dense
	tmp.Mul(&inv, meat)
	var v mat.Dense
	v.Mul(&tmp, &inv)
	scale := float64(g) / float64(g-1) * float64(n-1) / float64(n-kk)
	vcov := mat.NewSymDense(k, nil)
	for a := range k {
		for b := a; b < k; b++ {
			vcov.SetSym(a, b, scale*(v.At(a, b)+v.At(b, a))/2)
		}
	}
	return &fit{coef: coef.RawVector().Data, vcov: vcov, n: n, k: kk, clusters: g, nested: nested}, nil
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

// nestedIn reports whether every fixed-effect group lies inside one
// cluster.
func nestedIn(fe, cluster []int32, groups int) bool {
	owner := make([]int32, groups)
	for i := range owner {
		owner[i] = -1
	}
	for i, g := range fe {
		switch owner[g] {
		case -1:
			owner[g] = cluster[i]
		case cluster[i]:
		default:
			return false
		}
	}
	return true
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
