package reports

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/coachimpact/coachimpact/model"
)

// disclosure is every suppression decision of a run's workbooks, made
// once before any workbook is written, so that district.xlsx, cohorts.xlsx
// and each school's workbook hide the same cells, and hide enough of them
// that no hidden cell can be worked out from the printed ones (see
// audit). Rules:
//   - primary: a cell of student results (a count, mean, share) resting
//     on fewer than MinCell students or MinClassrooms classrooms (teachers
//     of record) is hidden;
//   - complementary: in each family of cells that share students, the
//     smallest printed cells are hidden too until no hidden cell is a sum
//     or difference of printed ones.
//
// The families: a school's growth (its workbook's Growth and Grades
// sheets and its rows on district.xlsx's Schools sheet); the cohorts
// (cohorts.xlsx's panel and event time, over the same school-years); the
// dosage bands' counts; each subgroup variable's counts.
type disclosure struct {
	minCell, minRooms int64
	schools           map[string]*schoolCells
	// cohort panel and event time cells, by cohort label ("" =
	// comparison) and year or event time; allEvent by event time.
	panel    map[cohortKey]bool
	panelLvl map[cohortKey]bool
	event    map[cohortKey]bool
	allEvent map[int64]bool
	// eventComp: the comparison schools' growth an event-time row shows
	// (cohort allCohorts for the all-cohorts rows).
	eventComp map[cohortKey]bool
	// eventRooms: the classrooms an event-time row rests on.
	eventRooms map[cohortKey]int64
	bands      map[bandKey]bool
	subgroup   map[subgroupKey]estimateCounts
	totals     map[subgroupKey]estimateCounts // the estimates' own counts (subgroup "")
	// complements counts the cells hidden only to protect others.
	complements int
}

// schoolCells are one school's cells: atoms, and what is hidden.
type schoolCells struct {
	id     string
	atoms  map[atomKey]*atomStats
	growth map[armKey]bool // Growth sheet (year, subject, arm): hidden
	// pooled are the subjects whose latest year hides an arm: the
	// Growth sheet pools the school's years for them (armKey year 0),
	// and pooledHidden says which pooled arms are hidden still.
	pooled       map[string]bool
	pooledHidden map[armKey]bool
	grade        map[gradeKey]bool // Grades sheet (latest year): hidden
	level        map[gradeKey]bool // Grades sheet's share at level 3+: hidden
	year         map[int64]bool    // district Schools row: growth and counts hidden
	yearLv       map[int64]bool    // district Schools row: share at level 3+ hidden
	// students, classrooms and leveled scores of each year's Schools row
	// as the panel counts them.
	yearStudents, yearRooms, yearLeveled map[int64]int64
}

type atomKey struct {
	year    int64
	subject string
	grade   int64
	coached bool
}

// atomStats are the analysis rows of one atom, by classroom.
type atomStats struct {
	rooms              map[string]*roomStats
	n, leveled, level3 int64
	growth, springZ    float64
	growthN            int64
}

type roomStats struct {
	n      int64
	growth float64
}

type armKey struct {
	year    int64
	subject string
	arm     string // "coached", "not coached" or "all classrooms"
}

type gradeKey struct {
	subject string
	grade   int64
}

type cohortKey struct {
	cohort string
	at     int64 // school year (panel) or event time (event)
}

type bandKey struct {
	subject, band string
	year          int64
}

type subgroupKey struct {
	subgroup, subject string
	year              int64
}

// Arm names of the Growth sheet.
const (
	armCoached    = "coached"
	armNotCoached = "not coached"
	armAll        = "all classrooms"
)

// rooms returns the classrooms (teachers) of the given atoms, with each
// one's students and sum of growth over them.
func (s *schoolCells) rooms(keys []atomKey) map[string]roomStats {
	out := map[string]roomStats{}
	for _, k := range keys {
		a := s.atoms[k]
		if a == nil {
			continue
		}
		for t, r := range a.rooms {
			c := out[t]
			c.n += r.n
			c.growth += r.growth
			out[t] = c
		}
	}
	return out
}

