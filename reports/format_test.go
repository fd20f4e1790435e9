package reports

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"Growth":                              "Growth",
		"a/b\\c?d*e[f]g:h":                    "a_b_c_d_e_f_g_h",
		"'quoted'":                            "quoted",
		"":                                    "Sheet",
		strings.Repeat("x", 40):               strings.Repeat("x", 31),
		"école élémentaire de la Cité":        "école élémentaire de la Cité",
		strings.Repeat("😀", 20):               strings.Repeat("😀", 15),
		"x" + strings.Repeat(" ", 29) + "'ab": "x",
		"tab\there\x01":                       "tab_here_",
	} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"0101":              "0101",
		"../../etc/passwd":  "_.._etc_passwd",
		"..":                "_",
		"a b/c\\d:e":        "a_b_c_d_e",
		"":                  "_",
		"=cmd|' /C calc'!A": "_cmd_C_calc_A",
	} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q; want %q", in, got, want)
		}
	}
	if got := fileName(strings.Repeat("9", 300)); len(got) != 100 {
		t.Errorf("long id: %d bytes", len(got))
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 255, "0 50 100 150 200 250"},
		{-0.12, 0.43, "-0.1 0.0 0.1 0.2 0.3 0.4"},
		{-4.3, 4.4, "-4 -2 0 2 4"},
		{0, 12, "0 2 4 6 8 10 12"},
		{0, 14, "0.0 2.5 5.0 7.5 10.0 12.5"},
		{0, 137, "0 25 50 75 100 125"}, // not "25.0"
	} {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(c.lo, c.hi) {
			got = append(got, tk.Label)
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("Ticks(%g, %g) = %q, want %q", c.lo, c.hi, s, c.want)
		}
	}
}

// TestArm: an arm's mean and teacher-clustered CI from classroom sums,
// against the same computed by hand from the students' growth:
// classrooms {1, 2}, {3}, {0.5, 0.5, 2}: mean 1.5; the classrooms'
// deviations 0, 1.5, -1.5; SE = sqrt(3/2 * 4.5) / 6; t(0.975, 2) =
// 4.302652729911275.
func TestArm(t *testing.T) {
	a := arm([]classroom{{2, 3}, {1, 3}, {3, 3}})
	se := math.Sqrt(1.5*4.5) / 6
	tq := 4.302652729911275
	if a.n != 6 || a.classrooms != 3 || !a.ok || math.Abs(a.mean-1.5) > 1e-12 ||
		math.Abs(a.lo-(1.5-tq*se)) > 1e-9 || math.Abs(a.hi-(1.5+tq*se)) > 1e-9 {
		t.Errorf("arm = %+v; want n 6, 3 classrooms, mean 1.5, CI %.6f to %.6f", a, 1.5-tq*se, 1.5+tq*se)
	}
	if a := arm([]classroom{{4, 2}}); a.ok || a.mean != 0.5 || a.classrooms != 1 {
		t.Errorf("one classroom: %+v; want a mean and no CI", a)
	}
	if a := arm(nil); a.n != 0 || a.ok {
		t.Errorf("no classroom: %+v", a)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1048576: "1,048,576", -1234567: "-1,234,567", -100: "-100"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q; want %q", n, got, want)
		}
	}
}

func TestClipAndSomeNames(t *testing.T) {
	if got := clip("Walnut Bluff", 6); got != "Walnu…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("éééé", 4); got != "éééé" {
		t.Errorf("clip of a short name = %q", got)
	}
	var names []string
	for i := range 104 { // an NWEA MAP data file's columns
		names = append(names, fmt.Sprintf("col%d", i))
	}
	if got, want := someNames(names), "col0, col1, col2, col3, col4, col5, col6, col7, col8, col9 and 94 more"; got != want {
		t.Errorf("someNames = %q; want %q", got, want)
	}
	if got := someNames([]string{strings.Repeat("x", 200)}); got != strings.Repeat("x", 39)+"…" {
		t.Errorf("someNames of one long name = %q", got)
	}
}

