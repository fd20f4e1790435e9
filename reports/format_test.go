package reports

import (
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
