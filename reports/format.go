package reports

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/coachimpact/coachimpact/model"
)

// yearLabel writes school year 2024 as "2023-24"; 0 (pooled) as "all years".
func yearLabel(y int64) string {
	if y == 0 {
		return "all years"
	}
	return fmt.Sprintf("%d-%02d", y-1, y%100)
}

// suppressed is the text a suppressed cell shows.
func (in Input) suppressed() string { return fmt.Sprintf("suppressed (n<%d)", in.MinCell) }

// minRooms is the fewest classrooms (teachers of record) a cell of
// student results may rest on, and the fewest teachers a cell about
// teachers (look-for ratings) may: fewer could single a teacher out, and
// coaching is non-evaluative.
func (in Input) minRooms() int { return max(in.MinClassrooms, 1) }

// num returns v as float64 and whether it is a number (not NULL or NaN).
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x)
	case int64:
		return float64(x), true
	}
	return 0, false
}

// i64 returns v as int64 (0 for NULL).
func i64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// str returns v as a string ("" for NULL).
func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// plainImpact says an impact estimate in words for a principal.
func plainImpact(est, lo, hi, ii float64) string {
	size := plainSize(est, ii)
	switch {
	case lo > 0:
		return "Students of coached teachers grew more than similar students of other teachers (" + size + ")"
	case hi < 0:
		return "Students of coached teachers grew less than similar students of other teachers (" + size + ")"
	default:
		return "No clear difference between coached and other classrooms (" + size + "; the interval includes 0)"
	}
}

// plainSize is an effect in SD and percentile points, in words.
func plainSize(est, ii float64) string {
	return fmt.Sprintf("%+.2f SD, about %+.0f percentile points for a typical student", est, ii)
}

// tooFewCoached is the verdict of an estimate on fewer coached teachers
// than min_coached_teachers, published but too few to tell (the model's
// note says "too few coached teachers to tell (N)").
const tooFewCoached = "too few coached teachers to tell"

// plainEquivalence says a baseline-equivalence band (What Works
// Clearinghouse's, which the glossary names) in words.
func plainEquivalence(band string) string {
	switch band {
	case "satisfied":
		return "yes: their starting scores were alike"
	case "requires adjustment":
		return "a little apart at the start; the model adjusts for it"
	case "not satisfied":
		return "far apart at the start: read with caution"
	}
	return band
}

// plainUnit says an estimate's unit (the model's words) plainly.
func plainUnit(unit string) string {
	switch unit {
	case "SD of spring score (school-year mean growth)":
		return "SD of a school-year's mean growth"
	case "SD of spring score per coaching hour", "SD of spring score per coaching hour (among coached students)":
		return "SD per coaching hour"
	case "SD of spring score (any coaching against none, at 0 hours of the slope)":
		return "SD (any coaching against none)"
	}
	return unit
}

// plainNoteChars is the most of an estimate's note a first sheet shows:
// one line. The Impact sheet of district.xlsx has the note in full, the
// About sheet's glossary the methods and their caveats.
const plainNoteChars = 120

// plainNote is an estimate's note as a first sheet (the Overview, a
// facilitator's) shows it: the parts ("; "-separated) that describe the
// method left to About, the rest kept (the model says "too few coached
// teachers to tell (N)" plainly already), the whole cut to one line.
func plainNote(note string) string {
	var parts []string
	for _, p := range strings.Split(note, "; ") {
		switch {
		case p == "", strings.HasPrefix(p, "Callaway-Sant'Anna:"), strings.HasPrefix(p, "see the Callaway-Sant'Anna"),
			strings.HasPrefix(p, "effects averaged over"), strings.HasPrefix(p, "SE from "),
			strings.HasPrefix(p, "analytic (influence-function) SE"), strings.HasPrefix(p, "counts: "):
			continue // the method, which About describes, and counts the sheets show
		case strings.HasPrefix(p, "pre-trend test: "):
			_, pv, _ := strings.Cut(p, "joint p = ")
			if x, err := strconv.ParseFloat(pv, 64); err == nil && x < 0.05 {
				p = "before joining, these schools' growth already moved apart from the others' (p = " + pv + "): read with care"
			} else {
				p = "before joining, these schools' growth moved with the others' (no clear difference, p = " + pv + ")"
			}
		case strings.HasPrefix(p, "no pre-trend test: "):
			p = "too few years before joining to check that the groups moved alike"
		case strings.HasPrefix(p, "joining is staggered"):
			p = "joined in different years: see next row"
		case strings.HasSuffix(p, " schools coached in every year of the panel left out"):
			n, _, _ := strings.Cut(p, " ")
			p = n + " always-coached schools left out"
		}
		parts = append(parts, p)
	}
	out := strings.Join(parts, "; ")
	if utf8.RuneCountInString(out) > plainNoteChars {
		out = clip(out, plainNoteChars-len(" (see Impact)")) + " (see Impact)"
	}
	return out
}

