package reports

import (
	"context"
	"fmt"
	"math"

	"github.com/coachimpact/coachimpact/model"
)

// "How sure are we?" (issue 16, item 6) in words: the Overview's section
// per headline subject, and the chance line of a school's verdict.

// sureQuery selects the how-sure fields of the headlines over all years
// in SD of score whose sentences the Overview shows: impact (All first,
// then each subject), then impact_within_teacher, then
// event_study_teacher's overall rows, then did_cs.
const sureQuery = `
SELECT subject, estimate, mde, prob_positive, prob_above_threshold, threshold, e_value, e_value_ci,
       suppressed, coalesce(few_coached_clusters, false), n_coached_teachers, ci_low, ci_high, analysis
FROM estimates
WHERE analysis IN ('impact', 'impact_within_teacher', 'event_study_teacher', 'did_cs') AND school_year IS NULL AND coalesce(subgroup, '') = ''
  AND event_time IS NULL
ORDER BY CASE analysis WHEN 'impact' THEN 0 WHEN 'impact_within_teacher' THEN 1 WHEN 'event_study_teacher' THEN 2 ELSE 3 END, subject <> 'All', subject`

// sureSection is the Overview's "How sure are we?" table: for each
// subject's impact over all years (and the within-teacher, teacher
// event-study and Callaway-Sant'Anna estimates), three rows in words:
// the design's minimum detectable effect, the chances that the effect is
// above zero and above the district's threshold (on too few coached
// clusters, that it is too few to tell, and no E-value row), and the
// E-value. The sentences are short and unwrapped, running on over the
// empty cells to their right, so that the Overview keeps the impact
// table's column widths.
func sureSection(ctx context.Context, b *book, in Input) (section, error) {
	rows, err := queryRows(ctx, in.DB, sureQuery)
	if err != nil {
		return section{}, err
	}
	prior := in.prior()
	var out [][]any
	for _, r := range rows {
		label, subject := analysisLabel(str(r[13])), str(r[0])
		add := func(question, words string) { out = append(out, []any{label, subject, question, words}) }
		_, okEst := num(r[1])
		switch {
		case r[8] == true:
			add("", "suppressed")
			continue
		case !okEst:
			add("", "not estimated")
			continue
		}
		add("Smallest effect it could detect", mdeWords(r[2]))
		add("Chance coaching helps", chanceWords(r[3], r[4], r[5], r[9] == true, i64(r[10]), clusterUnit(str(r[13])), prior))
		if r[9] != true { // on too few coached clusters the interval decides nothing
			add("E-value: could something else explain it?", eValueWords(r[6], r[7]))
		}
	}
	cols := []column{{Name: "Estimate", Width: 22, Style: b.wrap}, {Name: "Subject", Width: 10},
		{Name: "Question", Width: 12, Style: b.wrap}, {Name: "What the data say", Width: 24}}
	return section{Title: "How sure are we? All years", Cols: cols, Rows: out}, nil
}

// clusterUnit is what an analysis's coached clusters are: schools for the
// difference-in-differences, else teachers.
func clusterUnit(analysis string) string {
	if analysis == model.AnalysisDiD || analysis == model.AnalysisDiDCS {
		return "schools"
	}
	return "teachers"
}

// prior is the prior of the run's posterior probabilities: in.Prior, or
// the model's default when its SD is 0.
func (in Input) prior() model.Prior {
	if in.Prior.SD == 0 {
		return model.DefaultPrior()
	}
	return in.Prior
}

// mdeWords says the minimum detectable effect.
func mdeWords(mde any) string {
	m, ok := num(mde)
	if !ok {
		return "not available"
	}
	return fmt.Sprintf("This district's design could reliably detect effects of %s SD or larger (80%% power, 5%% two-sided test).", sd(m))
}

// chanceWords is the probability line: "Chance the effect is above zero:
// 87%; above 0.05 SD: 61%", with the prior it rests on. On too few coached
// clusters (unit: teachers, or schools) it says so instead.
func chanceWords(pos, above, threshold any, few bool, coached int64, unit string, p model.Prior) string {
	pp, ok1 := num(pos)
	pa, ok2 := num(above)
	th, ok3 := num(threshold)
	switch {
	case few:
		return fmt.Sprintf("Only %d coached %s: too few to tell.", coached, unit)
	case !ok1 || !ok2 || !ok3:
		return "not available"
	}
	return fmt.Sprintf("Chance the effect is above zero: %s; above %s SD: %s (prior: centred on %s SD, SD %s).",
		percentWords(pp), sd(th), percentWords(pa), sd(p.Mean), sd(p.SD))
}

// percentWords writes a probability as a whole percent, "over 99%" and
// "under 1%" at the ends (never a certainty).
func percentWords(p float64) string {
	switch {
	case p > 0.99:
		return "over 99%"
	case p < 0.01:
		return "under 1%"
	}
	return fmt.Sprintf("%.0f%%", 100*p)
}

// eValueWords is the sensitivity line: how strong an unmeasured
// confounder would have to be to explain the effect (its interval) away.
func eValueWords(ev, evci any) string {
	e, ok1 := num(ev)
	ci, ok2 := num(evci)
	if !ok1 || !ok2 {
		return "not available"
	}
	if ci <= 1 {
		return fmt.Sprintf("The interval includes no effect: even a weak hidden confounder could explain it away (E-value %.2f).", e)
	}
	return fmt.Sprintf("A hidden confounder tied to both coaching and growth by a risk ratio of %.2f could explain it away (interval: %.2f).", e, ci)
}

// chanceLine is a school's chance line, added to a shrunken comparison's
// verdict sentence: the chances that the school's effect (its empirical-Bayes
// estimate, normal with the posterior SD) is above zero and above
// c.threshold; where the difference is not clear, the smallest difference
// the school's own classrooms could reliably detect (model.MDE of its raw
// standard error, normal: 2.8 SE).
func (c comparison) chanceLine() string {
	if c.prior == nil || !c.shown() || c.diff.se <= 0 {
		return ""
	}
	pos := model.ProbAbove(c.diff.est, c.diff.se, 0)
	above := model.ProbAbove(c.diff.est, c.diff.se, c.threshold)
	s := fmt.Sprintf(" Chance the effect here is above zero: %s; above %s SD: %s.", percentWords(pos), sd(c.threshold), percentWords(above))
	if c.verdict == verdictSame && c.raw.se > 0 {
		s += fmt.Sprintf(" This school alone is too small to tell a difference under %s SD.", sd(math.Abs(model.MDE(c.raw.se, 0))))
	}
	return s
}
