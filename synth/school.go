package synth

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Parameters of the data generating process (see the package doc).
const (
	coachedShare  = 0.4  // share of an IP school's teachers coached in a year
	coTaughtShare = 0.05 // share of student-subject-years with two teachers
	missingFall   = 0.03 // share of fall scores absent
	extraSession  = 0.1  // share of cycles with one session after the spring test
	openCycle     = 0.05 // share of cycles with a blank end_date
	schoolSD      = 0.1  // school effect on the spring latent
	teacherSD     = 0.15 // teacher effect on the spring latent
	fallWeight    = 0.7  // weight of the fall latent in the spring latent
	thetaAR       = 0.8  // year-to-year persistence of the latent ability
	firstTested   = 3
	lastTested    = 8
	scoreBase     = 200
	scorePerGrade = 10
	scorePerSD    = 15
	ratingBaseSD  = 0.6 // teacher baseline of observation ratings
	ratingNoiseSD = 0.5
	levelCutZ     = 0.6744897501960817 // standard normal quartile
	thetaNoiseSD  = 0.6                // sqrt(1 - thetaAR²): the latent's SD stays 1
	winterNoiseSD = 0.3872983346207417 // sqrt(0.15): (fall+spring)/2 has variance ~0.85
	// springNoiseSD makes the spring latent's SD 1 before the planted effect:
	// sqrt(1 - fallWeight² - schoolSD² - teacherSD²).
	springNoiseSD = 0.6910137480542626
)

type teacher struct {
	id, first, last        string
	subjectArea, gradeBand string
	years                  int
	effect                 float64 // on the spring latent
	baseline               float64 // on the observation rating
	// firstEnd is the last session date of the teacher's earliest cycle;
	// ratings dated after it carry PracticeGain. ended is false before any.
	firstEnd date
	ended    bool
}

type student struct {
	id             string
	grade          int // grade in the current, or last enrolled, year
	gender, race   uint8
	el, sped, econ bool
	theta          [2]float64 // latent ability per subject, fall of the current year
	springYear     [2]int     // school year of the latest spring score; 0 = none
}

type rosterRow struct {
	year             int
	student, teacher string
	section          string
	subj             uint8
	pct              uint8
}

type assessRow struct {
	year    int
	student string
	grade   int
	subj    uint8
	window  uint8 // 0 fall, 1 winter, 2 spring
	name    string
	day     date
	score   int
}

// level returns performance_level 1..4: the quartile of the score on the
// grade's reference scale (score quantiles of the latent N(0,1)).
func (a *assessRow) level() int {
	z := a.z()
	switch {
	case z < -levelCutZ:
		return 1
	case z < 0:
		return 2
	case z < levelCutZ:
		return 3
	}
	return 4
}

// percentile returns the score's percentile (1-99) on the grade's scale.
func (a *assessRow) percentile() int {
	p := int(math.Round(50 * (1 + math.Erf(a.z()/math.Sqrt2))))
	return min(max(p, 1), 99)
}

func (a *assessRow) z() float64 {
	return float64(a.score-scoreBase-scorePerGrade*a.grade) / scorePerSD
}

type cycleRow struct {
	coach, teacher string
	year           int
	start, end     date // end is the last session date, even when open
	open           bool // end_date written blank
	focus, goalPct int
	stage          int
	goalMet        string // "Y", "N" or ""
}

type sessionRow struct {
	cycle      int // index into schoolData.cycles
	day        date
	activity   int
	minutes    int
	principles string
}

type obsRow struct {
	teacher       string
	day           date
	role, lookFor int
	rating        int
}

// cellAcc accumulates the truth of one (school_year, subject) cell.
type cellAcc struct {
	students, coached int
	hours             float64 // sum over coached students (all students, for DiD) of the hours PerHour applies to (capped at HoursCap)
}

func (c *cellAcc) add(o cellAcc) {
	c.students += o.students
	c.coached += o.coached
	c.hours += o.hours
}

// schoolData is everything one school contributes to the outputs and truth.
type schoolData struct {
	sp       *schoolPlan
	teachers []teacher
	students []student
	rosters  []rosterRow
	assess   []assessRow
	cycles   []cycleRow
	sessions []sessionRow
	obs      []obsRow
	cells    [][2]cellAcc // by year offset and subject
	did      cellAcc
	// selection sums the teacher effects of the coached and uncoached
	// teacher-years of the school's years with coaching.
	selection selectionAcc
	// Places for bad rows: absent fall scores (keys free for an extra row),
	// those of the last year first; a closed cycle and a weekday inside it
	// without a session.
	freeLast, freeAny []assessRow
	cycleCand         int // index into cycles; -1 = none
	cycleGap          date
}

