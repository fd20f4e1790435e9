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
	Suppressed bool
	Note       string
}

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
		for b := range out {
			delta, se := 0.0, 0.0
			if b > 0 {
				j := indexOf(which, b)
				if j < 0 {
					continue
				}
				cv := make([]float64, len(f.coef))
				cv[j] = 1
				ts := f.contrast(cv)
				delta, se = ts.est, ts.se
				t := tCrit(ts.df)
				lo, hi := delta-t*se, delta+t*se
				out[b].Difference, out[b].StdError, out[b].CILow, out[b].CIHigh = &delta, &se, &lo, &hi
			}
			adj := ybar + delta - shift
			out[b].AdjustedMean = &adj
		}
	}
	for b := range out {
		switch {
		case count[b] > 0 && (count[b] < floor.students || out[b].NTeachers < floor.teachers):
			out[b].AdjustedMean, out[b].Difference, out[b].StdError, out[b].CILow, out[b].CIHigh = nil, nil, nil, nil, nil
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
