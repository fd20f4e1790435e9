package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"
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
	cohort   []float64 // ip_cohort; NaN for comparison schools
	year     []float64
	growth   []float64 // mean conditional growth
	students []float64 // analysis students
	rows     []float64 // analysis rows (student-subjects)
	first    int       // first and last school year of the panel
	last     int
}

func newPanel(f *frame) *panel {
	p := &panel{
		school: index(f.strings("school_id")), cohort: f.floats("ip_cohort"),
		year: f.floats("school_year"), growth: f.floats("mean_growth"),
		students: f.floats("analysis_students"), rows: f.floats("analysis_rows"),
	}
	if f.n > 0 {
		p.first, p.last = int(slices.Min(p.year)), int(slices.Max(p.year))
	}
	return p
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
// before-and-after and are left out; so are cohorts joining after it. The
// coached clusters are the treated schools, under the coached-cluster
// floor coached.
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
	for _, i := range keep {
		years[p.year[i]] = true
		schools[p.school[i]] = true
		if math.IsNaN(p.cohort[i]) {
			control[p.school[i]] = true
		} else {
			treated[p.school[i]] = true
		}
		e.NStudents += int(p.students[i])
	}
	e.NSchools, e.NCoachedTeachers = len(schools), len(treated)
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

// csIndex is the panel arranged for the Callaway-Sant'Anna estimator,
// built once for the point estimate and every bootstrap draw.
type csIndex struct {
	y       map[schoolYear]float64
	cohort  map[int32]float64
	groups  []int   // cohorts joining inside the panel
	schools []int32 // in order
}

func (p *panel) csIndex() *csIndex {
	ix := &csIndex{y: map[schoolYear]float64{}, cohort: map[int32]float64{}}
	for i := range p.school {
		ix.y[schoolYear{p.school[i], int(p.year[i])}] = p.growth[i]
		ix.cohort[p.school[i]] = p.cohort[i]
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
	cells   []GroupTime
	ok      bool
}

// cs computes the Callaway and Sant'Anna (2021) estimator on school-year
// mean growth with school weights w (1 each, or bootstrap multiplicities):
// for each cohort g joining inside the panel and each year t >= g,
//
//	ATT(g,t) = [Ȳ_g(t) - Ȳ_g(g-1)] - [Ȳ_C(t) - Ȳ_C(g-1)]
//
// over schools observed in both years, with controls C the comparison
// schools and the schools not yet joined by t; the overall effect
// averages the ATT(g,t) weighted by their treated schools.
func (p *panel) cs(w []float64, ix *csIndex) csResult {
	y, cohort, groups, schools := ix.y, ix.cohort, ix.groups, ix.schools
	var res csResult
	var num, den float64
	for _, g := range groups {
		for t := g; t <= p.last; t++ {
			var tSum, tW, cSum, cW float64
			var nt, nc int
			for _, s := range schools {
				yt, ok1 := y[schoolYear{s, t}]
				yb, ok2 := y[schoolYear{s, g - 1}]
				if !ok1 || !ok2 || w[s] == 0 {
					continue
				}
				c := cohort[s]
				switch {
				case !math.IsNaN(c) && int(c) == g:
					tSum, tW, nt = tSum+w[s]*(yt-yb), tW+w[s], nt+1
				case math.IsNaN(c) || int(c) > t:
					cSum, cW, nc = cSum+w[s]*(yt-yb), cW+w[s], nc+1
				}
			}
			if tW == 0 || cW == 0 {
				continue
			}
			att := tSum/tW - cSum/cW
			res.cells = append(res.cells, GroupTime{Cohort: g, SchoolYear: t, EventTime: t - g, ATT: att, TreatedSchools: nt, ControlSchools: nc})
			num += tW * att
			den += tW
		}
	}
	if den > 0 {
		res.overall, res.ok = num/den, true
	}
	return res
}

// csDraws is the number of school bootstrap draws behind the
// Callaway-Sant'Anna standard errors.
const csDraws = 999

// callawaySantAnna returns the overall group-time average effect with a
// school-clustered bootstrap standard error (csDraws draws of schools with
// replacement, seeded, so runs are reproducible), and the ATT(g,t) cells.
// The coached clusters are the joining schools, under the coached-cluster
// floor coached.
func (p *panel) callawaySantAnna(seed uint64, coached int) (Estimate, []GroupTime) {
	e := Estimate{Analysis: AnalysisDiDCS, Subject: AllSubjects, Unit: "SD of spring score (school-year mean growth)"}
	nSchools := 0
	for _, s := range p.school {
		nSchools = max(nSchools, int(s)+1)
	}
	ones := make([]float64, nSchools)
	for i := range ones {
		ones[i] = 1
	}
	ix := p.csIndex()
	point := p.cs(ones, ix)
	if !point.ok {
		e.Note = "not estimated: needs schools joining inside the panel and comparison or not-yet-joined schools"
		return e, nil
	}
	// Draw from the schools the estimator uses: comparison and joining
	// ones (always-treated schools never enter it).
	var pool []int32
	for i, s := range p.school {
		if (math.IsNaN(p.cohort[i]) || p.joining(p.cohort[i])) && !slices.Contains(pool, s) {
			pool = append(pool, s)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x636f616368))
	var overall []float64
	cellDraws := make([][]float64, len(point.cells))
	w := make([]float64, nSchools)
	for range csDraws {
		clear(w)
		for range pool {
			w[pool[rng.IntN(len(pool))]]++
		}
		r := p.cs(w, ix)
		if !r.ok {
			continue
		}
		overall = append(overall, r.overall)
		for _, c := range r.cells {
			for j, pc := range point.cells {
				if pc.Cohort == c.Cohort && pc.SchoolYear == c.SchoolYear {
					cellDraws[j] = append(cellDraws[j], c.ATT)
				}
			}
		}
	}
	z := distuv.UnitNormal.Quantile(0.975)
	b, se := point.overall, stat.StdDev(overall, nil)
	lo, hi := b-z*se, b+z*se
	pv := 2 * distuv.UnitNormal.Survival(math.Abs(b/se))
	e.Estimate, e.StdError, e.CILow, e.CIHigh, e.PValue = &b, &se, &lo, &hi, &pv
	schools, joining := map[int32]bool{}, map[int32]bool{}
	for i := range p.school {
		if math.IsNaN(p.cohort[i]) || p.joining(p.cohort[i]) {
			schools[p.school[i]] = true
			e.NStudents += int(p.students[i])
		}
		if p.joining(p.cohort[i]) {
			joining[p.school[i]] = true
		}
	}
	e.NCoachedTeachers = len(joining)
	e.NSchools, e.SEMethod = len(schools), SEBootstrap
	e.Note = fmt.Sprintf("Callaway-Sant'Anna: each joining cohort against comparison and not-yet-joined schools, base year before joining; effects averaged over cohort-years by treated schools; SE from %d school bootstrap draws", len(overall))
	for j := range point.cells {
		c := &point.cells[j]
		c.StdError = stat.StdDev(cellDraws[j], nil)
		c.CILow, c.CIHigh = c.ATT-z*c.StdError, c.ATT+z*c.StdError
	}
	// The cohort-year cells are school-level results the cohorts workbook
	// shows beside each school's own; the floor is the overall
	// estimate's.
	if !coachedFloor(&e, e.NCoachedTeachers, coached, "schools") {
		e.Estimate, e.StdError, e.CILow, e.CIHigh, e.PValue, e.SEMethod = nil, nil, nil, nil, nil, ""
	}
	return e, point.cells
}
