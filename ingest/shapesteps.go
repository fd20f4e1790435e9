package ingest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// shaper reshapes the files of one table (TableMapping's reshaping keys)
// into the table's rows, keeping each row's origin.
type shaper struct {
	ctx     context.Context
	env     *shapeEnv
	t       *Table
	tm      TableMapping
	renames map[string]string // normalised source header -> column, as the mapping gives
	from    map[string]string // normalised source header -> "mapping" or "profile NAME": what Why says of it

	rejects    []RowError
	filtered   map[string]int // reason -> rows dropped by where or drop
	added      int            // rows made beyond the files' (expand, join rows = "many")
	superseded int            // rows dropped by latest_by
	refs       map[string]*refTable
	sums       map[string]string // relative path -> sha256 of every file read
	// redact, when IDs are hashed, hashes made IDs that hold IDs and
	// keeps the values of rejects out.
	redact  *Redactor
	profile string // the profile giving the table's mapping, or ""
}

// shaped is a table's rows once reshaped, in canonical columns.
type shaped struct {
	header []string // the table's columns that some file gave
	rows   [][]string
	orig   []origin
	inputs []InputFile
	cols   map[string]string // column -> its headers in the files (or how made), " / "-joined
	why    map[string]string
}

// reject records that row k of f fails: it is dropped from f by the
// caller (dead[k]).
func (s *shaper) reject(o origin, col, val string, err error, detail string) {
	if s.redact != nil && val != "" {
		val = "(redacted)"
	}
	s.rejects = append(s.rejects, RowError{File: o.file, Sheet: o.sheet, Table: s.t.Name, Row: o.row, Column: col, Value: truncate(val, 200), Err: err, Detail: detail})
}

// steps applies the reshaping steps to f in their order: arrays unnested,
// the file's path,
// splits, derivations, filters, expansions, joins, the derivations that
// read a join's columns.
func (s *shaper) steps(f *frame) error {
	s.unnestStep(f)
	if err := s.pathStep(f); err != nil {
		return err
	}
	s.splitStep(f)
	var ders []derivation
	for _, col := range sortedKeys(s.tm.Derive) {
		d, _ := parseDerive(col, s.tm.Derive[col]) // validated
		ders = append(ders, d)
	}
	later := s.deriveStep(f, ders, false)
	s.filterStep(f)
	s.expandStep(f)
	for i, j := range s.tm.Join {
		if err := s.joinStep(f, i, j); err != nil {
			return err
		}
	}
	s.deriveStep(f, later, true)
	return nil
}

// pathStep makes the columns a file's path gives (Path's named groups).
func (s *shaper) pathStep(f *frame) error {
	if s.tm.Path == "" {
		return nil
	}
	re := regexp.MustCompile(s.tm.Path)
	m := re.FindStringSubmatch(f.file.rel)
	if m == nil {
		return &FileError{File: f.file.rel, Err: fmt.Errorf("%w: the path does not match mapping.tables.%s.path %q", ErrNoPattern, s.t.Name, s.tm.Path)}
	}
	for g, name := range re.SubexpNames() {
		if name == "" {
			continue
		}
		i := f.makeCol(name, "derived: from the file's path")
		for k := range f.rows {
			f.rows[k][i] = m[g]
		}
	}
	return nil
}

// splitStep fills the columns each Split pattern's groups name from one
// header's value.
func (s *shaper) splitStep(f *frame) {
	for _, h := range sortedKeys(s.tm.Split) {
		src := f.use(h)
		if src < 0 {
			f.skipped = append(f.skipped, "split."+h)
			continue
		}
		re := regexp.MustCompile(s.tm.Split[h])
		var outs []int
		for _, name := range re.SubexpNames() {
			if name == "" {
				outs = append(outs, -1)
				continue
			}
			outs = append(outs, f.makeCol(name, fmt.Sprintf("derived: split of %s", h)))
		}
		dead := map[int]bool{}
		for k := range f.rows {
			v := f.cell(k, src)
			if v == "" {
				continue
			}
			m := re.FindStringSubmatch(v)
			if m == nil {
				s.reject(f.orig[k], h, v, ErrNoPattern, fmt.Sprintf("mapping.tables.%s.split expects %s", s.t.Name, re))
				dead[k] = true
				continue
			}
			for g, i := range outs {
				if i >= 0 {
					f.rows[k][i] = m[g]
				}
			}
		}
		f.keep(func(k int) bool { return !dead[k] })
	}
}

