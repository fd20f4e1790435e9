package synth

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
)

// Generate writes the district of cfg (defaults applied) into dir, creating
// it if needed, and returns its truth, also written to dir/truth.json. The
// tables are written as NAME.tmp and renamed into place only when all are
// complete; on error the temporary files are removed and earlier files of
// the same names are left as they were. Generate stops early, with
// ctx.Err(), when ctx is done.
func Generate(ctx context.Context, dir string, cfg Config) (*Truth, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("generate %s: %w", dir, err)
	}
	truth, err := generate(ctx, dir, cfg)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", dir, err)
	}
	return truth, nil
}

func generate(ctx context.Context, dir string, cfg Config) (*Truth, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := newPlan(cfg)
	o, err := openOutput(dir, &cfg, p.firstYear)
	if err != nil {
		return nil, err
	}
	w := &writer{p: p, o: o, cells: make([][2]cellAcc, cfg.Years)}
	if err := w.run(ctx); err != nil {
		o.files.abort()
		return nil, err
	}
	if err := o.files.close(); err != nil {
		o.files.abort()
		return nil, err
	}
	truth := w.truth()
	if err := writeTruth(o.files.add(TruthFile), truth); err != nil {
		o.files.abort()
		return nil, err
	}
	if err := o.files.commit(o.staleFiles()); err != nil {
		return nil, err
	}
	return truth, nil
}

// writer writes the schools in order, numbers the rows numbered across
// schools, sums the truth and plants the bad rows.
type writer struct {
	p                          *plan
	o                          *output
	cycles, sessions, obsCount int
	cells                      [][2]cellAcc
	did                        cellAcc
	selection                  selectionAcc
	rejects                    []Reject

	// Places for the bad rows, taken from the first schools offering them;
	// copies, as the schools' slices are reused.
	freeLast, freeAny []assessRow
	springRow         *assessRow // a valid spring score, of the last year if any
	rosterRow         *rosterRow // a valid single-teacher roster row, of the last year if any
	dupStudent        *student   // the first student of the first school
	cand              *cycleRow  // a closed cycle with a weekday without a session
	candID            string
	candGap           date
}

