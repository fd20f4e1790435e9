package model

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// panelQuery selects the school-years of school_year_panel with growth.
const panelQuery = `
SELECT school_id, ip_cohort, school_year, mean_growth, analysis_rows, analysis_students
FROM school_year_panel
WHERE mean_growth IS NOT NULL
ORDER BY school_id, school_year`

// panel is the school-year panel of the cohort analysis.
type panel struct {
	school   []int32   // school index
	ids      []string  // school_id of each school index
	cohort   []float64 // ip_cohort; NaN for comparison schools
	year     []float64
	growth   []float64 // mean conditional growth
	students []float64 // analysis students
	rows     []float64 // analysis rows (student-subjects)
	first    int       // first and last school year of the panel
	last     int
}

func newPanel(f *frame) *panel {
	ids := f.strings("school_id")
	p := &panel{
		school: index(ids), cohort: f.floats("ip_cohort"),
		year: f.floats("school_year"), growth: f.floats("mean_growth"),
		students: f.floats("analysis_students"), rows: f.floats("analysis_rows"),
	}
	if f.n > 0 {
		p.first, p.last = int(slices.Min(p.year)), int(slices.Max(p.year))
	}
	for i, s := range p.school {
		if int(s) == len(p.ids) {
			p.ids = append(p.ids, ids[i])
		}
	}
	return p
}

// didSchools returns the school_id of the schools both estimators use:
// comparison schools and those joining inside the panel.
func (p *panel) didSchools() []string {
	seen := make([]bool, len(p.ids))
	var out []string
	for i, s := range p.school {
		if (math.IsNaN(p.cohort[i]) || p.joining(p.cohort[i])) && !seen[s] {
			seen[s] = true
			out = append(out, p.ids[s])
		}
	}
	return out
}

// countNote labels the counts of a DiD estimate: n_schools schools,
// the school-years and student-years (a student counted once a year) of
// its rows; n_students, set by Analyze, counts distinct students.
func countNote(schools, schoolYears, studentYears int) string {
	return fmt.Sprintf("counts: %d schools, %d school-years, %d student-years (n_students counts each student once)", schools, schoolYears, studentYears)
}

// joining reports whether cohort c joins inside the panel: treated in
// some years and not in others.
func (p *panel) joining(c float64) bool {
	return !math.IsNaN(c) && int(c) > p.first && int(c) <= p.last
}

