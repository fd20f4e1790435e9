package model

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
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
// teacher's group, has zero eigenvalues, which change nothing; B'B is
// k_g+p square, diagonalised by LAPACK's dsyev, or by Jacobi rotations
// when small). Z_g'Z_g is cheap: its D block is the diagonal of group
// counts, its D-X block the sums of X̃ within each group, its X block
// X̃_g'X̃_g, O(n_g p²). A_g X̃_g = X̃_g + Z_g Q_g, Q_g = R_g (Z_g'X̃_g),
// is never formed: the meat needs (A_g X̃_g)'e_g = X̃_g'e_g +
// Q_g'(Z_g'e_g) and the degrees of freedom A_g X̃_g v for one v per
// contrast, each O(n_g p) from the kept (k_g+p)×p Q_g.
//
// Satterthwaite degrees of freedom of a contrast c: c'Vc = Σ_g (w_g'e_g)²
// with w_g = A_g X̃_g M c. Under the working model u ~ N(0, I), e = (I-H)u
// and c'Vc is a quadratic form in u with
//
//	E = Σ_g Ω_gg,   Var = 2 Σ_g Σ_h Ω_gh²,   df = 2E²/Var = (Σ_g Ω_gg)² / Σ_gh Ω_gh²,
//	Ω_gh = w_g'[(I-H)(I-H)']_gh w_h = w_g'(I-H)_gh w_h = δ_gh a_g - v_g'G v_h,
//	a_g = w_g'w_g,   v_g = Z_g'w_g
//
// (I - H is symmetric and idempotent; H_gh = Z_g G Z_h').
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
	p int
	// Rows are kept in cluster order (cluster c's rows are
	// starts[c]:starts[c+1]), so that a cluster's rows are contiguous.
	x      [][]float64 // X̃, the demeaned regressors, by column
	m      []float64   // M, p×p row-major
	fe     []int32     // fixed-effect group of each row
	groupN []float64   // rows of each group
	starts []int
	// q holds each cluster's Q_g = R_g Z_g'X̃_g ((k_g+p)×p, row-major,
	// cluster g's from qAt[g]), so that A_g X̃_g v = X̃_g v + Z_g (Q_g v)
	// for any v without keeping A_g X̃_g's n×p values.
	q   []float64
	qAt []int
	// lg is each row's group numbered within its cluster, and
	// present[pAt[g]:pAt[g+1]] cluster g's groups in that numbering.
	lg      []int32
	present []int32
	pAt     []int
	vcov    *mat.SymDense
	scratch []int32 // a local index per group, -1 outside a cluster
}