// sum adds up the given atoms.
func (s *schoolCells) sum(keys []atomKey) atomStats {
	var out atomStats
	for _, k := range keys {
		if a := s.atoms[k]; a != nil {
			out.n += a.n
			out.leveled += a.leveled
			out.level3 += a.level3
			out.growth += a.growth
			out.springZ += a.springZ
			out.growthN += a.growthN
		}
	}
	return out
}

// atomsWhere lists the school's atoms that keep returns true for, in a
// fixed order.
func (s *schoolCells) atomsWhere(keep func(atomKey) bool) []atomKey {
	var out []atomKey
	for k := range s.atoms {
		if keep(k) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return atomLess(out[i], out[j]) })
	return out
}

func atomLess(a, b atomKey) bool {
	if a.year != b.year {
		return a.year < b.year
	}
	if a.subject != b.subject {
		return a.subject < b.subject
	}
	if a.grade != b.grade {
		return a.grade < b.grade
	}
	return !a.coached && b.coached
}

func (k atomKey) String() string {
	return fmt.Sprintf("%d|%s|%d|%t", k.year, k.subject, k.grade, k.coached)
}

func atomNames(keys []atomKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.String()
	}
	return out
}

// small reports whether a cell on n students in rooms classrooms falls
// under the primary rule.
func (d *disclosure) small(n, rooms int64) bool { return n < d.minCell || rooms < d.minRooms }

// protectSchools loads every school's analysis rows and decides its
// growth family, with the school-years forced hidden by another family.
func (d *disclosure) loadSchools(ctx context.Context, in Input) error {
	d.schools = map[string]*schoolCells{}
	get := func(id string) *schoolCells {
		s := d.schools[id]
		if s == nil {
			s = &schoolCells{id: id, atoms: map[atomKey]*atomStats{}, yearStudents: map[int64]int64{}, yearRooms: map[int64]int64{}, yearLeveled: map[int64]int64{}}
			d.schools[id] = s
		}
		return s
	}
	rows, err := queryRows(ctx, in.DB, `
		SELECT school_id, school_year, subject, tested_grade, coached, teacher_id,
		       count(*), sum(growth), count(growth), sum(spring_z), count(performance_level), count(*) FILTER (WHERE performance_level >= 3)
		FROM student_growth WHERE excluded IS NULL
		GROUP BY ALL`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		s := get(str(r[0]))
		k := atomKey{year: i64(r[1]), subject: str(r[2]), grade: i64(r[3]), coached: r[4] == true}
		a := s.atoms[k]
		if a == nil {
			a = &atomStats{rooms: map[string]*roomStats{}}
			s.atoms[k] = a
		}
		g, _ := num(r[7])
		z, _ := num(r[9])
		n := i64(r[6])
		a.n += n
		a.growth += g
		a.growthN += i64(r[8])
		a.springZ += z
		a.leveled += i64(r[10])
		a.level3 += i64(r[11])
		// A classroom's growth counts only its students with a growth,
		// as the Growth sheet's groups do (schoolData's growth rows).
		if gn := i64(r[8]); gn > 0 {
			a.rooms[str(r[5])] = &roomStats{n: gn, growth: g}
		}
	}
	panel, err := queryRows(ctx, in.DB, `SELECT school_id, school_year, analysis_students, leveled_scores FROM school_year_panel`)
	if err != nil {
		return err
	}
	for _, r := range panel {
		s := get(str(r[0]))
		y := i64(r[1])
		s.yearStudents[y], s.yearLeveled[y] = i64(r[2]), i64(r[3])
		// The year's classrooms: its teachers of record over every
		// subject, grade and arm.
		s.yearRooms[y] = int64(len(s.rooms(s.atomsWhere(func(k atomKey) bool { return k.year == y }))))
	}
	return nil
}

