package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// cr2Case is a small design with clubSandwich's CR2 answers for some of
// its coefficients.
type cr2Case struct {
	name      string
	y, fe, cl []float64
	x         [][]float64
	want      []cr2Want
}

type cr2Want struct {
	coef        int
	est, se, df float64
}

// cr2Cases are random designs made by model/testdata/crosscheck/cr2.R
// (seed 16, rounded to 4 decimals), with the estimate, SE and
// Satterthwaite df of clubSandwich 0.5.8:
//
//	coef_test(lm(y ~ x1 + x2 + factor(fe), d), vcov = "CR2", cluster = d$cl, test = "Satterthwaite")
var cr2Cases = []cr2Case{
	{
		// grade-like fixed effect crossing 11 teacher clusters, x1 (coached) constant within each teacher, one single-row cluster (10, coached).
		name: "d1",
		y:    []float64{1.6839, 0.3203, -0.9976, 0.2664, 1.2438, -0.1486, 0.3628, 0.4413, -0.9886, -0.6292, 0.3136, 1.2629, 0.9697, 2.7248, 1.7653, -0.4228, -0.2089, 0.5207, 1.5988, 0.5164, 1.5999, -2.1728, -0.4982, 0.7617, -1.2045, 1.2661, -0.4565, -0.2969, 2.0472, 0.2241, 1.7427, 1.7573, 0.9892, 0.5055, 2.6900, 0.0073, -0.3302, -0.7980, -0.8602, -0.8635},
		fe:   []float64{0, 2, 2, 0, 2, 2, 1, 1, 2, 0, 0, 1, 1, 2, 2, 1, 0, 1, 2, 0, 0, 1, 0, 0, 2, 1, 0, 2, 2, 0, 1, 2, 0, 1, 2, 2, 0, 2, 0, 0},
		cl:   []float64{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 10, 11, 11, 11},
		x: [][]float64{
			{1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0},
			{0.8402, 0.2170, -0.6725, 0.1326, -0.0709, -0.9427, -1.0220, 0.2806, 0.5448, 0.1309, 0.2818, -0.2927, -1.3254, 2.0651, 0.2422, -0.3491, -0.6308, 0.2839, 0.1216, 0.5663, 0.5690, -0.0906, 0.2305, 0.7529, 0.8634, 0.8382, -1.7659, 0.6835, 1.1630, -1.2006, 3.2495, -0.6757, -1.2129, -0.4171, -0.5656, -1.4897, -1.1835, -0.7271, -0.6843, -0.7070},
		},
		want: []cr2Want{
			{0, 0.092995146253495878, 0.42032220734359615, 7.4208624961253582},
			{1, 0.38488159192023624, 0.1698718095865705, 4.7489133570509727},
		},
	},
	{
		// did-like: 8 school clusters × 4 years, school fixed effect nested in the clusters, x2..x4 year dummies.
		name: "d2",
		y:    []float64{1.6669, 2.2877, 2.8849, 2.9850, 1.1023, 1.1241, 0.8110, 1.6905, 0.1530, 0.6182, 0.6650, 0.8352, 0.3856, -0.1418, 0.0275, -0.1490, -0.4965, -0.6017, -0.6488, -0.9717, -0.9130, -0.9309, -0.8136, -1.2246, -0.8748, -1.0626, -0.5487, -0.3651, -0.2654, -0.6698, -0.2339, -0.3671},
		fe:   []float64{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7},
		cl:   []float64{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7},
		x: [][]float64{
			{0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
			{0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0},
			{0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0},
			{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1},
		},
		want: []cr2Want{
			{0, 0.19039999999999974, 0.28047573928350467, 5.266018464251184},
			{2, 0.10176250000000021, 0.17296329926271875, 5.6229441261187922},
		},
	},
	{
		// x1 varying within 7 clusters of unequal size, a fixed effect nested in clusters 0-2 and crossing the others.
		name: "d3",
		y:    []float64{-0.9228, 1.8459, -1.6169, 1.5962, 2.0225, -3.1776, 0.7393, -2.7003, -0.4274, 3.5625, -0.5615, 1.6551, -1.7759, 1.8020, -1.4868, -1.0827, 0.8386, 0.5097, 0.2215, -1.3138, -0.0440, 1.1071, 0.4260, -0.0820, 1.0261, 0.3060, -0.8830, -1.9521, -0.4744, -0.4886},
		fe:   []float64{0, 0, 0, 3, 2, 1, 2, 0, 2, 1, 0, 0, 0, 3, 1, 1, 1, 1, 0, 0, 3, 0, 0, 0, 0, 2, 3, 0, 1, 2},
		cl:   []float64{0, 1, 2, 3, 4, 5, 6, 0, 3, 3, 2, 2, 0, 3, 4, 3, 3, 6, 0, 0, 4, 0, 2, 1, 2, 5, 3, 0, 4, 5},
		x: [][]float64{
			{1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1},
			{-0.6677, 0.5057, 0.4832, 1.4740, 1.0119, -1.6524, -0.4052, -1.6904, -0.7228, 1.7204, 0.6397, 1.2177, 0.2337, 0.7120, -1.8318, -0.2234, 0.5624, 0.6324, 1.0305, -1.0424, 0.2869, 0.0555, -0.4075, -0.3290, -0.9202, -0.5813, -1.0290, -1.6287, -0.4205, 0.4453},
		},
		want: []cr2Want{
			{0, 1.2840369866666066, 0.41206075103540296, 4.3368785690988751},
			{1, 1.1056203726356599, 0.14741606333712731, 3.5223008609663702},
		},
	},
	{
		// no fixed effect (an intercept), cluster 0 all x1 = 1, single-row cluster 6.
		name: "d4",
		y:    []float64{-0.7002, 0.3043, -1.3787, 1.3777, -1.0372, 0.4472, -0.0063, 1.8910, -0.1209, -1.7539, 0.5941, 0.2506, 0.6039, -0.2238, -1.9098, 3.9582, 0.0055, -1.6528, 2.8353, -0.9072, 1.3853, 1.6889, 3.2509, 1.0064, 0.4283},
		fe:   []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		cl:   []float64{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6},
		x: [][]float64{
			{1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
			{-0.8024, -1.0239, -1.7237, -0.9979, -0.1887, 1.7595, 0.5697, 0.8162, 0.6794, -2.3868, 0.7107, -0.2074, 0.2034, 0.6226, 0.0460, 2.3240, 0.2418, -0.6406, 1.6377, -0.5642, -0.0126, 1.5594, 1.0853, -0.7769, -0.8965},
		},
		want: []cr2Want{
			{0, 0.18215444632188083, 0.88743277447053104, 3.8794233586579323},
			{1, 0.94937898033827495, 0.35558875640299897, 3.7230669211506329},
		},
	},
}

func (c cr2Case) design() design {
	d := design{y: c.y, x: c.x, fe: make([]int32, len(c.y)), cluster: make([]int32, len(c.y))}
	for i := range c.y {
		d.fe[i], d.cluster[i] = int32(c.fe[i]), int32(c.cl[i])
	}
	return d
}

// TestCR2KnownAnswer: CR2 standard errors and Satterthwaite degrees of
// freedom against clubSandwich, to 1e-8 (the data are rounded, R fits
// them exactly).
func TestCR2KnownAnswer(t *testing.T) {
	for _, c := range cr2Cases {
		f, err := ols(c.design())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, w := range c.want {
			got := f.coefTest(w.coef)
			for _, v := range []struct {
				what      string
				got, want float64
			}{{"estimate", got.est, w.est}, {"se", got.se, w.se}, {"df", got.df, w.df}} {
				if d := v.got - v.want; d > 1e-8 || d < -1e-8 {
					t.Errorf("%s x%d %s = %.15g; clubSandwich %.15g", c.name, w.coef+1, v.what, v.got, v.want)
				}
			}
		}
	}
}

// TestPairSumsSparse: the map pairSums keeps for many groups (teacher
// fixed effects) sums as the dense matrix does.
func TestPairSumsSparse(t *testing.T) {
	const groups = 7
	n := []float64{3, 1, 4, 1, 5, 9, 2}
	dense := &pairSums{groups: groups, dense: make([]float64, groups*groups)}
	sparse := &pairSums{groups: groups, sparse: map[[2]int32]float64{}}
	if newPairSums(densePairs+1).sparse == nil || newPairSums(densePairs).dense == nil {
		t.Errorf("newPairSums switches to a map at %d groups", densePairs)
	}
	for i := range 40 {
		k, l, v := int32(i*3%groups), int32(i*5%groups), float64(i%9)-4
		dense.add(k, l, v)
		sparse.add(k, l, v)
	}
	want := 0.0
	for k := range groups {
		for l := range groups {
			v := dense.dense[k*groups+l]
			want += v * v / (n[k] * n[l])
		}
	}
	if d, s := dense.weighted(n), sparse.weighted(n); want == 0 || d-want > 1e-12 || want-d > 1e-12 || s-want > 1e-12 || want-s > 1e-12 {
		t.Errorf("dense %g, sparse %g; want %g", d, s, want)
	}
}

// TestGSeries: the power series adjust sums for a cluster of small
// leverage gives g(C)y as the eigendecomposition does, g(λ) =
// ((1-λ)^-½ - 1)/λ, for random C = B'B of Frobenius norm 0.001 to 0.1
// (seriesMax) and y = B'x in C's range; a larger C is left to the
// eigendecomposition.
func TestGSeries(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 1))
	for _, tc := range []struct {
		kg, p, rows int
		norm        float64
	}{{4, 3, 30, 0.001}, {5, 3, 4, 0.02}, {8, 7, 60, 0.05}, {19, 7, 80, 0.99 * seriesMax}} {
		kg, p := tc.kg, tc.p
		// B: rows×kg with its last column a copy of the first (a rank
		// deficiency, as coached constant within a teacher's group).
		b := make([]float64, tc.rows*kg)
		for i := range b {
			b[i] = r.NormFloat64()
		}
		for i := range tc.rows {
			b[i*kg+kg-1] = b[i*kg]
		}
		cm := make([]float64, kg*kg)
		mulTo(cm, b, b, kg, tc.rows, kg, true)
		scale := tc.norm / math.Sqrt(dot(cm, cm))
		for i := range cm {
			cm[i] *= scale
		}
		for i := range b {
			b[i] *= math.Sqrt(scale)
		}
		x := make([]float64, tc.rows*p)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		y := make([]float64, kg*p)
		mulTo(y, b, x, kg, tc.rows, p, true)

		got, tmp := make([]float64, kg*p), make([]float64, kg*p)
		if !gSeries(cm, y, got, tmp, kg, p) {
			t.Fatalf("kg %d: gSeries refused a C of norm %g", kg, tc.norm)
		}
		// The eigen path: W diag(g(λ)) W'y, λ under rankFloor dropped.
		w, lam := append([]float64(nil), cm...), make([]float64, kg)
		eigenSymLapack(w, lam, kg, nil)
		wy := make([]float64, kg*p)
		mulTo(wy, w, y, kg, kg, p, true)
		for q, l := range lam {
			g := 0.0
			if l > rankFloor {
				g = (1/math.Sqrt(1-l) - 1) / l
			}
			for j := range p {
				wy[q*p+j] *= g
			}
		}
		want := make([]float64, kg*p)
		mulTo(want, w, wy, kg, kg, p, false)
		worst := 0.0
		for i := range want {
			worst = max(worst, math.Abs(got[i]-want[i])/math.Sqrt(dot(want, want)/float64(len(want))))
		}
		if worst > 1e-12 {
			t.Errorf("kg %d, norm %g: gSeries differs from the eigendecomposition by %.3g (relative)", kg, tc.norm, worst)
		}
	}
	big := []float64{0.2, 0, 0, 0.1}
	if gSeries(big, []float64{1, 1}, make([]float64, 2), make([]float64, 2), 2, 1) {
		t.Errorf("gSeries summed a C of norm %g > seriesMax", math.Sqrt(dot(big, big)))
	}
}
