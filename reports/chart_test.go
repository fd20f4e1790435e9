package reports

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestMonthSeries: sessions in May 2021, September 2021 and January 2022
// give the nine months May 2021 to January 2022, the summer (June to
// August) and October to December as zeros, and the counts where they
// were; May and June fall in 2020-21, July on in 2021-22.
func TestMonthSeries(t *testing.T) {
	got := monthSeries([]monthCount{{2021, 5, 3}, {2021, 9, 4}, {2022, 1, 1}})
	want := []monthCount{
		{2021, 5, 3}, {2021, 6, 0}, {2021, 7, 0}, {2021, 8, 0}, {2021, 9, 4},
		{2021, 10, 0}, {2021, 11, 0}, {2021, 12, 0}, {2022, 1, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("monthSeries = %v, want %v", got, want)
	}
	var years []int64
	for _, c := range got {
		years = append(years, schoolYearOf(c))
	}
	if w := []int64{2021, 2021, 2022, 2022, 2022, 2022, 2022, 2022, 2022}; !reflect.DeepEqual(years, w) {
		t.Errorf("school years %v, want %v", years, w)
	}
	if spans := schoolYearSpans(got); !reflect.DeepEqual(spans, []yearSpan{{2021, 0, 1}, {2022, 2, 8}}) {
		t.Errorf("school-year spans %v, want 2020-21 months 0-1 and 2021-22 months 2-8", spans)
	}
	if got := monthSeries([]monthCount{{2023, 12, 7}}); !reflect.DeepEqual(got, []monthCount{{2023, 12, 7}}) {
		t.Errorf("one month: %v", got)
	}
	if got := monthSeries(nil); got != nil {
		t.Errorf("no months: %v", got)
	}
}

// TestMonthTicks: every month has a tick; labels fall every month over a
// year and a half or less, else every third month from September (Sep,
// Dec, Mar, Jun) up to 54 months, and only September past 108.
func TestMonthTicks(t *testing.T) {
	months := func(n int) []monthCount {
		var out []monthCount
		y, m := int64(2020), int64(9)
		for range n {
			out = append(out, monthCount{year: y, month: m})
			if m++; m > 12 {
				y, m = y+1, 1
			}
		}
		return out
	}
	for _, c := range []struct {
		months int
		want   string // the labels, in order
	}{
		{5, "Sep Oct Nov Dec Jan"},
		{18, "Sep Oct Nov Dec Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec Jan Feb"},
		{19, "Sep Dec Mar Jun Sep Dec Mar"},
		{46, "Sep Dec Mar Jun Sep Dec Mar Jun Sep Dec Mar Jun Sep Dec Mar Jun"},
		{120, "Sep Sep Sep Sep Sep Sep Sep Sep Sep Sep"},
	} {
		ticks := monthTicks(months(c.months))
		if len(ticks) != c.months {
			t.Errorf("%d months: %d ticks", c.months, len(ticks))
		}
		var labels []string
		for i, tk := range ticks {
			if tk.Value != float64(i) {
				t.Errorf("%d months: tick %d at %g", c.months, i, tk.Value)
			}
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != c.want {
			t.Errorf("%d months: labels %q, want %q", c.months, got, c.want)
		}
	}
}

// TestCountTicks: a count axis is labelled in whole numbers, steps of 1,
// 2, 5, 10, 20, 25, 50...: 0 to 137 in 25s (the step niceTicks took and
// wrote as "25.0"), 0 to 3 in ones (not 0.5), 0 to 14 in fives (not the
// 2.5 of niceTicks: 2, the step below, is under a sixth of the range).
func TestCountTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 137, "0 25 50 75 100 125"},
		{0, 3, "0 1 2 3"},
		{0, 14, "0 5 10"},
		{0, 292, "0 50 100 150 200 250"},
		{0, 0.4, "0"},
	} {
		var got []string
		for _, tk := range (countTicks{}).Ticks(c.lo, c.hi) {
			if _, err := strconv.Atoi(tk.Label); err != nil {
				t.Errorf("Ticks(%g, %g): label %q is not a whole number", c.lo, c.hi, tk.Label)
			}
			got = append(got, tk.Label)
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("Ticks(%g, %g) = %q, want %q", c.lo, c.hi, s, c.want)
		}
	}
}

