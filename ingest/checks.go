package ingest

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// positions are the columns the cross-column checks use; -1 when the
// table has no such column.
type positions struct {
	year, testDate, start, end, sessionDate, cycle, minutes, coach, score, assessment int
}

// coachDay keys a coach's logged minutes on one day.
type coachDay struct {
	coach string
	day   Date
}

func positionsOf(t *Table) positions {
	at := func(name string) int {
		for i, c := range t.Columns {
			if c.Name == name {
				return i
			}
		}
		return -1
	}
	return positions{year: at("school_year"), testDate: at("test_date"), start: at("start_date"), end: at("end_date"), sessionDate: at("session_date"), cycle: at("cycle_id"), minutes: at("minutes"), coach: at("coach_id"), score: at("scale_score"), assessment: at("assessment_name")}
}

// checkRow applies the checks that span columns or tables: references,
// dates within the school year, and duplicate keys.
func (r *Reader) checkRow(fault func(col, val string, err error, detail string)) {
	for i := range r.convs {
		cv := &r.convs[i]
		if cv.ref == nil || r.row[i].null {
			continue
		}
		if cv.ref.get(r.keys.hash(r.row[i].s)) == 0 {
			fault(cv.col.Name, r.row[i].s, ErrUnknownID, "not in "+cv.col.Ref)
		}
	}
	if len(r.faults) > 0 {
		return
	}
	inYear := func(at, year int) {
		if d := r.row[at]; !d.null && !InSchoolYear(Date(d.n), year) {
			fault(r.t.Columns[at].Name, Date(d.n).String(), ErrOutsideYear, fmt.Sprintf("school year %d-%02d runs %d-07-01 to %d-06-30", year-1, year%100, year-1, year))
		}
	}
	p := r.pos
	switch r.t.Name {
	case "assessments":
		inYear(p.testDate, int(r.row[p.year].n))
		if s := r.row[p.score]; !s.null {
			if b, key := r.scoreBounds(r.row[p.assessment].s); s.n < b.Min || s.n > b.Max {
				fault("scale_score", strconv.FormatFloat(s.n, 'g', -1, 64), ErrImplausible, key)
			}
		}
	case "coaching_cycles":
		inYear(p.start, int(r.row[p.year].n))
		start, end := r.row[p.start], r.row[p.end]
		if !end.null && end.n < start.n {
			fault("end_date", Date(end.n).String(), ErrDateOrder, "starts "+Date(start.n).String())
		}
	case "coaching_sessions":
		cycle := r.row[p.cycle].s
		inYear(p.sessionDate, int(r.keys.cycleYear[cycle]))
		if len(r.faults) == 0 {
			// One coach's sessions on one day cannot add up to more
			// than the day: the session that would is rejected.
			k := coachDay{r.keys.cycleCoach[cycle], Date(r.row[p.sessionDate].n)}
			mins := r.row[p.minutes].n
			if total := r.dayMin[k] + mins; total > 24*60 {
				fault("minutes", strconv.FormatFloat(mins, 'g', -1, 64), ErrDayTotal,
					fmt.Sprintf("coach %s would log %.1f hours on %s", k.coach, total/60, k.day))
			}
		}
	}
	if len(r.faults) > 0 || len(r.keyIdx) == 0 {
		return
	}
	if r.single != nil {
		k := r.row[r.keyIdx[0]]
		if k.null {
			return
		}
		r.keyHash = r.keys.hash(k.s) // register stores it if the row loads
		if first := r.single.get(r.keyHash); first != 0 {
			fault(r.t.Columns[r.keyIdx[0]].Name, k.s, ErrDuplicateKey, fmt.Sprintf("first on row %d", first))
		}
		return
	}
	// A composite key is remembered by its 64-bit hash: a false duplicate
	// needs a collision, about n^2/2^65 (1e-9 at 200k rows).
	b := r.keyBuf[:0]
	allNull := true
	for _, i := range r.keyIdx {
		c := r.row[i]
		allNull = allNull && c.null
		switch {
		case c.null:
		case r.t.Columns[i].Kind.ArrowType().ID() == arrow.STRING:
			b = append(b, c.s...)
		default:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.n))
		}
		b = append(b, 0)
	}
	r.keyBuf = b
	if allNull {
		return
	}
	h := maphash.Bytes(r.seed, b)
	if first := r.seen.insert(h, int32(r.line)); first != 0 {
		names := make([]string, len(r.keyIdx))
		vals := make([]string, len(r.keyIdx))
		for j, i := range r.keyIdx {
			names[j] = r.t.Columns[i].Name
			vals[j] = r.row[i].s
			if r.t.Columns[i].Kind.ArrowType().ID() != arrow.STRING {
				vals[j] = strconv.FormatFloat(r.row[i].n, 'g', -1, 64)
			}
		}
		fault(strings.Join(names, "+"), strings.Join(vals, "|"), ErrDuplicateKey, fmt.Sprintf("first on row %d", first))
	}
}

// scoreBounds returns the plausible scale scores of an assessment and the
// configuration key they come from. The last answer is kept: an export
// lists one assessment's rows together.
func (r *Reader) scoreBounds(assessment string) (Bounds, string) {
	global := func() string {
		return fmt.Sprintf("limits.min_scale_score = %g, limits.max_scale_score = %g", r.lim.ScaleScore.Min, r.lim.ScaleScore.Max)
	}
	if len(r.lim.ScaleScoreBy) == 0 {
		if r.lastScore.key == "" {
			r.lastScore.b, r.lastScore.key = r.lim.ScaleScore, global()
		}
		return r.lastScore.b, r.lastScore.key
	}
	if assessment != r.lastScore.name || r.lastScore.key == "" {
		r.lastScore.name, r.lastScore.b, r.lastScore.key = strings.Clone(assessment), r.lim.ScaleScore, global()
		want := strings.ToLower(strings.TrimSpace(assessment))
		for _, name := range sortedKeys(r.lim.ScaleScoreBy) { // in order: two names may differ only in case
			b := r.lim.ScaleScoreBy[name]
			if strings.ToLower(strings.TrimSpace(name)) == want {
				r.lastScore.b, r.lastScore.key = b, fmt.Sprintf("limits.scale_score.%q: min = %g, max = %g", name, b.Min, b.Max)
				break
			}
		}
	}
	return r.lastScore.b, r.lastScore.key
}

// register records the keys of a loaded row for later tables' checks.
func (r *Reader) register() {
	if r.t.Name == "coaching_sessions" {
		if r.dayMin == nil {
			r.dayMin = map[coachDay]float64{}
		}
		k := coachDay{r.keys.cycleCoach[r.row[r.pos.cycle].s], Date(r.row[r.pos.sessionDate].n)}
		r.dayMin[k] += r.row[r.pos.minutes].n
	}
	if r.single == nil || r.row[r.keyIdx[0]].null {
		return
	}
	r.single.insert(r.keyHash, int32(r.line))
	if r.t.Name == "coaching_cycles" {
		id := strings.Clone(r.row[r.keyIdx[0]].s)
		r.keys.cycleYear[id] = int32(r.row[r.pos.year].n)
		r.keys.cycleCoach[id] = strings.Clone(r.row[r.pos.coach].s)
	}
}
