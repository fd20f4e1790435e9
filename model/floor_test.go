package model

import (
	"math"
	"strings"
	"testing"
)

// TestCoachedFloor: an estimate on fewer coached teachers than the floor
// is published and flagged, one on fewer than 3 suppressed; the
// difference-in-differences counts treated schools the same way.
func TestCoachedFloor(t *testing.T) {
	s := fixture1()
	all := cell{subject: "Math", year: 2024, rows: allRows(s.n)}
	// fixture1 has 3 coached teachers (A, C, E).
	for _, c := range []struct {
		floor   int
		flagged bool
	}{{3, false}, {4, true}, {10, true}, {0, false}} {
		e := s.impact(all, suppression{students: 1, teachers: 1, coached: c.floor})
		wantNote := ""
		if c.flagged {
			wantNote = "too few coached teachers to tell (3)"
		}
		if e.Suppressed || e.Estimate == nil || e.FewCoachedClusters != c.flagged || e.Note != wantNote || e.NCoachedTeachers != 3 {
			t.Errorf("floor %d: flagged %v, note %q, suppressed %v", c.floor, e.FewCoachedClusters, e.Note, e.Suppressed)
		}
		d, _ := s.dose(all, suppression{students: 1, teachers: 1, coached: c.floor})
		if d.Estimate == nil || d.FewCoachedClusters != c.flagged {
			t.Errorf("dose, floor %d: flagged %v, note %q", c.floor, d.FewCoachedClusters, d.Note)
		}
	}
	// Without E's students (rows 14 and 17): 2 coached teachers,
	// suppressed whatever the floor.
	var rows []int
	for i := range s.n {
		if i != 14 && i != 17 {
			rows = append(rows, i)
		}
	}
	for _, floor := range []int{0, 10} {
		e := s.impact(cell{subject: "Math", year: 2024, rows: rows}, suppression{students: 1, teachers: 1, coached: floor})
		if !e.Suppressed || e.Estimate != nil || e.StdError != nil || e.Note != "suppressed (fewer than 3 coached teachers)" || e.NCoachedTeachers != 2 {
			t.Errorf("2 coached teachers, floor %d: %+v", floor, e)
		}
	}

	// The panel's treated schools are S1, S2 and S3.
	p := panelFixture()
	if e := p.twfe(4); e.Estimate == nil || !e.FewCoachedClusters || e.NCoachedTeachers != 3 || !strings.Contains(e.Note, "too few coached schools to tell (3)") {
		t.Errorf("twfe, floor 4: %+v", e)
	}
	if e, _ := p.callawaySantAnna(4); e.Estimate == nil || !e.FewCoachedClusters || e.NCoachedTeachers != 3 || e.SEMethod != SEAnalytic || !strings.Contains(e.Note, "too few coached schools to tell (3)") {
		t.Errorf("cs, floor 4: %+v", e)
	}
	if e := p.twfe(3); e.FewCoachedClusters || strings.Contains(e.Note, "too few") {
		t.Errorf("twfe, floor 3: %+v", e)
	}
	// S2 and S3 made comparison schools: one treated school.
	for i := range p.cohort {
		if p.school[i] == p.school[4] || p.school[i] == p.school[8] {
			p.cohort[i] = math.NaN()
		}
	}
	if e := p.twfe(0); !e.Suppressed || e.Estimate != nil || e.NCoachedTeachers != 1 || !strings.Contains(e.Note, "suppressed (fewer than 3 coached schools)") {
		t.Errorf("twfe, 1 treated school: %+v", e)
	}
	// The cohort-year cells stay (school-level results shown beside each
	// school's own).
	if e, cells := p.callawaySantAnna(0); !e.Suppressed || e.Estimate != nil || e.StdError != nil || len(cells) == 0 || !strings.Contains(e.Note, "suppressed (fewer than 3 coached schools)") {
		t.Errorf("cs, 1 treated school: %+v, %d cells", e, len(cells))
	}
}
