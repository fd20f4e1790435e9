package synth

import (
	"fmt"
	"slices"
	"strconv"
)

// Tables, in the order their files are listed.
const (
	tSchools = iota
	tTeachers
	tCoaches
	tStudents
	tRosters
	tAssessments
	tCycles
	tSessions
	tObservations
	nTables
)

// table is one output table: a file, or a sheet of a workbook.
type table struct {
	key, name      string   // Truth.Files key; canonical table name
	cols           []string // canonical names of the columns, in file order
	sink           sink
	rows, rejected int // data rows written; of which planted bad rows
	buf            []cell
}

func (t *table) col(name string) int {
	i := slices.Index(t.cols, name)
	if i < 0 {
		panic("synth: no column " + name + " in " + t.name) // a bug, not an input fault
	}
	return i
}

func (t *table) write(cells []cell) (int, error) {
	row, err := t.sink.row(cells)
	t.rows++
	if err != nil {
		return row, fmt.Errorf("write %s: %w", t.key, err)
	}
	return row, nil
}

// output holds the tables of one run and formats rows for them.
type output struct {
	mixed     bool
	firstYear int
	files     files
	t         [nTables]*table
	// School-year spellings of the panel years: "2023-24", "2023-2024".
	yearShort, yearLong []string
}

// mixedAssessmentsCols is the column order of the mixed assessments.csv.
var mixedAssessmentsCols = append([]string{"student_id", "school_year"}, assessmentsCols[2:]...)

