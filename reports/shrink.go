package reports

import (
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/coachimpact/coachimpact/model"
)

// roomKey is one arm of a school's subject and year.
type roomKey struct {
	year    int64
	subject string
	coached bool
}

// growthRooms are a school's classrooms by arm, and the arms in the order
// of its growth rows.
func growthRooms(s *schoolData) (map[roomKey][]classroom, []roomKey) {
	rooms := map[roomKey][]classroom{}
	var keys []roomKey
	for _, r := range s.growth {
		k := roomKey{i64(r[0]), str(r[1]), r[2] == true}
		if _, ok := rooms[k]; !ok {
			keys = append(keys, k)
		}
		g, _ := num(r[4])
		rooms[k] = append(rooms[k], classroom{i64(r[3]), g})
	}
	return rooms, keys
}

// schoolPriors are, for each subject and year, the empirical-Bayes prior
// of the schools' coached-minus-other differences (model.EmpiricalBayes):
// estimated from every school whose Growth sheet shows that difference,
// so that it rests on printed numbers only and a shrunken estimate gives
// back no suppressed one. A subject and year with fewer than
// model.MinShrinkageUnits such schools has no prior.
func (in Input) schoolPriors(schools []*schoolData) map[subjectYear]*model.Shrinkage {
	type unit struct{ est, se []float64 }
	units := map[subjectYear]*unit{}
	for _, s := range schools {
		rooms, keys := growthRooms(s)
		plan := in.plan.school(s.id)
		for _, k := range keys {
			if !k.coached {
				continue
			}
			not := roomKey{k.year, k.subject, false}
			c := in.compare(k.subject, yearLabel(k.year), arm(rooms[k]), arm(rooms[not]),
				plan.growth[armKey{k.year, k.subject, armCoached}], plan.growth[armKey{k.year, k.subject, armNotCoached}])
			if !c.shown() || c.diff.se == 0 {
				continue
			}
			sy := subjectYear{k.subject, k.year}
			if units[sy] == nil {
				units[sy] = &unit{}
			}
			units[sy].est = append(units[sy].est, c.diff.est)
			units[sy].se = append(units[sy].se, c.diff.se)
		}
	}
	out := map[subjectYear]*model.Shrinkage{}
	for sy, u := range units {
		if p, ok := model.EmpiricalBayes(u.est, u.se); ok {
			out[sy] = &p
		}
	}
	return out
}

// shrunk is c with its difference pulled toward the district's schools'
// by its precision (prior.Shrink), the verdict decided by the shrunken
// 95% interval (normal), and the school's own difference kept as raw.
// Without a prior, or with no difference shown, c is unchanged; else its
// sentence adds the chance line for threshold (chanceLine).
func (c comparison) shrunk(prior *model.Shrinkage, threshold float64) comparison {
	if prior == nil || !c.shown() || c.diff.se == 0 {
		return c
	}
	c.raw, c.prior, c.threshold = c.diff, prior, threshold
	est, se := prior.Shrink(c.diff.est, c.diff.se)
	z := distuv.UnitNormal.Quantile(0.975)
	c.diff = diffStats{est: est, se: se, lo: est - z*se, hi: est + z*se}
	c.verdict = decide(c.diff.lo, c.diff.hi)
	return c
}