// expandStep makes one row per listed value where a header's value is
// one Expand lists (an elementary homeroom course: Math and ELA).
func (s *shaper) expandStep(f *frame) {
	for _, h := range sortedKeys(s.tm.Expand) {
		src := f.use(h)
		if src < 0 {
			f.skipped = append(f.skipped, "expand."+h)
			continue
		}
		lists := map[string]TextList{}
		for v, l := range s.tm.Expand[h] {
			lists[strings.ToLower(strings.TrimSpace(v))] = l
		}
		var rows [][]string
		var orig []origin
		for k, row := range f.rows {
			l, ok := lists[strings.ToLower(f.cell(k, src))]
			if !ok {
				rows, orig = append(rows, row), append(orig, f.orig[k])
				continue
			}
			for _, v := range l {
				r := slices.Clone(row)
				r[src] = v
				rows, orig = append(rows, r), append(orig, f.orig[k])
			}
			s.added += len(l) - 1
		}
		f.rows, f.orig = rows, orig
	}
}

// deriveStep computes the derivations whose columns f has; with last
// false it returns those that read a column f lacks (a join's, made
// later), with last true it notes them as skipped.
func (s *shaper) deriveStep(f *frame, ders []derivation, last bool) []derivation {
	var later []derivation
	for _, d := range ders {
		args := make([]int, len(d.args))
		ok := true
		for i, a := range d.args {
			if args[i] = f.use(a); args[i] < 0 {
				ok = false
			}
		}
		if !ok {
			if last {
				f.skipped = append(f.skipped, "derive."+d.col)
			} else {
				later = append(later, d)
			}
			continue
		}
		s.derive(f, d, args)
	}
	return later
}

// derive fills column d.col of every row of f.
func (s *shaper) derive(f *frame, d derivation, args []int) {
	out := f.makeCol(d.col, fmt.Sprintf("derived: %s(%s)", d.fn, strings.Join(d.args, ", ")))
	dead := map[int]bool{}
	for k := range f.rows {
		var v string
		var err error
		switch d.fn {
		case "row":
			v = fmt.Sprintf("%s:%d", f.orig[k].file, f.orig[k].row)
		case "copy":
			v = f.cell(k, args[0])
		case "date", "school_year", "window":
			v, err = dateFn(d.fn, f.cell(k, args[0]))
		case "if":
			v, err = ifFn(f.cell(k, args[0]), f.cell(k, args[1]), f.cell(k, args[2]))
		case "cycle":
			v, err = s.cycleOf(f.cell(k, args[0]), f.cell(k, args[1]), f.cell(k, args[2]))
		}
		if err != nil {
			col := d.args[0]
			if d.fn == "cycle" {
				col = d.col
			}
			s.reject(f.orig[k], col, f.cell(k, args[0]), err, fmt.Sprintf("mapping.tables.%s.derive.%s = %q", s.t.Name, d.col, s.tm.Derive[d.col]))
			dead[k] = true
			continue
		}
		f.rows[k][out] = v
	}
	f.keep(func(k int) bool { return !dead[k] })
}

// dateFn is the date, school year or test window of the date in text v;
// "" for a blank v.
func dateFn(fn, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	d, err := ParseDate(v)
	if err != nil {
		return "", ErrBadDate
	}
	switch fn {
	case "school_year":
		return strconv.Itoa(SchoolYearOf(d)), nil
	case "window":
		return WindowOf(d), nil
	}
	return d.String(), nil
}

// ifFn is a where flag is yes, b where it is no or blank; a flag that is
// neither is ErrBadBool.
func ifFn(flag, a, b string) (string, error) {
	if strings.TrimSpace(flag) == "" {
		return b, nil
	}
	yes, err := ParseBool(flag)
	switch {
	case err != nil:
		return "", err
	case yes:
		return a, nil
	}
	return b, nil
}

// WindowOf is the test window a date falls in: fall from August to
// November, winter from December to February, spring from March to July.
func WindowOf(d Date) string {
	switch m := d.Time().Month(); {
	case m >= 8 && m <= 11:
		return "fall"
	case m == 12 || m <= 2:
		return "winter"
	}
	return "spring"
}

// filterStep drops the rows Where does not keep and those Drop names,
// counting them by reason. A value compares trimmed, in any case, and
// an Ed-Fi descriptor URI also by its code value.
func (s *shaper) filterStep(f *frame) {
	apply := func(section string, m map[string]TextList, keepIf bool) {
		for _, h := range sortedKeys(m) {
			i := f.use(h)
			if i < 0 {
				f.skipped = append(f.skipped, section+"."+h)
				continue
			}
			want := m[h]
			reason := fmt.Sprintf("%s %s (%s)", h, oneOf(want, keepIf), s.keyName(section, h))
			f.keep(func(k int) bool {
				in := holds(want, f.cell(k, i))
				if in != keepIf {
					s.filtered[reason]++
					return false
				}
				return true
			})
		}
	}
	apply("where", s.tm.Where, true)
	apply("drop", s.tm.Drop, false)
}