// protectSchool decides one school's growth family: its Growth sheet
// cells (year, subject, arm), its Grades sheet cells (latest year,
// subject, grade) and its Schools rows (year), with forced naming the
// years another family hides.
func (d *disclosure) protectSchool(s *schoolCells, latest int64, everCoached bool, forced map[int64]bool) {
	// First without pooled cells; then, if the latest year hides an arm
	// of a subject the school has in several years, again with that
	// subject's years pooled: a small school's answer. The pooled cells
	// then rank above every other and the Growth sheet's years below
	// every other (a year is hidden to protect a pooled cell, not the
	// district's rows); if that still hides a school-year of the
	// district's Schools sheet (and with it the cohorts' view), the
	// pooled cells rank below every cell instead: a pooled cell that
	// would give a hidden year away is hidden itself. Only the pass kept
	// counts its complements.
	s.pooled = nil
	added := d.protectSchoolCells(s, latest, everCoached, forced, 0, 2)
	pooled := map[string]bool{}
	for k, hidden := range s.growth {
		if hidden && k.year == latest && s.yearsOf(k.subject) > 1 {
			pooled[k.subject] = true
		}
	}
	if len(pooled) > 0 {
		before := maps.Clone(s.year)
		s.pooled = pooled
		added = d.protectSchoolCells(s, latest, everCoached, forced, 3, -1)
		for y, hidden := range s.year {
			if hidden && !before[y] {
				added = d.protectSchoolCells(s, latest, everCoached, forced, -1, 2)
				break
			}
		}
	}
	d.complements += added
}

// yearsOf counts the school years in which the school has analysis rows
// of the subject.
func (s *schoolCells) yearsOf(subject string) int {
	years := map[int64]bool{}
	for k, a := range s.atoms {
		if k.subject == subject && a.n > 0 {
			years[k.year] = true
		}
	}
	return len(years)
}

