package reports

import (
	"math"
	"strings"
	"testing"
)

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"Growth":                       "Growth",
		"a/b\\c?d*e[f]g:h":             "a_b_c_d_e_f_g_h",
		"'quoted'":                     "quoted",
		"":                             "Sheet",
		strings.Repeat("x", 40):        strings.Repeat("x", 31),
		"école élémentaire de la Cité": "école élémentaire de la Cité",
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
