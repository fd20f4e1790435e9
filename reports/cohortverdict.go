package reports

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// cohortVerdict is one cohort's headline in a subject: the impact model
// within the cohort's schools (the impact_subgroup estimate of
// "ip_cohort = Y") for the latest year, or for all years pooled where
// the latest is too small to tell, beside the district's estimate for
// the same subject and year and the cohort's verdict the year before.
type cohortVerdict struct {
	cohort  int64 // ip_cohort, the ending year of the year it joined
	subject string
	e       est // the estimate the verdict rests on
	pooled  bool
	verdict verdict
	why     string // with no interval: why not
	last    verdict
}

// estimateVerdict is what an estimate's interval says, or, with none,
// verdictTooFew and why.
func estimateVerdict(e est) (verdict, string) {
	lo, ok1 := num(e.v[2])
	hi, ok2 := num(e.v[3])
	switch {
	case e.suppressed:
		return verdictTooFew, "too few students or classrooms to publish"
	case (!ok1 || !ok2) && strings.Contains(e.note, "collinear"):
		return verdictTooFew, "coached and other classrooms cannot be told apart within grades"
	case !ok1 || !ok2:
		return verdictTooFew, strings.TrimPrefix(plainNote(e.note), "not estimated: ")
	}
	return decide(lo, hi), ""
}

// cohortVerdicts decides each cohort's verdict per subject in the latest
// year of the estimates.
func cohortVerdicts(ests []est) (latest int64, out []cohortVerdict) {
	type key struct {
		cohort  int64
		subject string
		year    int64
	}
	by := map[key]est{}
	for _, e := range ests {
		v, ok := strings.CutPrefix(e.subgroup, "ip_cohort = ")
		c, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || e.subject == "All" {
			continue
		}
		by[key{c, e.subject, e.year}] = e
		latest = max(latest, e.year)
	}
	for k, e := range by {
		if k.year != latest {
			continue
		}
		cv := cohortVerdict{cohort: k.cohort, subject: k.subject, e: e}
		cv.verdict, cv.why = estimateVerdict(e)
		if p, ok := by[key{k.cohort, k.subject, 0}]; ok && cv.verdict == verdictTooFew && e.coachedTeachers > 0 {
			if v, _ := estimateVerdict(p); v != verdictTooFew {
				cv.e, cv.pooled, cv.verdict, cv.why = p, true, v, ""
			}
		}
		cv.last = verdictNone
		if l, ok := by[key{k.cohort, k.subject, latest - 1}]; ok {
			cv.last, _ = estimateVerdict(l)
		}
		out = append(out, cv)
	}
	slices.SortFunc(out, func(a, b cohortVerdict) int {
		return cmp.Or(cmp.Compare(a.cohort, b.cohort), cmp.Compare(a.subject, b.subject))
	})
	return latest, out
}

// sentence is a cohort's subject in the words of the school sentences,
// lower-case first: "coached classrooms grew about 0.23 SD more in ELA
// than other classrooms of these schools (95% interval 0.09 to 0.37):
// clearly more growth."
func (c cohortVerdict) sentence() string {
	lo, _ := num(c.e.v[2])
	hi, _ := num(c.e.v[3])
	d, _ := num(c.e.v[0])
	over := ""
	if c.pooled {
		over = " over all years taken together"
	}
	switch c.verdict {
	case verdictMore, verdictLess:
		return fmt.Sprintf("coached classrooms grew about %s SD %s in %s than other classrooms of these schools%s (95%% interval %s to %s): %s.",
			sd(max(d, -d)), c.verdict.moreOrLess(), c.subject, over, sd(lo), sd(hi), c.verdict)
	case verdictSame:
		return fmt.Sprintf("%s: no clear difference between coached and other classrooms%s (%s SD, 95%% interval %s to %s).", c.subject, over, sd(d), sd(lo), sd(hi))
	}
	return fmt.Sprintf("%s: too few classrooms to tell (%s).", c.subject, c.why)
}

// cohortSentence is a cohort's line: its subjects' sentences, the first
// naming the year and the cohort.
func cohortSentence(year string, cs []cohortVerdict) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.sentence()
	}
	return joinSentences("In "+year+", in the schools that joined in "+yearLabel(cs[0].cohort)+", ", " ", parts)
}

// cohortGlanceSheet is cohorts.xlsx's first sheet: for each cohort, one
// line in words and a row per subject with the verdict, the effect with
// its interval, the students and classrooms behind it, the district's
// figure and last year's verdict.
func cohortGlanceSheet(ctx context.Context, b *book, in Input) error {
	ests, err := queryEstimates(ctx, in, "analysis IN ('impact', 'impact_subgroup')")
	if err != nil {
		return err
	}
	latest, cvs := cohortVerdicts(ests)
	district := map[subjectYear]est{}
	for _, e := range ests {
		if e.analysis == "impact" {
			district[subjectYear{e.subject, e.year}] = e
		}
	}
	var lines []section
	var rows [][]any
	for i, c := range cvs {
		name := "Schools that " + cohortName(c.cohort)
		if i == 0 || cvs[i-1].cohort != c.cohort {
			j := i
			for j < len(cvs) && cvs[j].cohort == c.cohort {
				j++
			}
			lines = append(lines, section{Title: cohortSentence(yearLabel(latest), cvs[i:j])})
		}
		years := yearLabel(latest)
		if c.pooled {
			years = "all years pooled"
		}
		r := []any{name, c.subject, years, b.verdictCell(c.verdict)}
		if c.verdict == verdictTooFew {
			r = append(r, c.why, nil, nil)
		} else {
			r = append(r, c.e.v[0], c.e.v[2], c.e.v[3])
		}
		n, co := in.counts(c.e)
		r = append(r, n, co, c.e.teachers, c.e.coachedTeachers)
		if d, ok := district[subjectYear{c.subject, c.e.year}]; ok {
			v, why := estimateVerdict(d)
			var fig any = why
			if v != verdictTooFew {
				fig = d.v[0]
			}
			r = append(r, fig, b.verdictCell(v))
		} else {
			r = append(r, nil, nil)
		}
		rows = append(rows, append(r, b.verdictCell(c.last)))
	}
	if len(rows) == 0 {
		lines = []section{{Title: "No network cohort has students in the model."}}
	}
	cols := []column{
		{Name: "Cohort", Width: 24, Style: b.wrap}, {Name: "Subject", Width: 9}, {Name: "Years", Width: 11}, {Name: "Verdict", Width: 16, Style: b.wrap},
		{Name: "Effect (SD)", Width: 10, Style: b.decWrap}, {Name: "95% CI low", Width: 10, Style: b.dec}, {Name: "95% CI high", Width: 10, Style: b.dec},
		{Name: "Students", Width: 9, Style: b.int}, {Name: "Coached students", Width: 9, Style: b.int}, {Name: "Teachers", Width: 9, Style: b.int}, {Name: "Coached teachers", Width: 9, Style: b.int},
		{Name: "District effect (SD)", Width: 10, Style: b.decWrap}, {Name: "District verdict", Width: 14}, {Name: yearLabel(latest-1) + " verdict", Width: 14},
	}
	return b.sheet("At a glance", "Are coached classrooms growing more in each cohort's schools, and how sure are we?", append(lines,
		section{Title: "Coached against other classrooms within each cohort's schools, " + yearLabel(latest) + " (the impact model: same starting score and grade)", Cols: cols, Rows: rows, Main: true}), nil)
}

// cohortName is how a cohort reads in a sentence: "joined 2021-22".
func cohortName(c int64) string { return "joined " + yearLabel(c) }
