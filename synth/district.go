package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Numbering of generated IDs.
const (
	firstStudentNum = 10001 // student_id "0010001"
	firstTeacherNum = 101   // teacher_id "T000101"
	sectionSize     = 24    // students per section (class)
	middleSections  = 3     // sections a middle-school teacher teaches
)

// Grade spans of the school levels.
const (
	elementaryLo, elementaryHi = 0, 5
	middleLo, middleHi         = 6, 8
)

// middleSchools returns the number of middle schools among n: one in three.
func middleSchools(n int) int { return int(math.Round(float64(n) / 3)) }

// studentCount returns the number of students of cfg's district: every
// grade of a school in the first year, one more grade each later year.
func studentCount(cfg *Config) int {
	m := middleSchools(cfg.Schools)
	grades := (cfg.Schools-m)*(elementaryHi-elementaryLo+cfg.Years) + m*(middleHi-middleLo+cfg.Years)
	return grades * cfg.StudentsPerGrade
}

// plan is the district design: everything fixed before any student is drawn.
type plan struct {
	cfg       Config
	firstYear int
	schools   []schoolPlan
	coaches   []coach
	// districtCoach is the coach_id of the coach with blank school_id.
	districtCoach string
	// nextStudent and nextTeacher are the first unused ID numbers.
	nextStudent, nextTeacher int
}

type coach struct {
	id, name, school string
	cohort           int // 0 = blank
}

// schoolPlan is one school's design. Students and teachers are numbered in
// blocks fixed here, so a school can be generated without the others.
type schoolPlan struct {
	idx          int
	id, name     string
	districtID   string
	districtName string
	level        string // "elementary" or "middle"
	lo, hi       int    // lowest and highest grade
	cohort       int    // ip_cohort; 0 = comparison school
	springOnly   bool
	coach        string // coach_id of the school's IP; "" for comparison schools
	// byDistrictCoach[y] reports whether the district coach runs the cycles
	// of school year firstYear+y instead of the school's coach.
	byDistrictCoach []bool
	sections        int // sections per grade
	firstStudent    int
	nStudents       int
	firstTeacher    int
	nTeachers       int
}

// teachersPerGradeSubject is the number of Math (or ELA) teachers per grade
// of a middle school.
func (sp *schoolPlan) teachersPerGradeSubject() int {
	return (sp.sections + middleSections - 1) / middleSections
}

func (sp *schoolPlan) grades() int { return sp.hi - sp.lo + 1 }

// spread returns k indices in [0, n) spaced evenly: floor((i+0.5)*n/k).
func spread(k, n int) map[int]bool {
	out := make(map[int]bool, k)
	for i := range k {
		out[int((float64(i)+0.5)*float64(n)/float64(k))] = true
	}
	return out
}

// newPlan designs the district of cfg (defaults applied, valid).
func newPlan(cfg Config) *plan {
	p := &plan{cfg: cfg, firstYear: cfg.LastYear - cfg.Years + 1}
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), 0))
	n := cfg.Schools

	middle := spread(middleSchools(n), n)
	nComp := int(math.Round(float64(n) * cfg.ComparisonShare))
	if n >= 3 {
		nComp = max(nComp, 1)
	}
	if n >= 2 {
		nComp = min(nComp, n-1)
	}
	comparison := spread(nComp, n)
	springOnly := map[int]bool{}
	for i := range max(cfg.SpringOnlySchools, 0) {
		springOnly[n-1-i] = true
	}

	names := r.Perm(len(placeWords) * len(placeKinds))
	sections := (cfg.StudentsPerGrade + sectionSize - 1) / sectionSize
	student, teacher, ip := firstStudentNum, firstTeacherNum, 0
	for i := range n {
		sp := schoolPlan{idx: i, id: fmt.Sprintf("%04d", 101+i), sections: sections}
		d := i % cfg.Districts
		sp.districtID = fmt.Sprintf("%03d", d+1)
		sp.districtName = districtNames[d%len(districtNames)]
		if d >= len(districtNames) {
			sp.districtName = fmt.Sprintf("%s %d", sp.districtName, d/len(districtNames)+1)
		}
		sp.level, sp.lo, sp.hi = "elementary", elementaryLo, elementaryHi
		if middle[i] {
			sp.level, sp.lo, sp.hi = "middle", middleLo, middleHi
		}
		k := names[i%len(names)]
		place := placeWords[k/len(placeKinds)] + " " + placeKinds[k%len(placeKinds)]
		if i >= len(names) {
			place = fmt.Sprintf("%s %d", place, i/len(names)+1)
		}
		if sp.level == "elementary" {
			sp.name = place + " Elementary School"
		} else {
			sp.name = place + " Middle School"
		}
		if !comparison[i] {
			sp.cohort = cfg.Cohorts[ip%len(cfg.Cohorts)]
			ip++
			sp.coach = fmt.Sprintf("C%02d", ip)
			p.coaches = append(p.coaches, coach{id: sp.coach, school: sp.id, cohort: sp.cohort})
		}
		sp.springOnly = springOnly[i]
		sp.firstStudent, sp.nStudents = student, (sp.grades()+cfg.Years-1)*cfg.StudentsPerGrade
		student += sp.nStudents
		if sp.level == "elementary" {
			sp.nTeachers = sp.grades() * sections
		} else {
			sp.nTeachers = sp.grades() * 2 * sp.teachersPerGradeSubject()
		}
		sp.firstTeacher = teacher
		teacher += sp.nTeachers
		p.schools = append(p.schools, sp)
	}
	p.nextStudent, p.nextTeacher = student, teacher

	// The district coach (blank school_id) runs the cycles of one IP school
	// in every other coached year: the first school whose cohort joins
	// inside the panel, else the first IP school.
	if ip > 0 {
		p.districtCoach = fmt.Sprintf("C%02d", ip+1)
		p.coaches = append(p.coaches, coach{id: p.districtCoach})
		joins := func(cohort int) bool { return cohort > p.firstYear && cohort <= cfg.LastYear }
		pick := -1
		for i := range p.schools {
			if c := p.schools[i].cohort; c != 0 && (pick < 0 || joins(c) && !joins(p.schools[pick].cohort)) {
				pick = i
			}
		}
		sp := &p.schools[pick]
		sp.byDistrictCoach = make([]bool, cfg.Years)
		var coached []int
		for y := range cfg.Years {
			if p.firstYear+y >= sp.cohort {
				coached = append(coached, y)
			}
		}
		for k, y := range coached {
			sp.byDistrictCoach[y] = k%2 == 1 || len(coached) == 1
		}
	}
	for i := range p.coaches {
		p.coaches[i].name = firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
	}
	return p
}
