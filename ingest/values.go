package ingest

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The value parsers below accept the spellings real exports use and return
// one of the row sentinels (ErrBadDate, ErrBadYear, ...) otherwise. They
// trim surrounding space; a blank value is the caller's business.

const (
	// Excel serial day numbers accepted as dates: 1950-01-01 to 2099-12-31
	// in the 1900 date system. Smaller or larger numbers are not dates.
	minSerial = 18264
	maxSerial = 73050
)

var (
	unixEpochDays = civilDays(1970, 1, 1)
	excel1900Base = civilDays(1899, 12, 30) // serial 0 after Lotus' leap-year bug
	excel1904Base = civilDays(1904, 1, 1)
)

// Date is a calendar date as days since 1970-01-01, the Arrow date32 unit.
type Date int32

// Time returns the date at midnight UTC.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String formats the date as ISO 8601.
func (d Date) String() string { return d.Time().Format("2006-01-02") }

// DateOf is the calendar day of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return MakeDate(y, int(m), d)
}

// MakeDate returns the Date for year, month and day; it does not validate.
func MakeDate(y, m, d int) Date { return Date(civilDays(y, m, d) - unixEpochDays) }

// SchoolYearOf returns the school year (ending year) that d falls in: a
// school year runs July 1 to June 30.
func SchoolYearOf(d Date) int {
	t := d.Time()
	if t.Month() >= time.July {
		return t.Year() + 1
	}
	return t.Year()
}

// InSchoolYear reports whether d lies within school year sy (July 1 of
// sy-1 to June 30 of sy).
func InSchoolYear(d Date, sy int) bool {
	return d >= MakeDate(sy-1, 7, 1) && d <= MakeDate(sy, 6, 30)
}

// civilDays counts days from 0000-03-01 style epoch (Howard Hinnant's
// algorithm); only differences are used.
func civilDays(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func validYMD(y, m, d int) bool {
	return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

// ParseDate parses a date written as ISO (2023-09-15, 2023/09/15, with an
// optional time after T or a space), US (9/15/2023, 09-15-2023, 9/15/23
// with 30..99 read as 19xx), compact (20230915), text (15-Sep-2023,
// Sep 15, 2023, September 15, 2023, 15 September 2023) or an Excel serial
// day number in the 1900 date system (45184 or 45184.5).
func ParseDate(s string) (Date, error) { return parseDate(s, false) }

func parseDate(s string, date1904 bool) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrBadDate
	}
	// Drop a time part: "2023-09-15T00:00:00", "9/15/2023 0:00", and
	// after a two-digit year "9/7/22 18:22" (Renaissance Star's
	// CompletedDate): the shortest date is "1/2/23", 6 characters.
	if i := strings.IndexAny(s, "T "); i >= 6 && i <= 10 && isDigit(s[i-1]) {
		s = s[:i]
	}
	if y, m, d, ok := splitYMD(s); ok {
		if validYMD(y, m, d) {
			return MakeDate(y, m, d), nil
		}
		return 0, ErrBadDate
	}
	if isNumber(s) {
		if len(s) == 8 && !strings.Contains(s, ".") {
			y, _ := strconv.Atoi(s[:4])
			m, _ := strconv.Atoi(s[4:6])
			d, _ := strconv.Atoi(s[6:])
			if validYMD(y, m, d) {
				return MakeDate(y, m, d), nil
			}
			return 0, ErrBadDate
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, ErrBadDate
		}
		days := int(math.Floor(f))
		if date1904 {
			days += excel1904Base - excel1900Base // onto the 1900 scale
		}
		if days < minSerial || days > maxSerial {
			return 0, ErrBadDate
		}
		return Date(excel1900Base + days - unixEpochDays), nil
	}
	for _, layout := range textLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if !validYMD(t.Year(), int(t.Month()), t.Day()) {
				return 0, ErrBadDate
			}
			return MakeDate(t.Year(), int(t.Month()), t.Day()), nil
		}
	}
	return 0, ErrBadDate
}

var textLayouts = []string{
	"2-Jan-2006", "2-Jan-06", "Jan 2, 2006", "January 2, 2006", "2 January 2006",
	"2 Jan 2006", "Jan 2 2006", "January 2 2006", "Monday, January 2, 2006",
}