// schoolGen holds the state of generating one school.
type schoolGen struct {
	cfg *Config
	p   *plan
	sp  *schoolPlan
	r   *rand.Rand
	sd  *schoolData
}

// genSchool generates school sp. It uses its own random stream, derived
// from the seed and the school's index, so schools are independent. The
// slices of reuse, when not nil, are reused for the result.
func genSchool(p *plan, sp *schoolPlan, reuse *schoolData) *schoolData {
	sd := reuse
	if sd == nil {
		sd = &schoolData{cells: make([][2]cellAcc, p.cfg.Years)}
	}
	*sd = schoolData{
		sp: sp, teachers: sd.teachers[:0], students: sd.students[:0], rosters: sd.rosters[:0],
		assess: sd.assess[:0], cycles: sd.cycles[:0], sessions: sd.sessions[:0], obs: sd.obs[:0],
		cells: sd.cells, freeLast: sd.freeLast[:0], freeAny: sd.freeAny[:0], cycleCand: -1,
	}
	clear(sd.cells)
	g := &schoolGen{
		cfg: &p.cfg, p: p, sp: sp, sd: sd,
		r: rand.New(rand.NewPCG(uint64(p.cfg.Seed), uint64(sp.idx)+1)),
	}
	g.run()
	return sd
}

func (g *schoolGen) run() {
	cfg, sp, sd, r := g.cfg, g.sp, g.sd, g.r
	g.makeTeachers()
	schoolEffect := schoolSD * r.NormFloat64()
	for gr := sp.hi; gr >= sp.lo; gr-- { // oldest first, like later entrants
		g.enter(gr)
	}
	sectionIDs := make([][]string, sp.grades())
	for i := range sectionIDs {
		for s := range sp.sections {
			sectionIDs[i] = append(sectionIDs[i], fmt.Sprintf("%s-%s-%02d", sp.id, gradeCode(sp.lo+i), s+1))
		}
	}
	first := 0 // students[first:] are enrolled: they enter in grade order and leave oldest first
	byGrade := make([][]int, sp.grades())
	for yi := range cfg.Years {
		year := g.p.firstYear + yi
		if yi > 0 {
			for i := first; i < len(sd.students); i++ {
				if st := &sd.students[i]; st.grade == sp.hi {
					first = i + 1 // the oldest grade is a prefix of the enrolled
				} else {
					st.grade++
				}
			}
			g.enter(sp.lo)
		}
		testDay := [3]date{
			weekdayIn(r, mkDate(year-1, 9, 10), mkDate(year-1, 9, 25)),
			weekdayIn(r, mkDate(year, 1, 10), mkDate(year, 1, 25)),
			weekdayIn(r, mkDate(year, 5, 1), mkDate(year, 5, 15)),
		}
		hours := g.coach(yi, year, testDay[2])
		g.observe(year)

		for i := range byGrade {
			byGrade[i] = byGrade[i][:0]
		}
		for i := first; i < len(sd.students); i++ {
			gi := sd.students[i].grade - sp.lo
			byGrade[gi] = append(byGrade[gi], i)
		}
		for gi, list := range byGrade {
			r.Shuffle(len(list), func(a, b int) { list[a], list[b] = list[b], list[a] })
			grade := sp.lo + gi
			for k, si := range list {
				st := &sd.students[si]
				sec := k % sp.sections
				var tor [2]int
				for subj := range 2 {
					tor[subj] = g.roster(year, st.id, grade, sec, subj, sectionIDs[gi][sec])
				}
				if grade < firstTested || grade > lastTested {
					for subj := range 2 {
						st.theta[subj] = thetaAR*st.theta[subj] + thetaNoiseSD*r.NormFloat64()
					}
					continue
				}
				for subj := range 2 {
					g.test(yi, year, st, subj, testDay, schoolEffect+sd.teachers[tor[subj]].effect, hours[tor[subj]])
				}
			}
		}
	}
}

// enter adds StudentsPerGrade new students in grade gr.
func (g *schoolGen) enter(gr int) {
	r, sd := g.r, g.sd
	for range g.cfg.StudentsPerGrade {
		n := g.sp.firstStudent + len(sd.students)
		st := student{
			id:     fmt.Sprintf("%07d", n),
			grade:  gr,
			gender: uint8(r.IntN(2)),
			el:     r.Float64() < 0.08,
			sped:   r.Float64() < 0.13,
			econ:   r.Float64() < 0.55,
			theta:  [2]float64{r.NormFloat64(), r.NormFloat64()},
		}
		u := r.Float64()
		for st.race = 0; int(st.race) < len(raceShares)-1 && u >= raceShares[st.race]; st.race++ {
			u -= raceShares[st.race]
		}
		sd.students = append(sd.students, st)
	}
}

