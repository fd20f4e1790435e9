package model

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// analysisQuery selects the analysis rows of student_growth.
const analysisQuery = `
SELECT school_year, subject, tested_grade, (baseline_source = 'fall') AS fall_baseline,
       teacher_id, spring_z, baseline_z, hours, coached,
       english_learner, special_education, economically_disadvantaged, race_ethnicity,
       coalesce(ip_cohort::VARCHAR, '') AS ip_cohort
FROM student_growth
WHERE excluded IS NULL
ORDER BY hash(teacher_id), teacher_id, school_year, subject, hash(student_id), student_id`

// The analysis rows come grouped by teacher (in a fixed order, cheaper
// than by text): every cell's rows are then already in cluster order, and
// the CR2 fit gathers its columns sequentially instead of by a
// permutation of millions of rows.

// students is the analysis sample: one row per student, subject and year
// with a spring z, a baseline z and a teacher of record.
type students struct {
	n        int
	year     []float64
	subject  []string
	grade    []float64
	fall     []float64 // 1 when the baseline is the same year's fall score
	teacher  []int32   // cluster index of the teacher of record
	y        []float64 // spring z
	base     []float64 // baseline z
	hours    []float64
	coached  []float64
	subgroup map[string][]string // column → "Y", "N", a race_ethnicity value or ""

	// Dense codes for the fixed-effect keys, so that design needs no map
	// per row: grade and baseline kind, year, subject.
	gradeFall, yearIx, subjectIx []int32
	nGradeFall, nYear, nSubject  int
	nTeacher                     int
	teacherIDs                   []string            // the teacher ID of each teacher code
	groupIx                      map[string][]int32  // subgroup column → code of each row's value
	groupNames                   map[string][]string // subgroup column → value of each code
}

func newStudents(f *frame) *students {
	s := &students{
		n: f.n, year: f.floats("school_year"), subject: f.strings("subject"),
		grade: f.floats("tested_grade"), fall: f.floats("fall_baseline"),
		y: f.floats("spring_z"), base: f.floats("baseline_z"),
		hours: f.floats("hours"), coached: f.floats("coached"),
		subgroup: map[string][]string{"race_ethnicity": f.strings("race_ethnicity"), "ip_cohort": f.strings("ip_cohort")},
	}
	s.teacher, s.teacherIDs = denseIndex(f.strings("teacher_id"))
	for _, c := range []string{"english_learner", "special_education", "economically_disadvantaged"} {
		v := f.floats(c)
		out := make([]string, len(v))
		for i, x := range v {
			switch x {
			case 1:
				out[i] = "Y"
			case 0:
				out[i] = "N"
			}
		}
		s.subgroup[c] = out
	}
	s.encode()
	return s
}

// index gives each distinct value a dense index in first-seen order.
func index(vals []string) []int32 {
	out, _ := denseIndex(vals)
	return out
}

// denseIndex gives each distinct value a dense index in first-seen order,
// and returns the distinct values by index.
func denseIndex[T comparable](vals []T) ([]int32, []T) {
	ids := map[T]int32{}
	out := make([]int32, len(vals))
	var distinct []T
	for i, v := range vals {
		id, ok := ids[v]
		if !ok {
			id = int32(len(distinct))
			ids[v] = id
			distinct = append(distinct, v)
		}
		out[i] = id
	}
	return out, distinct
}

// cell is one set of analysis rows a model is fitted on.
type cell struct {
	subject  string // AllSubjects when pooled
	year     int    // 0 when pooled
	subgroup string
	rows     []int
}

func (c cell) schoolYear() *int {
	if c.year == 0 {
		return nil
	}
	y := c.year
	return &y
}

