package reports

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// cellOf adds a cell over the named atoms.
func auditCellOf(a *audit, n int64, hidden bool, atoms ...string) int {
	return a.cell(atoms, n, hidden)
}

// Two groups and their total: hiding the small group alone lets the total
// minus the other give it back, so the other (smaller than the total) is
// hidden with it.
func TestAuditGroupAndTotal(t *testing.T) {
	a := newAudit()
	small := auditCellOf(a, 5, true, "coached")
	other := auditCellOf(a, 40, false, "not")
	total := auditCellOf(a, 45, false, "coached", "not")
	if got := a.protect(); got != 1 {
		t.Errorf("complements = %d, want 1", got)
	}
	if !a.hidden(small) || !a.hidden(other) || a.hidden(total) {
		t.Errorf("hidden: small %v, other %v, total %v; want true, true, false", a.hidden(small), a.hidden(other), a.hidden(total))
	}
}

// A 2x2 table with its margins and total printed: one hidden inner cell
// needs all four inner cells hidden (any three leave the fourth's margin
// to give one back), and the margins can stay.
func TestAuditTableWithMargins(t *testing.T) {
	a := newAudit()
	inner := []int{
		auditCellOf(a, 3, true, "11"), auditCellOf(a, 50, false, "12"),
		auditCellOf(a, 60, false, "21"), auditCellOf(a, 70, false, "22"),
	}
	margins := []int{
		auditCellOf(a, 53, false, "11", "12"), auditCellOf(a, 130, false, "21", "22"),
		auditCellOf(a, 63, false, "11", "21"), auditCellOf(a, 120, false, "12", "22"),
		auditCellOf(a, 183, false, "11", "12", "21", "22"),
	}
	a.protect()
	for _, i := range inner {
		if !a.hidden(i) {
			t.Errorf("inner cell %d printed", i)
		}
	}
	for _, i := range margins {
		if a.hidden(i) {
			t.Errorf("margin %d hidden", i)
		}
	}
}

// A lower rank is hidden first even when it is larger.
func TestAuditRank(t *testing.T) {
	a := newAudit()
	auditCellOf(a, 5, true, "coached")
	other := auditCellOf(a, 40, false, "not")
	total := auditCellOf(a, 45, false, "coached", "not")
	a.cells[total].rank = -1
	a.protect()
	if a.hidden(other) || !a.hidden(total) {
		t.Errorf("other hidden %v, total hidden %v; want the total (lower rank) hidden", a.hidden(other), a.hidden(total))
	}
}

// Fixed cells are complements only when nothing else gives a cell away.
func TestAuditFixed(t *testing.T) {
	a := newAudit()
	auditCellOf(a, 5, true, "coached")
	other := auditCellOf(a, 40, false, "not")
	total := auditCellOf(a, 45, false, "coached", "not")
	a.cells[other].fixed = true
	a.protect()
	if a.hidden(other) || !a.hidden(total) {
		t.Errorf("fixed other hidden %v, total hidden %v", a.hidden(other), a.hidden(total))
	}
}

// Random families of cells over a few atoms, checked after protect by an
// independent computation in floating point (gonum's SVD rank): no hidden
// cell's vector is in the span of the printed cells'.
func TestAuditRandomFamilies(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	recoverableBefore := 0
	for trial := range 300 {
		atoms := 3 + rng.IntN(8)
		a := newAudit()
		for range 3 + rng.IntN(14) {
			var keys []string
			for j := range atoms {
				if rng.IntN(3) == 0 {
					keys = append(keys, fmt.Sprint(j))
				}
			}
			if len(keys) == 0 {
				continue
			}
			i := auditCellOf(a, int64(1+rng.IntN(100)), rng.IntN(5) == 0, keys...)
			a.cells[i].rank = rng.IntN(2)
		}
		if a.recoverable() >= 0 {
			recoverableBefore++
		}
		a.protect()
		for i, c := range a.cells {
			if c.hidden && inSpan(a, i) {
				t.Fatalf("trial %d: hidden cell %d %v is a combination of the printed cells", trial, i, c.coef)
			}
		}
	}
	// The families must exercise the protection, not pass by having
	// nothing to protect.
	if recoverableBefore < 50 {
		t.Errorf("only %d of 300 families had a recoverable cell before protect", recoverableBefore)
	}
}

// inSpan reports, in floating point, whether cell i's vector is in the
// span of the printed cells: rank([P; v]) == rank(P).
func inSpan(a *audit, i int) bool {
	var printed [][]float64
	row := func(c auditCell) []float64 {
		v := make([]float64, len(a.atoms))
		for k, x := range c.coef {
			v[k] = float64(x)
		}
		return v
	}
	for _, c := range a.cells {
		if !c.hidden && len(c.coef) > 0 {
			printed = append(printed, row(c))
		}
	}
	rank := func(rows [][]float64) int {
		if len(rows) == 0 {
			return 0
		}
		m := mat.NewDense(len(rows), len(a.atoms), nil)
		for r, v := range rows {
			m.SetRow(r, v)
		}
		var svd mat.SVD
		if !svd.Factorize(m, mat.SVDNone) {
			panic("svd failed")
		}
		return svd.Rank(1e-9)
	}
	return rank(append(printed, row(a.cells[i]))) == rank(printed)
}

func TestMulMod(t *testing.T) {
	p := new(big.Int).SetUint64(prime)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		x, y := rng.Uint64N(prime), rng.Uint64N(prime)
		want := new(big.Int).Mul(new(big.Int).SetUint64(x), new(big.Int).SetUint64(y))
		want.Mod(want, p)
		if got := mulMod(x, y); got != want.Uint64() {
			t.Fatalf("mulMod(%d, %d) = %d, want %d", x, y, got, want.Uint64())
		}
	}
	if got := mulMod(powMod(12345, prime-2), 12345); got != 1 {
		t.Errorf("12345 * its inverse = %d", got)
	}
}
