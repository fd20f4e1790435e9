package reports

import (
	"math"
	"strings"
	"testing"
)

// TestArmDiff: the difference of two arms and its Welch-Satterthwaite
// interval, against the same computed by hand in python (pure python:
// statistics.fmean for the means, the t quantile by bisection on the
// regularised incomplete beta) from the students' growth: coached
// classrooms {1, 2}, {3}, {0.5, 0.5, 2}: mean 1.5, SE 0.433013; not
// coached {0, 1}, {-1, 0, 1}, {2}, {0.5}: mean 0.5, SE 0.349927;
// difference 1, SE 0.556731, df 4.255324, t(0.975, df) 2.711964,
// interval -0.509833 to 2.509833.
func TestArmDiff(t *testing.T) {
	co := arm([]classroom{{2, 3}, {1, 3}, {3, 3}})
	not := arm([]classroom{{2, 1}, {3, 0}, {1, 2}, {1, 0.5}})
	d, ok := armDiff(co, not)
	want := diffStats{est: 1, se: 0.5567306167185677, df: 4.255323748783915, lo: -0.5098331499569271, hi: 2.5098331499569273}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6 }
	if !ok || !near(d.est, want.est) || !near(d.se, want.se) || !near(d.df, want.df) || !near(d.lo, want.lo) || !near(d.hi, want.hi) {
		t.Errorf("armDiff = %+v, %v; want %+v", d, ok, want)
	}
	if _, ok := armDiff(co, arm([]classroom{{4, 2}})); ok {
		t.Error("armDiff with a one-classroom arm: ok; want no interval")
	}
}

// TestDecide: the verdict is the interval's side of 0; an interval
// touching 0 is no clear difference.
func TestDecide(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   verdict
	}{{0.03, 0.21, verdictMore}, {-0.3, -0.01, verdictLess}, {-0.1, 0.2, verdictSame}, {0, 0.2, verdictSame}, {-0.2, 0, verdictSame}} {
		if got := decide(c.lo, c.hi); got != c.want {
			t.Errorf("decide(%g, %g) = %q; want %q", c.lo, c.hi, got, c.want)
		}
	}
}

// TestCompare: a comparison prints a difference only when both arms are
// shown and have 2+ classrooms; otherwise it says why, and the sentence
// says so by subject.
func TestCompare(t *testing.T) {
	in := Input{MinCell: 10, MinClassrooms: 3}
	// Two arms of 3 classrooms, 30 students each: coached growth 0.5,
	// 0.5 and 0.6 (mean 0.5333), others 0, 0.1 and -0.1 (mean 0); by
	// hand in python as in TestArmDiff: difference 0.53, interval 0.33
	// to 0.74 (df 3.2).
	co := arm([]classroom{{10, 5}, {10, 5}, {10, 6}})
	not := arm([]classroom{{10, 0}, {10, 1}, {10, -1}})
	small := arm([]classroom{{3, 1}, {3, 1}, {3, 2}}) // 9 students
	for _, c := range []struct {
		name                string
		co, not             armStats
		coHidden, notHidden bool
		verdict             verdict
		why                 string
		sentence            string
	}{
		{"Shown", co, not, false, false, verdictMore, "", "grew about 0.53 SD more in Math than in other classrooms here (95% interval 0.33 to 0.74): clearly more growth."},
		{"CoachedHidden", small, not, true, false, verdictTooFew, "coached group suppressed (n<10)", "Math: too few classrooms to tell: coached group suppressed (n<10)."},
		{"OtherHidden", co, small, false, true, verdictTooFew, "other group suppressed (n<10)", "too few classrooms to tell"},
		{"NoCoached", armStats{}, not, false, false, verdictTooFew, "no coached classrooms", "Math: too few classrooms to tell: no coached classrooms."},
		{"OneClassroom", arm([]classroom{{12, 6}}), not, false, false, verdictTooFew, "fewer than 2 classrooms in a group", "too few"},
		{"BothHidden", small, small, true, true, verdictTooFew, "both groups suppressed", "Math: too few classrooms to tell: both groups suppressed."},
		{"None", armStats{}, armStats{}, false, false, verdictNone, "no students", "Math: no students"},
	} {
		got := in.compare("Math", "2023-24", c.co, c.not, c.coHidden, c.notHidden)
		if got.verdict != c.verdict || got.why != c.why || !strings.Contains(got.sentence(), c.sentence) {
			t.Errorf("%s: verdict %q, why %q, sentence %q; want %q, %q, %q", c.name, got.verdict, got.why, got.sentence(), c.verdict, c.why, c.sentence)
		}
		if got.shown() != (c.why == "") {
			t.Errorf("%s: shown %v with why %q", c.name, got.shown(), got.why)
		}
	}
}

// TestSentence: a clear difference reads as the example: how
// much more (or less), the interval, the verdict; the first line names
// the year, one line a subject.
func TestSentence(t *testing.T) {
	more := comparison{subject: "Math", verdict: verdictMore, diff: diffStats{est: 0.12, lo: 0.03, hi: 0.21}}
	less := comparison{subject: "ELA", verdict: verdictLess, diff: diffStats{est: -0.2, lo: -0.35, hi: -0.05}}
	got := answer("2023-24", []comparison{more, less})
	want := "In 2023-24, students in coached classrooms grew about 0.12 SD more in Math than in other classrooms here (95% interval 0.03 to 0.21): clearly more growth.\n" +
		"Students in coached classrooms grew about 0.20 SD less in ELA than in other classrooms here (95% interval -0.35 to -0.05): clearly less growth."
	if got != want {
		t.Errorf("answer =\n%s\nwant\n%s", got, want)
	}
}

// TestSD: two decimals, three where two would show a number that is not
// 0 as 0.00.
func TestSD(t *testing.T) {
	for v, want := range map[float64]string{0.12: "0.12", -0.345: "-0.34", 0.004: "0.004", -0.003: "-0.003", 0: "0.00"} {
		if got := sd(v); got != want {
			t.Errorf("sd(%g) = %q; want %q", v, got, want)
		}
	}
}
