package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Source is where one table's rows are: a CSV file, or a sheet of a
// workbook.
type Source struct {
	Path  string // path of the file
	File  string // base name of the file
	Sheet string // sheet name, for workbooks
	Table *Table
	// Hidden lists the workbook's hidden sheets, which are never read.
	Hidden []string
	// plan, for a table the mapping reshapes, is how it is read (its
	// files, the steps); File then describes its files.
	plan *shapePlan

	// afterSum, in tests, runs once a workbook is hashed for its read.
	afterSum func()
}

// Name is how messages and the manifest name the source: "rosters.csv" or
// "coaching.xlsx[coaching_sessions]".
func (s *Source) Name() string {
	if s.Sheet == "" {
		return s.File
	}
	return s.File + "[" + s.Sheet + "]"
}

func isCSV(ext string) bool  { return ext == ".csv" || ext == ".tsv" || isText(ext) }
func isXLSX(ext string) bool { return ext == ".xlsx" || ext == ".xlsm" }

// isText reports a plain-text extension: such a file is read as delimited
// text when its name or its header names a table (PowerSchool's
// student.export.text), else skipped.
func isText(ext string) bool { return ext == ".txt" || ext == ".text" }

// Skipped is a file or sheet of the input folder that is not read, and
// why. A run lists them (run.json's skipped_files): nothing is dropped
// unseen.
type Skipped struct {
	File   string `json:"file"`
	Sheet  string `json:"sheet,omitempty"`
	Reason string `json:"reason"`
}

// Name is "NOTES.md" or "coaching.xlsx[Notes]".
func (s Skipped) Name() string {
	if s.Sheet == "" {
		return s.File
	}
	return s.File + "[" + s.Sheet + "]"
}

// Discovery is what Scan found in an input folder: the sources in load
// order, and the files and sheets it does not read, in folder order.
type Discovery struct {
	Sources []*Source
	Skipped []Skipped
}

// Discover is Scan's sources alone.
func Discover(dir string, tables []*Table, m *Mapping, lim Limits) ([]*Source, error) {
	d, err := Scan(dir, tables, m, lim)
	return d.Sources, err
}