func (g *schoolGen) makeTeachers() {
	r, sp := g.r, g.sp
	nT := sp.teachersPerGradeSubject()
	g.sd.teachers = slices.Grow(g.sd.teachers, sp.nTeachers)[:sp.nTeachers]
	for i := range g.sd.teachers {
		t := &g.sd.teachers[i]
		*t = teacher{
			id:       fmt.Sprintf("T%06d", sp.firstTeacher+i),
			first:    firstNames[r.IntN(len(firstNames))],
			last:     lastNames[r.IntN(len(lastNames))],
			years:    r.IntN(31),
			effect:   teacherSD * r.NormFloat64(),
			baseline: ratingBaseSD * r.NormFloat64(),
		}
		if sp.level == "elementary" {
			t.subjectArea = "Elementary"
			t.gradeBand = "K-2"
			if sp.lo+i/sp.sections > 2 {
				t.gradeBand = "3-5"
			}
		} else {
			t.subjectArea = subjects[(i%(2*nT))/nT]
			t.gradeBand = "6-8"
		}
	}
}

// sectionTeacher returns the index of the teacher of a section and subject.
func (g *schoolGen) sectionTeacher(grade, sec, subj int) int {
	sp := g.sp
	if sp.level == "elementary" {
		return (grade-sp.lo)*sp.sections + sec
	}
	nT := sp.teachersPerGradeSubject()
	return (grade-sp.lo)*2*nT + subj*nT + sec*nT/sp.sections
}

// roster writes the roster rows of one student-subject-year and returns
// the index of the teacher of record.
func (g *schoolGen) roster(year int, id string, grade, sec, subj int, section string) int {
	r, sd := g.r, g.sd
	tt := g.sectionTeacher(grade, sec, subj)
	row := rosterRow{year: year, student: id, section: section, subj: uint8(subj)}
	// Co-teachers: any other teacher of the school teaching the subject.
	nPool := len(sd.teachers)
	if g.sp.level != "elementary" {
		nPool /= 2
	}
	if r.Float64() >= coTaughtShare || nPool < 2 {
		row.teacher, row.pct = sd.teachers[tt].id, 100
		sd.rosters = append(sd.rosters, row)
		return tt
	}
	o := tt
	for o == tt {
		o = g.poolTeacher(r.IntN(nPool), subj)
	}
	tor := o
	pt, po := uint8(50), uint8(50)
	switch r.IntN(4) {
	case 0:
		pt, po, tor = 60, 40, tt
	case 1:
		pt, po = 40, 60
	default: // a tie: the smaller teacher_id is the teacher of record
		if sd.teachers[tt].id < sd.teachers[o].id {
			tor = tt
		}
	}
	row.teacher, row.pct = sd.teachers[tt].id, pt
	sd.rosters = append(sd.rosters, row)
	row.teacher, row.pct = sd.teachers[o].id, po
	sd.rosters = append(sd.rosters, row)
	return tor
}

// poolTeacher returns the k-th teacher of the school teaching subj.
func (g *schoolGen) poolTeacher(k, subj int) int {
	if g.sp.level == "elementary" {
		return k
	}
	nT := g.sp.teachersPerGradeSubject()
	return (k/nT)*2*nT + subj*nT + k%nT
}

// test writes the assessments of one tested student-subject-year and adds
// it to the truth. effect is the school plus teacher effect.
func (g *schoolGen) test(yi, year int, st *student, subj int, testDay [3]date, effect, hours float64) {
	cfg, r, sd := g.cfg, g.r, g.sd
	fall := st.theta[subj]
	spring := fallWeight*fall + effect + springNoiseSD*r.NormFloat64() + cfg.effect(hours)
	winter := 0.5*(fall+spring) + winterNoiseSD*r.NormFloat64()
	missing := r.Float64() < missingFall
	latent := [3]float64{fall, winter, spring}
	hasFall := false
	for w := range 3 {
		if !cfg.hasWindow(w) || g.sp.springOnly && w != 2 {
			continue
		}
		a := assessRow{
			year: year, student: st.id, grade: st.grade, subj: uint8(subj), window: uint8(w),
			name: assessmentName, day: testDay[w],
			score: int(math.Round(scoreBase + scorePerGrade*float64(st.grade) + scorePerSD*latent[w])),
		}
		if w == 0 && missing { // the key is free for a bad row
			if year == cfg.LastYear && len(sd.freeLast) < 2 {
				sd.freeLast = append(sd.freeLast, a)
			} else if len(sd.freeAny) < 2 {
				sd.freeAny = append(sd.freeAny, a)
			}
			continue
		}
		hasFall = hasFall || w == 0
		sd.assess = append(sd.assess, a)
	}
	if hasFall || st.springYear[subj] == year-1 {
		c := &sd.cells[yi][subj]
		c.students++
		if hours > 0 {
			c.coached++
			c.hours += cfg.effectHours(hours)
		}
		if g.sp.cohort > g.p.firstYear && year >= g.sp.cohort {
			sd.did.students++
			sd.did.hours += cfg.effectHours(hours)
			if hours > 0 {
				sd.did.coached++
			}
		}
	}
	st.springYear[subj] = year
	st.theta[subj] = thetaAR*spring + thetaNoiseSD*r.NormFloat64()
}

