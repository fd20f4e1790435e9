package ingest

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The reshaping keys of a TableMapping say how a table is made from
// exports that do not hold it as one file of its rows: several files
// (Files), constants taken from each file's path (Path), one column
// feeding several (Split), values derived from others (Derive), rows kept
// or dropped by a value (Where, Drop), one row made into several
// (Expand), columns brought from another file or table (Join), the latest
// of duplicate rows kept (LatestBy), a table made from another's rows
// (From). A table whose mapping uses any of them is read through a frame
// (frame.go): each file's rows, every step applied in the order above,
// then the header resolved and the rows read as any file's are. Every row
// keeps the file and row it came from, for its rejects.

// Errors of the reshaping steps; a row they fail is rejected with one.
var (
	// ErrNoMatch is a row whose join found no row of its reference.
	ErrNoMatch = errors.New("no match in the reference")
	// ErrAmbiguous is a row whose join found rows of its reference
	// that give different values.
	ErrAmbiguous = errors.New("several matches in the reference")
	// ErrNoPattern is a value that does not have the shape a split
	// expects.
	ErrNoPattern = errors.New("value does not match the pattern")
)

// Join brings values from another file (or files) of the input folder, or
// from a canonical table as it loads, into the rows of the table:
//
//	[[mapping.tables.rosters.join]]
//	file = "staffSectionAssociations.csv"
//	on = { "sectionReference.sectionIdentifier" = "sectionReference.sectionIdentifier" }
//	take = { teacher_id = "staffReference.staffUniqueId" }
//	rows = "many"                        # co-teachers: one row each
type Join struct {
	// File is a file name or glob of the input folder; Table a
	// canonical table (its rows as they load, by column name). One of
	// the two.
	File  string `toml:"file"`
	Sheet string `toml:"sheet"`
	Table string `toml:"table"`
	// On pairs a column of the rows (a source header, or a column an
	// earlier step made) with the reference's column it must equal;
	// every pair must hold. A list gives alternatives tried in order
	// ("email", "first_name+last_name"); "a+b" joins the reference's
	// columns a and b with a space.
	On map[string]TextList `toml:"on"`
	// Match is how values compare: "exact" (default: trimmed, any
	// case) or "name" (also spaces and punctuation ignored and
	// "Last, First" read as "First Last").
	Match string `toml:"match"`
	// During keeps, of the reference rows that match, those whose
	// period holds the row's date: [date column of the rows, the
	// reference's start column, its end column]; a blank end is open.
	During []string `toml:"during"`
	// Unnest makes one reference row per element of these arrays, as
	// TableMapping.Unnest does (a file's JSON lines).
	Unnest TextList `toml:"unnest"`
	// Where keeps only the reference rows whose column holds one of the
	// values.
	Where map[string]TextList `toml:"where"`
	// Take names the columns made: column = the reference's column.
	Take map[string]string `toml:"take"`
	// Rows is "one" (default: a row matching reference rows that give
	// different values is rejected, ErrAmbiguous) or "many" (one row
	// per match: a section's two teachers).
	Rows string `toml:"rows"`
	// Optional keeps a row that matches nothing, without the values
	// (default: rejected, ErrNoMatch); an optional join on a file the
	// folder does not have does nothing. Fill looks up only the rows whose
	// Take columns are still blank (a second way to find them).
	Optional bool `toml:"optional"`
	Fill     bool `toml:"fill"`
}

// TextList is a TOML string or array of strings.
type TextList []string

// UnmarshalTOML takes "x" or ["x", "y"].
func (l *TextList) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*l = TextList{v}
	case []any:
		out := make(TextList, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("expected text, got %v", e)
			}
			out[i] = s
		}
		*l = out
	default:
		return fmt.Errorf("expected text or a list of text, got %v", v)
	}
	return nil
}

// shaped reports whether the mapping reshapes the table: it uses a
// reshaping key, or names its files by a glob or a list.
func (tm *TableMapping) shaped() bool {
	return len(tm.Files) > 0 || tm.Path != "" || len(tm.Unnest) > 0 || len(tm.Split) > 0 || len(tm.Derive) > 0 ||
		len(tm.Where) > 0 || len(tm.Drop) > 0 || len(tm.Expand) > 0 || len(tm.Join) > 0 ||
		len(tm.LatestBy) > 0 || tm.From != "" || tm.HeaderRow > 0 || hasGlob(tm.File)
}