// protectSchoolCells decides one pass of a school's growth family (see
// protectSchool), pooled cells and the Growth sheet's years at the ranks
// given, and returns how many cells it hid only to protect others.
func (d *disclosure) protectSchoolCells(s *schoolCells, latest int64, everCoached bool, forced map[int64]bool, pooledRank, yearRank int) (complements int) {
	s.growth, s.grade, s.level, s.year, s.yearLv = map[armKey]bool{}, map[gradeKey]bool{}, map[gradeKey]bool{}, map[int64]bool{}, map[int64]bool{}
	s.pooledHidden = map[armKey]bool{}
	yearSet, subjectSet, gradeSet := map[int64]bool{}, map[string]bool{}, map[gradeKey]bool{}
	for k := range s.atoms {
		yearSet[k.year], subjectSet[k.subject] = true, true
		if k.year == latest {
			gradeSet[gradeKey{k.subject, k.grade}] = true
		}
	}
	for y := range s.yearStudents {
		yearSet[y] = true
	}
	// Cells in a fixed order: ties between complements go the same way
	// every run.
	years, subjects, grades := sortedKeys(yearSet, cmpInt), sortedKeys(subjectSet, strings.Compare), sortedKeys(gradeSet, func(a, b gradeKey) int {
		if c := strings.Compare(a.subject, b.subject); c != 0 {
			return c
		}
		return cmpInt(a.grade, b.grade)
	})
	type entry struct {
		cell int
		set  func(hidden bool)
	}
	// Growth and counts; then the share at level 3+, whose cells are
	// the same sets with their own primary rule.
	for _, measure := range []string{"growth", "level"} {
		a := newAudit()
		var entries []entry
		// Complements come from the district's Schools rows first, then
		// the Grades sheet, and the Growth sheet, the principal's
		// answer, last.
		add := func(keys []atomKey, n, rooms int64, primary bool, rank int, set func(bool)) {
			i := a.cell(atomNames(keys), n, primary || (n > 0 && d.small(n, rooms)))
			a.cells[i].rank = rank
			if n == 0 {
				a.cells[i].coef = nil // no students: nothing to protect or give away
			}
			entries = append(entries, entry{i, set})
		}
		for _, y := range years {
			for _, subj := range subjects {
				arms := []string{armNotCoached, armCoached}
				if !everCoached {
					arms = []string{armAll}
				}
				for _, arm := range arms {
					if measure == "level" {
						break // the Growth sheet shows no level shares
					}
					keys := s.atomsWhere(func(k atomKey) bool {
						return k.year == y && k.subject == subj && (arm == armAll || k.coached == (arm == armCoached))
					})
					st := s.sum(keys)
					key := armKey{y, subj, arm}
					add(keys, st.growthN, int64(len(s.rooms(keys))), false, yearRank, func(h bool) { s.growth[key] = h })
				}
			}
		}
		for _, subj := range subjects {
			arms := []string{armNotCoached, armCoached}
			if !everCoached {
				arms = []string{armAll}
			}
			for _, arm := range arms {
				if measure == "level" || !s.pooled[subj] {
					break
				}
				keys := s.atomsWhere(func(k atomKey) bool {
					return k.subject == subj && (arm == armAll || k.coached == (arm == armCoached))
				})
				st := s.sum(keys)
				key := armKey{0, subj, arm}
				add(keys, st.growthN, int64(len(s.rooms(keys))), false, pooledRank, func(h bool) { s.pooledHidden[key] = h })
			}
		}
		for _, g := range grades {
			keys := s.atomsWhere(func(k atomKey) bool { return k.year == latest && k.subject == g.subject && k.grade == g.grade })
			st := s.sum(keys)
			rooms := int64(len(s.rooms(keys)))
			if measure == "growth" {
				add(keys, st.n, rooms, false, 1, func(h bool) { s.grade[g] = h })
			} else {
				add(keys, st.n, rooms, s.grade[g] || st.leveled < d.minCell, 1, func(h bool) { s.level[g] = h })
			}
		}
		for _, y := range years {
			keys := s.atomsWhere(func(k atomKey) bool { return k.year == y })
			n, rooms := s.yearStudents[y], s.yearRooms[y]
			if measure == "growth" {
				add(keys, n, rooms, forced[y], 0, func(h bool) { s.year[y] = h })
			} else {
				add(keys, n, rooms, s.year[y] || s.yearLeveled[y] < d.minCell, 0, func(h bool) { s.yearLv[y] = h })
			}
		}
		complements += a.protect()
		for _, e := range entries {
			e.set(a.hidden(e.cell))
		}
	}
	return complements
}

// sortedKeys returns m's keys in cmp's order.
func sortedKeys[K comparable, V any](m map[K]V, cmp func(a, b K) int) []K {
	return slices.SortedFunc(maps.Keys(m), cmp)
}

// gridCell is one printed count of the estimates' grids (a subgroup's
// students, a dosage band's students, an estimate's coached students):
// subject "All" means every subject, year 0 every year; values are the
// atoms' third part (a subgroup value, a band), coached which arms.
type gridCell struct {
	subject string
	year    int64
	values  []string
	arms    []bool // true: coached students; false: the others
	n       int64
	hidden  bool
	fixed   bool
}

// gridAudit protects a grid of counts: the concrete subjects and years
// are those of the cells themselves. It returns the cells' hidden flags
// and how many complements it hid.
func gridAudit(cells []gridCell) ([]bool, int) {
	subjects, years := map[string]bool{}, map[int64]bool{}
	for _, c := range cells {
		if c.subject != model.AllSubjects {
			subjects[c.subject] = true
		}
		if c.year != 0 {
			years[c.year] = true
		}
	}
	a := newAudit()
	for _, c := range cells {
		var keys []string
		for _, s := range sortedKeys(subjects, strings.Compare) {
			if c.subject != model.AllSubjects && c.subject != s {
				continue
			}
			for _, y := range sortedKeys(years, cmpInt) {
				if c.year != 0 && c.year != y {
					continue
				}
				for _, v := range c.values {
					for _, arm := range c.arms {
						keys = append(keys, fmt.Sprintf("%s|%d|%s|%t", s, y, v, arm))
					}
				}
			}
		}
		i := a.cell(keys, c.n, c.hidden)
		// A printed 0 ("no students") is known to the reader too; it is
		// never worth hiding.
		a.cells[i].fixed = c.fixed
		a.cells[i].pinned = c.n == 0
	}
	added := a.protect()
	out := make([]bool, len(cells))
	for i := range cells {
		out[i] = a.hidden(i)
	}
	return out, added
}