// newCR2 computes the CR2 covariance of the fit with demeaned regressors
// x, residuals e, M = (X̃'X̃)⁻¹, fixed-effect groups fe (0..groups-1) and
// clusters cluster (0..).
func newCR2(x [][]float64, e []float64, m *mat.SymDense, fe []int32, groups int, cluster []int32) *cr2 {
	n, p := len(e), len(x)
	c := &cr2{p: p, m: make([]float64, p*p), groupN: make([]float64, groups), scratch: filled(groups, -1)}
	for a := range p {
		for b := range p {
			c.m[a*p+b] = m.At(a, b)
		}
	}
	for _, g := range fe {
		c.groupN[g]++
	}
	order, starts := byCluster(cluster)
	c.starts = starts
	// The rows usually come in cluster order already (design's cells are
	// grouped by teacher): then x, e and fe are used as they are, owned
	// by the fit, and only a shuffled design is copied into order.
	c.fe, c.x = fe, x
	ep := e
	if !slices.IsSorted(cluster) {
		c.fe, ep = make([]int32, n), make([]float64, n)
		for r, i := range order {
			c.fe[r], ep[r] = fe[i], e[i]
		}
		c.x = make([][]float64, p)
		for j := range p {
			c.x[j] = make([]float64, n)
			for r, i := range order {
				c.x[j][r] = x[j][i]
			}
		}
	}

	// L's X block: a factor of M (M = Lx Lx').
	var chol mat.Cholesky
	lx := mat.NewTriDense(p, mat.Lower, nil)
	if chol.Factorize(m) {
		chol.LTo(lx)
	}
	w := &cr2Work{lx: make([]float64, p*p)}
	for a := range p {
		for b := 0; b <= a; b++ {
			w.lx[a*p+b] = lx.At(a, b)
		}
	}
	meat := make([]float64, p*p)
	s := make([]float64, p)  // (A_g X̃_g)'e_g
	xe := make([]float64, p) // X̃_g'e_g
	var esum []float64       // e_g's sum within each present group
	var present []int32
	c.qAt = make([]int, 1, len(c.starts))
	// Q_g is (k_g+p)×p: room for every cluster with up to two groups,
	// grown past that.
	c.q = make([]float64, 0, (len(c.starts)-1)*(p+2)*p)
	c.lg = make([]int32, n)
	c.pAt = make([]int, 1, len(c.starts))
	for g := range len(c.starts) - 1 {
		lo, hi := c.starts[g], c.starts[g+1]
		present = c.local(lo, hi, present[:0])
		kd := len(present)
		c.adjust(lo, hi, present, w)
		c.q = append(c.q, w.q...)
		c.qAt = append(c.qAt, len(c.q))
		c.present = append(c.present, present...)
		c.pAt = append(c.pAt, len(c.present))
		for i := lo; i < hi; i++ {
			c.lg[i] = c.scratch[c.fe[i]]
		}
		// (A_g X̃_g)'e_g = X̃_g'e_g + Q_g'(Z_g'e_g), Z_g'e_g = [the
		// groups' sums of e_g; X̃_g'e_g].
		esum = grow(esum, kd)
		for i := lo; i < hi; i++ {
			esum[c.scratch[c.fe[i]]] += ep[i]
		}
		for j := range p {
			xe[j] = dot(c.x[j][lo:hi], ep[lo:hi])
		}
		copy(s, xe)
		for a := range kd {
			for j := range p {
				s[j] += w.q[a*p+j] * esum[a]
			}
		}
		for l := range p {
			for j := range p {
				s[j] += w.q[(kd+l)*p+j] * xe[l]
			}
		}
		for a := range p {
			for b := range p {
				meat[a*p+b] += s[a] * s[b]
			}
		}
		c.release(present)
	}
	// V = M meat M.
	mm := make([]float64, p*p)
	for a := range p {
		for b := range p {
			v := 0.0
			for l := range p {
				v += c.m[a*p+l] * meat[l*p+b]
			}
			mm[a*p+b] = v
		}
	}
	c.vcov = mat.NewSymDense(p, nil)
	for a := range p {
		for b := a; b < p; b++ {
			v := 0.0
			for l := range p {
				v += mm[a*p+l] * c.m[l*p+b]
			}
			c.vcov.SetSym(a, b, v)
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

// local numbers the groups present in rows lo:hi in first-seen order (in
// c.scratch) and returns them, appended to present.
func (c *cr2) local(lo, hi int, present []int32) []int32 {
	for i := lo; i < hi; i++ {
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

// cr2Work is the scratch space of adjust, reused from cluster to
// cluster; matrices are row-major.
type cr2Work struct {
	lx       []float64 // p×p, M = Lx Lx'
	bb       []float64 // kg×kg: B'B, then its eigenvectors by column
	zx, y, q []float64 // kg×p
	xx       []float64 // p×p: X̃_g'X̃_g
	lam      []float64 // kg: the eigenvalues of B'B
	scale    []float64 // kg
	work     []float64 // dsyev's
	grp      []int32   // the local group of each of the cluster's rows
}

// grow returns v resized to n zeros, reusing its storage.
func grow(v []float64, n int) []float64 {
	if cap(v) < n {
		return make([]float64, n)
	}
	v = v[:n]
	clear(v)
	return v
}

// adjust sets w.q to Q_g = R_g (Z_g'X̃_g) for rows lo:hi, one cluster
// whose groups present were just numbered by local (A_g X̃_g = X̃_g +
// Z_g Q_g), with R_g applied as L W diag((f(λ)-1)/λ) W' L'.
//
// L is block diagonal with a diagonal D block (l_a = n_a^-½), and
// Z_g'Z_g's D block is the diagonal of the groups' rows in the cluster,
// so B'B = L'Z_g'Z_g L is assembled block by block and every product
// with L costs O(k_g p²): only the eigendecomposition of B'B costs k_g³.
func (c *cr2) adjust(lo, hi int, present []int32, w *cr2Work) {
	p, kd := c.p, len(present)
	kg := kd + p
	w.bb, w.zx, w.y, w.q = grow(w.bb, kg*kg), grow(w.zx, kg*p), grow(w.y, kg*p), grow(w.q, kg*p)
	w.xx, w.lam, w.scale = grow(w.xx, p*p), grow(w.lam, kg), grow(w.scale, kg)
	x, lx, zx, bb := c.x, w.lx, w.zx, w.bb
	// Z_g'X̃_g: its D rows are the sums of X̃ within each group, its X
	// rows X̃_g'X̃_g; bb's D diagonal counts each group's rows.
	// Column by column over the cluster's contiguous rows: the same sums
	// in the same order as row by row, as dot products of slices.
	if cap(w.grp) < hi-lo {
		w.grp = make([]int32, hi-lo)
	}
	grp := w.grp[:hi-lo]
	for r := range grp {
		a := c.scratch[c.fe[lo+r]]
		grp[r] = a
		bb[int(a)*kg+int(a)]++
	}
	for j := range p {
		xj := x[j][lo:hi]
		for r, v := range xj {
			zx[int(grp[r])*p+j] += v
		}
		for l := j; l < p; l++ {
			w.xx[j*p+l] = dot(xj, x[l][lo:hi])
		}
	}
	for j := range p {
		for l := j + 1; l < p; l++ {
			w.xx[l*p+j] = w.xx[j*p+l]
		}
	}
	copy(zx[kd*p:], w.xx)
	// B'B: the D block diag(n_ag/n_a), the D-X block l_a (Z_D'X̃)_a Lx,
	// the X block Lx' X̃_g'X̃_g Lx.
	for a, k := range present {
		la := 1 / math.Sqrt(c.groupN[k])
		bb[a*kg+a] *= la * la
		for j := range p {
			v := 0.0
			for l := j; l < p; l++ { // Lx is lower triangular
				v += zx[a*p+l] * lx[l*p+j]
			}
			bb[a*kg+kd+j], bb[(kd+j)*kg+a] = la*v, la*v
		}
	}
	t := w.y[:p*p] // X̃_g'X̃_g Lx
	mulTo(t, w.xx, lx, p, p, p, false)
	for i := range p {
		for j := range p {
			v := 0.0
			for l := range p {
				v += lx[l*p+i] * t[l*p+j]
			}
			bb[(kd+i)*kg+kd+j] = v
		}
	}
	// Y = L' Z_g'X̃_g, in place in zx.
	col := w.q[:p]
	for a, k := range present {
		la := 1 / math.Sqrt(c.groupN[k])
		for j := range p {
			zx[a*p+j] *= la
		}
	}
	for j := range p {
		for i := range p {
			v := 0.0
			for l := i; l < p; l++ {
				v += lx[l*p+i] * zx[(kd+l)*p+j]
			}
			col[i] = v
		}
		for i := range p {
			zx[(kd+i)*p+j] = col[i]
		}
	}
	// Q = L g(B'B) Y: g(B'B) Y by its power series when B'B is small,
	// else W diag(scale) W' Y from the eigendecomposition.
	q := w.q
	if !gSeries(bb, zx, q, w.y, kg, p) {
		w.work = eigenSym(bb, w.lam, kg, w.work)
		for q, lam := range w.lam {
			if lam <= rankFloor {
				continue
			}
			f := 0.0
			if 1-lam >= eigenFloor {
				f = 1 / math.Sqrt(1-lam)
			}
			w.scale[q] = (f - 1) / lam
		}
		mulTo(w.y, bb, zx, kg, kg, p, true)
		for q := range kg {
			for j := range p {
				w.y[q*p+j] *= w.scale[q]
			}
		}
		mulTo(q, bb, w.y, kg, kg, p, false)
	}
	for a, k := range present {
		la := 1 / math.Sqrt(c.groupN[k])
		for j := range p {
			q[a*p+j] *= la
		}
	}
	for j := range p {
		for i := p - 1; i >= 0; i-- { // Lx times the column, in place from the bottom
			v := 0.0
			for l := 0; l <= i; l++ {
				v += lx[i*p+l] * q[(kd+l)*p+j]
			}
			q[(kd+i)*p+j] = v
		}
	}
}

// seriesMax is the largest Frobenius norm of B'B (a bound on its largest
// eigenvalue, the cluster's largest leverage) for which gSeries sums the
// power series rather than adjust diagonalising B'B: at 0.1 the series
// needs 16 terms, at the leverages of a district's clusters (a few
// hundredths or less) 6 to 10.
const seriesMax = 0.1

// gSeries sets q (kg×p) to g(C) y, g(λ) = ((1-λ)^-½ - 1)/λ, for the
// symmetric kg×kg matrix C with Frobenius norm ρ at most seriesMax, and
// reports whether it did. g(λ) = Σ_j a_{j+1} λ^j, a_k the coefficients of
// (1-λ)^-½ = Σ_k a_k λ^k (a_0 = 1, a_k = a_{k-1}(2k-1)/(2k) ≤ 1): the
// terms from j = K on add at most ρ^K/(1-ρ) of the first's size, and K is
// the first with that under 1e-16, so the sum is g(C) y to rounding (the
// eigendecomposition's own error is larger). Horner's rule costs K
// products C·(kg×p) in place of dsyev's work on C; t is kg×p scratch.
//
// At an eigenvalue 0 of C (a rank-deficient Z_g) the series has g = ½
// where adjust's eigen path drops the direction; y = B'X̃_g lies in C's
// range, so the two agree.
func gSeries(cm, y, q, t []float64, kg, p int) bool {
	rho := math.Sqrt(dot(cm[:kg*kg], cm[:kg*kg]))
	if rho > seriesMax {
		return false
	}
	k := 1
	for r := rho; r/(1-rho) > 1e-16; r *= rho {
		k++
	}
	a := 1.0             // a_j, from a_1
	var coef [20]float64 // k is at most 17 at seriesMax
	for j := 1; j <= k; j++ {
		a *= float64(2*j-1) / float64(2*j)
		coef[j] = a
	}
	n := kg * p
	for i := range n {
		q[i] = coef[k] * y[i]
	}
	for j := k - 1; j >= 1; j-- {
		mulTo(t, cm, q, kg, kg, p, false)
		for i := range n {
			q[i] = coef[j]*y[i] + t[i]
		}
	}
	return true
}

// mulTo sets dst (r×c) to a·b, a r×k (or, transposed, the transpose of
// a k×r matrix), b k×c; all row-major. Row by row, as sums of b's rows
// scaled by a's entries, skipping a's zeros (B'B's fixed-effect block is
// diagonal).
func mulTo(dst, a, b []float64, r, k, c int, transA bool) {
	for i := range r {
		di := dst[i*c : (i+1)*c]
		clear(di)
		for l := range k {
			ail := a[i*k+l]
			if transA {
				ail = a[l*r+i]
			}
			if ail == 0 {
				continue
			}
			for j, v := range b[l*c : (l+1)*c] {
				di[j] += ail * v
			}
		}
	}
}

// eigenSym diagonalises the symmetric n×n matrix a (row-major, both
// triangles set) with LAPACK's dsyev (gonum's), or by Jacobi rotations
// when n <= jacobiMax: on return lam holds the eigenvalues (ascending
// from dsyev, in no set order from Jacobi) and a the eigenvectors by
// column. It returns the workspace, grown as needed, for the next call.
// Should dsyev not converge, lam is all zero: the cluster gets no
// adjustment.
func eigenSym(a, lam []float64, n int, work []float64) []float64 {
	if n <= jacobiMax {
		// A few rotations beat LAPACK's reduction and its calls on the
		// tiny matrices of most clusters (k_g = 4 for the impact model).
		if len(work) < n*n {
			work = make([]float64, max(n*n, 3*jacobiMax*jacobiMax))
		}
		v := work[:n*n]
		jacobi(a, v, n)
		for q := range n {
			lam[q] = a[q*n+q]
		}
		copy(a, v)
		return work
	}
	return eigenSymLapack(a, lam, n, work)
}

// eigenSymLapack is eigenSym by LAPACK's dsyev, whatever n.
func eigenSymLapack(a, lam []float64, n int, work []float64) []float64 {
	m := blas64.Symmetric{N: n, Stride: n, Data: a, Uplo: blas.Upper}
	if len(work) < 3*n {
		q := []float64{0}
		lapack64.Syev(lapack.EVCompute, m, lam, q, -1)
		work = make([]float64, max(int(q[0]), 3*n))
	}
	if !lapack64.Syev(lapack.EVCompute, m, lam, work, len(work)) {
		clear(lam)
	}
	return work
}

// jacobiMax is the largest k_g eigenSym diagonalises by Jacobi rotations
// rather than LAPACK's dsyev.
const jacobiMax = 6

// jacobi diagonalises the symmetric n×n matrix a (row-major) by cyclic
// Jacobi rotations: on return a's diagonal holds the eigenvalues and v
// the eigenvectors by column. Accurate to rounding for the small,
// well-scaled matrices of adjust (eigenvalues in [0, 1]).
func jacobi(a, v []float64, n int) {
	for i := range n {
		for j := range n {
			v[i*n+j] = 0
		}
		v[i*n+i] = 1
	}
	for range 100 {
		off, diag := 0.0, 0.0
		for p := range n {
			diag += a[p*n+p] * a[p*n+p]
			for q := p + 1; q < n; q++ {
				off += a[p*n+q] * a[p*n+q]
			}
		}
		if off <= 1e-34*diag || off == 0 {
			return
		}
		for p := range n - 1 {
			for q := p + 1; q < n; q++ {
				apq := a[p*n+q]
				if apq == 0 {
					continue
				}
				theta := (a[q*n+q] - a[p*n+p]) / (2 * apq)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				cs := 1 / math.Sqrt(t*t+1)
				sn := t * cs
				for k := range n {
					akp, akq := a[k*n+p], a[k*n+q]
					a[k*n+p], a[k*n+q] = cs*akp-sn*akq, sn*akp+cs*akq
				}
				for k := range n {
					apk, aqk := a[p*n+k], a[q*n+k]
					a[p*n+k], a[q*n+k] = cs*apk-sn*aqk, sn*apk+cs*aqk
				}
				a[p*n+q], a[q*n+p] = 0, 0
				for k := range n {
					vkp, vkq := v[k*n+p], v[k*n+q]
					v[k*n+p], v[k*n+q] = cs*vkp-sn*vkq, sn*vkp+cs*vkq
				}
			}
		}
	}
}

// satterthwaite returns the Satterthwaite degrees of freedom of each
// contrast of cvs, in one pass over the clusters (each cluster's rows
// are read while in cache for every contrast).
func (c *cr2) satterthwaite(cvs ...[]float64) []float64 {
	p := c.p
	groups := len(c.groupN)
	type sums struct {
		mc, xu, vx, vd []float64
		sdd            *pairSums
		sdx            []float64 // S's D-X block, row per group
		sxx            []float64
		expect         float64
		sumA2, sumAB   float64
	}
	st := make([]*sums, len(cvs))
	for k, cv := range cvs {
		t := &sums{mc: make([]float64, p), xu: make([]float64, p), vx: make([]float64, p), vd: make([]float64, 0, 8),
			sdd: newPairSums(groups), sdx: make([]float64, groups*p), sxx: make([]float64, p*p)}
		for a := range p {
			for b := range p {
				t.mc[a] += c.m[a*p+b] * cv[b]
			}
		}
		st[k] = t
	}
	u := make([]float64, 0, 8+p) // Q_g M c
	for g := range len(c.starts) - 1 {
		lo, hi := c.starts[g], c.starts[g+1]
		present := c.present[c.pAt[g]:c.pAt[g+1]]
		kd := len(present)
		q := c.q[c.qAt[g]:c.qAt[g+1]]
		for _, t := range st {
			t.vd = grow(t.vd, kd)
			vd, vx, xu := t.vd, t.vx, t.xu
			// w_g = A_g X̃_g M c = X̃_g (M c + u_X) + u_D at each row's
			// group.
			u = grow(u, kd+p)
			mulTo(u, q, t.mc, kd+p, p, 1, false)
			for j := range p {
				xu[j] = t.mc[j] + u[kd+j]
			}
			clear(vx)
			a := 0.0
			for i := lo; i < hi; i++ {
				wi := u[c.lg[i]]
				for j := range p {
					wi += c.x[j][i] * xu[j]
				}
				a += wi * wi
				vd[c.lg[i]] += wi
				for j := range p {
					vx[j] += c.x[j][i] * wi
				}
			}
			b := 0.0 // v_g'G v_g
			for j := range p {
				for l := range p {
					b += vx[j] * c.m[j*p+l] * vx[l]
					t.sxx[j*p+l] += vx[j] * vx[l]
				}
			}
			for q, k := range present {
				b += vd[q] * vd[q] / c.groupN[k]
				for r, l := range present {
					t.sdd.add(k, l, vd[q]*vd[r])
				}
				for j := range p {
					t.sdx[int(k)*p+j] += vd[q] * vx[j]
				}
			}
			t.expect += a - b
			t.sumA2 += a * a
			t.sumAB += a * b
		}
	}
	out := make([]float64, len(cvs))
	ms := make([]float64, p*p) // M S_XX
	for k, t := range st {
		tr := t.sdd.weighted(c.groupN)
		for k := range groups {
			sk := t.sdx[k*p : (k+1)*p]
			q := 0.0
			for j := range p {
				for l := range p {
					q += sk[j] * c.m[j*p+l] * sk[l]
				}
			}
			tr += 2 * q / c.groupN[k]
		}
		mulTo(ms, c.m, t.sxx, p, p, p, false)
		for a := range p {
			for b := range p {
				tr += ms[a*p+b] * ms[b*p+a]
			}
		}
		out[k] = t.expect * t.expect / (t.sumA2 - 2*t.sumAB + tr)
	}
	return out
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
