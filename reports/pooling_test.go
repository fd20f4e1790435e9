package reports

import (
	"math"
	"testing"
)

// TestPooledDifference: the difference of the pooled arms with a CI
// clustered by teacher over both arms. By hand: arm means 0 (not
// coached: 0.2 - 0.2 over 4 students) and 0.2 (coached: 0.6 + 0.2 over
// 4); the teachers' shares of the difference's deviation are 0, 0.05 and
// -0.05, so V = 3/2 x 0.005 = 0.0075, SE 0.0866; t(0.975, 2) = 4.3027
// gives 0.2 ± 0.3726.
func TestPooledDifference(t *testing.T) {
	d, lo, hi, ok := pooledDifference(map[string][2]classroom{
		"T1": {{n: 2, sum: 0.2}, {n: 2, sum: 0.6}},
		"T2": {{n: 2, sum: -0.2}, {}},
		"T3": {{}, {n: 2, sum: 0.2}},
	})
	if !ok || math.Abs(d-0.2) > 1e-12 || math.Abs(lo-(-0.172621)) > 1e-6 || math.Abs(hi-0.572621) > 1e-6 {
		t.Errorf("pooledDifference = %v [%v, %v] %v; want 0.2 [-0.172621, 0.572621]", d, lo, hi, ok)
	}
	if _, _, _, ok := pooledDifference(map[string][2]classroom{"T1": {{n: 2, sum: 1}, {n: 2, sum: 1}}}); ok {
		t.Error("one teacher: no interval")
	}
}
