package model

// Dosage bands of coaching hours: 0, under 5, 5 to under 10, 10 to under
// 20, 20 and more.
var bandNames = []string{"0 hours", "under 5 hours", "5-10 hours", "10-20 hours", "20+ hours"}

func bandOf(h float64) int {
	switch {
	case h <= 0:
		return 0
	case h < 5:
		return 1
	case h < 10:
		return 2
	case h < 20:
		return 3
	default:
		return 4
	}
}

// Band is one row of the dosage_bands table: the students of one dosage
// band in one cell, their regression-adjusted mean spring z, and the
// adjusted difference from the 0-hours band.
type Band struct {
	Subject    string
	SchoolYear *int // nil: all years
	Order      int  // 0..4
	Band       string
	NStudents  int
	NTeachers  int
	MeanHours  float64
	// AdjustedMean is the mean spring z predicted for the cell's students
	// had they all been in this band: mean(y) + δ_b - Σ share_b'·δ_b',
	// with δ the band coefficients of the impact model (0 hours = 0).
	AdjustedMean *float64
	// Difference is δ_b, with its CR2 standard error and Satterthwaite t
	// interval.
	Difference *float64
	StdError   *float64
	CILow      *float64
	CIHigh     *float64
	// Slope is the band's segment slope per coaching hour in the bending
	// shape (see shape), with its CR2 standard error and Satterthwaite t interval; nil
	// on the 0-hours band and on bands without a segment.
	Slope       *float64
	SlopeSE     *float64
	SlopeCILow  *float64
	SlopeCIHigh *float64
	// PlateauHours is the cell's hours beyond which more hours stop
	// adding growth (plateau), the same on each of the cell's rows; nil when
	// the shape shows no such point.
	PlateauHours *float64
	Suppressed   bool
	Note         string
}

// bandEdges are the lower edges in hours of the dosage bands after the
// first coached one: the knots of the bending shape.
var bandEdges = []float64{5, 10, 20}

// bands fits the impact model with a dummy per dosage band (0 hours the
// reference) on c and returns one row per band.
func (s *students) bands(c cell, floor suppression) []Band {
	n := len(c.rows)
	band := make([]int, n)
	count := make([]int, len(bandNames))
	hours := make([]float64, len(bandNames))
	teachers := make([]map[int32]bool, len(bandNames))
	for b := range teachers {
		teachers[b] = map[int32]bool{}
	}
	for r, i := range c.rows {
		b := bandOf(s.hours[i])
		band[r] = b
		count[b]++
		hours[b] += s.hours[i]
		teachers[b][s.teacher[i]] = true
	}
	out := make([]Band, len(bandNames))
	for b := range out {
		out[b] = Band{Subject: c.subject, SchoolYear: c.schoolYear(), Order: b, Band: bandNames[b], NStudents: count[b], NTeachers: len(teachers[b])}
		if count[b] > 0 {
			out[b].MeanHours = hours[b] / float64(count[b])
		}
	}

	// Dummies for the bands present besides 0 hours.
	var cols [][]float64
	var which []int
	for b := 1; b < len(bandNames); b++ {
		if count[b] == 0 {
			continue
		}
		col := make([]float64, n)
		for r := range band {
			if band[r] == b {
				col[r] = 1
			}
		}
		cols, which = append(cols, col), append(which, b)
	}
	note := ""
	var f *fit
	switch {
	case count[0] == 0:
		note = "no students with 0 hours"
	case len(which) == 0:
		note = "no coached students"
	default:
		var err error
		if f, err = ols(s.design(c, cols...)); err != nil {
			note = "not estimated: " + err.Error()
		}
	}
	if f != nil {
		ybar := 0.0
		for _, i := range c.rows {
			ybar += s.y[i]
		}
		ybar /= float64(n)
		shift := 0.0 // Σ share·δ
		for j, b := range which {
			shift += float64(count[b]) / float64(n) * f.coef[j]
		}
		cvs := make([][]float64, len(which)) // each band's dummy
		for j := range which {
			cvs[j] = make([]float64, len(f.coef))
			cvs[j][j] = 1
		}
		tests := f.contrasts(cvs...)
		for b := range out {
			delta, se := 0.0, 0.0
			if b > 0 {
				j := indexOf(which, b)
				if j < 0 {
					continue
				}
				ts := tests[j]
				delta, se = ts.est, ts.se
				t := tCrit(ts.df)
				lo, hi := delta-t*se, delta+t*se
				out[b].Difference, out[b].StdError, out[b].CILow, out[b].CIHigh = &delta, &se, &lo, &hi
			}
			adj := ybar + delta - shift
			out[b].AdjustedMean = &adj
		}
	}
	if count[0] > 0 && len(which) > 0 {
		s.shape(c, count, out)
	}
	for b := range out {
		switch {
		case count[b] > 0 && (count[b] < floor.students || out[b].NTeachers < floor.teachers):
			out[b].AdjustedMean, out[b].Difference, out[b].StdError, out[b].CILow, out[b].CIHigh = nil, nil, nil, nil, nil
			out[b].Slope, out[b].SlopeSE, out[b].SlopeCILow, out[b].SlopeCIHigh = nil, nil, nil, nil
			out[b].Suppressed, out[b].Note = true, suppressNote(floor.students)
			if count[b] >= floor.students {
				out[b].Note = classroomNote(floor.teachers)
			}
		case count[b] == 0:
			out[b].Note = "no students"
		case out[b].AdjustedMean == nil:
			out[b].Note = note
		}
	}
	return out
}