// thousands writes n with a comma between thousands, as the #,##0
// format shows it: 1048576 as "1,048,576".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// clip cuts s to at most n characters, ending in "…" when cut: a name
// from the inputs as a title, chart label or list shows it.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:max(n-1, 0)]) + "…"
}

// sheetName makes s a valid, unique-enough worksheet name: no []:*?/\
// or control characters, not starting or ending with an apostrophe, at
// most 31 characters (UTF-16 units, as Excel counts).
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) || r < 0x20 {
			return '_'
		}
		return r
	}, s)
	// Excel counts UTF-16 units: a character beyond the BMP (an emoji)
	// is two of the 31.
	r := []rune(s)
	for len(utf16.Encode(r)) > 31 {
		r = r[:len(r)-1]
	}
	s = strings.Trim(string(r), "' ")
	if s == "" {
		s = "Sheet"
	}
	return s
}

var unsafeFile = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName makes an ID safe as a file name: letters, digits, dot, dash
// and underscore only, no leading dot, at most 100 bytes. Distinct IDs
// that fold to the same name get distinct names from the caller.
func fileName(id string) string {
	s := unsafeFile.ReplaceAllString(id, "_")
	s = strings.TrimLeft(s, ".")
	if len(s) > 100 {
		s = s[:100]
	}
	if s == "" {
		s = "_"
	}
	return s
}

// analysisLabel names an analysis code of the estimates table in words.
func analysisLabel(code string) string {
	switch code {
	case model.AnalysisImpact:
		return "Impact: coached vs other teachers' students"
	case model.AnalysisSubgroup:
		return "Impact within a student group"
	case model.AnalysisWeighted:
		return "Impact with shared classrooms: coaching weighted by each teacher's share of time"
	case model.AnalysisDose:
		return "Dose-response: per coaching hour"
	case model.AnalysisDoseOnset:
		return "Dose-response: any coaching against none"
	case model.AnalysisDiD:
		return "Schools joining: before/after, against comparison schools"
	case model.AnalysisDiDCS:
		return "Schools joining: each cohort against schools not yet joined"
	case model.AnalysisPractice:
		return "Look-for ratings after coaching"
	case model.AnalysisWithinTeacher:
		return "Same teachers: coached vs uncoached years"
	case model.AnalysisEventStudyTeacher:
		return "Teachers' first coached year: event study"
	}
	return code
}

// subgroupLabel writes a subgroup key of the estimates table
// ("english_learner = Y") as a reader says it ("English learners: yes").
func subgroupLabel(key string) string {
	col, v, ok := strings.Cut(key, " = ")
	if !ok {
		return key
	}
	name := map[string]string{
		"english_learner":            "English learners",
		"special_education":          "Special education",
		"economically_disadvantaged": "Economically disadvantaged",
		"race_ethnicity":             "Race/ethnicity",
		"ip_cohort":                  "Network cohort",
	}[col]
	if col == "ip_cohort" {
		if y, err := strconv.Atoi(v); err == nil {
			return name + ": joined " + yearLabel(int64(y))
		}
	}
	if name == "" {
		name = strings.ReplaceAll(col, "_", " ")
	}
	switch v {
	case "Y":
		v = "yes"
	case "N":
		v = "no"
	}
	return name + ": " + v
}

// countOrBlank leaves a count blank when it does not apply (0 where the
// analysis does not count that unit).
func countOrBlank(n int64, applies bool) any {
	if !applies {
		return nil
	}
	return n
}