// patterns is the table's file names and globs: File and Files.
func (tm *TableMapping) patterns() []string {
	var ps []string
	if tm.File != "" {
		ps = append(ps, tm.File)
	}
	return append(ps, tm.Files...)
}

func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") || strings.Contains(p, "/") }

// Derive functions: column = "fn(arg, ...)".
var deriveFuncs = map[string]int{ // name -> number of arguments
	"school_year": 1, // the school year (ending year) a date falls in
	"window":      1, // the test window of a date: fall Aug-Nov, winter Dec-Feb, spring Mar-Jul
	"date":        1, // the date of a date and time
	"row":         0, // the file and row: an ID for rows that have none
	"cycle":       3, // coach, teacher, date: one coaching cycle per coach, teacher and school year
	"copy":        1, // the value of another column
	"if":          3, // flag, a, b: a's value where the flag is yes (Y, yes, true, 1), else b's (Ed-Fi's hispanicLatinoEthnicity over the race)
}

// derivation is one parsed Derive entry.
type derivation struct {
	col  string
	fn   string
	args []string
}

// parseDerive parses "fn(a, b)" into its function and arguments.
func parseDerive(col, expr string) (derivation, error) {
	e := strings.TrimSpace(expr)
	open := strings.IndexByte(e, '(')
	if open < 0 || !strings.HasSuffix(e, ")") {
		return derivation{}, fmt.Errorf("%q: expected fn(column, ...), one of %s", expr, funcNames())
	}
	d := derivation{col: col, fn: strings.TrimSpace(e[:open])}
	want, ok := deriveFuncs[d.fn]
	if !ok {
		return derivation{}, fmt.Errorf("%q: unknown function %q (known: %s)", expr, d.fn, funcNames())
	}
	if inner := strings.TrimSpace(e[open+1 : len(e)-1]); inner != "" {
		for _, a := range strings.Split(inner, ",") {
			d.args = append(d.args, strings.Trim(strings.TrimSpace(a), `"'`))
		}
	}
	if len(d.args) != want {
		return derivation{}, fmt.Errorf("%q: %s takes %d column(s), got %d", expr, d.fn, want, len(d.args))
	}
	return d, nil
}

func funcNames() string {
	return strings.Join(sortedKeys(deriveFuncs), ", ")
}

// validateShape reports every reshaping key of table t's mapping that
// cannot work: a bad pattern, an unknown function, a join without a
// reference or a column to take, a made column the table does not have.
// A made column that is not the table's must start with "_" (a helper
// for later steps).
func validateShape(t *Table, tm TableMapping, tables []*Table) []error {
	var errs []error
	at := "mapping.tables." + t.Name
	made := func(section, col string) {
		if strings.HasPrefix(col, "_") {
			return
		}
		if _, ok := t.Column(col); !ok {
			errs = append(errs, fmt.Errorf("%s.%s: table %s has no column %q (a helper column's name starts with _)", at, section, t.Name, col))
		}
	}
	for _, p := range tm.patterns() {
		if _, err := globRegexp(p); err != nil {
			errs = append(errs, fmt.Errorf("%s.files: %q: %v", at, p, err))
		}
	}
	if tm.Path != "" {
		re, err := regexp.Compile(tm.Path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.path: %v", at, err))
		} else {
			errs = append(errs, groups(at+".path", "path", re, made)...)
		}
	}
	for _, h := range sortedKeys(tm.Split) {
		re, err := regexp.Compile(tm.Split[h])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.split.%s: %v", at, h, err))
			continue
		}
		errs = append(errs, groups(at+".split."+h, "split", re, made)...)
	}
	for _, col := range sortedKeys(tm.Derive) {
		made("derive", col)
		if _, err := parseDerive(col, tm.Derive[col]); err != nil {
			errs = append(errs, fmt.Errorf("%s.derive.%s: %v", at, col, err))
		}
	}
	for i, j := range tm.Join {
		errs = append(errs, validateJoin(fmt.Sprintf("%s.join[%d]", at, i), j, tables, made)...)
		if j.Table != "" && !loadsBefore(tables, j.Table, t.Name) {
			errs = append(errs, fmt.Errorf("%s.join[%d].table = %q: a join reads a table that loads before %s (%s)", at, i, j.Table, t.Name, strings.Join(tablesBefore(tables, t.Name), ", ")))
		}
	}
	if tm.From != "" {
		src := TableByName(tables, tm.From)
		switch {
		case t.Name != "coaching_cycles" || tm.From != "coaching_sessions":
			errs = append(errs, fmt.Errorf("%s.from = %q: only coaching_cycles can be made from another table, coaching_sessions", at, tm.From))
		case src == nil:
			errs = append(errs, fmt.Errorf("%s.from: unknown table %q", at, tm.From))
		}
	}
	if tm.HeaderRow < 0 {
		errs = append(errs, fmt.Errorf("%s.header_row = %d: a row number from 1", at, tm.HeaderRow))
	}
	return errs
}