// panelRow is one school-year of school_year_panel as the cohort family
// needs it.
type panelRow struct {
	school, cohort  string // cohort "" = comparison
	year, eventTime int64
	event           bool // has an event time (a joining school)
	students, rows  int64
	leveled         int64
	growth          bool // has a mean growth
}

// protectCohorts decides cohorts.xlsx's panel and event-time cells over
// the school-years whose district rows the school families decided. It
// returns the school-years it had to hide on the district's Schools
// sheet as well (rare: only when nothing else would do).
func (d *disclosure) protectCohorts(rows []panelRow) map[[2]string]bool {
	forced := map[[2]string]bool{}
	atom := func(r panelRow) string { return fmt.Sprintf("%s|%d", r.school, r.year) }
	rooms := func(r panelRow) int64 {
		if s := d.schools[r.school]; s != nil {
			return s.yearRooms[r.year]
		}
		return 0
	}
	comparison := map[int64][]panelRow{} // year -> comparison school-years with a growth
	for _, r := range rows {
		if r.cohort == "" && r.growth {
			comparison[r.year] = append(comparison[r.year], r)
		}
	}
	type group struct {
		keys          []string
		n, rooms, lvl int64
	}
	grow := func(m map[cohortKey]*group, k cohortKey, r panelRow, n int64) {
		g := m[k]
		if g == nil {
			g = &group{}
			m[k] = g
		}
		g.keys = append(g.keys, atom(r))
		g.n += n
		g.rooms += rooms(r)
		g.lvl += r.leveled
	}
	panel, event, eventComp := map[cohortKey]*group{}, map[cohortKey]*group{}, map[cohortKey]*group{}
	type compYear struct {
		row  cohortKey
		year int64
	}
	compSeen := map[compYear]bool{}
	const all = "\x00all"
	for _, r := range rows {
		grow(panel, cohortKey{r.cohort, r.year}, r, r.students)
		if !r.event || !r.growth || r.eventTime < -3 || r.eventTime > 3 || len(comparison[r.year]) == 0 {
			continue
		}
		for _, c := range []string{r.cohort, all} {
			k := cohortKey{c, r.eventTime}
			grow(event, k, r, r.rows)
			if y := (compYear{k, r.year}); !compSeen[y] {
				compSeen[y] = true // each comparison year once per row of the view
				for _, q := range comparison[r.year] {
					grow(eventComp, k, q, q.rows)
				}
			}
		}
	}
	for _, measure := range []string{"growth", "level"} {
		a := newAudit()
		type entry struct {
			cell int
			set  func(bool)
		}
		var entries []entry
		var schoolCells []struct {
			cell int
			key  [2]string
			was  bool
		}
		for _, r := range rows {
			s := d.schools[r.school]
			hidden := s == nil
			if s != nil {
				hidden = s.year[r.year]
				if measure == "level" {
					hidden = s.yearLv[r.year]
				}
			}
			i := a.cell([]string{atom(r)}, r.students, hidden)
			// The Schools sheet shows a school-year with no students in
			// the model as such ("no baseline scores"): a known 0.
			a.cells[i].fixed, a.cells[i].pinned = true, r.students == 0 && !hidden
			schoolCells = append(schoolCells, struct {
				cell int
				key  [2]string
				was  bool
			}{i, [2]string{r.school, fmt.Sprint(r.year)}, hidden})
		}
		add := func(g *group, primary bool, set func(bool)) {
			i := a.cell(g.keys, g.n, primary || (g.n > 0 && d.small(g.n, g.rooms)))
			a.cells[i].pinned = g.n == 0 // shown as no students, never hidden
			entries = append(entries, entry{i, set})
		}
		for _, k := range sortedKeys(panel, cohortCmp) {
			g := panel[k]
			if measure == "growth" {
				add(g, false, func(h bool) { d.panel[k] = h })
			} else {
				add(g, d.panel[k] || g.lvl < d.minCell, func(h bool) { d.panelLvl[k] = h })
			}
		}
		if measure == "growth" {
			for _, k := range sortedKeys(event, cohortCmp) {
				ek := k
				if ek.cohort == all {
					ek.cohort = allCohorts
				}
				d.eventRooms[ek] = event[k].rooms
				add(event[k], false, func(h bool) {
					if k.cohort == all {
						d.allEvent[k.at] = h
					} else {
						d.event[k] = h
					}
				})
				if c := eventComp[k]; c != nil {
					add(c, false, func(h bool) {
						if k.cohort == all {
							k.cohort = allCohorts
						}
						d.eventComp[k] = h
					})
				}
			}
		}
		d.complements += a.protect()
		for _, e := range entries {
			e.set(a.hidden(e.cell))
		}
		for _, c := range schoolCells {
			if a.hidden(c.cell) && !c.was {
				forced[c.key] = true
			}
		}
	}
	return forced
}