// cells returns the model cells: each school year and subject, each
// subject over all years, and everything pooled.
func (s *students) cells() []cell {
	all := make([]int, s.n)
	for i := range all {
		all[i] = i
	}
	year := make([]int, s.nYear)          // year of each year code
	subject := make([]string, s.nSubject) // subject of each subject code
	for i := range s.n {
		year[s.yearIx[i]], subject[s.subjectIx[i]] = int(s.year[i]), s.subject[i]
	}
	var out []cell
	for k, rows := range split(all, s.nYear*s.nSubject, func(i int) int { return int(s.yearIx[i])*s.nSubject + int(s.subjectIx[i]) }) {
		if len(rows) > 0 {
			out = append(out, cell{subject: subject[k%s.nSubject], year: year[k/s.nSubject], rows: rows})
		}
	}
	for k, rows := range split(all, s.nSubject, func(i int) int { return int(s.subjectIx[i]) }) {
		out = append(out, cell{subject: subject[k], rows: rows})
	}
	if s.n > 0 {
		out = append(out, cell{subject: AllSubjects, rows: all})
	}
	slices.SortFunc(out, func(a, b cell) int {
		// Years in order, pooled years last; subjects by name, All last.
		ya, yb := a.year, b.year
		if ya == 0 {
			ya = math.MaxInt
		}
		if yb == 0 {
			yb = math.MaxInt
		}
		return cmp.Or(cmp.Compare(ya, yb), cmp.Compare(b2i(a.subject == AllSubjects), b2i(b.subject == AllSubjects)), cmp.Compare(a.subject, b.subject))
	})
	return out
}

// subgroupColumns are the student columns subgroup models split on.
// ip_cohort is the network cohort of the student's school (its ending
// year; comparison schools have none and are in no group): the impact
// model within a cohort's schools, the cohorts workbook's verdicts.
var subgroupColumns = []string{"english_learner", "special_education", "economically_disadvantaged", "race_ethnicity", "ip_cohort"}

// subgroups splits c by each subgroup column's values; rows with no value
// for a column are left out of that column's groups.
func (s *students) subgroups(c cell) []cell {
	var out []cell
	for _, col := range subgroupColumns {
		ix, names := s.groupIx[col], s.groupNames[col]
		by := split(c.rows, len(names), func(i int) int {
			if names[ix[i]] == "" {
				return -1
			}
			return int(ix[i])
		})
		order := make([]int, len(names))
		for k := range order {
			order[k] = k
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(names[a], names[b]) })
		for _, k := range order {
			if len(by[k]) > 0 {
				out = append(out, cell{subject: c.subject, year: c.year, subgroup: col + " = " + names[k], rows: by[k]})
			}
		}
	}
	return out
}

// design builds the model of cell c with the given leading regressors:
// the baseline z (one slope per baseline source present), and a fixed
// effect for tested grade × baseline source (× year and subject when c
// pools them), clustered by teacher of record.
func (s *students) design(c cell, lead ...[]float64) design {
	n := len(c.rows)
	d := design{y: make([]float64, n), fe: make([]int32, n), cluster: make([]int32, n)}
	d.x = append(d.x, lead...)
	baseFall, basePrior := make([]float64, n), make([]float64, n)
	anyFall, anyPrior := false, false
	// Fixed-effect groups: grade and baseline kind, within year when the
	// cell pools years and within subject when it pools subjects;
	// numbered in first-seen order through a dense code.
	codes := s.nGradeFall
	if c.year == 0 {
		codes *= s.nYear
	}
	if c.subject == AllSubjects {
		codes *= s.nSubject
	}
	fe := filled(codes, -1)
	cl := filled(s.nTeacher, -1)
	nfe, ncl := int32(0), int32(0)
	for r, i := range c.rows {
		d.y[r] = s.y[i]
		if s.fall[i] == 1 {
			baseFall[r], anyFall = s.base[i], true
		} else {
			basePrior[r], anyPrior = s.base[i], true
		}
		k := int(s.gradeFall[i])
		if c.year == 0 {
			k = k*s.nYear + int(s.yearIx[i])
		}
		if c.subject == AllSubjects {
			k = k*s.nSubject + int(s.subjectIx[i])
		}
		if fe[k] < 0 {
			fe[k], nfe = nfe, nfe+1
		}
		d.fe[r] = fe[k]
		t := s.teacher[i]
		if cl[t] < 0 {
			cl[t], ncl = ncl, ncl+1
		}
		d.cluster[r] = cl[t]
	}
	if anyFall {
		d.x = append(d.x, baseFall)
	}
	if anyPrior {
		d.x = append(d.x, basePrior)
	}
	return d
}

// gather returns v at c's rows.
func gather(v []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for r, i := range rows {
		out[r] = v[i]
	}
	return out
}

