package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// The CR2 (Bell and McCaffrey 2002) cluster-robust covariance with
// Satterthwaite degrees of freedom, as R's clubSandwich computes them for
// lm(y ~ x + factor(fe)) with vcov = "CR2" and test = "Satterthwaite"
// (Pustejovsky and Tipton 2018; the working model of an unweighted lm is
// the identity).
//
// Notation: the full design is [D X], D the n×K dummies of the
// fixed-effect groups (one column of ones when there is none), X the n×p
// regressors. X̃ = (I - P_D)X is X demeaned within groups, M = (X̃'X̃)⁻¹,
// e the residuals. By Frisch-Waugh-Lovell the rows of (X'X)⁻¹X' of the
// full design that belong to X are M X̃', and the hat matrix is
//
//	H = P_D + X̃ M X̃' = Z G Z',   Z = [D X̃],   G = blockdiag(diag(1/n_k), M)
//
// with n_k the rows of group k. Its block of cluster g is H_gg = Z_g G Z_g'
// where Z_g keeps g's rows and only the k_g groups present in g: rank at
// most k_g + p, however many rows g has.
//
// CR2 adjusts each cluster's residuals by A_g = (I - H_gg)^(-1/2), the
// symmetric pseudo-inverse square root (eigenvalues of I - H_gg under
// 1e-12 dropped, as clubSandwich's Sym_power does):
//
//	V = M Σ_g X̃_g' A_g e_g e_g' A_g X̃_g M.
//
// A_g without an n_g×n_g matrix: write G = L L' (L = blockdiag(diag(n_k^-½),
// a factor of M)) and B = Z_g L, so H_gg = B B'. With the small
// eigendecomposition B'B = W Λ W', the thin eigenvectors of H_gg are
// U = B W Λ^-½ with eigenvalues Λ, and I - H_gg has eigenvalues 1 - λ on
// U and 1 off it, so
//
//	A_g = I + U (f(Λ) - 1) U' = I + Z_g R_g Z_g',
//	R_g = L W diag((f(λ) - 1)/λ) W' L',   f(λ) = (1-λ)^-½ (0 when 1-λ < 1e-12),
//
// over the λ > 0 (a rank-deficient Z_g, such as coached constant within a
// teacher's group, has zero eigenvalues, which change nothing). Z_g'Z_g is
// cheap: its D block is the diagonal of group counts, its D-X block the
// sums of X̃ within each group, its X block X̃_g'X̃_g. So A_g X̃_g =
// X̃_g + Z_g R_g (Z_g'X̃_g) costs O(n_g (k_g+p) p).
//
// Satterthwaite degrees of freedom of a contrast c: c'Vc = Σ_g (w_g'e_g)²
// with w_g = A_g X̃_g M c. Under the working model u ~ N(0, I), e = (I-H)u
// and c'Vc is a quadratic form in u with
//
//	E = Σ_g Ω_gg,   Var = 2 Σ_g Σ_h Ω_gh²,   df = 2E²/Var = (Σ_g Ω_gg)² / Σ_gh Ω_gh²,
//	Ω_gh = w_g'(I-H)_gh w_h = δ_gh a_g - v_g'G v_h,   a_g = w_g'w_g,   v_g = Z_g'w_g.
//
// The double sum needs no cluster pairs: with S = Σ_g v_g v_g' (over all K
// groups and p regressors),
//
//	Σ_gh Ω_gh² = Σ_g a_g² - 2 Σ_g a_g v_g'G v_g + Σ_gh (v_g'G v_h)²,
//	Σ_gh (v_g'G v_h)² = tr(G S G S)
//	  = Σ_kl S_kl²/(n_k n_l) + 2 Σ_k s_k'M s_k/n_k + tr(M S_XX M S_XX),
//
// s_k the D-X row of S for group k. Each contrast costs O(n p + Σ_g k_g²).

// eigenFloor is the eigenvalue of I - H_gg under which clubSandwich's
// pseudo-inverse square root sets it to zero.
const eigenFloor = 1e-12

// rankFloor is the eigenvalue of H_gg under which a direction is taken to
// be outside Z_g's column space (rank deficiency).
const rankFloor = 1e-10

// cr2 is what a CR2 fit keeps to give any contrast its standard error and
// Satterthwaite degrees of freedom.
type cr2 struct {
	x       [][]float64 // X̃, the demeaned regressors, by column
	ax      [][]float64 // A_g X̃_g, by column, rows as in x
	m       *mat.SymDense
	fe      []int32   // fixed-effect group of each row
	groupN  []float64 // rows of each group
	order   []int     // rows in cluster order
	starts  []int     // cluster c's rows are order[starts[c]:starts[c+1]]
	vcov    *mat.SymDense
	scratch []int32 // a local index per group, -1 outside a cluster
}