// allCohorts is event_time's cohort label for all cohorts together.
const allCohorts = "all cohorts"

func cohortCmp(a, b cohortKey) int {
	if c := strings.Compare(a.cohort, b.cohort); c != 0 {
		return c
	}
	return cmpInt(a.at, b.at)
}

// estimateCounts is an estimate's printed counts (Impact, Overview and
// Dose-response sheets): hidden students, hidden coached students.
type estimateCounts struct{ students, coached bool }

// planDisclosure makes every suppression decision of the workbooks.
func planDisclosure(ctx context.Context, in Input) (*disclosure, error) {
	d := &disclosure{minCell: int64(in.MinCell), minRooms: int64(max(in.MinClassrooms, 1)),
		panel: map[cohortKey]bool{}, panelLvl: map[cohortKey]bool{}, event: map[cohortKey]bool{}, allEvent: map[int64]bool{},
		eventComp: map[cohortKey]bool{}, eventRooms: map[cohortKey]int64{}, bands: map[bandKey]bool{}, subgroup: map[subgroupKey]estimateCounts{}, totals: map[subgroupKey]estimateCounts{}}
	if err := d.loadSchools(ctx, in); err != nil {
		return nil, err
	}
	// The latest year as the school workbooks take it (a year may have
	// spring scores but no analysis rows).
	last, err := queryRows(ctx, in.DB, `SELECT coalesce(max(school_year), 0) FROM student_growth`)
	if err != nil {
		return nil, err
	}
	latest := i64(last[0][0])
	pr, err := queryRows(ctx, in.DB, `
		SELECT school_id, coalesce(ip_cohort::VARCHAR, ''), school_year, coalesce(event_time, 0), event_time IS NOT NULL,
		       analysis_students, analysis_rows, leveled_scores, mean_growth IS NOT NULL
		FROM school_year_panel ORDER BY school_id, school_year`)
	if err != nil {
		return nil, err
	}
	rows := make([]panelRow, len(pr))
	for i, r := range pr {
		rows[i] = panelRow{school: str(r[0]), cohort: str(r[1]), year: i64(r[2]), eventTime: i64(r[3]), event: r[4] == true,
			students: i64(r[5]), rows: i64(r[6]), leveled: i64(r[7]), growth: r[8] == true}
	}
	// The school families and the cohort family share the district's
	// Schools rows: decide the schools, then the cohorts; a Schools row
	// the cohorts had to hide is forced on its school, until nothing
	// changes (hidden sets only grow, so this ends).
	forced := map[string]map[int64]bool{}
	for {
		for _, id := range sortedKeys(d.schools, strings.Compare) {
			s := d.schools[id]
			coached := false
			for k := range s.atoms {
				coached = coached || k.coached
			}
			d.protectSchool(s, latest, coached, forced[id])
		}
		more := d.protectCohorts(rows)
		if len(more) == 0 {
			break
		}
		for k := range more {
			if forced[k[0]] == nil {
				forced[k[0]] = map[int64]bool{}
			}
			var y int64
			fmt.Sscan(k[1], &y)
			forced[k[0]][y] = true
		}
	}
	if err := d.protectGrids(ctx, in); err != nil {
		return nil, err
	}
	return d, nil
}