// keyName names the entry h of a filter section of the table's mapping
// for messages, where it is written: the config's mapping, or the
// profile's when the config does not set it.
func (s *shaper) keyName(section, h string) string {
	own := s.env.m.Tables[s.t.Name]
	_, mine := map[string]map[string]TextList{"where": own.Where, "drop": own.Drop}[section][h]
	if s.profile != "" && !mine {
		return fmt.Sprintf("profile %s, tables.%s.%s", s.profile, s.t.Name, section)
	}
	return fmt.Sprintf("mapping.tables.%s.%s", s.t.Name, section)
}

// oneOf says what a filter dropped: "is not Scale score" or "is Y".
func oneOf(vals TextList, keepIf bool) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	list := strings.Join(q, " or ")
	if keepIf {
		return "is not " + list
	}
	return "is " + list
}

// holds reports whether v is one of vals, trimmed and in any case, or by
// its descriptor code. A value with "*" matches any text in its place:
// "-*" is every value starting with "-" (PowerSchool's dropped
// enrolments, whose SectionID is negated).
func holds(vals TextList, v string) bool {
	v = strings.TrimSpace(v)
	code := DescriptorCode(v)
	for _, w := range vals {
		w = strings.TrimSpace(w)
		if strings.Contains(w, "*") {
			if wildcard(w, v) || wildcard(w, code) {
				return true
			}
			continue
		}
		if strings.EqualFold(w, v) || strings.EqualFold(w, code) {
			return true
		}
	}
	return false
}

// wildcard reports whether v is pattern p, each "*" of which stands for
// any text (none too), in any case.
func wildcard(p, v string) bool {
	parts := strings.Split(strings.ToLower(p), "*")
	v = strings.ToLower(v)
	if !strings.HasPrefix(v, parts[0]) {
		return false
	}
	v = v[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(v, part)
		if i < 0 {
			return false
		}
		v = v[i+len(part):]
	}
	return len(v) >= len(last) && strings.HasSuffix(v, last)
}

// canonical resolves f's header (its made columns first, then as any
// file's: mapping, exact, alias, generic) and returns the rows in the
// table's columns, with the file's InputFile.
func (s *shaper) canonical(f *frame) ([][]string, []int, InputFile, error) {
	for _, name := range s.tm.LatestBy {
		f.use(name) // read by latest_by, after this
	}
	renames := map[string]string{}
	madeCols := map[string]bool{}
	for i := range f.made {
		if _, ok := s.t.Column(f.cols[i]); ok {
			madeCols[f.cols[i]] = true
		}
	}
	for src, col := range s.renames {
		if !madeCols[col] {
			renames[src] = col
		}
	}
	for col := range madeCols {
		renames[normalize(col)] = col
	}
	header := slices.Clone(f.cols)
	for i := range header {
		if strings.HasPrefix(header[i], "_") {
			header[i] = "" // a helper column is no header of the table
		}
	}
	cm, n := matchHeader(s.t, header, renames)
	in := InputFile{Path: f.file.rel, Sheet: f.file.sheet, SHA256: f.file.sum, HeaderRow: f.file.headerRow, Rows: f.file.nrows, Columns: map[string]string{}, Skipped: f.skipped}
	if len(cm.ties) > 0 {
		tt := cm.ties[0]
		return nil, nil, in, &FileError{File: f.file.rel, Sheet: f.file.sheet, Column: s.t.Columns[tt.col].Name, Err: fmt.Errorf("%w: %s", ErrDuplicateColumn, tieAdvice(s.t, tt))}
	}
	var missing []string
	for i, c := range s.t.Columns {
		if c.Required && cm.index[i] < 0 {
			if _, ok := s.tm.Defaults[c.Name]; !ok {
				missing = append(missing, c.Name)
			}
		}
	}
	if len(missing) > 0 || n == 0 {
		return nil, nil, in, &FileError{File: f.file.rel, Sheet: f.file.sheet, Column: strings.Join(missing, ", "),
			Err: fmt.Errorf("%w (header on row %d; %s)", ErrMissingColumn, f.file.headerRow, missingAdvice(s.t, missing, f.cols))}
	}
	for _, h := range cm.ignored {
		if _, made := f.made[f.col(h)]; !made && !f.used[f.col(h)] {
			in.IgnoredColumns = append(in.IgnoredColumns, h)
		}
	}
	for i, c := range s.t.Columns {
		j := cm.index[i]
		switch {
		case j < 0:
			if v, ok := s.tm.Defaults[c.Name]; ok {
				in.Columns[c.Name] = "=" + v
			}
		case f.made[j] != "":
			in.Columns[c.Name] = f.made[j]
		default:
			in.Columns[c.Name] = cm.source[i]
		}
	}
	out := make([][]string, len(f.rows))
	for k := range f.rows {
		row := make([]string, len(s.t.Columns))
		for i, c := range s.t.Columns {
			switch j := cm.index[i]; {
			case j >= 0:
				row[i] = f.cell(k, j)
			default:
				if v, ok := s.tm.Defaults[c.Name]; ok {
					row[i] = v
				}
			}
		}
		out[k] = row
	}
	return out, cm.tier, in, nil
}
