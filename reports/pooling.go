package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// pooledRows are the Growth sheet's rows for the subjects the plan pools
// (the latest year hides an arm): each arm over all the school's years,
// its classrooms its teachers (a teacher's students of every year are one
// cluster), with the years named; a pooled arm the plan still hides
// shows only why.
func (in Input) pooledRows(s *schoolData, everCoached bool) [][]any {
	plan := in.plan.school(s.id)
	var out [][]any
	for _, subj := range slices.Sorted(maps.Keys(plan.pooled)) {
		byTeacher, ys := pooledClassrooms(s, subj)
		if len(ys) == 0 {
			continue
		}
		label := fmt.Sprintf("%s (%d years)", yearsNamed(ys), len(ys))
		arms := []struct {
			label string
			pick  func(c [2]classroom) classroom
		}{
			{armNotCoached, notCoachedRoom},
			{armCoached, coachedRoom},
		}
		if !everCoached {
			arms = arms[:1]
			arms[0].label = armAll
			arms[0].pick = func(c [2]classroom) classroom { return classroom{c[0].n + c[1].n, c[0].sum + c[1].sum} }
		}
		for _, a := range arms {
			cells := in.armCells(pooledArm(byTeacher, a.pick), plan.pooledHidden[armKey{0, subj, a.label}])
			out = append(out, append([]any{label, subj, a.label}, cells...))
		}
	}
	return out
}

// pooledClassrooms are one subject's classrooms of the school over all its
// years, by teacher and arm (coached or not), and the years they span.
func pooledClassrooms(s *schoolData, subject string) (byTeacher map[string][2]classroom, years []int64) {
	byTeacher = map[string][2]classroom{}
	seen := map[int64]bool{}
	for _, r := range s.growth {
		if str(r[1]) != subject {
			continue
		}
		seen[i64(r[0])] = true
		arm := 0
		if r[2] == true {
			arm = 1
		}
		g, _ := num(r[4])
		c := byTeacher[str(r[5])]
		c[arm].n += i64(r[3])
		c[arm].sum += g
		byTeacher[str(r[5])] = c
	}
	return byTeacher, slices.Sorted(maps.Keys(seen))
}

// pooledDifference is the coached arm's mean growth less the not-coached
// arm's over the school's years pooled, with its 95% CI. A teacher may
// have classes in both arms (coached one year, not the next), so the two
// means are not independent: the variance is clustered by teacher over
// the difference itself, V = G/(G-1) Σ_g (u_g^c - u_g^n)², where u_g^a =
// (Σ_i∈g,a y_i - n_g,a ȳ_a) / N_a is teacher g's share of arm a's
// deviation, and t on G-1 degrees of freedom (G teachers).
func pooledDifference(byTeacher map[string][2]classroom) (diff, lo, hi float64, ok bool) {
	var n [2]int64
	var sum [2]float64
	for _, c := range byTeacher {
		for a := range 2 {
			n[a] += c[a].n
			sum[a] += c[a].sum
		}
	}
	if n[0] == 0 || n[1] == 0 || len(byTeacher) < 3 {
		return 0, 0, 0, false
	}
	mean := [2]float64{sum[0] / float64(n[0]), sum[1] / float64(n[1])}
	ss := 0.0
	for _, c := range byTeacher {
		var u [2]float64
		for a := range 2 {
			u[a] = (c[a].sum - float64(c[a].n)*mean[a]) / float64(n[a])
		}
		d := u[1] - u[0]
		ss += d * d
	}
	g := float64(len(byTeacher))
	se := math.Sqrt(g / (g - 1) * ss)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: g - 1}.Quantile(0.975)
	diff = mean[1] - mean[0]
	return diff, diff - t*se, diff + t*se, true
}

// pooledComparison is a small school's headline over its years pooled,
// for a subject whose latest year is too small to tell: when the plan
// pools the subject and shows both pooled groups. Its difference is
// pooledDifference's (clustered by teacher over both groups).
func (in Input) pooledComparison(s *schoolData, subject, label string) (comparison, bool) {
	plan := in.plan.school(s.id)
	if !plan.pooled[subject] || plan.pooledHidden[armKey{0, subject, armCoached}] || plan.pooledHidden[armKey{0, subject, armNotCoached}] {
		return comparison{}, false
	}
	byTeacher, years := pooledClassrooms(s, subject)
	d, lo, hi, ok := pooledDifference(byTeacher)
	if !ok || len(years) < 2 {
		return comparison{}, false
	}
	return comparison{
		subject:     label,
		years:       yearsNamed(years),
		pooled:      true,
		pooledYears: len(years),
		co:          pooledArm(byTeacher, coachedRoom),
		not:         pooledArm(byTeacher, notCoachedRoom),
		diff:        diffStats{est: d, lo: lo, hi: hi},
		verdict:     decide(lo, hi),
	}, true
}

// coachedRoom and notCoachedRoom pick a teacher's classroom of one arm
// from pooledClassrooms' pair.
func coachedRoom(c [2]classroom) classroom    { return c[1] }
func notCoachedRoom(c [2]classroom) classroom { return c[0] }

// pooledArm is one arm over the years pooled: the classroom pick gives of
// each teacher that has students in it, in teacher order.
func pooledArm(byTeacher map[string][2]classroom, pick func([2]classroom) classroom) armStats {
	var rooms []classroom
	for _, t := range slices.Sorted(maps.Keys(byTeacher)) {
		if c := pick(byTeacher[t]); c.n > 0 {
			rooms = append(rooms, c)
		}
	}
	return arm(rooms)
}

// yearsNamed names the first and last of years: "2020-21 to 2023-24".
func yearsNamed(years []int64) string {
	return yearLabel(years[0]) + " to " + yearLabel(years[len(years)-1])
}