// splitYMD recognises digit groups separated by '-', '/' or '.': Y-M-D when
// the first group has four digits, M-D-Y (US) when the last one has two or
// four.
func splitYMD(s string) (y, m, d int, ok bool) {
	var parts [3]string
	n := 0
	start := 0
	sep := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == '/' || c == '.' {
			if sep == 0 {
				sep = c
			} else if c != sep {
				return 0, 0, 0, false
			}
			if n == 2 {
				return 0, 0, 0, false
			}
			parts[n] = s[start:i]
			n++
			start = i + 1
		} else if !isDigit(c) {
			return 0, 0, 0, false
		}
	}
	if n != 2 {
		return 0, 0, 0, false
	}
	parts[2] = s[start:]
	for _, p := range parts {
		if p == "" || len(p) > 4 {
			return 0, 0, 0, false
		}
	}
	a, _ := strconv.Atoi(parts[0])
	b, _ := strconv.Atoi(parts[1])
	c, _ := strconv.Atoi(parts[2])
	switch {
	case len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return a, b, c, true
	case len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 4:
		return c, a, b, true
	case len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 2 && sep != '.':
		if c < 30 {
			c += 2000
		} else {
			c += 1900
		}
		return c, a, b, true
	}
	return 0, 0, 0, false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isNumber(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch {
		case isDigit(s[i]):
		case s[i] == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return s != "" && s != "."
}

// ParseSchoolYear parses a school year and returns its ending year:
// "2024", "2023-24", "2023-2024", "2023_2024", "2023/24", "SY2023-24" and
// "SY 2023-24" all give 2024. The two halves must be consecutive years.
func ParseSchoolYear(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == 'S' || s[0] == 's') && (s[1] == 'Y' || s[1] == 'y') {
		s = strings.TrimSpace(s[2:])
	}
	s = strings.TrimSuffix(s, ".0") // a year typed into a numeric cell
	if len(s) == 4 && allDigits(s) {
		y, _ := strconv.Atoi(s)
		return checkYear(y)
	}
	i := strings.IndexAny(s, "-_/")
	if i < 0 {
		return 0, ErrBadYear
	}
	a, b := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	if len(a) != 4 || !allDigits(a) || !allDigits(b) {
		return 0, ErrBadYear
	}
	start, _ := strconv.Atoi(a)
	end, _ := strconv.Atoi(b)
	switch len(b) {
	case 2:
		if end != (start+1)%100 {
			return 0, ErrBadYear
		}
		end = start + 1
	case 4:
		if end != start+1 {
			return 0, ErrBadYear
		}
	default:
		return 0, ErrBadYear
	}
	return checkYear(end)
}

func checkYear(y int) (int, error) {
	if y < 1990 || y > 2100 {
		return 0, ErrBadYear
	}
	return y, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// ParseGrade parses a grade level: K, KG and Kindergarten are 0; 0..12
// with or without leading zeros ("05"), "Grade 5", "5th", "5th grade" and
// the Ed-Fi words "First grade" to "Twelfth grade" are accepted. Grades
// before kindergarten (Preschool/Prekindergarten, PK) are refused: the
// model's grades run K to 12.
func ParseGrade(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSpace(strings.TrimPrefix(s, "grade"))
	s = strings.TrimSpace(strings.TrimSuffix(s, "grade"))
	switch s {
	case "k", "kg", "kindergarten", "kdg", "kn":
		return 0, nil
	case "pk", "pre-k", "prek", "prekindergarten", "pre-kindergarten", "preschool", "preschool/prekindergarten", "infant/toddler", "early education":
		return 0, errPreK
	}
	if g := slices.Index(gradeWords, s); g >= 0 {
		return g + 1, nil
	}
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-2]
			break
		}
	}
	s = strings.TrimSuffix(s, ".0")
	if s == "" || len(s) > 3 || !allDigits(s) {
		return 0, ErrBadGrade
	}
	g, _ := strconv.Atoi(s)
	if g > 12 {
		return 0, ErrBadGrade
	}
	return g, nil
}

// errPreK refuses a grade before kindergarten.
var errPreK = fmt.Errorf("%w: a grade before kindergarten is outside K-12", ErrBadGrade)

// gradeWords are the ordinal words of grades 1 to 12.
var gradeWords = []string{"first", "second", "third", "fourth", "fifth", "sixth",
	"seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth"}

// ParseBool parses Y/N, Yes/No, TRUE/FALSE, T/F and 1/0 in any case.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "true", "t", "1":
		return true, nil
	case "n", "no", "false", "f", "0":
		return false, nil
	}
	return false, ErrBadBool
}

// ParseNumber parses a decimal number. It accepts thousands separators
// (1,234.5), a decimal comma (12,5) when there is no dot, a trailing
// percent sign and surrounding space; NaN and infinities are refused.
func ParseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if s == "" {
		return 0, ErrBadNumber
	}
	if strings.Contains(s, ",") {
		if strings.Contains(s, ".") || thousands(s) {
			s = strings.ReplaceAll(s, ",", "")
		} else if strings.Count(s, ",") == 1 {
			s = strings.Replace(s, ",", ".", 1)
		} else {
			return 0, ErrBadNumber
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return 0, ErrBadNumber
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, ErrBadNumber
	}
	return f, nil
}

// thousands reports whether s looks like 1,234 or 12,345,678.
func thousands(s string) bool {
	s = strings.TrimLeft(s, "+-")
	groups := strings.Split(s, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 || !allDigits(groups[0]) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return false
		}
	}
	return len(groups) > 1
}