// counts fills the sample sizes of e from c's rows.
func (s *students) counts(e *Estimate, c cell) {
	// Bit 1: the teacher has a student in c; bit 2: a coached one.
	seen := make([]uint8, s.nTeacher)
	for _, i := range c.rows {
		t := s.teacher[i]
		if seen[t]&1 == 0 {
			seen[t] |= 1
			e.NTeachers++
		}
		if s.coached[i] == 1 {
			e.NCoachedStudents++
			if seen[t]&2 == 0 {
				seen[t] |= 2
				e.NCoachedTeachers++
			}
		}
	}
	e.NStudents = len(c.rows)
}

// suppression is the floor a published number rests on: at least
// students students and teachers teachers of record (classrooms); an
// estimate on fewer than coached coached teachers is flagged (and on
// fewer than minCoachedClusters suppressed).
type suppression struct{ students, teachers, coached int }

// estimable reports whether a coached-versus-not model may be fitted on
// e's counts; if not, it marks e suppressed (an arm under the floor's
// students or teachers, or too few coached teachers) or notes the missing
// arm. An estimate it lets through on fewer coached teachers than the
// floor's coached is flagged.
func estimable(e *Estimate, floor suppression) bool {
	nc, nn := e.NCoachedStudents, e.NStudents-e.NCoachedStudents
	tc, tn := e.NCoachedTeachers, e.NTeachers-e.NCoachedTeachers
	switch {
	case e.NStudents < floor.students:
		// Checked first: even "no coached students" would disclose
		// something about a small group.
		e.Suppressed, e.Note = true, suppressNote(floor.students)
	case nc == 0:
		e.Note = "no coached students"
	case nn == 0:
		e.Note = "no students of uncoached teachers"
	case nc < floor.students || nn < floor.students:
		e.Suppressed, e.Note = true, suppressNote(floor.students)
	case tc < floor.teachers || tn < floor.teachers:
		e.Suppressed, e.Note = true, classroomNote(floor.teachers)
	default:
		return coachedFloor(e, tc, floor.coached, "teachers")
	}
	return false
}

// suppressNote is the note of an estimate suppressed for its students.
func suppressNote(minCell int) string { return fmt.Sprintf("suppressed (n<%d)", minCell) }

// classroomNote is the note of an estimate suppressed for its teachers.
func classroomNote(minTeachers int) string {
	return fmt.Sprintf("suppressed (fewer than %d classrooms)", minTeachers)
}

// impact fits the impact model (analysis AnalysisImpact, or
// AnalysisSubgroup when c is a subgroup) on c.
func (s *students) impact(c cell, floor suppression) Estimate {
	e := Estimate{Analysis: AnalysisImpact, Subject: c.subject, SchoolYear: c.schoolYear(), Subgroup: c.subgroup, Unit: "SD of spring score"}
	if c.subgroup != "" {
		e.Analysis = AnalysisSubgroup
	}
	s.counts(&e, c)
	if !estimable(&e, floor) {
		return e
	}
	coached := gather(s.coached, c.rows)
	f, err := ols(s.design(c, coached))
	if err != nil {
		e.Note = joinNotes(e.Note, "not estimated: "+err.Error())
		return e
	}
	setCoef(&e, f, 0)

	y, base := gather(s.y, c.rows), gather(s.base, c.rows)
	g := hedgesG(f.coef[0], y, coached)
	e.HedgesG = &g
	ii := improvementIndex(g)
	e.ImprovementIndex = &ii
	s.baselineEquivalence(&e, c, base, coached)
	return e
}

