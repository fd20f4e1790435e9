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

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/pipeline"
	"github.com/coachimpact/coachimpact/reports"
	"github.com/coachimpact/coachimpact/synth"
)

// TestSuppressionAttack attacks every workbook the demo writes as a
// reader with the workbooks (and no model) would: for each suppressed
// cell it tries the subtractions that give a hidden group back (a pair
// from its total, a subject total from its grades, a school-year from its
// groups, a dosage band from the estimate's counts, a subgroup from its
// complement and total, a cohort-year from its schools or its event-time
// row) and fails when every number an attack needs is printed. The
// recovered value is shown beside the true one from the model.
func TestSuppressionAttack(t *testing.T) {
	out, db := demoDistrict(t)
	rep := filepath.Join(out, "reports")
	at := &attacker{t: t, db: db}

	district := open(t, filepath.Join(rep, reports.DistrictBook))
	schoolRows := dataRows(t, rowsOf(t, district, "Schools"), "School ID", "School")
	files, err := os.ReadDir(filepath.Join(rep, reports.SchoolsDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, fi := range files {
		id := strings.TrimSuffix(fi.Name(), ".xlsx")
		f := open(t, filepath.Join(rep, reports.SchoolsDir, fi.Name()))
		growth := dataRows(t, rowsOf(t, f, "Growth"), "School year", "Subject", "Group")
		grades := dataRows(t, rowsOf(t, f, "Grades and subjects"), "Subject", "Grade")
		var mine [][]string
		for _, r := range schoolRows {
			if r[0] == id {
				mine = append(mine, r)
			}
		}
		at.school(id, growth, grades, mine)
		pooled, _ := rowsUnder(rowsOf(t, f, "Growth"), "Years pooled", "Subject", "Group")
		at.pooled(id, growth, pooled)
	}

	dose := rowsOf(t, district, "Dose-response")
	at.bands(dataRows(t, dose, "Subject", "School year", "SD per hour"), dataRows(t, dose, "Subject", "School year", "Band"))
	at.subgroups(dataRows(t, dose, "Subject", "School year", "SD per hour"), dataRows(t, rowsOf(t, district, "Subgroups"), "Group", "Subject"))

	cohorts := open(t, filepath.Join(rep, reports.CohortsBook))
	panel := dataRows(t, rowsOf(t, cohorts, "Cohort panel"), "Cohort", "School year")
	event := dataRows(t, rowsOf(t, cohorts, "Difference-in-differences"), "Cohort", "Years since joining")
	at.cohorts(panel, event, schoolRows)

	if at.hidden == 0 {
		t.Fatal("the demo has no suppressed cell: the attack tested nothing")
	}
	t.Logf("%d suppressed cells attacked, %d attacks tried, none recovered a value", at.hidden, at.tried)
}

// demoDistrict runs the pipeline on the demo district (synth's defaults)
// and returns the output folder and its model, closed when t ends.
func demoDistrict(t *testing.T) (string, *model.DB) {
	t.Helper()
	ctx := context.Background()
	in, out := t.TempDir(), t.TempDir()
	if _, err := synth.Generate(ctx, in, synth.Config{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(ctx, pipeline.Options{Input: in, Out: out, Config: config.Default()}); err != nil {
		t.Fatal(err)
	}
	db, err := model.Open(ctx, filepath.Join(out, pipeline.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return out, db
}

type attacker struct {
	t             *testing.T
	db            *model.DB
	hidden, tried int
}

// value parses a printed number; ok is false for a suppressed (text) or
// empty cell.
func value(r []string, i int) (float64, bool) {
	if i >= len(r) {
		return 0, false
	}
	v, err := strconv.ParseFloat(r[i], 64)
	return v, err == nil
}

func isHidden(r []string, i int) bool { return i < len(r) && strings.HasPrefix(r[i], "suppressed") }

// recovered fails the test: an attack had every number it needed.
func (a *attacker) recovered(what string, got, truth float64) {
	a.t.Helper()
	a.t.Errorf("%s: recovered %.6g by subtraction (true value %.6g)", what, got, truth)
}

func (a *attacker) truth(q string, args ...any) float64 {
	var v *float64
	if err := a.db.QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		a.t.Fatalf("%s: %v", q, err)
	}
	if v == nil {
		return math.NaN()
	}
	return *v
}

// yearOf reads a school-year label "2023-24" as 2024.
func yearOf(label string) int64 {
	y, err := strconv.ParseInt(label[:4], 10, 64)
	if err != nil {
		return 0
	}
	return y + 1
}

// school attacks one school's Growth and Grades sheets and its rows on
// the district's Schools sheet.
func (a *attacker) school(id string, growth, grades, district [][]string) {
	latest := ""
	for _, r := range growth {
		latest = max(latest, r[0])
		if isHidden(r, 5) {
			a.hidden++
		}
	}
	for _, r := range grades {
		if isHidden(r, 2) {
			a.hidden++
		}
	}
	// A1: a subject's latest-year total from its grades, minus the arm
	// that is shown, gives the hidden arm; both arms give a hidden grade.
	subjects := map[string]bool{}
	for _, r := range grades {
		subjects[r[0]] = true
	}
	for subj := range subjects {
		var arms [][]string
		for _, r := range growth {
			if r[0] == latest && r[1] == subj {
				arms = append(arms, r)
			}
		}
		var gn, gsum float64
		var hiddenGrades [][]string
		for _, r := range grades {
			if r[0] != subj {
				continue
			}
			n, ok1 := value(r, 2)
			m, ok2 := value(r, 4)
			if !ok1 || !ok2 {
				hiddenGrades = append(hiddenGrades, r)
				continue
			}
			gn, gsum = gn+n, gsum+n*m
		}
		var hid [][]string
		var an, asum float64
		for _, r := range arms {
			n, ok1 := value(r, 4)
			m, ok2 := value(r, 5)
			if ok1 && (ok2 || n == 0) {
				an, asum = an+n, asum+n*m
			} else {
				hid = append(hid, r)
			}
		}
		a.tried += 2
		if len(hiddenGrades) == 0 && len(hid) == 1 {
			got := (gsum - asum) / (gn - an)
			truth := a.truth(`SELECT avg(growth) FROM student_growth WHERE excluded IS NULL AND school_id = ? AND school_year = ? AND subject = ? AND coached = ?`,
				id, yearOf(latest), subj, hid[0][2] == "coached")
			a.recovered(fmt.Sprintf("school %s, %s %s %s mean growth (grades total minus the other group)", id, latest, subj, hid[0][2]), got, truth)
		}
		if len(hid) == 0 && len(hiddenGrades) == 1 && len(arms) > 0 {
			g, _ := strconv.Atoi(hiddenGrades[0][1])
			truth := a.truth(`SELECT count(*)::DOUBLE FROM student_growth WHERE excluded IS NULL AND school_id = ? AND school_year = ? AND subject = ? AND tested_grade = ?`,
				id, yearOf(latest), subj, g)
			a.recovered(fmt.Sprintf("school %s, %s grade %d students (groups total minus the other grades)", id, subj, g), an-gn, truth)
		}
	}
	// A2: a school-year on the district's Schools sheet, less its
	// groups that are shown, gives the one that is hidden; A3: the same
	// with the latest year's grades.
	for _, d := range district {
		if _, ok := value(d, 14); !ok {
			continue // the district row hides its growth
		}
		a.tried += 2
		var hid []string
		for _, r := range growth {
			if r[0] == d[4] && isHidden(r, 5) {
				hid = append(hid, r[1]+" "+r[2])
			}
		}
		if len(hid) == 1 {
			a.recovered(fmt.Sprintf("school %s, %s %s (the district's Schools row minus the other groups)", id, d[4], hid[0]), math.NaN(), math.NaN())
		}
		if d[4] == latest {
			n := 0
			for _, r := range grades {
				if isHidden(r, 2) {
					n++
				}
			}
			if n == 1 {
				a.recovered(fmt.Sprintf("school %s, %s: a hidden grade (the district's Schools row minus the other grades)", id, latest), math.NaN(), math.NaN())
			}
		}
	}
}

// pooled attacks a school's pooled rows (A4): a subject's arm over all
// years, less the same arm's years that are shown, gives the one year
// that is hidden (students, and mean growth from the sums).
func (a *attacker) pooled(id string, growth, pooled [][]string) {
	for _, p := range pooled {
		n, ok1 := value(p, 4)
		m, ok2 := value(p, 5)
		if !ok1 || !ok2 {
			a.hidden++
			continue
		}
		a.tried++
		var hid [][]string
		var sn, ssum float64
		for _, r := range growth {
			if r[1] != p[1] || r[2] != p[2] {
				continue
			}
			rn, ok1 := value(r, 4)
			rm, ok2 := value(r, 5)
			switch {
			case ok1 && (ok2 || rn == 0):
				sn, ssum = sn+rn, ssum+rn*rm
			default:
				hid = append(hid, r)
			}
		}
		if len(hid) == 1 {
			got := (n*m - ssum) / (n - sn)
			truth := a.truth(`SELECT avg(growth) FROM student_growth WHERE excluded IS NULL AND school_id = ? AND school_year = ? AND subject = ? AND coached = ?`,
				id, yearOf(hid[0][0]), p[1], p[2] == "coached")
			a.recovered(fmt.Sprintf("school %s, %s %s %s mean growth (all years pooled minus the years shown)", id, hid[0][0], p[1], p[2]), got, truth)
		}
	}
}

// bands attacks the Dose-response sheet: an estimate's students (and
// coached students) less the bands shown give the hidden band; the
// all-years and both-subjects rows less the others give it too.
func (a *attacker) bands(per, bands [][]string) {
	type key struct{ subject, year string }
	students, coached := map[key]float64{}, map[key]float64{}
	for _, r := range per {
		if n, ok := value(r, 6); ok {
			students[key{r[0], r[1]}] = n
		}
		if n, ok := value(r, 7); ok {
			coached[key{r[0], r[1]}] = n
		}
	}
	byCell := map[key][][]string{}
	byBand := map[string][][]string{} // band -> rows of every cell
	for _, r := range bands {
		byCell[key{r[0], r[1]}] = append(byCell[key{r[0], r[1]}], r)
		byBand[r[2]] = append(byBand[r[2]], r)
		if isHidden(r, 3) {
			a.hidden++
		}
	}
	truth := func(r []string) float64 {
		y := yearOf(r[1])
		if r[1] == "all years" {
			return a.truth(`SELECT n_students::DOUBLE FROM dosage_bands WHERE subject = ? AND school_year IS NULL AND band = ?`, r[0], r[2])
		}
		return a.truth(`SELECT n_students::DOUBLE FROM dosage_bands WHERE subject = ? AND school_year = ? AND band = ?`, r[0], y, r[2])
	}
	for k, rows := range byCell {
		for _, total := range []struct {
			name  string
			n     float64
			ok    bool
			bands func(string) bool
		}{
			{"students", students[k], students[k] > 0, func(string) bool { return true }},
			{"coached students", coached[k], coached[k] > 0, func(b string) bool { return b != "0 hours" }},
		} {
			if !total.ok {
				continue
			}
			a.tried++
			sum, var_ := 0.0, [][]string{}
			for _, r := range rows {
				if !total.bands(r[2]) {
					continue
				}
				if n, ok := value(r, 3); ok {
					sum += n
				} else if isHidden(r, 3) {
					var_ = append(var_, r)
				}
			}
			if len(var_) == 1 {
				a.recovered(fmt.Sprintf("dosage band %s %s %s (%s minus the other bands)", k.subject, k.year, var_[0][2], total.name), total.n-sum, truth(var_[0]))
			}
		}
	}
	// The same band across years (the all-years row) and subjects.
	for band, rows := range byBand {
		parts := map[string][][]string{} // all-years row's subject -> its years
		alls := map[string][]string{}
		for _, r := range rows {
			if r[1] == "all years" {
				alls[r[0]] = r
			} else {
				parts[r[0]] = append(parts[r[0]], r)
			}
		}
		for subj, all := range alls {
			if subj == model.AllSubjects {
				for s2, r := range alls {
					if s2 != subj {
						parts[subj] = append(parts[subj], r)
					}
				}
			}
			total, ok := value(all, 3)
			if !ok {
				continue
			}
			a.tried++
			sum, hid := 0.0, [][]string{}
			for _, r := range parts[subj] {
				if n, ok := value(r, 3); ok {
					sum += n
				} else if isHidden(r, 3) {
					hid = append(hid, r)
				}
			}
			if len(hid) == 1 {
				a.recovered(fmt.Sprintf("dosage band %s %s %s (the all-years row minus the other years)", hid[0][0], hid[0][1], band), total-sum, truth(hid[0]))
			}
		}
	}
}

// subgroups attacks the Subgroups sheet: a variable's total students
// (the estimate's count) less its other groups give a hidden group.
func (a *attacker) subgroups(per, groups [][]string) {
	type key struct{ variable, subject, year string }
	total := map[[2]string]float64{}
	for _, r := range per {
		if n, ok := value(r, 6); ok {
			total[[2]string{r[0], r[1]}] = n
		}
	}
	byVar := map[key][][]string{}
	for _, r := range groups {
		v, _, _ := strings.Cut(r[0], ": ")
		byVar[key{v, r[1], r[2]}] = append(byVar[key{v, r[1], r[2]}], r)
		if isHidden(r, 7) {
			a.hidden++
		}
	}
	for k, rows := range byVar {
		n, ok := total[[2]string{k.subject, k.year}]
		if !ok {
			continue
		}
		a.tried++
		sum, hid := 0.0, [][]string{}
		for _, r := range rows {
			if v, ok := value(r, 7); ok {
				sum += v
			} else {
				hid = append(hid, r)
			}
		}
		if len(hid) != 1 {
			continue
		}
		// Students without a value for the variable make the total
		// larger than its groups; the attack recovers the group only
		// when there are none.
		var truth float64
		for _, e := range a.subgroupTruth(k.subject, k.year) {
			if subgroupName(e.key) == hid[0][0] {
				truth = e.n
			}
		}
		if n-sum == truth {
			a.recovered(fmt.Sprintf("subgroup %s %s %s students (total minus the other groups)", hid[0][0], k.subject, k.year), n-sum, truth)
		}
	}
}

type groupCount struct {
	key string
	n   float64
}

func (a *attacker) subgroupTruth(subject, year string) []groupCount {
	q := `SELECT subgroup, n_students FROM estimates WHERE analysis = 'impact_subgroup' AND subject = ? AND school_year IS NULL`
	args := []any{subject}
	if year != "all years" {
		q = `SELECT subgroup, n_students FROM estimates WHERE analysis = 'impact_subgroup' AND subject = ? AND school_year = ?`
		args = append(args, yearOf(year))
	}
	rows, err := a.db.QueryContext(context.Background(), q, args...)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	var out []groupCount
	for rows.Next() {
		var g groupCount
		if err := rows.Scan(&g.key, &g.n); err != nil {
			a.t.Fatal(err)
		}
		out = append(out, g)
	}
	return out
}

// subgroupName is the Subgroups sheet's label of a subgroup key.
func subgroupName(key string) string {
	col, v, _ := strings.Cut(key, " = ")
	name := map[string]string{"english_learner": "English learners", "special_education": "Special education",
		"economically_disadvantaged": "Economically disadvantaged", "race_ethnicity": "Race/ethnicity"}[col]
	switch v {
	case "Y":
		v = "yes"
	case "N":
		v = "no"
	}
	return name + ": " + v
}

// cohorts attacks cohorts.xlsx: a cohort-year's panel row and its event
// time row cover the same school-years, the all-cohorts row less the
// other cohorts gives a hidden one, and a cohort-year's students less
// its schools' rows on the district's Schools sheet give a hidden school.
func (a *attacker) cohorts(panel, event, schools [][]string) {
	type key struct{ cohort, year string }
	panelRows := map[key][]string{}
	for _, r := range panel {
		panelRows[key{r[0], r[1]}] = r
		if isHidden(r, 3) {
			a.hidden++
		}
	}
	byEvent := map[string][][]string{}
	for _, r := range event {
		if isHidden(r, 3) {
			a.hidden++
		}
		if r[0] == "all cohorts" {
			continue
		}
		byEvent[r[1]] = append(byEvent[r[1]], r)
		// "joined 2021-22" at event time e is school year 2022+e.
		joined := yearOf(strings.TrimPrefix(r[0], "joined "))
		e, _ := strconv.ParseInt(r[1], 10, 64)
		y := joined + e
		p, ok := panelRows[key{r[0], fmt.Sprintf("%d-%02d", y-1, y%100)}]
		if !ok {
			continue
		}
		a.tried++
		_, eventShown := value(r, 4)
		_, panelShown := value(p, 9)
		if eventShown != panelShown {
			a.recovered(fmt.Sprintf("cohort %s %s growth (its event-time row and its panel row cover the same schools)", r[0], p[1]), math.NaN(), math.NaN())
		}
	}
	for _, r := range event {
		if r[0] != "all cohorts" {
			continue
		}
		if _, ok := value(r, 4); !ok {
			continue
		}
		a.tried++
		hid := 0
		for _, c := range byEvent[r[1]] {
			if _, ok := value(c, 4); !ok {
				hid++
			}
		}
		if hid == 1 {
			a.recovered(fmt.Sprintf("event time %s: a cohort's growth (all cohorts minus the others)", r[1]), math.NaN(), math.NaN())
		}
	}
	// Cohort-year students minus its schools' students.
	label := func(c string) string {
		if c == "comparison" {
			return c
		}
		y, _ := strconv.ParseInt(c, 10, 64)
		return fmt.Sprintf("joined %d-%02d", y-1, y%100)
	}
	bySchoolYear := map[key][][]string{}
	for _, s := range schools {
		k := key{label(s[3]), s[4]}
		bySchoolYear[k] = append(bySchoolYear[k], s)
	}
	for k, p := range panelRows {
		total, ok := value(p, 3)
		if !ok {
			continue
		}
		a.tried++
		sum, hid := 0.0, [][]string{}
		for _, s := range bySchoolYear[k] {
			if n, ok := value(s, 6); ok {
				sum += n
			} else if isHidden(s, 6) {
				hid = append(hid, s)
			}
		}
		if len(hid) == 1 {
			truth := a.truth(`SELECT analysis_students::DOUBLE FROM school_year_panel WHERE school_id = ? AND school_year = ?`, hid[0][0], yearOf(k.year))
			a.recovered(fmt.Sprintf("school %s %s students (its cohort-year minus the other schools)", hid[0][0], k.year), total-sum, truth)
		}
	}
}