// newCR2 computes the CR2 covariance of the fit with demeaned regressors
// x, residuals e, M = (X̃'X̃)⁻¹, fixed-effect groups fe (0..groups-1) and
// clusters cluster (0..).
func newCR2(x [][]float64, e []float64, m *mat.SymDense, fe []int32, groups int, cluster []int32) *cr2 {
	n, p := len(e), len(x)
	c := &cr2{x: x, m: m, fe: fe, groupN: make([]float64, groups), scratch: make([]int32, groups)}
	for i := range c.scratch {
		c.scratch[i] = -1
	}
	for _, g := range fe {
		c.groupN[g]++
	}
	c.order, c.starts = byCluster(cluster)
	c.ax = make([][]float64, p)
	for j := range c.ax {
		c.ax[j] = make([]float64, n)
	}

	// L's X block: a factor of M (M = Lx Lx').
	var chol mat.Cholesky
	lx := mat.NewTriDense(p, mat.Lower, nil)
	if chol.Factorize(m) {
		chol.LTo(lx)
	}
	meat := mat.NewSymDense(p, nil)
	s := make([]float64, p)
	for g := range len(c.starts) - 1 {
		rows := c.order[c.starts[g]:c.starts[g+1]]
		present := c.local(rows)
		c.adjust(rows, present, lx)
		clear(s)
		for _, i := range rows {
			for j := range p {
				s[j] += c.ax[j][i] * e[i]
			}
		}
		meat.SymRankOne(meat, 1, mat.NewVecDense(p, s))
		c.release(present)
	}
	var tmp, v mat.Dense
	tmp.Mul(m, meat)
	v.Mul(&tmp, m)
	c.vcov = mat.NewSymDense(p, nil)
	for a := range p {
		for b := a; b < p; b++ {
			c.vcov.SetSym(a, b, (v.At(a, b)+v.At(b, a))/2)
		}
	}
	return c
}

// byCluster returns the rows ordered by cluster (a counting sort) and
// where each cluster's rows start; clusters without rows are dropped.
func byCluster(cluster []int32) (order, starts []int) {
	nc := 0
	for _, g := range cluster {
		nc = max(nc, int(g)+1)
	}
	count := make([]int, nc+1)
	for _, g := range cluster {
		count[g+1]++
	}
	for g := range nc {
		count[g+1] += count[g]
	}
	order = make([]int, len(cluster))
	next := append([]int(nil), count[:nc]...)
	for i, g := range cluster {
		order[next[g]] = i
		next[g]++
	}
	for g := range nc {
		if count[g+1] > count[g] {
			starts = append(starts, count[g])
		}
	}
	return order, append(starts, len(cluster))
}

// local numbers the groups present in rows 0.. in first-seen order (in
// c.scratch) and returns them.
func (c *cr2) local(rows []int) []int32 {
	var present []int32
	for _, i := range rows {
		if k := c.fe[i]; c.scratch[k] < 0 {
			c.scratch[k] = int32(len(present))
			present = append(present, k)
		}
	}
	return present
}

// release resets the local numbering of present.
func (c *cr2) release(present []int32) {
	for _, k := range present {
		c.scratch[k] = -1
	}
}