// baselineEquivalence sets e's baseline equivalence on c (base and coached
// gathered at c's rows) per baseline source: Hedges' g of the baseline z
// among the rows with a same-year fall baseline (BaselineGFall) and among
// those with a prior-year spring one (BaselineGPrior), each when both
// groups have two rows or more. The two pretests are different scores, so
// pooling them can hide one failing: the source with the larger |g|
// governs, BaselineG is its g and BaselineEquivalence its band, and when
// the cell has both sources the note names each one whose band is not
// "satisfied".
func (s *students) baselineEquivalence(e *Estimate, c cell, base, coached []float64) {
	var src [2]struct{ base, coached []float64 } // 0 fall, 1 prior spring
	nFall := 0
	for _, i := range c.rows {
		if s.fall[i] == 1 {
			nFall++
		}
	}
	for k, n := range [2]int{nFall, len(c.rows) - nFall} {
		src[k].base, src[k].coached = make([]float64, 0, n), make([]float64, 0, n)
	}
	for r, i := range c.rows {
		k := 1
		if s.fall[i] == 1 {
			k = 0
		}
		src[k].base, src[k].coached = append(src[k].base, base[r]), append(src[k].coached, coached[r])
	}
	names := [2]string{"same-year fall", "prior-year spring"}
	var gs [2]*float64
	var worst *float64
	present := 0
	for k := range src {
		nt := 0
		for _, x := range src[k].coached {
			nt += int(x)
		}
		if len(src[k].base) > 0 {
			present++
		}
		if nt < 2 || len(src[k].base)-nt < 2 {
			continue
		}
		g := hedgesG(diffMeans(src[k].base, src[k].coached), src[k].base, src[k].coached)
		gs[k] = &g
		if worst == nil || math.Abs(g) > math.Abs(*worst) {
			worst = gs[k]
		}
	}
	e.BaselineGFall, e.BaselineGPrior = gs[0], gs[1]
	if worst == nil { // neither source has both groups: the pooled g
		bg := hedgesG(diffMeans(base, coached), base, coached)
		worst = &bg
	}
	e.BaselineG, e.BaselineEquivalence = worst, equivalenceBand(*worst)
	if present < 2 {
		return
	}
	for k, g := range gs {
		if g != nil && equivalenceBand(*g) != "satisfied" {
			e.Note = joinNotes(e.Note, fmt.Sprintf("baseline %s: g = %.2f, %s", names[k], *g, equivalenceBand(*g)))
		}
	}
}

// dose fits the dose model on c: spring z on coached and coaching hours
// (with the baseline and fixed effects of design), on all of c's students.
// coached's coefficient is the jump from no coaching to any (analysis
// AnalysisDoseOnset); hours' is the slope per coaching hour among the
// coached (AnalysisDose), which the jump no longer lands on.
func (s *students) dose(c cell, floor suppression) (response, onset Estimate) {
	response = Estimate{Analysis: AnalysisDose, Subject: c.subject, SchoolYear: c.schoolYear(), Subgroup: c.subgroup, Unit: "SD of spring score per coaching hour (among coached students)"}
	onset = Estimate{Analysis: AnalysisDoseOnset, Subject: c.subject, SchoolYear: c.schoolYear(), Subgroup: c.subgroup, Unit: "SD of spring score (any coaching against none, at 0 hours of the slope)"}
	s.counts(&response, c)
	if !estimable(&response, floor) {
		onset.NStudents, onset.NCoachedStudents, onset.NTeachers, onset.NCoachedTeachers = response.NStudents, response.NCoachedStudents, response.NTeachers, response.NCoachedTeachers
		onset.Suppressed, onset.Note = response.Suppressed, response.Note
		return response, onset
	}
	s.counts(&onset, c)
	f, err := ols(s.design(c, gather(s.coached, c.rows), gather(s.hours, c.rows)))
	if err != nil {
		response.Note = "not estimated: " + err.Error()
		onset.Note = response.Note
		return response, onset
	}
	ts := f.contrasts(unit(len(f.coef), 0), unit(len(f.coef), 1))
	setTest(&onset, ts[0])
	setTest(&response, ts[1])
	return response, onset
}

// setCoef sets the estimate, CR2 standard error, Satterthwaite t
// interval and p-value of coefficient j.
func setCoef(e *Estimate, f *fit, j int) { setTest(e, f.coefTest(j)) }

// setTest sets the estimate, CR2 standard error, Satterthwaite t
// interval and p-value of e from ts.
func setTest(e *Estimate, ts test) {
	b, se := ts.est, ts.se
	t := tCrit(ts.df)
	lo, hi, p := b-t*se, b+t*se, pValue(b/se, ts.df)
	e.Estimate, e.StdError, e.CILow, e.CIHigh, e.PValue = &b, &se, &lo, &hi, &p
	e.DF, e.SEMethod = ts.df, SECR2
}

// minCoachedClusters is the fewest coached clusters (teachers, or schools
// for the difference-in-differences) an estimate is published on: with
// one or two the contrast is those teachers' own results, and no
// cluster-robust standard error is to be trusted.
const minCoachedClusters = 3