// protectGrids decides the counts printed beside the estimates: dosage
// bands against the estimates' students and coached students, and each
// subgroup variable's groups against the same totals.
func (d *disclosure) protectGrids(ctx context.Context, in Input) error {
	ests, err := queryRows(ctx, in.DB, `SELECT coalesce(subgroup, ''), subject, coalesce(school_year, 0), n_students, n_coached_students
		FROM estimates WHERE analysis IN ('impact', 'impact_subgroup') ORDER BY id`)
	if err != nil {
		return err
	}
	bands, err := queryRows(ctx, in.DB, `SELECT subject, coalesce(school_year, 0), band, band_order, n_students, suppressed FROM dosage_bands ORDER BY school_year, subject, band_order`)
	if err != nil {
		return err
	}
	small := func(n int64) bool { return n > 0 && n < d.minCell }
	type total struct{ n, coached int64 }
	totals := map[subgroupKey]total{}
	groups := map[string][]subgroupKey{} // variable -> its rows
	values := map[string]map[string]bool{}
	counts := map[subgroupKey]total{}
	for _, r := range ests {
		k := subgroupKey{str(r[0]), str(r[1]), i64(r[2])}
		t := total{i64(r[3]), i64(r[4])}
		if k.subgroup == "" {
			totals[k] = t
			continue
		}
		v, val, _ := strings.Cut(k.subgroup, " = ")
		groups[v] = append(groups[v], k)
		if values[v] == nil {
			values[v] = map[string]bool{}
		}
		values[v][val] = true
		counts[k] = t
	}
	totalCells := func(vals []string) ([]gridCell, []subgroupKey) {
		var cells []gridCell
		var keys []subgroupKey
		for _, k := range sortedKeys(totals, subgroupCmp) {
			t := totals[k]
			cells = append(cells,
				gridCell{subject: k.subject, year: k.year, values: vals, arms: []bool{true, false}, n: t.n, hidden: small(t.n), fixed: true},
				gridCell{subject: k.subject, year: k.year, values: vals, arms: []bool{true}, n: t.coached, hidden: small(t.coached), fixed: true})
			keys = append(keys, k)
		}
		return cells, keys
	}
	mark := func(keys []subgroupKey, hidden []bool) {
		for i, k := range keys {
			c := d.totals[k]
			c.students = c.students || hidden[2*i]
			c.coached = c.coached || hidden[2*i+1]
			d.totals[k] = c
		}
	}

	// Dosage bands: one arm; coached students are those outside 0 hours.
	var names, coachedNames []string
	seen := map[string]bool{}
	for _, r := range bands {
		if b := str(r[2]); !seen[b] {
			seen[b] = true
			names = append(names, b)
			if i64(r[3]) > 0 {
				coachedNames = append(coachedNames, b)
			}
		}
	}
	// Bands have one arm: a total's coached students are its bands
	// outside 0 hours (every second total cell).
	cells, keys := totalCells(names)
	for i := range cells {
		cells[i].arms = []bool{false}
		if i%2 == 1 {
			cells[i].values = coachedNames
		}
	}
	nTotals := len(cells)
	for _, r := range bands {
		cells = append(cells, gridCell{subject: str(r[0]), year: i64(r[1]), values: []string{str(r[2])}, arms: []bool{false}, n: i64(r[4]), hidden: r[5] == true})
	}
	hidden, added := gridAudit(cells)
	d.complements += added
	mark(keys, hidden)
	for i, r := range bands {
		d.bands[bandKey{str(r[0]), str(r[2]), i64(r[1])}] = hidden[nTotals+i]
	}

	// Subgroups, one variable at a time. Students with no value for the
	// variable are the atom "∅": unknown to a reader where the totals
	// exceed the groups, and a known 0 where they do not.
	for _, v := range sortedKeys(groups, strings.Compare) {
		vals := append(sortedKeys(values[v], strings.Compare), "\x00missing")
		cells, keys := totalCells(vals)
		nTotals := len(cells)
		missing := map[subgroupKey]total{}
		for _, k := range keys {
			missing[k] = totals[k]
		}
		for _, k := range groups[v] {
			t := counts[k]
			cells = append(cells,
				gridCell{subject: k.subject, year: k.year, values: []string{k.subgroup[len(v)+3:]}, arms: []bool{true, false}, n: t.n, hidden: small(t.n)},
				gridCell{subject: k.subject, year: k.year, values: []string{k.subgroup[len(v)+3:]}, arms: []bool{true}, n: t.coached, hidden: small(t.coached)})
			tk := subgroupKey{"", k.subject, k.year}
			m := missing[tk]
			m.n, m.coached = m.n-t.n, m.coached-t.coached
			missing[tk] = m
		}
		for _, k := range groups[v] {
			// Uncoached students of a group are shown by subtraction:
			// a small number of them is a cell to protect.
			if t := counts[k]; small(t.n - t.coached) {
				cells = append(cells, gridCell{subject: k.subject, year: k.year, values: []string{k.subgroup[len(v)+3:]}, arms: []bool{false}, n: t.n - t.coached, hidden: true})
			}
		}
		for _, k := range keys {
			if m := missing[k]; k.subject != model.AllSubjects && k.year != 0 {
				if m.coached == 0 {
					cells = append(cells, gridCell{subject: k.subject, year: k.year, values: vals[len(vals)-1:], arms: []bool{true}, fixed: true})
				}
				if m.n-m.coached == 0 {
					cells = append(cells, gridCell{subject: k.subject, year: k.year, values: vals[len(vals)-1:], arms: []bool{false}, fixed: true})
				}
			}
		}
		hidden, added := gridAudit(cells)
		d.complements += added
		mark(keys, hidden)
		for i, k := range groups[v] {
			d.subgroup[k] = estimateCounts{students: hidden[nTotals+2*i], coached: hidden[nTotals+2*i+1]}
		}
	}
	return nil
}