// adjust sets c.ax at rows, one cluster whose groups present were just
// numbered by local: A_g X̃_g = X̃_g + Z_g R_g (Z_g'X̃_g).
func (c *cr2) adjust(rows []int, present []int32, lx *mat.TriDense) {
	p, kd := len(c.x), len(present)
	kg := kd + p
	// ztz is Z_g'Z_g; its last p columns are Z_g'X̃_g.
	ztz := mat.NewSymDense(kg, nil)
	for _, i := range rows {
		a := int(c.scratch[c.fe[i]])
		ztz.SetSym(a, a, ztz.At(a, a)+1)
		for j := range p {
			xj := c.x[j][i]
			ztz.SetSym(a, kd+j, ztz.At(a, kd+j)+xj)
			for l := j; l < p; l++ {
				ztz.SetSym(kd+j, kd+l, ztz.At(kd+j, kd+l)+xj*c.x[l][i])
			}
		}
	}
	// L restricted to the present groups.
	l := mat.NewDense(kg, kg, nil)
	for a, k := range present {
		l.Set(a, a, 1/math.Sqrt(c.groupN[k]))
	}
	for a := range p {
		for b := 0; b <= a; b++ {
			l.Set(kd+a, kd+b, lx.At(a, b))
		}
	}
	var bb0, bb mat.Dense
	bb0.Mul(l.T(), ztz)
	bb.Mul(&bb0, l)
	sym := mat.NewSymDense(kg, nil)
	for a := range kg {
		for b := a; b < kg; b++ {
			sym.SetSym(a, b, (bb.At(a, b)+bb.At(b, a))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		panic("cr2: eigendecomposition failed") // gonum's symmetric QL does not fail on finite input
	}
	lambda := eig.Values(nil)
	var w mat.Dense
	eig.VectorsTo(&w)
	t := mat.NewDense(kg, kg, nil)
	for q, lam := range lambda {
		if lam <= rankFloor {
			continue
		}
		f := 0.0
		if 1-lam >= eigenFloor {
			f = 1 / math.Sqrt(1-lam)
		}
		scale := (f - 1) / lam
		for a := range kg {
			wa := w.At(a, q) * scale
			for b := range kg {
				t.Set(a, b, t.At(a, b)+wa*w.At(b, q))
			}
		}
	}
	var lt, r mat.Dense
	lt.Mul(l, t)
	r.Mul(&lt, l.T())
	var q mat.Dense // R_g Z_g'X̃_g, kg×p
	q.Mul(&r, ztz)
	qd := mat.NewDense(kg, p, nil)
	for a := range kg {
		for j := range p {
			qd.Set(a, j, q.At(a, kd+j))
		}
	}
	for _, i := range rows {
		a := int(c.scratch[c.fe[i]])
		for j := range p {
			v := c.x[j][i] + qd.At(a, j)
			for l := range p {
				v += c.x[l][i] * qd.At(kd+l, j)
			}
			c.ax[j][i] = v
		}
	}
}

// satterthwaite is the Satterthwaite degrees of freedom of contrast cv.
func (c *cr2) satterthwaite(cv []float64) float64 {
	n, p := len(c.fe), len(c.x)
	var mc mat.VecDense
	mc.MulVec(c.m, mat.NewVecDense(p, cv))
	w := make([]float64, n)
	for j := range p {
		mj := mc.AtVec(j)
		for i, v := range c.ax[j] {
			w[i] += v * mj
		}
	}
	groups := len(c.groupN)
	sdd := newPairSums(groups)
	sdx := make([]float64, groups*p) // S's D-X block, row per group
	sxx := mat.NewSymDense(p, nil)
	var expect, sumA2, sumAB float64
	vx := make([]float64, p)
	var vd []float64
	for g := range len(c.starts) - 1 {
		rows := c.order[c.starts[g]:c.starts[g+1]]
		present := c.local(rows)
		vd = append(vd[:0], make([]float64, len(present))...)
		clear(vx)
		a := 0.0
		for _, i := range rows {
			wi := w[i]
			a += wi * wi
			vd[c.scratch[c.fe[i]]] += wi
			for j := range p {
				vx[j] += c.x[j][i] * wi
			}
		}
		vxv := mat.NewVecDense(p, vx)
		b := mat.Inner(vxv, c.m, vxv) // v_g'G v_g
		for q, k := range present {
			b += vd[q] * vd[q] / c.groupN[k]
			for r, l := range present {
				sdd.add(k, l, vd[q]*vd[r])
			}
			for j := range p {
				sdx[int(k)*p+j] += vd[q] * vx[j]
			}
		}
		sxx.SymRankOne(sxx, 1, vxv)
		expect += a - b
		sumA2 += a * a
		sumAB += a * b
		c.release(present)
	}
	tr := sdd.weighted(c.groupN)
	for k := range groups {
		sk := mat.NewVecDense(p, sdx[k*p:(k+1)*p])
		tr += 2 * mat.Inner(sk, c.m, sk) / c.groupN[k]
	}
	var ms mat.Dense
	ms.Mul(c.m, sxx)
	for a := range p {
		for b := range p {
			tr += ms.At(a, b) * ms.At(b, a)
		}
	}
	return expect * expect / (sumA2 - 2*sumAB + tr)
}

// pairSums accumulates S_kl over pairs of fixed-effect groups: dense for
// few groups, a map for many (teacher fixed effects), where only groups
// sharing a cluster are ever paired.
type pairSums struct {
	groups int
	dense  []float64
	sparse map[[2]int32]float64
}

// densePairs is the most groups pairSums keeps as a dense matrix.
const densePairs = 512

func newPairSums(groups int) *pairSums {
	if groups <= densePairs {
		return &pairSums{groups: groups, dense: make([]float64, groups*groups)}
	}
	return &pairSums{groups: groups, sparse: map[[2]int32]float64{}}
}

func (s *pairSums) add(k, l int32, v float64) {
	if s.dense != nil {
		s.dense[int(k)*s.groups+int(l)] += v
		return
	}
	s.sparse[[2]int32{k, l}] += v
}

// weighted returns Σ_kl S_kl²/(n_k n_l).
func (s *pairSums) weighted(n []float64) float64 {
	out := 0.0
	if s.dense != nil {
		for k := range s.groups {
			for l := range s.groups {
				if v := s.dense[k*s.groups+l]; v != 0 {
					out += v * v / (n[k] * n[l])
				}
			}
		}
		return out
	}
	for kl, v := range s.sparse {
		out += v * v / (n[kl[0]] * n[kl[1]])
	}
	return out
}