// coachedFloor applies the coached-cluster floor to e resting on coached
// coached clusters (unit "teachers" or "schools"): under
// minCoachedClusters it is suppressed (false is returned); under floor it
// is published but flagged.
func coachedFloor(e *Estimate, coached, floor int, unit string) bool {
	if coached < minCoachedClusters {
		e.Suppressed, e.Note = true, fmt.Sprintf("suppressed (fewer than %d coached %s)", minCoachedClusters, unit)
		return false
	}
	if coached < floor {
		e.FewCoachedClusters = true
		e.Note = joinNotes(e.Note, fewCoachedNote(coached, unit))
	}
	return true
}

// fewCoachedNote is the note of an estimate flagged by the coached-cluster
// floor.
func fewCoachedNote(coached int, unit string) string {
	return fmt.Sprintf("too few coached %s to tell (%d)", unit, coached)
}

// joinNotes joins non-empty notes with "; ".
func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}

// hedgesG is the WWC effect size of difference diff between the
// treated (treat = 1) and comparison rows of v: diff over the pooled
// within-group SD of v, times the small-sample factor ω = 1 - 3/(4N - 9).
// A group of one row adds nothing to the within-group sum of squares;
// with no spread within the groups g is not finite (finite drops it).
func hedgesG(diff float64, v, treat []float64) float64 {
	// Two passes, the groups' means then their sums of squares, with no
	// copy of either group.
	var st, sc, nt, nc float64
	for i, x := range v {
		if treat[i] == 1 {
			st, nt = st+x, nt+1
		} else {
			sc, nc = sc+x, nc+1
		}
	}
	mt, mc := st/nt, sc/nc
	var sst, ssc float64
	for i, x := range v {
		if treat[i] == 1 {
			sst += (x - mt) * (x - mt)
		} else {
			ssc += (x - mc) * (x - mc)
		}
	}
	if nt < 2 {
		sst = 0
	}
	if nc < 2 {
		ssc = 0
	}
	pooled := math.Sqrt((sst + ssc) / (nt + nc - 2))
	omega := 1 - 3/(4*(nt+nc)-9)
	return omega * diff / pooled
}

// diffMeans is the mean of v over treated rows minus its mean over the
// others.
func diffMeans(v, treat []float64) float64 {
	var st, sc, nt, nc float64
	for i, x := range v {
		if treat[i] == 1 {
			st, nt = st+x, nt+1
		} else {
			sc, nc = sc+x, nc+1
		}
	}
	return st/nt - sc/nc
}

// improvementIndex is the WWC improvement index of effect size g.
func improvementIndex(g float64) float64 {
	return 100*distuv.UnitNormal.CDF(g) - 50
}

// equivalenceBand is the WWC baseline-equivalence band of effect size g.
func equivalenceBand(g float64) string {
	switch a := math.Abs(g); {
	case a <= 0.05:
		return "satisfied"
	case a <= 0.25:
		return "requires adjustment"
	default:
		return "not satisfied"
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// filled returns n copies of v.
func filled(n int, v int32) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// encode sets the dense codes design uses; call it once the columns are
// set.
func (s *students) encode() {
	for _, t := range s.teacher {
		s.nTeacher = max(s.nTeacher, int(t)+1)
	}
	type gf struct{ grade, fall float64 }
	gfs := make([]gf, s.n)
	for i := range s.n {
		gfs[i] = gf{s.grade[i], s.fall[i]}
	}
	var gfNames []gf
	var years []float64
	var subjects []string
	s.gradeFall, gfNames = denseIndex(gfs)
	s.yearIx, years = denseIndex(s.year)
	s.subjectIx, subjects = denseIndex(s.subject)
	s.nGradeFall, s.nYear, s.nSubject = len(gfNames), len(years), len(subjects)
	s.groupIx = map[string][]int32{}
	s.groupNames = map[string][]string{}
	for col, vals := range s.subgroup {
		s.groupIx[col], s.groupNames[col] = denseIndex(vals)
	}
}

// split groups rows by code(row), one of n codes (-1: left out), each
// group's rows in order.
func split(rows []int, n int, code func(int) int) [][]int {
	counts := make([]int, n)
	for _, i := range rows {
		if k := code(i); k >= 0 {
			counts[k]++
		}
	}
	out := make([][]int, n)
	for k, c := range counts {
		out[k] = make([]int, 0, c)
	}
	for _, i := range rows {
		if k := code(i); k >= 0 {
			out[k] = append(out[k], i)
		}
	}
	return out
}