// twfe is the two-way fixed-effects difference-in-differences: school-year
// mean growth on post-joining with school and year fixed effects (years as
// dummies, schools absorbed), clustered by school. Schools treated in
// every year of the panel (cohorts up to its first year) have no
// before-and-after and are left out; so are cohorts joining after it.
func (p *panel) twfe(coached int) Estimate {
	e := Estimate{Analysis: AnalysisDiD, Subject: AllSubjects, Unit: "SD of spring score (school-year mean growth)"}
	var keep []int
	always := map[int32]bool{}
	cohorts := map[int]bool{}
	for i := range p.school {
		c := p.cohort[i]
		switch {
		case math.IsNaN(c):
		case p.joining(c):
			cohorts[int(c)] = true
		default:
			if int(c) <= p.first {
				always[p.school[i]] = true
			}
			continue
		}
		keep = append(keep, i)
	}
	var notes []string
	if len(always) > 0 {
		notes = append(notes, fmt.Sprintf("%d schools coached in every year of the panel left out", len(always)))
	}
	years := map[float64]bool{}
	schools := map[int32]bool{}
	treated, control := map[int32]bool{}, map[int32]bool{}
	studentYears := 0
	for _, i := range keep {
		years[p.year[i]] = true
		schools[p.school[i]] = true
		if math.IsNaN(p.cohort[i]) {
			control[p.school[i]] = true
		} else {
			treated[p.school[i]] = true
		}
		studentYears += int(p.students[i])
	}
	e.NSchools, e.NCoachedTeachers = len(schools), len(treated)
	notes = append(notes, countNote(len(schools), len(keep), studentYears))
	if len(treated) == 0 || len(control) == 0 {
		e.Note = strings.Join(append(notes, "not estimated: needs schools joining inside the panel and comparison schools"), "; ")
		return e
	}
	if !coachedFloor(&e, len(treated), coached, "schools") {
		e.Note = joinNotes(append(notes, e.Note)...)
		return e
	}
	ys := make([]float64, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	d := design{y: make([]float64, len(keep)), fe: make([]int32, len(keep)), cluster: make([]int32, len(keep))}
	post := make([]float64, len(keep))
	dummies := make([][]float64, len(ys)-1)
	for j := range dummies {
		dummies[j] = make([]float64, len(keep))
	}
	school := map[int32]int32{}
	for r, i := range keep {
		d.y[r] = p.growth[i]
		if !math.IsNaN(p.cohort[i]) && p.year[i] >= p.cohort[i] {
			post[r] = 1
		}
		if j := slices.Index(ys, p.year[i]); j > 0 {
			dummies[j-1][r] = 1
		}
		s, ok := school[p.school[i]]
		if !ok {
			s = int32(len(school))
			school[p.school[i]] = s
		}
		d.fe[r], d.cluster[r] = s, s
	}
	d.x = append([][]float64{post}, dummies...)
	f, err := ols(d)
	if err != nil {
		e.Note = joinNotes(append(notes, e.Note, "not estimated: "+err.Error())...)
		return e
	}
	setCoef(&e, f, 0)
	notes = append(notes, e.Note)
	if len(cohorts) > 1 {
		cs := make([]int, 0, len(cohorts))
		for c := range cohorts {
			cs = append(cs, c)
		}
		slices.Sort(cs)
		notes = append(notes, fmt.Sprintf("joining is staggered (cohorts %s): two-way fixed effects also compares later joiners with earlier ones and can be biased when effects change with time since joining; see the Callaway-Sant'Anna estimate", joinInts(cs)))
	}
	e.Note = joinNotes(notes...)
	return e
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// GroupTime is one row of the did_group_time table: the Callaway-Sant'Anna
// average effect of joining for one cohort in one school year.
type GroupTime struct {
	Cohort, SchoolYear, EventTime int
	ATT, StdError, CILow, CIHigh  float64
	TreatedSchools                int
	ControlSchools                int
}

// schoolYear keys a school's growth in one year.
type schoolYear struct {
	school int32
	year   int
}

// csIndex is the panel arranged for the Callaway-Sant'Anna estimator.
type csIndex struct {
	y       map[schoolYear]float64
	cohort  map[int32]float64
	groups  []int   // cohorts joining inside the panel
	schools []int32 // in order
	n       int     // school indices
}

func (p *panel) csIndex() *csIndex {
	ix := &csIndex{y: map[schoolYear]float64{}, cohort: map[int32]float64{}}
	for i := range p.school {
		ix.y[schoolYear{p.school[i], int(p.year[i])}] = p.growth[i]
		ix.cohort[p.school[i]] = p.cohort[i]
		ix.n = max(ix.n, int(p.school[i])+1)
	}
	for s, c := range ix.cohort {
		if p.joining(c) && !slices.Contains(ix.groups, int(c)) {
			ix.groups = append(ix.groups, int(c))
		}
		ix.schools = append(ix.schools, s)
	}
	slices.Sort(ix.groups)
	slices.Sort(ix.schools)
	return ix
}

// csResult is one evaluation of the Callaway-Sant'Anna estimator.
type csResult struct {
	overall float64
	cells   []GroupTime // pre-period (placebo) and post cells, by cohort then year
	// infl[j][s] is school s's influence on cells[j].ATT (0 when not in
	// the cell), and overallInfl[s] on overall: the estimate moves by
	// Σ_s (w_s - 1)·infl[s] to first order when school s is weighted w_s.
	infl        [][]float64
	overallInfl []float64
	ok          bool
}

// cs computes the Callaway and Sant'Anna (2021) estimator on school-year
// mean growth with school weights w (1 each, or bootstrap multiplicities):
// for each cohort g joining inside the panel and each year t >= g,
//
//	ATT(g,t) = [Ȳ_g(t) - Ȳ_g(g-1)] - [Ȳ_C(t) - Ȳ_C(g-1)]
//
// over schools observed in both years, with controls C the comparison
// schools and the schools not yet joined by t; the overall effect
// averages the ATT(g,t) weighted by their treated schools. Before joining
// (t < g, event time t - g < 0) the placebo cells compare each year with
// the one before, as the did package's varying base does,
//
//	ATT(g,t) = [Ȳ_g(t) - Ȳ_g(t-1)] - [Ȳ_C(t) - Ȳ_C(t-1)],
//
// controls the comparison schools and other cohorts not joined by t;
// with no effect before joining they are 0 but for noise.
//
// Each cell is a difference of two means of school changes Δ, so school
// s's influence on it is (Δ_s - mean)/n of its arm (negated for
// controls), times smallSample(n); the overall effect Σ N_c·ATT_c / N (N_c the cell's treated
// schools) has influence Σ_c [N_c/N·infl_c + (ATT_c - overall)·1[s
// treated in c]/N], the second term for the weights N_c/N being
// estimated too.
func (p *panel) cs(w []float64, ix *csIndex) csResult {
	y, cohort, schools := ix.y, ix.cohort, ix.schools
	var res csResult
	var num, den float64
	type treatedIn struct {
		cell int
		s    int32
	}
	var treatedRows []treatedIn
	for _, g := range ix.groups {
		for t := p.first + 1; t <= p.last; t++ {
			base := g - 1
			if t < g {
				base = t - 1
			}
			if t == base {
				continue
			}
			var tSum, tW, cSum, cW float64
			var nt, nc int
			var ts, csch []int32
			var td, cd []float64
			for _, s := range schools {
				yt, ok1 := y[schoolYear{s, t}]
				yb, ok2 := y[schoolYear{s, base}]
				if !ok1 || !ok2 || w[s] == 0 {
					continue
				}
				c := cohort[s]
				switch {
				case !math.IsNaN(c) && int(c) == g:
					tSum, tW, nt = tSum+w[s]*(yt-yb), tW+w[s], nt+1
					ts, td = append(ts, s), append(td, yt-yb)
				case math.IsNaN(c) || int(c) > t:
					cSum, cW, nc = cSum+w[s]*(yt-yb), cW+w[s], nc+1
					csch, cd = append(csch, s), append(cd, yt-yb)
				}
			}
			if tW == 0 || cW == 0 {
				continue
			}
			mt, mc := tSum/tW, cSum/cW
			att := mt - mc
			infl := make([]float64, ix.n)
			ft, fc := smallSample(nt), smallSample(nc)
			for k, s := range ts {
				infl[s] = ft * w[s] * (td[k] - mt) / tW
			}
			for k, s := range csch {
				infl[s] = -fc * w[s] * (cd[k] - mc) / cW
			}
			res.cells = append(res.cells, GroupTime{Cohort: g, SchoolYear: t, EventTime: t - g, ATT: att, TreatedSchools: nt, ControlSchools: nc})
			res.infl = append(res.infl, infl)
			if t >= g {
				num += tW * att
				den += tW
				for _, s := range ts {
					treatedRows = append(treatedRows, treatedIn{len(res.cells) - 1, s})
				}
			}
		}
	}
	if den == 0 {
		return res
	}
	res.overall, res.ok = num/den, true
	res.overallInfl = make([]float64, ix.n)
	for j, c := range res.cells {
		if c.EventTime < 0 {
			continue
		}
		nc := float64(c.TreatedSchools) // w = 1 in the influence functions
		for s, v := range res.infl[j] {
			res.overallInfl[s] += nc / den * v
		}
	}
	for _, r := range treatedRows {
		res.overallInfl[r.s] += (res.cells[r.cell].ATT - res.overall) / den
	}
	return res
}

// smallSample is the factor sqrt(n/(n-1)) on the influence of the n
// schools of one arm of a cell: with it Σ infl² over the arm is the
// sample variance over n, s²/n, rather than the plug-in (n-1)/n of it,
// which with the few schools of a cohort (3 in the demo) makes intervals
// too narrow. 1 for a single school, whose arm has no variance to show.
func smallSample(n int) float64 {
	if n < 2 {
		return 1
	}
	return math.Sqrt(float64(n) / float64(n-1))
}

// callawaySantAnna returns the overall group-time average effect with its
// analytic standard error (the influence function's: sqrt(Σ_s infl_s²),
// schools independent; what a school bootstrap converges to as schools
// grow, without its Monte Carlo error; with each arm's small-sample
// factor, larger than the did package's plug-in by up to sqrt(n/(n-1))), the ATT(g,t) cells, placebo ones (event time < 0)
// included, each with its analytic SE, and the joint pre-trend test on
// the overall row: the Wald statistic θ'V⁻¹θ of the placebo cells θ with
// their influence-function covariance V, chi-square with as many degrees
// of freedom as cells.
func (p *panel) callawaySantAnna(coached int) (Estimate, []GroupTime) {
	e := Estimate{Analysis: AnalysisDiDCS, Subject: AllSubjects, Unit: "SD of spring score (school-year mean growth)"}
	ix := p.csIndex()
	point := p.cs(unitWeights(ix.n), ix)
	if !point.ok {
		e.Note = "not estimated: needs schools joining inside the panel and comparison or not-yet-joined schools"
		return e, nil
	}
	setInfluence(&e, point.overall, point.overallInfl)
	z := distuv.UnitNormal.Quantile(0.975)
	schools, joining := map[int32]bool{}, map[int32]bool{}
	schoolYears, studentYears := 0, 0
	for i := range p.school {
		if math.IsNaN(p.cohort[i]) || p.joining(p.cohort[i]) {
			schools[p.school[i]] = true
			schoolYears++
			studentYears += int(p.students[i])
		}
		if p.joining(p.cohort[i]) {
			joining[p.school[i]] = true
		}
	}
	e.NSchools, e.NCoachedTeachers = len(schools), len(joining)
	e.Note = "Callaway-Sant'Anna: each joining cohort against comparison and not-yet-joined schools, base year before joining; effects averaged over cohort-years by treated schools; analytic (influence-function) SE"
	for j := range point.cells {
		c := &point.cells[j]
		c.StdError = math.Sqrt(dot(point.infl[j], point.infl[j]))
		c.CILow, c.CIHigh = c.ATT-z*c.StdError, c.ATT+z*c.StdError
	}
	if p, k, ok := preTrend(point); ok {
		e.PreTrendP = &p
		e.Note = joinNotes(e.Note, fmt.Sprintf("pre-trend test: %d placebo cohort-years before joining, joint p = %.3f", k, p))
	} else {
		e.Note = joinNotes(e.Note, "no pre-trend test: no cohort has two years before joining in the panel")
	}
	e.Note = joinNotes(e.Note, countNote(len(schools), schoolYears, studentYears))
	// The cohort-year cells are school-level results the cohorts workbook
	// shows beside each school's own; the floor is the overall
	// estimate's.
	if !coachedFloor(&e, e.NCoachedTeachers, coached, "schools") {
		e.Estimate, e.StdError, e.CILow, e.CIHigh, e.PValue, e.SEMethod, e.PreTrendP = nil, nil, nil, nil, nil, "", nil
	}
	return e, point.cells
}

// unitWeights is n ones: cs's weights when every school (or teacher)
// weighs 1, the estimate itself rather than a bootstrap draw; also an
// intercept column.
func unitWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// setInfluence sets e to the estimate b with the analytic standard error
// of its influence function infl (units independent): a normal 95%
// interval and two-sided p-value.
func setInfluence(e *Estimate, b float64, infl []float64) {
	z := distuv.UnitNormal.Quantile(0.975)
	se := math.Sqrt(dot(infl, infl))
	lo, hi := b-z*se, b+z*se
	p := 2 * distuv.UnitNormal.Survival(math.Abs(b/se))
	e.Estimate, e.StdError, e.CILow, e.CIHigh, e.PValue, e.SEMethod = &b, &se, &lo, &hi, &p, SEAnalytic
}

// preTrend is the joint Wald test that every placebo cell of r is 0: the
// p-value, the number of cells, and false when there are none (or their
// covariance is singular).
func preTrend(r csResult) (p float64, k int, ok bool) {
	var pre []int
	for j, c := range r.cells {
		if c.EventTime < 0 {
			pre = append(pre, j)
		}
	}
	k = len(pre)
	if k == 0 {
		return 0, 0, false
	}
	v := mat.NewSymDense(k, nil)
	theta := mat.NewVecDense(k, nil)
	for a, ja := range pre {
		theta.SetVec(a, r.cells[ja].ATT)
		for b := a; b < k; b++ {
			v.SetSym(a, b, dot(r.infl[ja], r.infl[pre[b]]))
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(v) {
		return 0, k, false
	}
	var sol mat.VecDense
	if err := chol.SolveVecTo(&sol, theta); err != nil {
		return 0, k, false
	}
	w := mat.Dot(theta, &sol)
	return distuv.ChiSquared{K: float64(k)}.Survival(w), k, true
}
