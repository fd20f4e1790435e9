package reports

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/coachimpact/coachimpact/model"
	"github.com/xuri/excelize/v2"
)

// withinSections are the Overview's same-teacher sections: per subject
// (and both together) the within-teacher comparison, the same teachers'
// students in their coached and uncoached years, with its verdict in the
// words of the other headlines; and the teacher event study's overall
// effect with its pre-trend check in words. Every row is a district
// figure over many teachers: none singles one out.
func withinSections(ctx context.Context, b *book, in Input) ([]section, error) {
	within, err := queryEstimates(ctx, in, fmt.Sprintf("analysis = '%s'", model.AnalysisWithinTeacher))
	if err != nil {
		return nil, err
	}
	events, err := queryEstimates(ctx, in, fmt.Sprintf("analysis = '%s' AND event_time IS NULL", model.AnalysisEventStudyTeacher))
	if err != nil {
		return nil, err
	}
	if len(within) == 0 && len(events) == 0 {
		return nil, nil
	}
	// Both subjects together first, as the headline does.
	slices.SortStableFunc(within, func(a, b est) int { return b2i(b.subject == model.AllSubjects) - b2i(a.subject == model.AllSubjects) })
	var wrows, erows [][]any
	for _, e := range within {
		v, words := b.withinVerdict(in, e, plainWithin, "teachers were seen both coached and not")
		wrows = append(wrows, append(append([]any{e.subject, yearLabel(e.year), v, words}, withinNumbers(e)...), e.coachedTeachers))
	}
	for _, e := range events {
		v, words := b.withinVerdict(in, e, plainEventStudy, "teachers were first coached in these years")
		if !e.suppressed && e.v[0] != nil {
			words += "; " + preTrendWords(e.preTrend)
		}
		erows = append(erows, append(append([]any{e.subject, yearLabel(e.year), v, words}, withinNumbers(e)...), e.coachedTeachers))
	}
	cols := func(teachers string) []column {
		// The headline's columns and widths, so that the sheet stays a
		// laptop screen wide.
		return []column{{Name: "Subject", Width: 10}, {Name: "Years", Width: 9}, {Name: "Verdict", Width: 12, Style: b.wrap}, {Name: "What the data say", Width: 24, Style: b.wrap},
			{Name: "Effect (SD)", Width: 10, Style: b.dec}, {Name: "95% CI low", Width: 10, Style: b.dec}, {Name: "95% CI high", Width: 10, Style: b.dec},
			{Name: teachers, Width: 20, Style: b.int}}
	}
	return []section{
		{Title: "The same teachers, coached and uncoached years: does a teacher's class grow more in the years the teacher is coached? (all years; not thrown off by which teachers get coached)", Cols: cols("Teachers seen coached and not"), Rows: wrows},
		{Title: "Teachers' first coached year: growth since the year before, against teachers not yet or never coached (all years)", Cols: cols("Teachers first coached"), Rows: erows},
	}, nil
}

// withinNumbers are an estimate's effect and interval cells, blank when it
// has none.
func withinNumbers(e est) []any {
	if e.suppressed {
		return []any{nil, nil, nil}
	}
	return []any{e.v[0], e.v[2], e.v[3]}
}

// withinVerdict is the verdict cell and words of a same-teacher estimate:
// suppressed, too few coached teachers (the few-coached floor, few saying
// what its teachers are), not estimated, or decided by the interval and
// said by words.
func (b *book) withinVerdict(in Input, e est, words sayings, few string) (any, string) {
	x, ok1 := num(e.v[0])
	lo, ok2 := num(e.v[2])
	hi, ok3 := num(e.v[3])
	switch {
	case e.suppressed:
		return b.verdictCell(verdictTooFew), in.suppressedWhy(e)
	case !ok1 || !ok2 || !ok3:
		return b.verdictCell(verdictTooFew), "not estimated: " + strings.TrimPrefix(e.note, "not estimated: ")
	case e.fewCoached:
		return excelize.Cell{Value: tooFewCoached, StyleID: b.verdicts[verdictTooFew]},
			fmt.Sprintf("Only %d %s: too few to tell (%+.2f SD)", e.coachedTeachers, few, x)
	}
	return b.verdictCell(decide(lo, hi)), words.say(x, lo, hi)
}

// sayings are the words of an estimate decided by its interval: above 0,
// below 0, and including 0.
type sayings struct{ more, less, same string }

// plainWithin says a within-teacher estimate.
var plainWithin = sayings{
	more: "The same teachers' students grew more in the years their teacher was coached than in the teacher's other years",
	less: "The same teachers' students grew less in the years their teacher was coached than in the teacher's other years",
	same: "No clear difference between the same teachers' coached and other years",
}

// plainEventStudy says a teacher event study's overall effect.
var plainEventStudy = sayings{
	more: "Once first coached, teachers' students grew more than before, beyond the change in teachers not yet coached",
	less: "Once first coached, teachers' students grew less than before, against the change in teachers not yet coached",
	same: "No clear change once teachers were first coached, against teachers not yet coached",
}

// say is the words for effect x with interval lo..hi, the effect in SD.
func (w sayings) say(x, lo, hi float64) string {
	switch decide(lo, hi) {
	case verdictMore:
		return fmt.Sprintf("%s (%+.2f SD)", w.more, x)
	case verdictLess:
		return fmt.Sprintf("%s (%+.2f SD)", w.less, x)
	}
	return fmt.Sprintf("%s (%+.2f SD; the interval includes 0)", w.same, x)
}

// preTrendWords says the event study's pre-trend test (p, or null when
// there is none) in words.
func preTrendWords(p any) string {
	x, ok := num(p)
	switch {
	case !ok:
		return "too few years before teachers' first coaching to check that the groups moved alike"
	case x < 0.05:
		return fmt.Sprintf("before their first coached year these teachers' growth was already moving apart from the others' (p = %.3f): read with care", x)
	}
	return fmt.Sprintf("before their first coached year these teachers' growth moved with the others' (no clear difference, p = %.3f)", x)
}

// eventTimes are the event_time of the estimates of where, in id order
// (nil off the event study's event-time rows), for the Impact sheet's
// labels.
func eventTimes(ctx context.Context, in Input, where string) ([]any, error) {
	rows, err := queryRows(ctx, in.DB, "SELECT event_time FROM estimates WHERE "+where+" ORDER BY id")
	if err != nil {
		return nil, err
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r[0]
	}
	return out, nil
}

// yearOrEvent labels an estimate's school year, or on an event-study row
// its year since the teacher's first coached one: "year -1 (placebo)",
// "year 0", "year 1".
func yearOrEvent(year int64, event any) string {
	if event == nil {
		return yearLabel(year)
	}
	e := i64(event)
	if e < 0 {
		return fmt.Sprintf("year %d (placebo)", e)
	}
	return fmt.Sprintf("year %d", e)
}