func indexOf(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// shape fits the bending dose shape on c and sets the segment slopes and
// the plateau of out (one row per band, count students each): spring z on
// coached, hours and (hours - k)+ for each knot k: the lower edge of each
// coached band with students but the first (piecewise-linear hours,
// continuous at the knots), with design's baseline and fixed effects. The slope of band b's
// segment is hours' coefficient plus the knots' up to b's lower edge.
//
// The plateau is the lowest knot k where (1) the segment below k has an
// interval above 0 (hours added growth there), (2) the change of slope at
// k has an interval below 0 (the slope drops there) and (3) every segment
// from k on has an interval reaching 0 or below (no added growth shown).
func (s *students) shape(c cell, count []int, out []Band) {
	cols := [][]float64{gather(s.coached, c.rows), gather(s.hours, c.rows)}
	var segs []int // band of each segment: the coached bands with students
	for b := 1; b < len(count); b++ {
		if count[b] == 0 {
			continue
		}
		if segs = append(segs, b); len(segs) == 1 {
			continue // the first segment starts at 0 hours: no knot
		}
		edge := bandEdges[b-2]
		col := make([]float64, len(c.rows))
		for r, i := range c.rows {
			col[r] = max(s.hours[i]-edge, 0)
		}
		cols = append(cols, col)
	}
	f, err := ols(s.design(c, cols...))
	if err != nil {
		return
	}
	type interval struct{ est, lo, hi float64 }
	slope := make([]interval, len(segs))
	change := make([]interval, len(segs))
	// Each segment's slope, then each knot's change of slope: each its
	// own Satterthwaite df, in one pass.
	var cvs [][]float64
	for j := range segs {
		cv := make([]float64, len(f.coef))
		for m := 0; m <= j; m++ {
			cv[1+m] = 1
		}
		cvs = append(cvs, cv)
	}
	for j := 1; j < len(segs); j++ {
		cv := make([]float64, len(f.coef))
		cv[1+j] = 1
		cvs = append(cvs, cv)
	}
	tests := f.contrasts(cvs...)
	for j, b := range segs {
		ct := tests[j]
		if !(ct.df > 0) {
			// A segment the clusters cannot tell apart (df 0, or a
			// rounding error below it): no interval, and no plateau.
			return
		}
		est, se, t := ct.est, ct.se, tCrit(ct.df)
		lo, hi := est-t*se, est+t*se
		slope[j] = interval{est, lo, hi}
		out[b].Slope, out[b].SlopeSE, out[b].SlopeCILow, out[b].SlopeCIHigh = &est, &se, &lo, &hi
		if j > 0 {
			ch := tests[len(segs)+j-1]
			if !(ch.df > 0) {
				return
			}
			tc := tCrit(ch.df)
			change[j] = interval{ch.est, ch.est - tc*ch.se, ch.est + tc*ch.se}
		}
	}
	for j := 1; j < len(segs); j++ {
		if slope[j-1].lo <= 0 || change[j].hi >= 0 {
			continue
		}
		flat := true
		for m := j; m < len(segs); m++ {
			flat = flat && slope[m].lo <= 0
		}
		if flat {
			edge := bandEdges[segs[j]-2]
			for b := range out {
				out[b].PlateauHours = &edge
			}
			return
		}
	}
}