// Scan lists the sources in dir: one per CSV or text file and one per
// table sheet of each workbook. A file or sheet that names no table, and
// a file of another kind (README.md), is skipped with the reason; files
// starting with "." or "~$" (Excel's lock files) are passed over. It
// returns a *FileError for an unreadable workbook, a table given twice, or
// a required table that is missing.
func Scan(dir string, tables []*Table, m *Mapping, lim Limits) (Discovery, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Discovery{}, &FileError{File: dir, Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
	}
	if m == nil {
		m = &Mapping{}
	}
	env := &shapeEnv{dir: dir, lim: lim, m: m, tables: tables, sources: map[string]*Source{}}
	plans, claimed, err := planTables(env, tables, m)
	if err != nil {
		return Discovery{}, err
	}
	byFile := m.fileTables(tables) // normalised file or sheet name -> tables, from the mapping
	lookup := func(name string) []*Table {
		if ts := byFile[normalize(name)]; len(ts) > 0 {
			return ts
		}
		if t := TableByName(tables, name); t != nil {
			return []*Table{t}
		}
		return nil
	}
	var d Discovery
	seen := map[string]*Source{}
	// A join's crosswalk named like a table (staff.csv) gives that table
	// only when no other file does.
	joinOnly := func(s *Source) bool { return s.plan == nil && s.Sheet == "" && claimed.joined(s.File) }
	add := func(s *Source) error {
		if prev := seen[s.Table.Name]; prev != nil {
			switch {
			case joinOnly(s) && !joinOnly(prev):
				return nil
			case joinOnly(prev) && !joinOnly(s):
				d.Sources = slices.DeleteFunc(d.Sources, func(x *Source) bool { return x == prev })
			default:
				return &FileError{File: s.File, Sheet: s.Sheet, Err: fmt.Errorf("%w: %s is also in %s", ErrDuplicateTable, s.Table.Name, prev.Name())}
			}
		}
		seen[s.Table.Name] = s
		d.Sources = append(d.Sources, s)
		return nil
	}
	skip := func(file, sheet, reason string) {
		d.Skipped = append(d.Skipped, Skipped{File: file, Sheet: sheet, Reason: reason})
	}
	// A table the mapping reshapes is read from its plan; a file named
	// after it is not read for it.
	planned := func(ts []*Table, name string) []*Table {
		var out []*Table
		for _, t := range ts {
			if p := plans[t.Name]; p != nil {
				skip(name, "", fmt.Sprintf("%s is read from %s", t.Name, p.describe()))
				continue
			}
			out = append(out, t)
		}
		return out
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") {
			continue
		}
		ext := strings.ToLower(filepath.Ext(name))
		base := strings.TrimSuffix(name, filepath.Ext(name))
		path := filepath.Join(dir, name)
		switch {
		case ignored(m.IgnoreFiles, name):
			skip(name, "", "ignored (mapping.ignore_files)")
		case m.unread(name) != "":
			skip(name, "", m.unread(name))
		case e.IsDir():
			if !claimed.under(name) {
				skip(name, "", "a folder: only the files directly in the input folder are read, or those a mapping's files pattern names")
			}
		case claimed[name]:
			// read by a reshaped table or a join
		case isCSV(ext):
			ts := lookup(base)
			if ts == nil && isText(ext) {
				t, tie := textTable(path, base, tables, m, lim, func(n string) *Table { return first(lookup(n)) })
				if t != nil {
					ts = []*Table{t}
				}
				if len(tie) > 0 {
					skip(name, "", fmt.Sprintf("its header fits %s equally well; say which with [mapping.tables.%s] file = %q", andList(tie), tie[0], name))
					continue
				}
				if ts == nil {
					if !claimed.joined(name) {
						skip(name, "", fmt.Sprintf("not a known table (neither its name nor its header names one); map it with [mapping.tables.X] file = %q to read it", name))
					}
					continue
				}
			}
			if ts == nil {
				if !claimed.joined(name) {
					skip(name, "", fmt.Sprintf("not a known table; map it with [mapping.tables.X] file = %q to read it", name))
				}
				continue
			}
			for _, t := range planned(ts, name) {
				if err := add(&Source{Path: path, File: name, Table: t}); err != nil {
					return Discovery{}, err
				}
			}
		case isXLSX(ext):
			look := func(n string) *Table {
				ts := lookup(n)
				if len(ts) == 1 && plans[ts[0].Name] != nil {
					return nil
				}
				return first(ts)
			}
			if err := scanWorkbook(path, name, lim, look, add, skip); err != nil {
				return Discovery{}, err
			}
		default:
			skip(name, "", "not a CSV, text or xlsx file")
		}
	}
	// Files in folders that no pattern names are listed under their
	// folder (above); those beside a named file, one by one.
	if len(claimed) > 0 {
		for _, rel := range env.allFiles() {
			if strings.Contains(rel, "/") && claimed.under(rel[:strings.IndexByte(rel, '/')]) && !claimed.joined(rel) && !ignored(m.IgnoreFiles, rel) {
				reason := "not named by any mapping's files pattern"
				if r := m.unread(rel); r != "" {
					reason = r
				}
				skip(rel, "", reason)
			}
		}
	}
	for _, t := range tables {
		p := plans[t.Name]
		if p == nil {
			continue
		}
		src := &Source{File: p.describe(), Table: t, plan: p}
		if len(p.files) > 0 {
			src.Path = filepath.Join(dir, filepath.FromSlash(p.files[0]))
		}
		if err := add(src); err != nil {
			return Discovery{}, err
		}
	}
	if err := missingTables(dir, tables, seen, d.Skipped); err != nil {
		return Discovery{}, err
	}
	// Load order is the order of tables.
	order := map[string]int{}
	for i, t := range tables {
		order[t.Name] = i
	}
	sort.SliceStable(d.Sources, func(i, j int) bool { return order[d.Sources[i].Table.Name] < order[d.Sources[j].Table.Name] })
	for _, s := range d.Sources {
		env.sources[s.Table.Name] = s
	}
	return d, nil
}

func first(ts []*Table) *Table {
	if len(ts) == 0 {
		return nil
	}
	return ts[0]
}

// unread is why a profile in use does not read the file, or "".
func (m *Mapping) unread(rel string) string {
	for _, p := range m.Profiles {
		if ignored(p.Unread, rel) {
			return fmt.Sprintf("not needed (profile %s reads the tables from the vendor's other files)", p.Name)
		}
	}
	return ""
}

// ignored reports whether a file matches one of the patterns.
func ignored(patterns []string, rel string) bool {
	for _, p := range patterns {
		if re, err := globRegexp(p); err == nil && re.MatchString(rel) {
			return true
		}
	}
	return false
}