// TestEventLines: a hand-built panel of 2020-21 to 2023-24 (first 2021,
// last 2024) with four cohorts:
//   - 2012 joined before the first year: no year before joining, a note;
//   - 2022: years since joining 0 and 1 from the cohort-by-year table
//     with their CIs as the table has them, year 2 hidden there: a note
//     and no point (and the line must not be drawn across it: eventLines
//     only leaves it out, the figure breaks the line);
//   - 2023: event-time differences 0.05 (year -2) and 0.08 (year -1),
//     so year -2 is drawn at 0.05 - 0.08 = -0.03, without a bar; year 0
//     has no standard error: drawn without a bar, with a note (its
//     event-time row, hidden, does not matter: from joining on the
//     chart draws the cohort-by-year table); year 1 has no
//     cohort-by-year row at all: a note;
//   - 2026 joins after the last year: a note.
func TestEventLines(t *testing.T) {
	et := []eventCell{
		{cohort: 2022, at: -1, diff: 0.03},
		{cohort: 2022, at: 0, diff: 0.07},
		{cohort: 2023, at: -2, diff: 0.05},
		{cohort: 2023, at: -1, diff: 0.08},
		{cohort: 2023, at: 0, diff: 0.2, hidden: true},
	}
	gt := []groupTimeCell{
		{cohort: 2022, at: 0, att: 0.033, lo: -0.002, hi: 0.068, hasSE: true},
		{cohort: 2022, at: 1, att: 0.051, lo: 0.007, hi: 0.095, hasSE: true},
		{cohort: 2022, at: 2, att: 0.9, lo: 0.8, hi: 1.0, hasSE: true, hidden: true},
		{cohort: 2023, at: 0, att: 0.07, lo: math.NaN(), hi: math.NaN()},
	}
	lines, notes := eventLines([]int64{2012, 2022, 2023, 2026}, 2021, 2024, et, gt, "suppressed")
	want := []cohortLine{
		{cohort: 2022, points: []eventPoint{{at: -1}, {at: 0, y: 0.033, lo: -0.002, hi: 0.068, band: true}, {at: 1, y: 0.051, lo: 0.007, hi: 0.095, band: true}}},
		{cohort: 2023, points: []eventPoint{{at: -2, y: 0.05 - 0.08}, {at: -1}, {at: 0, y: 0.07, lo: math.NaN(), hi: math.NaN()}}},
	}
	if len(lines) != len(want) {
		t.Fatalf("lines %v, want %v", lines, want)
	}
	for i, l := range lines {
		if l.cohort != want[i].cohort || len(l.points) != len(want[i].points) {
			t.Fatalf("line %d: %v, want %v", i, l, want[i])
		}
		for j, p := range l.points {
			w := want[i].points[j]
			if p.at != w.at || math.Abs(p.y-w.y) > 1e-12 || p.band != w.band || (w.band && (p.lo != w.lo || p.hi != w.hi)) {
				t.Errorf("cohort %d point %d: %+v, want %+v", l.cohort, j, p, w)
			}
		}
	}
	wantNotes := []string{
		"Joined 2011-12: not drawn, no school year before joining in the data (the first is 2020-21).",
		"Joined 2021-22, year 2: not drawn, suppressed.",
		"Joined 2022-23, year 0: no bar, the model has no standard error.",
		"Joined 2022-23, year 1: not drawn, no comparison or not-yet-joined schools with growth that year.",
		"Joins 2025-26: not drawn, joins after the last school year in the data (2023-24).",
		"Years before joining (-2): the gap to comparison schools only, with no standard error in the model, so no bar.",
	}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(wantNotes, "\n"))
	}
}

