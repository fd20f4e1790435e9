package reports

import (
	"math/bits"
	"slices"
)

// Complementary suppression.
//
// A cell of student results (a count, a mean, a share) is hidden when it
// rests on too few students or classrooms: that is primary suppression.
// Hiding it is not enough when other printed cells add up to it: a
// school's not-coached mean and the subject's total over its grades give
// the coached mean by subtraction. An audit describes every printed cell
// of a family (cells that share students) as a vector over atoms, the
// finest groups of students it is built from (for a school: year,
// subject, grade and coached or not), with a coefficient per atom: 1 for
// a mean or count over the atoms' union, other values for a difference.
// Printed counts and means give each printed cell's count and sum, so a
// hidden cell's count and sum can be worked out exactly when, and only
// when, its vector is a linear combination of the printed cells'
// vectors. Protect hides further printed cells (the smallest first)
// until no hidden cell is such a combination: then no arithmetic on the
// printed numbers (sums, differences, means weighted by printed counts)
// gives back a hidden one.
//
// Linear algebra is done modulo the prime 2^61-1, exactly: a vector in
// the rational span of others is in their span modulo p too, so the
// audit never misses a recovery; the converse can fail only if p divides
// a minor of the cells' matrix, and then a cell is hidden that need not
// be (the safe side).

// audit is one family of cells over shared atoms.
type audit struct {
	atoms map[string]int // atom key -> column
	cells []auditCell
}

// auditCell is one reported cell.
type auditCell struct {
	coef map[int]int64 // atom column -> coefficient
	n    int64         // students it rests on: the cheapest complement is the smallest
	// rank orders complements before n: cells of a lower rank are hidden
	// first (a summary row before the table a reader came for).
	rank   int
	hidden bool
	// fixed cells are never chosen as complements (a cell another audit
	// decided, or one with no numbers); they still count as printed
	// when not hidden.
	fixed bool
	// pinned cells are printed whatever happens (a 0, "no students",
	// which the reader sees as such): never chosen as complements.
	pinned bool
}

func newAudit() *audit { return &audit{atoms: map[string]int{}} }

// atom returns the column of the atom named key, adding it.
func (a *audit) atom(key string) int {
	if i, ok := a.atoms[key]; ok {
		return i
	}
	a.atoms[key] = len(a.atoms)
	return len(a.atoms) - 1
}

// cell adds a cell that is the union of the atoms named by keys (a count
// or a mean over them), hidden or printed, resting on n students, and
// returns its index.
func (a *audit) cell(keys []string, n int64, hidden bool) int {
	coef := map[int]int64{}
	for _, k := range keys {
		coef[a.atom(k)] = 1
	}
	a.cells = append(a.cells, auditCell{coef: coef, n: n, hidden: hidden})
	return len(a.cells) - 1
}

// hidden reports whether cell i is hidden after Protect.
func (a *audit) hidden(i int) bool { return a.cells[i].hidden }

// protect hides printed cells until no hidden cell can be worked out
// from the printed ones, and returns how many it hid.
func (a *audit) protect() int {
	added := 0
	for {
		s := a.recoverable()
		if s < 0 {
			return added
		}
		c := a.complement(s)
		if c < 0 {
			// Only pinned zeros give s away, so s is itself 0: there is
			// nothing to protect.
			a.cells[s].coef = nil
			continue
		}
		a.cells[c].hidden = true
		added++
	}
}

// recoverable returns a hidden cell whose vector lies in the span of the
// printed cells, or -1.
func (a *audit) recoverable() int {
	b := a.basis(-1)
	for i, c := range a.cells {
		if c.hidden && len(c.coef) > 0 && b.spans(c.coef) {
			return i
		}
	}
	return -1
}

// complement chooses the printed cell to hide so that hidden cell s can
// no longer be worked out from the cells that now give it away (the
// support of one way of writing s as a combination of printed cells):
// the smallest of the lowest rank among them whose hiding alone does it, else the smallest of
// them (the next round finds what is still recoverable). Fixed cells are
// chosen only when nothing else gives s away, pinned ones never (-1 when
// only pinned cells do).
func (a *audit) complement(s int) int {
	b := a.basis(-1)
	combo := b.combination(a.cells[s].coef)
	var cand []int
	for _, fixed := range []bool{false, true} {
		for i := range combo {
			if a.cells[i].fixed == fixed && !a.cells[i].pinned {
				cand = append(cand, i)
			}
		}
		if len(cand) > 0 {
			break
		}
	}
	slices.SortStableFunc(cand, func(x, y int) int {
		if c := a.cells[x].rank - a.cells[y].rank; c != 0 {
			return c
		}
		if c := cmpInt(a.cells[x].n, a.cells[y].n); c != 0 {
			return c
		}
		return x - y
	})
	if len(cand) == 0 {
		return -1
	}
	for _, i := range cand {
		if !a.basis(i).spans(a.cells[s].coef) {
			return i
		}
	}
	return cand[0]
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// prime is the modulus of the audit's arithmetic, 2^61-1.
const prime = 1<<61 - 1

func mulMod(x, y uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	// x*y = hi*2^64 + lo; 2^61 ≡ 1, so 2^64 ≡ 8.
	r := (lo & prime) + (lo >> 61) + (hi << 3)
	r = (r & prime) + (r >> 61)
	if r >= prime {
		r -= prime
	}
	return r
}

func subMod(x, y uint64) uint64 {
	if x >= y {
		return x - y
	}
	return x + prime - y
}

// powMod returns x^e mod prime.
func powMod(x, e uint64) uint64 {
	r := uint64(1)
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = mulMod(r, x)
		}
		x = mulMod(x, x)
	}
	return r
}