func subgroupCmp(a, b subgroupKey) int {
	if c := strings.Compare(a.subgroup, b.subgroup); c != 0 {
		return c
	}
	if c := strings.Compare(a.subject, b.subject); c != 0 {
		return c
	}
	return cmpInt(a.year, b.year)
}

// school returns the plan of school id (an empty one for a school with
// no analysis rows).
func (d *disclosure) school(id string) *schoolCells {
	if s := d.schools[id]; s != nil {
		return s
	}
	return &schoolCells{id: id, atoms: map[atomKey]*atomStats{}}
}

// hiddenText says why a hidden cell on n students in rooms classrooms
// shows no numbers.
func (in Input) hiddenText(n, rooms int64) string {
	switch {
	case n < int64(in.MinCell):
		return in.suppressed()
	case rooms < int64(max(in.MinClassrooms, 1)):
		return fmt.Sprintf("suppressed (fewer than %d classrooms)", max(in.MinClassrooms, 1))
	}
	return suppressedComplement
}

// suppressedComplement is the text of a cell hidden only so that a
// suppressed cell beside it cannot be worked out by subtraction.
const suppressedComplement = "suppressed (would reveal a suppressed cell)"

// eventHidden reports whether an event-time row (cohort as event_time
// names it, "all cohorts" included) hides its mean growth.
func (d *disclosure) eventHidden(k cohortKey) bool {
	if k.cohort == allCohorts {
		return d.allEvent[k.at]
	}
	return d.event[k]
}