// openOutput creates the files of cfg.Format in dir (as NAME.tmp).
func openOutput(dir string, cfg *Config, firstYear int) (o *output, err error) {
	o = &output{mixed: cfg.Format == FormatMixed, firstYear: firstYear, files: files{dir: dir}}
	defer func() {
		if err != nil {
			o.files.abort()
		}
	}()
	for y := firstYear; y <= cfg.LastYear; y++ {
		o.yearShort = append(o.yearShort, fmt.Sprintf("%d-%02d", y-1, y%100))
		o.yearLong = append(o.yearLong, fmt.Sprintf("%d-%d", y-1, y))
	}
	canonical := [nTables]struct {
		name string
		cols []string
	}{
		{"schools", schoolsCols}, {"teachers", teachersCols}, {"coaches", coachesCols},
		{"students", studentsCols}, {"rosters", rostersCols}, {"assessments", assessmentsCols},
		{"coaching_cycles", cyclesCols}, {"coaching_sessions", sessionsCols}, {"observations", observationsCols},
	}
	if !o.mixed {
		for i, c := range canonical {
			s, err := o.files.csv(c.name+".csv", c.cols, ',', false, false)
			if err != nil {
				return nil, err
			}
			o.t[i] = &table{key: c.name + ".csv", name: c.name, cols: c.cols, sink: s}
		}
		return o, nil
	}
	csvTable := func(i int, file string, header, cols []string, comma byte, bom, usDates bool) error {
		s, err := o.files.csv(file, header, comma, bom, usDates)
		o.t[i] = &table{key: file, name: canonical[i].name, cols: cols, sink: s}
		return err
	}
	sheetTable := func(i int, b *xlsxBook, key, sheet, title string, headerRow int, header []string) error {
		s, err := b.addSheet(sheet, title, headerRow, header)
		if err != nil {
			return fmt.Errorf("create %s: %w", key, err)
		}
		o.t[i] = &table{key: key, name: canonical[i].name, cols: canonical[i].cols, sink: s}
		return nil
	}
	if err := csvTable(tSchools, "schools.csv", mixedSchoolsHeader, schoolsCols, ';', true, false); err != nil {
		return nil, err
	}
	if err := csvTable(tRosters, "rosters.csv", mixedRostersHeader, rostersCols, ',', false, false); err != nil {
		return nil, err
	}
	if err := csvTable(tAssessments, "assessments.csv", mixedAssessmentsHeader, mixedAssessmentsCols, ',', false, true); err != nil {
		return nil, err
	}
	if err := csvTable(tObservations, "observations.csv", observationsCols, observationsCols, '\t', false, false); err != nil {
		return nil, err
	}
	teachers, err := o.files.book("teachers.xlsx")
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("Staff export - generated %d-06-30", cfg.LastYear)
	if err := sheetTable(tTeachers, teachers, "teachers.xlsx", "Staff", title, 3, mixedTeachersHeader); err != nil {
		return nil, err
	}
	students, err := o.files.book("students.xlsx")
	if err != nil {
		return nil, err
	}
	if err := sheetTable(tStudents, students, "students.xlsx", "Students", "", 1, mixedStudentsHeader); err != nil {
		return nil, err
	}
	coaching, err := o.files.book("coaching.xlsx")
	if err != nil {
		return nil, err
	}
	for _, i := range []int{tCoaches, tCycles, tSessions} {
		name := canonical[i].name
		if err := sheetTable(i, coaching, "coaching.xlsx#"+name, name, "", 1, canonical[i].cols); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// staleFiles are the files the other format writes, removed on success so
// that a folder never holds a table twice.
func (o *output) staleFiles() []string {
	if o.mixed {
		return []string{"teachers.csv", "students.csv", "coaches.csv", "coaching_cycles.csv", "coaching_sessions.csv"}
	}
	return []string{"teachers.xlsx", "students.xlsx", "coaching.xlsx"}
}

// opt is a text cell, blank when s is empty.
func opt(s string) cell {
	if s == "" {
		return cell{}
	}
	return text(s)
}

func (o *output) year(y int, long bool) string {
	i := y - o.firstYear
	switch {
	case i < 0 || i >= len(o.yearShort):
		return fmt.Sprintf("%d-%02d", y-1, y%100)
	case long:
		return o.yearLong[i]
	}
	return o.yearShort[i]
}

func (o *output) school(sp *schoolPlan) []cell {
	t := o.t[tSchools]
	c := append(t.buf[:0], text(sp.id), text(sp.name), text(sp.districtID), text(sp.districtName), text(sp.level))
	switch {
	case sp.cohort == 0:
		c = append(c, cell{})
	case o.mixed && sp.idx%2 == 0: // "2021-22" for half the schools
		c = append(c, text(o.year(sp.cohort, false)))
	default:
		c = append(c, num(sp.cohort))
	}
	t.buf = c
	return c
}

func (o *output) teacher(tc *teacher, school string) []cell {
	t := o.t[tTeachers]
	t.buf = append(t.buf[:0], text(tc.id), text(school), text(tc.first), text(tc.last),
		text(tc.subjectArea), text(tc.gradeBand), num(tc.years))
	return t.buf
}

func (o *output) coach(c *coach) []cell {
	t := o.t[tCoaches]
	cohort := cell{}
	if c.cohort != 0 {
		cohort = num(c.cohort)
	}
	t.buf = append(t.buf[:0], text(c.id), text(c.name), opt(c.school), cohort)
	return t.buf
}

func (o *output) student(st *student, school string) []cell {
	t := o.t[tStudents]
	yes, no := "Y", "N"
	if o.mixed {
		yes, no = "Yes", "No"
	}
	flag := func(b bool) cell {
		if b {
			return text(yes)
		}
		return text(no)
	}
	// Spelling choices of the mixed format, derived from the ID's last digit.
	last := st.id[len(st.id)-1] - '0'
	grade := num(st.grade)
	switch {
	case st.grade == 0 && o.mixed && last%2 == 1:
		grade = text("KG")
	case st.grade == 0:
		grade = text("K")
	case o.mixed && last%3 == 0:
		grade = text(fmt.Sprintf("%02d", st.grade))
	}
	t.buf = append(t.buf[:0], text(st.id), text(school), grade, text(genders[st.gender]),
		text(races[st.race]), flag(st.el), flag(st.sped), flag(st.econ))
	return t.buf
}

func (o *output) roster(r *rosterRow) []cell {
	t := o.t[tRosters]
	year, pct := num(r.year), num(int(r.pct))
	if o.mixed {
		year = text(o.year(r.year, false))
		if r.pct == 100 && t.rows%2 == 0 {
			pct = cell{}
		}
	}
	t.buf = append(t.buf[:0], year, text(r.student), text(r.teacher), text(subjects[r.subj]), text(r.section), pct)
	return t.buf
}

func (o *output) assessment(a *assessRow) []cell {
	t := o.t[tAssessments]
	year, window := num(a.year), text(windowNames[a.window])
	if o.mixed {
		year, window = text(o.year(a.year, true)), text(mixedWindowNames[a.window])
	}
	c := append(t.buf[:0], year, text(a.student), num(a.grade), text(a.name), text(subjects[a.subj]),
		window, day(a.day), num(a.score), num(a.level()), num(a.percentile()))
	if o.mixed {
		c[0], c[1] = c[1], c[0]
	}
	t.buf = c
	return c
}

var mixedWindowNames = [...]string{"Fall", "Winter", "Spring"}

func (o *output) cycle(c *cycleRow, id string) []cell {
	t := o.t[tCycles]
	end := day(c.end)
	if c.open {
		end = cell{}
	}
	t.buf = append(t.buf[:0], text(id), text(c.coach), text(c.teacher), num(c.year), day(c.start), end,
		text(focusAreas[c.focus]), text(fmt.Sprintf(goalTemplates[c.focus], c.goalPct)),
		text(stages[c.stage]), opt(c.goalMet))
	return t.buf
}

func (o *output) session(s *sessionRow, id, cycle string) []cell {
	t := o.t[tSessions]
	t.buf = append(t.buf[:0], text(id), text(cycle), day(s.day), text(activities[s.activity]),
		num(s.minutes), text(s.principles))
	return t.buf
}

func (o *output) observation(ob *obsRow, id string) []cell {
	t := o.t[tObservations]
	t.buf = append(t.buf[:0], text(id), text(ob.teacher), day(ob.day), text(observerRoles[ob.role]),
		text(lookFors[ob.lookFor]), num(ob.rating))
	return t.buf
}

// IDs of rows numbered across schools.
func cycleID(n int) string       { return "CY" + pad(n, 5) }
func sessionID(n int) string     { return "SE" + pad(n, 6) }
func observationID(n int) string { return "OB" + pad(n, 6) }

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