// listFiles lists every regular file under dir, relative and
// "/"-separated, sorted; names starting with "." or "~$" are passed over.
func listFiles(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := e.Name()
		if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$")) {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.Type().IsRegular() {
			out = append(out, relPath(dir, path))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// claimedFiles are the files a reshaped table reads (true) or a join
// reads (false): a join's crosswalk may be a table's file too
// (teachers.csv), and is read as it as well.
type claimedFiles map[string]bool

// joined reports whether a join reads the file.
func (c claimedFiles) joined(rel string) bool {
	_, ok := c[rel]
	return ok
}

// under reports whether a claimed file lies in folder dir.
func (c claimedFiles) under(dir string) bool {
	for f := range c {
		if strings.HasPrefix(f, dir+"/") {
			return true
		}
	}
	return false
}

// planTables decides how each reshaped table is read: by the mapping's
// own reshaping keys, else by the one profile whose files for the table
// are in the folder (mapping.tables.X.profile settles two). It returns
// the plans by table and the files they read.
func planTables(env *shapeEnv, tables []*Table, m *Mapping) (map[string]*shapePlan, claimedFiles, error) {
	plans := map[string]*shapePlan{}
	claimed := claimedFiles{}
	matches := func(tm TableMapping) []string {
		var files []string
		seen := map[string]bool{}
		for _, p := range tm.patterns() {
			for _, f := range env.glob(p) {
				if !seen[f] && !ignored(m.IgnoreFiles, f) {
					seen[f] = true
					files = append(files, f)
				}
			}
		}
		sort.Strings(files)
		return files
	}
	var errs []error
	for _, t := range tables {
		own := m.Tables[t.Name]
		profile := own.Profile
		// A profile gives the table unless the mapping names its own
		// files: the mapping's other keys (an expand, a join) go over the
		// profile's.
		if profile == "" && len(own.patterns()) == 0 && own.From == "" {
			var givers []string
			for _, p := range m.Profiles {
				ptm, ok := p.Tables[t.Name]
				if ok && (len(matches(ptm)) > 0 || ptm.From != "") {
					givers = append(givers, p.Name)
				}
			}
			if len(givers) > 1 {
				errs = append(errs, fmt.Errorf("%s: profiles %s both give it (their files are in the folder): say which with [mapping.tables.%s] profile = %q", t.Name, andList(givers), t.Name, givers[0]))
				continue
			}
			if len(givers) > 0 {
				profile = givers[0]
			}
		}
		tm := m.tableMapping(t.Name, profile)
		if !tm.shaped() {
			continue
		}
		p := &shapePlan{env: env, tm: tm, files: matches(tm), from: tm.From, profile: profile}
		if len(tm.patterns()) == 0 && p.from == "" {
			p.files = namedFiles(env, tables, t) // steps on the table's own file
		}
		if p.from == "" && len(p.files) == 0 {
			at := "mapping.tables." + t.Name
			if profile != "" {
				at = "profile " + profile + ", " + at
			}
			what := "no file of the input folder matches " + andList(tm.patterns())
			if len(tm.patterns()) == 0 {
				what = "its keys name no file (files = [...]), no file is named after the table and no profile in use gives it"
			}
			errs = append(errs, fmt.Errorf("%w: %s: %s", ErrMissingTable, at, what))
			continue
		}
		plans[t.Name] = p
		p.parts = append(p.parts, p.files...)
		for _, j := range tm.Join {
			if j.File != "" {
				p.parts = append(p.parts, env.glob(j.File)...)
			}
		}
		sort.Strings(p.parts)
		p.parts = slices.Compact(p.parts)
		for _, f := range p.parts {
			if _, ok := claimed[f]; !ok {
				claimed[f] = false // a join's file: still its own table's, if it names one
			}
		}
		for _, f := range p.files {
			claimed[f] = true
		}
	}
	// coaching_cycles made from the sessions: when the table says so, or
	// when the sessions' cycle_id is cycle() and no file gives cycles.
	if p := plans["coaching_cycles"]; p != nil && p.from != "" {
		env.cyclesMade = true
	} else if sp := plans["coaching_sessions"]; sp != nil && p == nil && strings.HasPrefix(strings.TrimSpace(sp.tm.Derive["cycle_id"]), "cycle(") && !cyclesFile(env, tables, m) {
		plans["coaching_cycles"] = &shapePlan{env: env, from: "coaching_sessions", profile: sp.profile}
		env.cyclesMade = true
	}
	if p, sp := plans["coaching_cycles"], plans["coaching_sessions"]; p != nil && p.from != "" && sp != nil {
		p.parts = sp.parts
	}
	if len(errs) > 0 {
		return nil, nil, &FileError{File: env.dir, Err: errors.Join(errs...)}
	}
	return plans, claimed, nil
}

// namedFiles are the files directly in the folder named after table t
// (rosters.csv, Rosters.xlsx, roster.export.text).
func namedFiles(env *shapeEnv, tables []*Table, t *Table) []string {
	var out []string
	for _, rel := range env.allFiles() {
		ext := strings.ToLower(filepath.Ext(rel))
		if strings.Contains(rel, "/") || !(isCSV(ext) || isXLSX(ext)) {
			continue
		}
		base := strings.TrimSuffix(rel, filepath.Ext(rel))
		stem, _, _ := strings.Cut(base, ".")
		if TableByName(tables, base) == t || TableByName(tables, stem) == t {
			out = append(out, rel)
		}
	}
	return out
}

// cyclesFile reports whether a file of the folder gives coaching_cycles
// by its name (or the mapping's file for it).
func cyclesFile(env *shapeEnv, tables []*Table, m *Mapping) bool {
	t := TableByName(tables, "coaching_cycles")
	byFile := m.fileTables(tables)
	for _, rel := range env.allFiles() {
		if strings.Contains(rel, "/") {
			continue
		}
		base := strings.TrimSuffix(rel, filepath.Ext(rel))
		if TableByName(tables, base) == t || slices.Contains(byFile[normalize(base)], t) {
			return true
		}
	}
	return false
}

// scanWorkbook adds the table sheets of the workbook at path: the one
// sheet of a workbook named after a table, else every sheet named after
// one; the other sheets are skipped.
func scanWorkbook(path, name string, lim Limits, lookup func(string) *Table, add func(*Source) error, skip func(file, sheet, reason string)) error {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	sheets, hidden, err := workbookSheets(path, lim)
	if err != nil {
		return &FileError{File: name, Err: err}
	}
	if len(sheets) == 0 {
		return &FileError{File: name, Err: fmt.Errorf("%w: no visible sheet", ErrUnreadable)}
	}
	if t := lookup(base); t != nil {
		// A workbook named after a table: the sheet named after it, else
		// the first visible sheet.
		sheet := sheets[0]
		for _, sh := range sheets {
			if lookup(sh) == t {
				sheet = sh
				break
			}
		}
		return add(&Source{Path: path, File: name, Sheet: sheet, Table: t, Hidden: hidden})
	}
	for _, sh := range sheets {
		t := lookup(sh)
		if t == nil {
			skip(name, sh, fmt.Sprintf("not a known table; map it with [mapping.tables.X] file = %q to read it", sh))
			continue
		}
		if err := add(&Source{Path: path, File: name, Sheet: sh, Table: t, Hidden: hidden}); err != nil {
			return err
		}
	}
	return nil
}

// textTable is the table a text file whose name (base) names none holds:
// the table named by its name up to the first dot ("student.export"), else
// the one table whose header the file's first rows give, with every
// required column (the one naming the most columns). On a tie it returns
// none and the tables that tie.
func textTable(path, base string, tables []*Table, m *Mapping, lim Limits, lookup func(string) *Table) (*Table, []string) {
	if stem, _, ok := strings.Cut(base, "."); ok && stem != "" {
		if t := lookup(stem); t != nil {
			return t, nil
		}
	}
	rows, lines := headRows(path, lim)
	if len(rows) == 0 {
		return nil, nil
	}
	var best []*Table
	bestN := 0
	for _, t := range tables {
		renames, _, tm, _ := m.forTable(t, "")
		cm, _, err := findHeader("", "", t, rows, lines, renames, tm.Defaults)
		if err != nil {
			continue
		}
		n := 0
		for _, i := range cm.index {
			if i >= 0 {
				n++
			}
		}
		switch {
		case n > bestN:
			best, bestN = []*Table{t}, n
		case n == bestN:
			best = append(best, t)
		}
	}
	switch len(best) {
	case 0:
		return nil, nil
	case 1:
		return best[0], nil
	}
	names := make([]string, len(best))
	for i, t := range best {
		names[i] = t.Name
	}
	return nil, names
}

// headRows returns the first rows of a delimited text file, as the header
// search sees them; none when it cannot be read.
func headRows(path string, lim Limits) ([][]string, []int) {
	c, err := openCSV(path, lim.withDefaults())
	if err != nil {
		return nil, nil
	}
	defer c.Close()
	var rows [][]string
	var lines []int
	for len(rows) < headerScan {
		rec, line, err := c.Next()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue
			}
			break
		}
		rows = append(rows, slices.Clone(rec))
		lines = append(lines, line)
	}
	return rows, lines
}

// missingTables is the error for required tables that seen lacks, naming
// the files skipped (one may be the table under another name).
func missingTables(dir string, tables []*Table, seen map[string]*Source, skipped []Skipped) error {
	var missing []string
	for _, t := range tables {
		if t.Required && seen[t.Name] == nil {
			missing = append(missing, t.Name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	also := ""
	if len(skipped) > 0 {
		names := make([]string, len(skipped))
		for i, s := range skipped {
			names[i] = s.Name()
		}
		also = "; skipped: " + andList(names)
	}
	return &FileError{File: dir, Err: fmt.Errorf("%w: %s (expected %s.csv or .xlsx, or a sheet of that name%s)", ErrMissingTable, strings.Join(missing, ", "), missing[0], also)}
}