func toMod(v int64) uint64 {
	if v >= 0 {
		return uint64(v) % prime
	}
	return prime - uint64(-v)%prime
}

// echelon is a basis of a set of vectors modulo prime in reduced row
// echelon form, kept sparse (a school-year family has thousands of
// atoms, most cells one or a few of them): each row has a 1 at its pivot
// and 0 at every other row's pivot, so a vector is reduced by
// subtracting, for each pivot where it is nonzero, that row once, in any
// order.
type echelon struct {
	rows  []sparse
	pivot map[int]int          // pivot column -> row
	uses  map[int]map[int]bool // column -> rows nonzero there
	// combo[r] writes row r as a combination of the cells added: cell
	// index -> coefficient.
	combo []sparse
}

// sparse is a vector modulo prime: index -> nonzero value.
type sparse map[int]uint64

// axpy sets v to v - f*w, dropping zeros, and calls touched with each
// index whose value changed between zero and nonzero.
func (v sparse) axpy(f uint64, w sparse, touched func(j int, nonzero bool)) {
	for j, x := range w {
		old := v[j]
		nv := subMod(old, mulMod(f, x))
		if nv == 0 {
			delete(v, j)
		} else {
			v[j] = nv
		}
		if touched != nil && (old == 0) != (nv == 0) {
			touched(j, nv != 0)
		}
	}
}

// basis returns the echelon basis of the printed cells, leaving out cell
// skip (-1: none).
func (a *audit) basis(skip int) *echelon {
	e := &echelon{pivot: map[int]int{}, uses: map[int]map[int]bool{}}
	for i, c := range a.cells {
		if i != skip && !c.hidden && len(c.coef) > 0 {
			e.add(i, c.coef)
		}
	}
	return e
}

func toSparse(coef map[int]int64) sparse {
	v := sparse{}
	for k, c := range coef {
		if x := toMod(c); x != 0 {
			v[k] = x
		}
	}
	return v
}

// reduce subtracts from v the rows at v's pivots, leaving v zero at every
// pivot; with combo non-nil it subtracts the rows' combinations from
// combo alike.
func (e *echelon) reduce(v, combo sparse) {
	var at []int
	for j := range v {
		if _, ok := e.pivot[j]; ok {
			at = append(at, j)
		}
	}
	for _, j := range at {
		r := e.pivot[j]
		f := v[j]
		v.axpy(f, e.rows[r], nil)
		if combo != nil {
			combo.axpy(f, e.combo[r], nil)
		}
	}
}

// add puts cell i's vector into the basis if it is not spanned already.
func (e *echelon) add(i int, coef map[int]int64) {
	v := toSparse(coef)
	combo := sparse{i: 1}
	e.reduce(v, combo)
	if len(v) == 0 {
		return
	}
	p := -1
	for j := range v {
		if p < 0 || j < p {
			p = j
		}
	}
	inv := powMod(v[p], prime-2)
	for j, x := range v {
		v[j] = mulMod(x, inv)
	}
	for j, x := range combo {
		combo[j] = mulMod(x, inv)
	}
	// Clear column p from the other rows, keeping the form reduced.
	for r := range e.uses[p] {
		f := e.rows[r][p]
		e.rows[r].axpy(f, v, func(j int, nonzero bool) { e.use(j, r, nonzero) })
		e.combo[r].axpy(f, combo, nil)
	}
	r := len(e.rows)
	e.rows, e.combo = append(e.rows, v), append(e.combo, combo)
	e.pivot[p] = r
	for j := range v {
		e.use(j, r, true)
	}
}

// use records whether row r is nonzero at column j.
func (e *echelon) use(j, r int, nonzero bool) {
	if !nonzero {
		delete(e.uses[j], r)
		return
	}
	if e.uses[j] == nil {
		e.uses[j] = map[int]bool{}
	}
	e.uses[j][r] = true
}

// spans reports whether coef's vector is a combination of the basis.
func (e *echelon) spans(coef map[int]int64) bool {
	v := toSparse(coef)
	e.reduce(v, nil)
	return len(v) == 0
}

// combination returns the cells, with nonzero coefficients, of one way of
// writing coef's vector (spanned by the basis) as a combination of the
// cells added.
func (e *echelon) combination(coef map[int]int64) map[int]uint64 {
	v := toSparse(coef)
	combo := sparse{}
	e.reduce(v, combo)
	return combo // v - Σ f_r row_r = 0: the cells of -combo give v
}