// coach writes the coaching cycles and sessions of one school year and
// returns each teacher's coaching hours dated on or before spring.
func (g *schoolGen) coach(yi, year int, spring date) []float64 {
	r, sp, sd := g.r, g.sp, g.sd
	hours := make([]float64, len(sd.teachers))
	if sp.cohort == 0 || year < sp.cohort {
		return hours
	}
	coachID := sp.coach
	if sp.byDistrictCoach != nil && sp.byDistrictCoach[yi] {
		coachID = g.p.districtCoach
	}
	chosen := g.choose(int(math.Round(coachedShare * float64(len(sd.teachers)))))
	slices.Sort(chosen)
	g.recordSelection(chosen)
	from, to := mkDate(year-1, 9, 1), mkDate(year, 4, 15)
	var days []date
	for _, t := range chosen {
		k := 1 + r.IntN(3)
		segLen := (int(to-from) + 1) / k
		for j := range k {
			span := min(28+r.IntN(43), segLen)
			start := from + date(j*segLen+r.IntN(segLen-span+1))
			days = days[:0]
			for d := start; d < start+date(span); d++ {
				if d.isWeekday() {
					days = append(days, d)
				}
			}
			n := min(3+r.IntN(7), len(days))
			for a := range n {
				b := a + r.IntN(len(days)-a)
				days[a], days[b] = days[b], days[a]
			}
			days = days[:n]
			slices.Sort(days)
			if r.Float64() < extraSession {
				days = append(days, weekdayIn(r, mkDate(year, 5, 20), mkDate(year, 6, 20)))
			}
			c := cycleRow{
				coach: coachID, teacher: sd.teachers[t].id, year: year,
				start: days[0], end: days[len(days)-1],
				open:  r.Float64() < openCycle,
				focus: r.IntN(len(focusAreas)), goalPct: 70 + 5*r.IntN(6),
			}
			c.stage, c.goalMet = drawStage(r, c.open)
			ci := len(sd.cycles)
			sd.cycles = append(sd.cycles, c)
			for si, d := range days {
				s := sessionRow{cycle: ci, day: d, activity: 0, minutes: minutesSet[r.IntN(len(minutesSet))], principles: drawPrinciples(r)}
				if si > 0 {
					s.activity = r.IntN(len(activities))
				}
				sd.sessions = append(sd.sessions, s)
				if d <= spring {
					hours[t] += float64(s.minutes) / 60
				}
			}
			if tc := &sd.teachers[t]; !tc.ended || c.end < tc.firstEnd {
				tc.firstEnd, tc.ended = c.end, true
			}
			g.considerCycle(ci, days)
		}
	}
	return hours
}

// choose returns the indices of the k teachers coached this year: a
// uniform draw (r.Perm, as before Selection existed) when Selection is 0;
// otherwise a weighted draw without replacement with weights
// exp(-Selection · effect/teacherSD), by Efraimidis and Spirakis's keys
// log(u)/w, the k largest kept.
func (g *schoolGen) choose(k int) []int {
	r, ts := g.r, g.sd.teachers
	if g.cfg.Selection == 0 {
		return r.Perm(len(ts))[:k]
	}
	keys := make([]float64, len(ts))
	order := make([]int, len(ts))
	for i := range ts {
		w := math.Exp(-g.cfg.Selection * ts[i].effect / teacherSD)
		keys[i], order[i] = math.Log(1-r.Float64())/w, i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(keys[b], keys[a]) })
	return order[:k]
}