// TestFitText: text longer than a cell can show is cut to what it shows,
// with a note of its whole length; wrapped text to 32 lines (409 points).
func TestFitText(t *testing.T) {
	if got := fitLine("short"); got != "short" {
		t.Errorf("fitLine(short) = %q", got)
	}
	long := strings.Repeat("é", 40000)
	got := fitLine(long)
	if n := utf8.RuneCountInString(got); n != maxLineChars || !strings.HasSuffix(got, "… (cut: 40000 characters in all)") {
		t.Errorf("fitLine(40,000 é): %d characters ending %q", n, got[len(got)-40:])
	}
	for _, c := range []struct {
		name      string
		in        string
		perLine   int
		wantLines int
		cut       bool
	}{
		{"Short", "a few words", 38, 1, false},
		{"ThreeLines", strings.Repeat("x", 100), 38, 3, false},
		{"Breaks", "one\ntwo\nthree", 38, 3, false},
		{"Exactly32", strings.Repeat("x", 32*38), 38, 32, false},
		{"Long", strings.Repeat("x", 40000), 38, 32, true},
		{"ManyBreaks", strings.Repeat("line\n", 500), 38, 32, true},
		{"LongAfterBreaks", strings.Repeat("a\n", 31) + strings.Repeat("y", 500), 38, 32, true},
		{"Narrow", strings.Repeat("z", 500), 1, 32, true},
	} {
		got, lines := fitWrapped(c.in, c.perLine)
		if lines != c.wantLines || (got != c.in) != c.cut {
			t.Errorf("%s: %d lines, cut %v; want %d, cut %v", c.name, lines, got != c.in, c.wantLines, c.cut)
		}
		if c.cut && !strings.HasSuffix(got, fmt.Sprintf("(cut: %d characters in all)", utf8.RuneCountInString(c.in))) {
			t.Errorf("%s: cut text ends %q", c.name, got[max(len(got)-40, 0):])
		}
		if again, n := fitWrapped(got, c.perLine); c.perLine > 1 && (n > maxWrappedLines || again != got) {
			t.Errorf("%s: the cut text takes %d lines (%v)", c.name, n, again != got)
		}
	}
}

// TestPlainNote: the model's notes (model/did.go and model/impact.go,
// written out here as they read) come out in plain words and one line,
// the method's description left to About; a part the Overview has no
// short word for is kept, and the whole cut to 120 characters pointing to
// the Impact sheet.
func TestPlainNote(t *testing.T) {
	staggered := "joining is staggered (cohorts 2021, 2022, 2023): two-way fixed effects also compares later joiners with earlier ones and can be biased when effects change with time since joining; see the Callaway-Sant'Anna estimate"
	long := strings.Repeat("a note the Overview has no short word for ", 4)
	for _, c := range []struct {
		name, note, want string
	}{
		{"Staggered", "4 schools coached in every year of the panel left out; too few coached schools to tell (4); " + staggered,
			"4 always-coached schools left out; too few coached schools to tell (4); joined in different years: see next row"},
		{"FewTeachers", "too few coached teachers to tell (7)", "too few coached teachers to tell (7)"},
		{"CallawaySantAnna", "Callaway-Sant'Anna: each joining cohort against comparison and not-yet-joined schools, base year before joining; effects averaged over cohort-years by treated schools; SE from 999 school bootstrap draws; too few coached schools to tell (5)",
			"too few coached schools to tell (5)"},
		{"CallawaySantAnnaAnalytic", "Callaway-Sant'Anna: each joining cohort against comparison and not-yet-joined schools, base year before joining; effects averaged over cohort-years by treated schools; analytic (influence-function) SE; pre-trend test: 1 placebo cohort-years before joining, joint p = 0.100; counts: 10 schools, 40 school-years, 17000 student-years (n_students counts each student once)",
			"before joining, these schools' growth moved with the others' (no clear difference, p = 0.100)"},
		{"PreTrendFails", "pre-trend test: 2 placebo cohort-years before joining, joint p = 0.012", "before joining, these schools' growth already moved apart from the others' (p = 0.012): read with care"},
		{"NoPreTrend", "no pre-trend test: no cohort has two years before joining in the panel", "too few years before joining to check that the groups moved alike"},
		{"Empty", "", ""},
		{"Long", long, clip(long, 120-len(" (see Impact)")) + " (see Impact)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := plainNote(c.note)
			if got != c.want {
				t.Errorf("plainNote(%q)\n = %q\nwant %q", c.note, got, c.want)
			}
			if n := utf8.RuneCountInString(got); n > plainNoteChars {
				t.Errorf("%d characters; want at most %d", n, plainNoteChars)
			}
		})
	}
}
