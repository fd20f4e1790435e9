package ingest

import (
	"testing"
)

// The parsers must never panic, and what they accept must be in range.

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2023-09-15", "9/15/2023", "45184", "45184.5", "15-Sep-2023", "20230915", "9/15/23", "13/45/2023", "2023-02-29T00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, b1904 := range []bool{false, true} {
			d, err := parseDate(s, b1904)
			if err == nil {
				if y := d.Time().Year(); y < 1900 || y > 2100 {
					t.Errorf("parseDate(%q) = %v, out of range", s, d)
				}
			}
		}
	})
}

func FuzzParseSchoolYear(f *testing.F) {
	for _, s := range []string{"2024", "2023-24", "2023-2024", "2023_2024", "SY2023-24", "2023-25", "99-00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if y, err := ParseSchoolYear(s); err == nil && (y < 1990 || y > 2100) {
			t.Errorf("ParseSchoolYear(%q) = %d", s, y)
		}
	})
}

func FuzzParseGrade(f *testing.F) {
	for _, s := range []string{"K", "KG", "05", "12", "Grade 3", "5th", "13", "Q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if g, err := ParseGrade(s); err == nil && (g < 0 || g > 12) {
			t.Errorf("ParseGrade(%q) = %d", s, g)
		}
	})
}

func FuzzParseBool(f *testing.F) {
	for _, s := range []string{"Y", "No", "TRUE", "0", "maybe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { ParseBool(s) })
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"45", "-30", "1,234.5", "12,5", "85%", "1e400", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseNumber(s); err == nil && (v != v || v > 1e308 || v < -1e308) {
			t.Errorf("ParseNumber(%q) = %v", s, v)
		}
	})
}

// FuzzHeader feeds arbitrary header rows (cells separated by '|') above a
// data row to header detection: it must not panic, and a header it accepts
// must place every required column.
func FuzzHeader(f *testing.F) {
	f.Add("Student ID|School|Grade", "title row", "0012|01|K")
	f.Add("SSID|School Year|Subject|Test Window|Scale Score|Test Name", "", "1|2024|Math|Fall|400|X")
	f.Add("|||", "a|b", "")
	f.Add("student_id|student_id|school_id|grade_level", "", "1|1|1|1")
	f.Fuzz(func(t *testing.T, header, title, data string) {
		for _, tb := range Tables() {
			rows := [][]string{splitBar(title), splitBar(header), splitBar(data)}
			cm, h, err := findHeader("f.csv", "", tb, rows, []int{1, 2, 3}, nil, nil)
			if err != nil {
				continue
			}
			if h < 0 || h >= len(rows) {
				t.Fatalf("header index %d", h)
			}
			for i, c := range tb.Columns {
				if c.Required && (cm.index[i] < 0 || cm.index[i] >= len(rows[h])) {
					t.Fatalf("table %s: required column %s placed at %d in %q", tb.Name, c.Name, cm.index[i], rows[h])
				}
			}
		}
	})
}

func splitBar(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '|' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
