package reports

import (
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/model"
)

// TestChanceLine: a shrunken school difference says the chances of its
// effect being above zero and above the threshold, from the shrunken
// estimate and its posterior SD, and where the difference is not clear,
// the smallest difference the school alone could detect. Numbers by hand
// in R: prior mean 0.05, τ² 0.01, Var(mean) 0.0004, own SE 0.05 give
// B = 0.2 and posterior SD √(0.0025·0.8 + 0.04·0.0004) = 0.0449; own 0.10
// shrinks to 0.09 (interval 0.002 to 0.178: clearly more),
// pnorm(0.09/0.0449) = 0.977 and pnorm(0.04/0.0449) = 0.814; own 0.02
// shrinks to 0.026 (no clear difference), 0.719 and 0.296, and the school
// alone detects (qnorm(0.975) + qnorm(0.8))·0.05 = 0.140.
func TestChanceLine(t *testing.T) {
	prior := &model.Shrinkage{Mean: 0.05, Tau2: 0.01, MeanVar: 0.0004, K: 5}
	for _, c := range []struct {
		own       float64
		want      []string
		notWanted string
	}{
		{0.10, []string{"clearly more growth.", "Chance the effect here is above zero: 98%; above 0.05 SD: 81%."}, "too small to tell"},
		{0.02, []string{"no clear difference", "Chance the effect here is above zero: 72%; above 0.05 SD: 30%.", "This school alone is too small to tell a difference under 0.14 SD."}, ""},
	} {
		raw := comparison{subject: "Math", years: "2023-24", diff: diffStats{est: c.own, se: 0.05, lo: c.own - 0.098, hi: c.own + 0.098}}
		raw.verdict = decide(raw.diff.lo, raw.diff.hi)
		s := raw.shrunk(prior, 0.05).sentence()
		for _, w := range c.want {
			if !strings.Contains(s, w) {
				t.Errorf("own %v: %q lacks %q", c.own, s, w)
			}
		}
		if c.notWanted != "" && strings.Contains(s, c.notWanted) {
			t.Errorf("own %v: %q says %q", c.own, s, c.notWanted)
		}
	}
	// Without a prior (too few schools) nothing is added.
	raw := comparison{subject: "Math", diff: diffStats{est: 0.1, se: 0.05, lo: 0.002, hi: 0.198}, verdict: verdictMore}
	if s := raw.shrunk(nil, 0.05).sentence(); strings.Contains(s, "Chance") {
		t.Errorf("unshrunk %q has a chance line", s)
	}
}

// TestSureWords: the Overview's sentences carry the model's numbers.
func TestSureWords(t *testing.T) {
	p := model.Prior{Mean: 0, SD: 0.2}
	if got := chanceWords(0.873, 0.612, 0.05, false, 40, "teachers", p); !strings.HasPrefix(got, "Chance the effect is above zero: 87%; above 0.05 SD: 61%") {
		t.Errorf("chance words %q", got)
	}
	if got := chanceWords(0.999, 0.004, 0.1, false, 40, "teachers", p); !strings.HasPrefix(got, "Chance the effect is above zero: over 99%; above 0.10 SD: under 1%") {
		t.Errorf("chance words %q", got)
	}
	if got := chanceWords(0.9, 0.6, 0.05, true, 7, "schools", p); got != "Only 7 coached schools: too few to tell." {
		t.Errorf("few coached: %q", got)
	}
	if got := mdeWords(0.0712); got != "This district's design could reliably detect effects of 0.07 SD or larger (80% power, 5% two-sided test)." {
		t.Errorf("MDE words %q", got)
	}
	if got := eValueWords(1.689, 1.196); got != "A hidden confounder tied to both coaching and growth by a risk ratio of 1.69 could explain it away (interval: 1.20)." {
		t.Errorf("E-value words %q", got)
	}
	if got := eValueWords(1.17, 1.0); !strings.Contains(got, "includes no effect") || !strings.Contains(got, "(E-value 1.17)") {
		t.Errorf("E-value words of an interval covering 0: %q", got)
	}
}