// recordSelection adds the teacher-years of this coached year (chosen
// coached, the others not) to the school's selection gap sums.
func (g *schoolGen) recordSelection(chosen []int) {
	sd := g.sd
	for i, t := range sd.teachers {
		if slices.Contains(chosen, i) {
			sd.selection.coached += t.effect
			sd.selection.nCoached++
		} else {
			sd.selection.uncoached += t.effect
			sd.selection.nUncoached++
		}
	}
}

// selectionAcc sums teacher effects (value-added, on the spring latent)
// over coached and uncoached teacher-years.
type selectionAcc struct {
	coached, uncoached   float64
	nCoached, nUncoached int
}

func (a *selectionAcc) add(o selectionAcc) {
	a.coached += o.coached
	a.uncoached += o.uncoached
	a.nCoached += o.nCoached
	a.nUncoached += o.nUncoached
}

// considerCycle keeps cycle ci as the place for the bad sessions when it
// is closed and has a weekday without a session, preferring the last year.
func (g *schoolGen) considerCycle(ci int, days []date) {
	sd := g.sd
	c := &sd.cycles[ci]
	if c.open || sd.cycleCand >= 0 && (sd.cycles[sd.cycleCand].year == g.cfg.LastYear || c.year != g.cfg.LastYear) {
		return
	}
	for d := c.start + 1; d < c.end; d++ {
		if d.isWeekday() && !slices.Contains(days, d) {
			sd.cycleCand, sd.cycleGap = ci, d
			return
		}
	}
}

func drawStage(r *rand.Rand, open bool) (stage int, goalMet string) {
	u := r.Float64()
	v := r.Float64()
	if open {
		return int(u * 2), "" // identify or learn, goal not yet judged
	}
	switch {
	case u < 0.7:
		switch {
		case v < 0.65:
			return 2, "Y"
		case v < 0.9:
			return 2, "N"
		}
		return 2, ""
	case u < 0.9:
		stage = 1
	}
	if v < 0.5 {
		return stage, "N"
	}
	return stage, ""
}

// drawPrinciples returns 1-3 distinct partnership principles, in list order,
// joined by semicolons.
func drawPrinciples(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	var pick [len(principles)]bool
	for k := 0; k < n; {
		if i := r.IntN(len(principles)); !pick[i] {
			pick[i] = true
			k++
		}
	}
	var b strings.Builder
	for i, ok := range pick {
		if ok {
			if b.Len() > 0 {
				b.WriteByte(';')
			}
			b.WriteString(principles[i])
		}
	}
	return b.String()
}

// observe writes the observations of one school year: two before a coached
// teacher's first cycle of the year and two after the last, two or three
// spread over the year for the others.
func (g *schoolGen) observe(year int) {
	r, sd := g.r, g.sd
	// cycles of this year, per teacher: first start and last end
	type span struct{ from, to date }
	spans := map[string]span{}
	for i := len(sd.cycles) - 1; i >= 0 && sd.cycles[i].year == year; i-- {
		c := &sd.cycles[i]
		s, ok := spans[c.teacher]
		if !ok {
			s = span{c.start, c.end}
		}
		s.from, s.to = min(s.from, c.start), max(s.to, c.end)
		spans[c.teacher] = s
	}
	var days []date
	for ti := range sd.teachers {
		t := &sd.teachers[ti]
		days = days[:0]
		if s, ok := spans[t.id]; ok {
			lo := max(mkDate(year-1, 8, 15), s.from-30)
			days = append(days, weekdayIn(r, lo, s.from-1), weekdayIn(r, lo, s.from-1))
			if last := mkDate(year, 6, 25); s.to < last {
				days = append(days, weekdayIn(r, s.to+1, min(s.to+40, last)), weekdayIn(r, s.to+1, min(s.to+40, last)))
			}
		} else {
			for range 2 + r.IntN(2) {
				days = append(days, weekdayIn(r, mkDate(year-1, 9, 1), mkDate(year, 5, 31)))
			}
		}
		slices.Sort(days)
		for _, d := range days {
			gain := 0.0
			if t.ended && d > t.firstEnd {
				gain = g.cfg.PracticeGain
			}
			rating := math.Round(2 + t.baseline + gain + ratingNoiseSD*r.NormFloat64())
			sd.obs = append(sd.obs, obsRow{
				teacher: t.id, day: d,
				role: r.IntN(len(observerRoles)), lookFor: r.IntN(len(lookFors)),
				rating: int(min(max(rating, 0), 4)),
			})
		}
	}
}

// gradeCode returns "K" for grade 0 and the number otherwise.
func gradeCode(g int) string {
	if g == 0 {
		return "K"
	}
	return strconv.Itoa(g)
}
