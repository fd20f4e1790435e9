package model

import "math"

// Shrinkage is the empirical-Bayes prior of a set of estimates of one
// quantity in several units (a coached-minus-other difference in each
// school): the units' true values are taken as drawn from a normal
// distribution with mean Mean and variance Tau2, both estimated from
// the units' estimates by DerSimonian and Laird's method of moments, as
// R's metafor::rma(method = "DL") does:
//
//	w_i = 1/se_i²,  ȳ_w = Σ w_i y_i / Σ w_i,  Q = Σ w_i (y_i - ȳ_w)²,
//	Tau2 = max(0, (Q - (K-1)) / (Σ w_i - Σ w_i² / Σ w_i)),
//	Mean = Σ w*_i y_i / Σ w*_i with w*_i = 1/(se_i² + Tau2),
//	MeanVar = 1 / Σ w*_i.
type Shrinkage struct {
	Mean, Tau2, MeanVar float64
	K                   int // units the prior rests on
}

// MinShrinkageUnits is the fewest units a prior is estimated from: with
// fewer, the between-unit variance says nothing.
const MinShrinkageUnits = 3

// EmpiricalBayes estimates the prior of estimates est with standard
// errors se (every se > 0); ok is false with fewer than
// MinShrinkageUnits of them.
func EmpiricalBayes(est, se []float64) (s Shrinkage, ok bool) {
	k := len(est)
	if k < MinShrinkageUnits || len(se) != k {
		return Shrinkage{}, false
	}
	var sw, sw2, swy float64
	for i, y := range est {
		w := 1 / (se[i] * se[i])
		sw, sw2, swy = sw+w, sw2+w*w, swy+w*y
	}
	mean := swy / sw
	q := 0.0
	for i, y := range est {
		q += (y - mean) * (y - mean) / (se[i] * se[i])
	}
	s.Tau2 = max(0, (q-float64(k-1))/(sw-sw2/sw))
	var sws, swsy float64
	for i, y := range est {
		w := 1 / (se[i]*se[i] + s.Tau2)
		sws, swsy = sws+w, swsy+w*y
	}
	s.Mean, s.MeanVar, s.K = swsy/sws, 1/sws, k
	return s, true
}

// Shrink pulls one unit's estimate toward the prior's mean by its
// precision: with B = se²/(se² + Tau2), the empirical-Bayes estimate is
// Mean + (1 - B)(est - Mean) and its standard error
// √(se²(1 - B) + B²·MeanVar), the second term the uncertainty of Mean
// (metafor's blup; Morris 1983). With Tau2 = 0 every unit is the mean.
func (s Shrinkage) Shrink(est, se float64) (post, postSE float64) {
	v := se * se
	b := v / (v + s.Tau2)
	return s.Mean + (1-b)*(est-s.Mean), math.Sqrt(v*(1-b) + b*b*s.MeanVar)
}