// TestEventLinesHiddenBase: when the year before joining is hidden, the
// years before it cannot be set against it and are left out with a
// note; the years from joining on (the cohort-by-year table's, already
// against that year) are drawn.
func TestEventLinesHiddenBase(t *testing.T) {
	et := []eventCell{{cohort: 2023, at: -2, diff: 0.05}, {cohort: 2023, at: -1, diff: 0.08, hidden: true}}
	gt := []groupTimeCell{{cohort: 2023, at: 0, att: 0.07, lo: 0.03, hi: 0.11, hasSE: true}, {cohort: 2023, at: 1, att: 0.1, lo: 0.05, hi: 0.15, hasSE: true}}
	lines, notes := eventLines([]int64{2023}, 2021, 2024, et, gt, "hidden")
	if len(lines) != 1 || len(lines[0].points) != 3 || lines[0].points[0].at != -1 {
		t.Fatalf("lines %+v: want years -1, 0 and 1", lines)
	}
	if want := []string{"Joined 2022-23, year -2: not drawn, hidden."}; !reflect.DeepEqual(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
	if got := yearList([]int64{-3, -2}); got != "years -3, -2" {
		t.Errorf("yearList = %q", got)
	}
}

// TestGapText: a suppressed slot says why, with the run's thresholds.
func TestGapText(t *testing.T) {
	in := Input{MinCell: 10, MinClassrooms: 3}
	for _, c := range []struct {
		note       string
		complement bool
		want       string
	}{
		{"suppressed (n<10)", false, "suppressed:\nfewer than 10\nstudents"},
		{"suppressed (fewer than 3 classrooms)", false, "suppressed:\nfewer than 3\nclassrooms"},
		{"", true, "suppressed:\nwould reveal\na small group"},
	} {
		if got := in.gapText(c.note, c.complement); got != c.want {
			t.Errorf("gapText(%q, %t) = %q, want %q", c.note, c.complement, got, c.want)
		}
	}
}

// TestPaletteIsOkabeIto: the arms' colours and the cohorts' are the
// published Okabe-Ito values, and the two arms differ from each other and
// from every cohort colour.
func TestPaletteIsOkabeIto(t *testing.T) {
	published := []string{"000000", "E69F00", "56B4E9", "009E73", "F0E442", "0072B2", "D55E00", "CC79A7"}
	var got []string
	for _, c := range okabeIto {
		got = append(got, hexColor(c))
	}
	if !reflect.DeepEqual(got, published) {
		t.Fatalf("palette %v, want %v", got, published)
	}
	if hexColor(coachedColor) != "0072B2" || hexColor(notCoachedColor) != "E69F00" {
		t.Errorf("coached %s, not coached %s; want 0072B2 and E69F00", hexColor(coachedColor), hexColor(notCoachedColor))
	}
	for _, c := range cohortColors {
		if c == coachedColor || c == notCoachedColor {
			t.Errorf("cohort colour %s is an arm's", hexColor(c))
		}
		if !strings.Contains(strings.Join(published, " "), hexColor(c)) {
			t.Errorf("cohort colour %s is not Okabe-Ito", hexColor(c))
		}
	}
}

// TestEveryMonth: a school's sessions per month keep the months without
// sessions between the first and the last, as zero (the school
// workbook's chart drew summers as nothing).
func TestEveryMonth(t *testing.T) {
	got := everyMonth([][]any{{"2023-05", int64(4), 3.0}, {"2023-06", int64(1), 0.5}, {"2023-09", int64(2), 1.5}})
	want := "[[2023-05 4 3] [2023-06 1 0.5] [2023-07 0 0] [2023-08 0 0] [2023-09 2 1.5]]"
	if fmt.Sprint(got) != want {
		t.Errorf("everyMonth = %v; want %s", got, want)
	}
}