// errDurationForms is how a duration in neither form is refused.
var errDurationForms = fmt.Errorf("%w: a duration is minutes (45), or text such as 45 min, 1.5 hours, 1 hour 30 minutes, 1h30, 1h 30m, 90m, 1:30 (h:mm), 3/4 hour or half an hour", ErrBadNumber)

// durationWords are durations written out in words, in minutes.
var durationWords = map[string]float64{
	"an hour": 60, "one hour": 60, "a hour": 60,
	"half an hour": 30, "half hour": 30, "a half hour": 30, "half a hour": 30,
	"quarter of an hour": 15, "a quarter hour": 15, "quarter hour": 15,
}

// ParseDuration parses a duration in minutes: a plain number is minutes
// as ParseNumber reads it (unit false); text with a unit (45 min, 1.5
// hours, 1 hour 30 minutes, 1h30, 1h 30m, 90m, 3/4 hour, 1/2 hr), h:mm
// (1:30) and a few phrases (an hour, half an hour) give unit true.
func ParseDuration(s string) (minutes float64, unit bool, err error) {
	if f, err := ParseNumber(s); err == nil {
		return f, false, nil
	}
	t := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	if m, ok := durationWords[t]; ok {
		return m, true, nil
	}
	if h, m, ok := strings.Cut(t, ":"); ok && allDigits(h) && len(h) <= 2 && len(m) == 2 && allDigits(m) && m < "60" {
		hi, _ := strconv.Atoi(h)
		mi, _ := strconv.Atoi(m)
		return float64(hi*60 + mi), true, nil
	}
	if m, ok := unitMinutes(t); ok {
		return m, true, nil
	}
	return 0, false, errDurationForms
}

// unitMinutes reads t (lower case, single spaces) as an amount of hours,
// then of minutes, each optional but not both absent; a whole number
// under 60 after the hours is minutes (1h30).
func unitMinutes(t string) (float64, bool) {
	total, hours, mins := 0.0, false, false
	for rest := t; rest != ""; {
		if hours || mins {
			rest = strings.TrimPrefix(strings.TrimPrefix(rest, " "), "and ")
		}
		n, whole, r, ok := leadingAmount(rest)
		if !ok {
			return 0, false
		}
		r = strings.TrimPrefix(r, " ")
		i := 0
		for i < len(r) && r[i] >= 'a' && r[i] <= 'z' {
			i++
		}
		word := r[:i]
		switch word {
		case "h", "hr", "hrs", "hour", "hours":
			if hours || mins {
				return 0, false
			}
			hours, total = true, total+n*60
		case "m", "min", "mins", "minute", "minutes":
			if mins {
				return 0, false
			}
			mins, total = true, total+n
		case "":
			if !hours || mins || !whole || n >= 60 || r != "" {
				return 0, false
			}
			mins, total = true, total+n
		default:
			return 0, false
		}
		rest = r[i:]
	}
	return total, hours || mins
}

// leadingAmount reads a decimal (1, 1.5) or a fraction (3/4) at the start
// of s; whole reports a number without a fraction part.
func leadingAmount(s string) (n float64, whole bool, rest string, ok bool) {
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == '/') {
		i++
	}
	a := s[:i]
	if num, den, frac := strings.Cut(a, "/"); frac {
		if !allDigits(num) || !allDigits(den) {
			return 0, false, s, false
		}
		p, _ := strconv.Atoi(num)
		q, _ := strconv.Atoi(den)
		if q == 0 {
			return 0, false, s, false
		}
		return float64(p) / float64(q), false, s[i:], true
	}
	if !isNumber(a) {
		return 0, false, s, false
	}
	f, err := strconv.ParseFloat(a, 64)
	// A mixed number: "1 1/2 hours" is 1 and a fraction below 1.
	if after := strings.TrimLeft(s[i:], " "); err == nil && allDigits(a) && len(after) < len(s[i:]) {
		if g, _, rest, ok := leadingAmount(after); ok && g < 1 && strings.Contains(after[:len(after)-len(rest)], "/") {
			return f + g, false, rest, true
		}
	}
	return f, err == nil && allDigits(a), s[i:], err == nil
}

// DescriptorCode returns the code value of an Ed-Fi descriptor URI,
// uri://<namespace>/<Name>Descriptor#<CodeValue> ("Fourth grade" of
// uri://ed-fi.org/GradeLevelDescriptor#Fourth grade), and s unchanged
// when it is not one.
func DescriptorCode(s string) string {
	const scheme = "uri://"
	if len(s) <= len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return s
	}
	path, code, ok := strings.Cut(s[len(scheme):], "#")
	name := path[strings.LastIndexByte(path, '/')+1:]
	if !ok || !strings.Contains(path, "/") || len(name) <= len("Descriptor") || !strings.HasSuffix(name, "Descriptor") {
		return s
	}
	if code = strings.TrimSpace(code); code == "" {
		return s
	}
	return code
}
