package model

import (
	"math"
	"testing"
)

// TestEmpiricalBayes checks the prior and the shrunken estimates against
// R's metafor 3.8-1 on six made-up units:
//
//	m <- rma(yi = y, sei = se, method = "DL"); blup(m)
//
// with y = (0.21, -0.05, 0.34, 0.10, 0.02, 0.45) and
// se = (0.10, 0.15, 0.20, 0.08, 0.12, 0.25).
func TestEmpiricalBayes(t *testing.T) {
	y := []float64{0.21, -0.05, 0.34, 0.10, 0.02, 0.45}
	se := []float64{0.10, 0.15, 0.20, 0.08, 0.12, 0.25}
	s, ok := EmpiricalBayes(y, se)
	if !ok {
		t.Fatal("no prior from 6 units")
	}
	close := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %.15f, want %.15f (metafor)", what, got, want)
		}
	}
	close("tau2", s.Tau2, 0.002566716428434)
	close("mean", s.Mean, 0.127590149430594)
	close("se of mean", math.Sqrt(s.MeanVar), 0.055149165106707)
	blup := [][2]float64{
		{0.144422129250135, 0.062995032641926},
		{0.109405735234463, 0.068951858354879},
		{0.140398181122077, 0.071397809874058},
		{0.119692488076891, 0.058149996097589},
		{0.111313965099582, 0.066100285263880},
		{0.140308397800414, 0.072606306876544},
	}
	for i, want := range blup {
		post, postSE := s.Shrink(y[i], se[i])
		close("blup", post, want[0])
		close("blup se", postSE, want[1])
	}
	if _, ok := EmpiricalBayes(y[:2], se[:2]); ok {
		t.Error("a prior from 2 units")
	}
}