// run generates the schools in a goroutine, one ahead of the writing, so
// that generation and formatting overlap.
func (w *writer) run(ctx context.Context) error {
	for i := range w.p.schools {
		if _, err := w.o.t[tSchools].write(w.o.school(&w.p.schools[i])); err != nil {
			return err
		}
	}
	for i := range w.p.coaches {
		if _, err := w.o.t[tCoaches].write(w.o.coach(&w.p.coaches[i])); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *schoolData, 1)
	free := make(chan *schoolData, 3) // written schools, for reuse
	go func() {
		defer close(ch)
		for i := range w.p.schools {
			if ctx.Err() != nil {
				return
			}
			var reuse *schoolData
			select {
			case reuse = <-free:
			default:
			}
			sd := genSchool(w.p, &w.p.schools[i], reuse)
			select {
			case ch <- sd:
			case <-ctx.Done():
				return
			}
		}
	}()
	var err error
	for sd := range ch {
		if err == nil {
			err = w.school(sd)
			if err != nil {
				cancel() // and drain, so the goroutine has ended on return
			}
		}
		select {
		case free <- sd:
		default:
		}
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if w.p.cfg.NoBadRows {
		return nil
	}
	return w.plant()
}

func (w *writer) school(sd *schoolData) error {
	o, sp, last := w.o, sd.sp, w.p.cfg.LastYear
	for i := range sd.teachers {
		if _, err := o.t[tTeachers].write(o.teacher(&sd.teachers[i], sp.id)); err != nil {
			return err
		}
	}
	for i := range sd.students {
		if _, err := o.t[tStudents].write(o.student(&sd.students[i], sp.id)); err != nil {
			return err
		}
	}
	for i := range sd.rosters {
		r := &sd.rosters[i]
		if _, err := o.t[tRosters].write(o.roster(r)); err != nil {
			return err
		}
		if r.pct == 100 && (w.rosterRow == nil || r.year == last && w.rosterRow.year != last) {
			w.rosterRow = ptr(*r)
		}
	}
	for i := range sd.assess {
		a := &sd.assess[i]
		if _, err := o.t[tAssessments].write(o.assessment(a)); err != nil {
			return err
		}
		if a.window == 2 && (w.springRow == nil || a.year == last && w.springRow.year != last) {
			w.springRow = ptr(*a)
		}
	}
	base := w.cycles // cycle k of the school is numbered base+k+1
	for i := range sd.cycles {
		w.cycles++
		if _, err := o.t[tCycles].write(o.cycle(&sd.cycles[i], cycleID(w.cycles))); err != nil {
			return err
		}
	}
	for i := range sd.sessions {
		s := &sd.sessions[i]
		w.sessions++
		if _, err := o.t[tSessions].write(o.session(s, sessionID(w.sessions), cycleID(base+s.cycle+1))); err != nil {
			return err
		}
	}
	for i := range sd.obs {
		w.obsCount++
		if _, err := o.t[tObservations].write(o.observation(&sd.obs[i], observationID(w.obsCount))); err != nil {
			return err
		}
	}

	for y := range w.cells {
		for s := range w.cells[y] {
			w.cells[y][s].add(sd.cells[y][s])
		}
	}
	w.did.add(sd.did)
	w.selection.add(sd.selection)
	if w.dupStudent == nil && len(sd.students) > 0 {
		w.dupStudent = ptr(sd.students[0])
	}
	for _, a := range sd.freeLast {
		if len(w.freeLast) < 2 {
			w.freeLast = append(w.freeLast, a)
		}
	}
	for _, a := range sd.freeAny {
		if len(w.freeAny) < 2 {
			w.freeAny = append(w.freeAny, a)
		}
	}
	if sd.cycleCand >= 0 {
		c := &sd.cycles[sd.cycleCand]
		if w.cand == nil || c.year == last && w.cand.year != last {
			w.cand, w.candID, w.candGap = ptr(*c), cycleID(base+sd.cycleCand+1), sd.cycleGap
		}
	}
	return nil
}

// Reasons of the planted bad rows, as the ingest must report them.
const (
	reasonBadDate       = "unrecognised date"
	reasonNotNumber     = "not a number"
	reasonUnknownID     = "unknown id"
	reasonDuplicate     = "duplicate key"
	reasonBadGrade      = "unrecognised grade"
	reasonOutOfRange    = "out of range"
	reasonOutsideYear   = "date outside school year"
	reasonBadSchoolYear = "unrecognised school year"
)

// plant appends the bad rows: each an extra row whose only fault is in
// the named column. A bad row the district has no place for is left out.
func (w *writer) plant() error {
	o := w.o
	add := func(ti int, cells []cell, column string, bad cell, value, reason string) error {
		t := o.t[ti]
		cells[t.col(column)] = bad
		row, err := t.write(cells)
		t.rejected++
		w.rejects = append(w.rejects, Reject{File: t.key, Table: t.name, Column: column, Value: value, Reason: reason, Row: row})
		return err
	}
	schools := w.p.schools
	unknownStudent := fmt.Sprintf("%07d", w.p.nextStudent+1)

	if st := w.dupStudent; st != nil {
		// The same ID again, at another school of the same level if any
		// (the only school when there is one).
		at := &schools[len(schools)-1]
		if i := slices.IndexFunc(schools[1:], func(sp schoolPlan) bool { return sp.level == schools[0].level }); i >= 0 {
			at = &schools[1+i]
		}
		dup := *st
		if err := add(tStudents, o.student(&dup, at.id), "student_id", text(dup.id), dup.id, reasonDuplicate); err != nil {
			return err
		}
		fresh := *st
		fresh.id = fmt.Sprintf("%07d", w.p.nextStudent)
		if err := add(tStudents, o.student(&fresh, schools[0].id), "grade_level", text("Q"), "Q", reasonBadGrade); err != nil {
			return err
		}
	}

	if r := w.rosterRow; r != nil {
		teacher := "T999999"
		if w.p.nextTeacher > 999999 {
			teacher = fmt.Sprintf("T%06d", w.p.nextTeacher)
		}
		bad := *r
		bad.teacher = teacher
		if err := add(tRosters, o.roster(&bad), "teacher_id", text(teacher), teacher, reasonUnknownID); err != nil {
			return err
		}
	}

	if s := w.springRow; s != nil {
		// Keys free for an extra row: absent fall scores, else a retest.
		free := append(slices.Clone(w.freeLast), w.freeAny...)
		for subj := range 2 {
			retest := *s
			retest.name, retest.subj = assessmentName+" Retest", uint8(subj)
			free = append(free, retest)
		}
		y, _, _ := free[0].day.civil()
		value := fmt.Sprintf("13/45/%d", y)
		if err := add(tAssessments, o.assessment(&free[0]), "test_date", text(value), value, reasonBadDate); err != nil {
			return err
		}
		if err := add(tAssessments, o.assessment(&free[1]), "scale_score", text("abc"), "abc", reasonNotNumber); err != nil {
			return err
		}
		unknown := *s
		unknown.student = unknownStudent
		if err := add(tAssessments, o.assessment(&unknown), "student_id", text(unknownStudent), unknownStudent, reasonUnknownID); err != nil {
			return err
		}
	}

	if c := w.cand; c != nil {
		value := fmt.Sprintf("%d-%02d", c.year-1, (c.year+1)%100) // spans two years
		if err := add(tCycles, o.cycle(c, cycleID(w.cycles+1)), "school_year", text(value), value, reasonBadSchoolYear); err != nil {
			return err
		}
		s := sessionRow{day: w.candGap, activity: 5, minutes: 45, principles: "reflection"}
		if err := add(tSessions, o.session(&s, sessionID(w.sessions+1), w.candID), "minutes", num(-30), "-30", reasonOutOfRange); err != nil {
			return err
		}
		next := mkDate(c.year, 10, 1) // October of the next school year
		for !next.isWeekday() {
			next++
		}
		s.day, s.minutes = next, 60
		if err := add(tSessions, o.session(&s, sessionID(w.sessions+2), w.candID), "session_date", day(next), next.String(), reasonOutsideYear); err != nil {
			return err
		}
	}
	slices.SortFunc(w.rejects, func(a, b Reject) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Row, b.Row))
	})
	return nil
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