// loadsBefore reports whether table a (a name or another spelling of
// one) comes before table b in load order.
func loadsBefore(tables []*Table, a, b string) bool {
	ta := TableByName(tables, a)
	if ta == nil {
		return true // unknown: validateJoin says so
	}
	ia, ib := -1, -1
	for i, t := range tables {
		switch t.Name {
		case ta.Name:
			ia = i
		case b:
			ib = i
		}
	}
	return ia >= 0 && ia < ib
}

// tablesBefore lists the tables that load before table name.
func tablesBefore(tables []*Table, name string) []string {
	var out []string
	for _, t := range tables {
		if t.Name == name {
			break
		}
		out = append(out, t.Name)
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// groups checks a pattern's named groups: each names a column made.
func groups(at, section string, re *regexp.Regexp, made func(section, col string)) []error {
	n := 0
	for _, g := range re.SubexpNames() {
		if g != "" {
			n++
			made(section, g)
		}
	}
	if n == 0 {
		return []error{fmt.Errorf("%s: %q has no named group (?P<column>...)", at, re.String())}
	}
	return nil
}

func validateJoin(at string, j Join, tables []*Table, made func(section, col string)) []error {
	var errs []error
	switch {
	case j.File == "" && j.Table == "":
		errs = append(errs, fmt.Errorf("%s: give file (a file of the input folder) or table (a canonical table)", at))
	case j.File != "" && j.Table != "":
		errs = append(errs, fmt.Errorf("%s: give file or table, not both", at))
	case j.Table != "":
		rt := TableByName(tables, j.Table)
		if rt == nil {
			errs = append(errs, fmt.Errorf("%s.table: unknown table %q", at, j.Table))
			break
		}
		refCol := func(key, col string) {
			for _, part := range strings.Split(col, "+") {
				if _, ok := rt.Column(strings.TrimSpace(part)); !ok {
					errs = append(errs, fmt.Errorf("%s.%s: table %s has no column %q", at, key, rt.Name, part))
				}
			}
		}
		for _, h := range sortedKeys(j.On) {
			for _, c := range j.On[h] {
				refCol("on."+h, c)
			}
		}
		for _, col := range sortedKeys(j.Take) {
			refCol("take."+col, j.Take[col])
		}
		if len(j.During) == 3 {
			refCol("during", j.During[1])
			refCol("during", j.During[2])
		}
	case j.File != "":
		if _, err := globRegexp(j.File); err != nil {
			errs = append(errs, fmt.Errorf("%s.file: %q: %v", at, j.File, err))
		}
	}
	if len(j.On) == 0 {
		errs = append(errs, fmt.Errorf("%s: on names no column to match", at))
	}
	if len(j.Take) == 0 {
		errs = append(errs, fmt.Errorf("%s: take names no column to bring", at))
	}
	for _, col := range sortedKeys(j.Take) {
		made("join", col)
	}
	if j.Match != "" && j.Match != "exact" && j.Match != "name" {
		errs = append(errs, fmt.Errorf("%s.match = %q: exact or name", at, j.Match))
	}
	if j.Rows != "" && j.Rows != "one" && j.Rows != "many" {
		errs = append(errs, fmt.Errorf("%s.rows = %q: one or many", at, j.Rows))
	}
	if len(j.During) != 0 && len(j.During) != 3 {
		errs = append(errs, fmt.Errorf("%s.during: three columns: the row's date, the reference's start and end", at))
	}
	return errs
}

// globRegexp compiles a file pattern of the input folder: "/" separates
// folders, "*" and "?" match within a name, "**" any folders, "[...]" a
// class; names compare in any case.
func globRegexp(p string) (*regexp.Regexp, error) {
	if p == "" {
		return nil, errors.New("empty pattern")
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
		return nil, errors.New("a pattern is relative to the input folder")
	}
	var b strings.Builder
	b.WriteString("(?i)^")
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(?:[^/]+/)*")
			i += 2
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, errors.New("unclosed [")
			}
			b.WriteString(p[i : i+end+1])
			i += end
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}
