package reports_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/reports"
)

// studentArm is one arm of a school's subject and year recomputed from
// the model's student_growth rows, student by student: its students,
// classrooms (teachers of record), mean growth and classroom-clustered
// standard error, SE² = G/(G-1) Σ_g (Σ_{i∈g} (y_i - ȳ))² / n².
type studentArm struct {
	n, rooms int
	mean, se float64
}

func newStudentArm(byTeacher map[string][]float64) studentArm {
	var a studentArm
	sum := 0.0
	for _, ys := range byTeacher {
		for _, y := range ys {
			a.n++
			sum += y
		}
	}
	a.rooms = len(byTeacher)
	if a.n == 0 {
		return a
	}
	a.mean = sum / float64(a.n)
	ss := 0.0
	for _, ys := range byTeacher {
		dev := 0.0
		for _, y := range ys {
			dev += y - a.mean
		}
		ss += dev * dev
	}
	if a.rooms > 1 {
		g := float64(a.rooms)
		a.se = math.Sqrt(g/(g-1)*ss) / float64(a.n)
	}
	return a
}

// wantInterval is coached minus not coached with its 95% interval: SE²
// the sum of the arms' SE², t with Welch-Satterthwaite's degrees of
// freedom over the arms' classrooms.
func wantInterval(co, not studentArm) (d, lo, hi float64) {
	vc, vn := co.se*co.se, not.se*not.se
	df := (vc + vn) * (vc + vn) / (vc*vc/float64(co.rooms-1) + vn*vn/float64(not.rooms-1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
	d = co.mean - not.mean
	h := t * math.Sqrt(vc+vn)
	return d, d - h, d + h
}

func wantWords(lo, hi float64) string {
	switch {
	case lo > 0:
		return "clearly more growth"
	case hi < 0:
		return "clearly less growth"
	}
	return "no clear difference"
}

// subjectYearKey keys the priors of schoolPriors.
func subjectYearKey(subject string, year int64) string { return fmt.Sprint(subject, "|", year) }

// schoolPriors are the empirical-Bayes priors the schools' verdicts
// shrink toward, per subject and year: over every school whose Growth
// sheet shows both groups of that subject and year with 2 classrooms or
// more each, the difference and its standard error recomputed from
// student_growth (wantInterval), given to model.EmpiricalBayes (checked
// against R's metafor in the model package).
func schoolPriors(t *testing.T, db *model.DB, dir string, files []os.DirEntry) map[string]*model.Shrinkage {
	t.Helper()
	est, se := map[string][]float64{}, map[string][]float64{}
	for _, fi := range files {
		id := strings.TrimSuffix(fi.Name(), ".xlsx")
		every := dataRows(t, rowsOf(t, open(t, filepath.Join(dir, fi.Name())), "Growth"), "School year", "Subject", "Group")
		shown := map[string]bool{}
		for _, r := range every {
			if len(r) > 5 {
				if _, err := strconv.ParseFloat(r[5], 64); err == nil {
					shown[r[0]+"|"+r[1]+"|"+r[2]] = true
				}
			}
		}
		for _, r := range every {
			if r[2] != "coached" || !shown[r[0]+"|"+r[1]+"|coached"] || !shown[r[0]+"|"+r[1]+"|not coached"] {
				continue
			}
			co, not := schoolArms(t, db, id, yearOf(r[0]), r[1])
			if co.rooms < 2 || not.rooms < 2 {
				continue
			}
			d, lo, hi := wantInterval(co, not)
			if hi == lo {
				continue
			}
			k := subjectYearKey(r[1], yearOf(r[0]))
			est[k] = append(est[k], d)
			se[k] = append(se[k], math.Sqrt(co.se*co.se+not.se*not.se))
		}
	}
	out := map[string]*model.Shrinkage{}
	for k := range est {
		if p, ok := model.EmpiricalBayes(est[k], se[k]); ok {
			out[k] = &p
		}
	}
	return out
}

// wantShrunk is a school's difference as its verdict takes it: pulled
// toward prior's mean by its precision, with a normal 95% interval; the
// school's own without a prior.
func wantShrunk(prior *model.Shrinkage, co, not studentArm) (d, lo, hi float64) {
	d, lo, hi = wantInterval(co, not)
	if prior == nil {
		return d, lo, hi
	}
	d, se := prior.Shrink(d, math.Sqrt(co.se*co.se+not.se*not.se))
	return d, d - 1.959963984540054*se, d + 1.959963984540054*se
}

// schoolArms reads a school's arms of a subject and year from the model.
func schoolArms(t *testing.T, db *model.DB, school string, year int64, subject string) (co, not studentArm) {
	t.Helper()
	arms := map[bool]map[string][]float64{true: {}, false: {}}
	for _, s := range growthOf(t, db, "school_year = ? AND subject = ?", school, year, subject) {
		arms[s.coached][s.teacher] = append(arms[s.coached][s.teacher], s.g)
	}
	return newStudentArm(arms[true]), newStudentArm(arms[false])
}

// growthRow is one student's growth in a school, with its teacher of
// record and whether that teacher was coached.
type growthRow struct {
	teacher string
	coached bool
	g       float64
}

// growthOf is the model's analysis rows of school where cond (on
// student_growth, its arguments after the school) holds.
func growthOf(t *testing.T, db *model.DB, cond, school string, args ...any) []growthRow {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT teacher_id, coached, growth FROM student_growth
		WHERE excluded IS NULL AND growth IS NOT NULL AND school_id = ? AND `+cond, append([]any{school}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []growthRow
	for rows.Next() {
		var r growthRow
		if err := rows.Scan(&r.teacher, &r.coached, &r.g); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstLine is the text of a sheet's first row below its title.
func firstLine(rows [][]string) string {
	for _, r := range rows[1:] {
		if len(r) > 0 {
			return r[0]
		}
	}
	return ""
}

// districtArms reads the district's arms of a subject and year from the
// model: every school's students with a growth, by teacher of record.
func districtArms(t *testing.T, db *model.DB, year int64, subject string) (co, not studentArm) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT teacher_id, coached, growth FROM student_growth
		WHERE excluded IS NULL AND growth IS NOT NULL AND school_year = ? AND subject = ?`, year, subject)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	arms := map[bool]map[string][]float64{true: {}, false: {}}
	for rows.Next() {
		var teacher string
		var coached bool
		var g float64
		if err := rows.Scan(&teacher, &coached, &g); err != nil {
			t.Fatal(err)
		}
		arms[coached][teacher] = append(arms[coached][teacher], g)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return newStudentArm(arms[true]), newStudentArm(arms[false])
}

// near reports whether a printed number is want, to the 1e-9 the
// recomputation's order of sums allows.
func near(cell string, want float64) bool {
	got, err := strconv.ParseFloat(cell, 64)
	return err == nil && math.Abs(got-want) <= 1e-9
}

// TestGrowthVerdicts reads every school's Growth sheet back, at the
// default thresholds, at one that hides many groups and at lower ones
// that show last year's groups: where both arms
// of a subject's latest year are shown, its verdict and the interval for
// the difference equal a computation from the model's student_growth
// rows done here student by student (wantInterval); where an arm is
// hidden, no difference is printed, only the reason, and the verdict is
// "too few classrooms to tell"; the groups' students and classrooms are
// the model's; the district's figure is the model's impact estimate for
// the subject and year with its verdict; last year's verdict is
// recomputed the same way; the sheet's first line names each subject.
func TestGrowthVerdicts(t *testing.T) {
	shown, hidden, lastShown, pooledShown := 0, 0, 0, 0
	for _, th := range []struct{ minCell, minRooms int }{{10, 3}, {40, 3}, {5, 2}} {
		cfg := config.Default()
		cfg.MinCell, cfg.MinClassrooms = th.minCell, th.minRooms
		minCell := th.minCell
		out, _, db := run(t, cfg, nil)
		dir := filepath.Join(out, "reports", reports.SchoolsDir)
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		priors := schoolPriors(t, db, dir, files)
		for _, fi := range files {
			id := strings.TrimSuffix(fi.Name(), ".xlsx")
			rows := rowsOf(t, open(t, filepath.Join(dir, fi.Name())), "Growth")
			every := dataRows(t, rows, "School year", "Subject", "Group")
			latest, coached := "", false
			for _, r := range every {
				latest = max(latest, r[0])
				coached = coached || r[2] == "coached"
			}
			sentence := firstLine(rows)
			if !coached {
				for _, r := range every {
					if r[0] == latest && !strings.Contains(sentence, r[1]) {
						t.Errorf("%s (min_cell %d): first line %q does not name %s", id, minCell, sentence, r[1])
					}
				}
				continue
			}
			// armShown reports whether the Every year table shows an
			// arm's mean (a hidden arm reads "suppressed ...").
			armShown := func(year, subject, group string) bool {
				for _, r := range every {
					if r[0] == year && r[1] == subject && r[2] == group {
						_, err := strconv.ParseFloat(r[5], 64)
						return err == nil
					}
				}
				return false
			}
			y := yearOf(latest)
			lastLabel := fmt.Sprintf("%d-%02d", y-2, (y-1)%100)
			glance := dataRows(t, rows, "Subject", "Verdict")
			if len(glance) == 0 {
				t.Errorf("%s (min_cell %d): no At a glance rows", id, minCell)
			}
			for _, g := range glance {
				for len(g) < 13 {
					g = append(g, "")
				}
				subject, years, pooled := strings.Cut(g[0], ", ")
				where := id + " " + latest + " " + g[0]
				if !strings.Contains(sentence, subject) {
					t.Errorf("%s: first line %q does not name the subject", where, sentence)
				}
				co, not := schoolArms(t, db, id, y, subject)
				bothShown := armShown(latest, subject, "coached") && armShown(latest, subject, "not coached")
				switch {
				case pooled:
					// The subject's years pooled (issue 15 item 2): only
					// where the latest year cannot tell.
					if bothShown && co.rooms > 1 && not.rooms > 1 {
						t.Errorf("%s: pooled although the latest year shows both groups", where)
					}
					d, lo, hi, pco, pnot := pooledWant(t, db, id, subject)
					if !strings.HasSuffix(years, " years pooled") || g[1] != wantWords(lo, hi) || !near(g[2], d) || !near(g[3], lo) || !near(g[4], hi) || !near(g[5], d) {
						t.Errorf("%s: verdict %q, difference %s (%s to %s), alone %s; want %q, %.6f (%.6f to %.6f) over the years pooled", where, g[1], g[2], g[3], g[4], g[5], wantWords(lo, hi), d, lo, hi)
					}
					for i, want := range []int{pco.n, pco.rooms, pnot.n, pnot.rooms} {
						if g[6+i] != strconv.Itoa(want) && g[6+i] != thousandsText(want) {
							t.Errorf("%s: column %d reads %q; the model has %d", where, 7+i, g[6+i], want)
						}
					}
					pooledShown++
				case bothShown && co.rooms > 1 && not.rooms > 1:
					shown++
					raw, _, _ := wantInterval(co, not)
					d, lo, hi := wantShrunk(priors[subjectYearKey(subject, y)], co, not)
					if g[1] != wantWords(lo, hi) || !near(g[2], d) || !near(g[3], lo) || !near(g[4], hi) || !near(g[5], raw) {
						t.Errorf("%s: verdict %q, difference %s (%s to %s), alone %s; want %q, %.6f (%.6f to %.6f), alone %.6f", where, g[1], g[2], g[3], g[4], g[5], wantWords(lo, hi), d, lo, hi, raw)
					}
					for i, want := range []int{co.n, co.rooms, not.n, not.rooms} {
						if g[6+i] != strconv.Itoa(want) {
							t.Errorf("%s: column %d reads %q; the model has %d", where, 7+i, g[6+i], want)
						}
					}
				default:
					if !bothShown {
						hidden++
					}
					if _, err := strconv.ParseFloat(g[2], 64); err == nil || g[2] == "" || g[3] != "" || g[4] != "" || g[1] != "too few classrooms to tell" {
						t.Errorf("%s: an arm hidden or under 2 classrooms, yet %q, difference %q (%q to %q); want the reason and no numbers", where, g[1], g[2], g[3], g[4])
					}
				}
				var est, lo, hi *float64
				if err := db.QueryRowContext(context.Background(), `SELECT estimate, ci_low, ci_high FROM estimates
					WHERE analysis = 'impact' AND coalesce(subgroup, '') = '' AND subject = ? AND school_year = ?`, subject, y).Scan(&est, &lo, &hi); err != nil {
					t.Fatalf("%s: estimate: %v", where, err)
				}
				if est != nil && lo != nil && hi != nil && (!near(g[10], *est) || g[11] != wantWords(*lo, *hi)) {
					t.Errorf("%s: district %q, %q; the model's estimate %.6f (%.6f to %.6f)", where, g[10], g[11], *est, *lo, *hi)
				}
				// Last year's verdict, when last year has students.
				pco, pnot := schoolArms(t, db, id, y-1, subject)
				want := ""
				switch {
				case pco.n == 0 && pnot.n == 0:
				case armShown(lastLabel, subject, "coached") && armShown(lastLabel, subject, "not coached") && pco.rooms > 1 && pnot.rooms > 1:
					_, lo, hi := wantShrunk(priors[subjectYearKey(subject, y-1)], pco, pnot)
					want = wantWords(lo, hi)
					lastShown++
				default:
					want = "too few classrooms to tell"
				}
				if g[12] != want {
					t.Errorf("%s: %s verdict %q; want %q", where, lastLabel, g[12], want)
				}
			}
		}
	}
	t.Logf("%d subjects with both groups shown, %d with a group hidden, %d last years with a verdict, %d pooled", shown, hidden, lastShown, pooledShown)
	if shown == 0 || hidden == 0 || lastShown == 0 {
		t.Errorf("%d subjects with both groups shown, %d with a group hidden, %d last years with a verdict: want some of each", shown, hidden, lastShown)
	}
}

// TestDistrictFallback: with no impact estimate by subject and year in
// the model, a school's glance gives the district's figure as the
// difference of the district's arm means, computed here from every
// school's students (wantInterval) when no school's group of that
// subject and year is hidden (thresholds of 1); at a threshold that
// hides groups, it gives no number, since the district's means with
// the printed groups could give a hidden one back.
func TestDistrictFallback(t *testing.T) {
	_, _, db := run(t, config.Default(), nil)
	exec(t, db, "DELETE FROM estimates WHERE analysis = 'impact'")
	seen := 0
	for _, minCell := range []int{1, 40} {
		dir := t.TempDir()
		if err := reports.Schools(context.Background(), reports.Input{DB: db, MinCell: minCell, MinClassrooms: 1, Started: time.Now()}, dir); err != nil {
			t.Fatal(err)
		}
		rows := rowsOf(t, open(t, filepath.Join(dir, "0101.xlsx")), "Growth")
		every := dataRows(t, rows, "School year", "Subject", "Group")
		latest := ""
		for _, r := range every {
			latest = max(latest, r[0])
		}
		for _, g := range dataRows(t, rows, "Subject", "Verdict") {
			for len(g) < 13 {
				g = append(g, "")
			}
			seen++
			if minCell > 1 {
				if _, err := strconv.ParseFloat(g[10], 64); err == nil {
					t.Errorf("min_cell %d, %s: district %q with groups hidden", minCell, g[0], g[10])
				}
				continue
			}
			co, not := districtArms(t, db, yearOf(latest), g[0])
			d, lo, hi := wantInterval(co, not)
			if !near(g[10], d) || g[11] != wantWords(lo, hi) {
				t.Errorf("%s %s: district %q, %q; want %.6f, %q (%.6f to %.6f)", latest, g[0], g[10], g[11], d, wantWords(lo, hi), lo, hi)
			}
		}
	}
	if seen == 0 {
		t.Error("school 0101 has no glance rows")
	}
}

// pooledWant recomputes a pooled verdict from the model's students: the
// school's students of the subject in every year, coached minus not
// coached, with a CI clustered by teacher over both groups (a teacher in
// both groups, coached one year and not the next, is one cluster):
// V = G/(G-1) Σ_g (u_g^c - u_g^n)², u_g^a = Σ_i∈g,a (y_i - ȳ_a) / N_a,
// t on G-1 degrees of freedom. Checked against R's
// sandwich::vcovCL(lm(growth ~ coached), cluster = ~teacher, HC0,
// cadjust = TRUE) in the issue-15 note.
func pooledWant(t *testing.T, db *model.DB, school, subject string) (d, lo, hi float64, co, not studentArm) {
	t.Helper()
	all := growthOf(t, db, "subject = ?", school, subject)
	arms := map[bool]map[string][]float64{true: {}, false: {}}
	for _, s := range all {
		arms[s.coached][s.teacher] = append(arms[s.coached][s.teacher], s.g)
	}
	var n [2]float64
	var sum [2]float64
	idx := func(c bool) int {
		if c {
			return 1
		}
		return 0
	}
	for _, s := range all {
		n[idx(s.coached)]++
		sum[idx(s.coached)] += s.g
	}
	mean := [2]float64{sum[0] / n[0], sum[1] / n[1]}
	u := map[string]float64{}
	for _, s := range all {
		a := idx(s.coached)
		sign := 1.0
		if a == 0 {
			sign = -1
		}
		u[s.teacher] += sign * (s.g - mean[a]) / n[a]
	}
	ss := 0.0
	for _, v := range u {
		ss += v * v
	}
	g := float64(len(u))
	se := math.Sqrt(g / (g - 1) * ss)
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: g - 1}.Quantile(0.975)
	d = mean[1] - mean[0]
	return d, d - q*se, d + q*se, newStudentArm(arms[true]), newStudentArm(arms[false])
}

// thousandsText writes n as the workbook's counts read: 1,419.
func thousandsText(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
