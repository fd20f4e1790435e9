package ingest

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
)

// Mapping adapts an export whose headers or values the built-in aliases do
// not cover. It is read from the [mapping] section of the config file.
//
//	[mapping.columns]            # every table: source header = canonical column
//	ID = "student_id"
//	Student = "ignore"           # the header is not used
//	[mapping.values.subject]     # every table: source value = canonical value
//	MATHEMATICS = "Math"
//	[mapping.tables.rosters.scale]
//	percent_time = 100           # multiply (a 0-1 weight becomes a percent)
//	[mapping.tables.assessments.defaults]
//	window = "spring"            # constant for a column the export lacks
type Mapping struct {
	Columns map[string]string            `toml:"columns"`
	Values  map[string]map[string]string `toml:"values"`
	Tables  map[string]TableMapping      `toml:"tables"`
	// IgnoreFiles are file names or globs of the input folder that are
	// not read (listed as skipped, with the reason).
	IgnoreFiles []string `toml:"ignore_files"`

	// Profiles are the vendor profiles in use, in order (config loads
	// them): a table's mapping is the profile's that gives it (whose
	// files are in the folder), with the mapping's own over it.
	Profiles []Profile `toml:"-"`
}

// Profile is a vendor's export shapes as a mapping of tables: its
// [mapping.tables.X] sections, under the profile's name.
type Profile struct {
	Name   string
	Tables map[string]TableMapping
	// Unread are the vendor's files the profile knows and does not need
	// (PowerSchool's sections export): skipped with that reason rather
	// than as unknown.
	Unread []string
}

// Ignore, as the column a mapping gives a source header, leaves the
// header unused: [mapping.columns] "Student" = "ignore".
const Ignore = "ignore"

// TableMapping is the part of a Mapping that applies to one table.
type TableMapping struct {
	// File is the file or sheet name holding the table when it is not
	// named after it, e.g. "sgp_long.csv" or "Sheet1".
	File     string                       `toml:"file"`
	Columns  map[string]string            `toml:"columns"`
	Values   map[string]map[string]string `toml:"values"`
	Defaults map[string]string            `toml:"defaults"`
	Scale    map[string]float64           `toml:"scale"`

	// Reshaping (shape.go): files by glob or list, constants from the
	// path, splits, derivations, row filters, expansions, joins, the
	// latest of duplicate rows, a table made from another.
	Files     []string                       `toml:"files"`
	Sheet     string                         `toml:"sheet"`      // the sheet of each workbook file (default: its first visible sheet)
	HeaderRow int                            `toml:"header_row"` // the header's row number (default: found)
	Path      string                         `toml:"path"`
	Unnest    TextList                       `toml:"unnest"` // arrays of objects (JSON lines): one row per element
	Split     map[string]string              `toml:"split"`
	Derive    map[string]string              `toml:"derive"`
	Where     map[string]TextList            `toml:"where"`
	Drop      map[string]TextList            `toml:"drop"`
	Expand    map[string]map[string]TextList `toml:"expand"`
	Join      []Join                         `toml:"join"`
	LatestBy  TextList                       `toml:"latest_by"`
	From      string                         `toml:"from"`
	// Profile names the profile that gives the table when several
	// profiles' files are in the folder.
	Profile string `toml:"profile"`
}

// Validate reports every mapping entry that names an unknown table or
// column, or scales a column that is not a number, or by a factor that
// is 0, NaN or infinite.
func (m *Mapping) Validate(tables []*Table) error {
	var errs []error
	known := map[string]bool{}
	for _, t := range tables {
		for _, c := range t.Columns {
			known[c.Name] = true
		}
	}
	errs = append(errs, sameHeader("mapping.columns", m.Columns)...)
	for _, src := range sortedKeys(m.Columns) {
		if col := m.Columns[src]; col != Ignore && !known[col] {
			errs = append(errs, fmt.Errorf("mapping.columns.%s: unknown column %q", src, m.Columns[src]))
		}
	}
	for _, col := range sortedKeys(m.Values) {
		if !known[col] {
			errs = append(errs, fmt.Errorf("mapping.values.%s: unknown column %q", col, col))
		}
		errs = append(errs, sameValue("mapping.values."+col, m.Values[col])...)
	}
	for _, p := range m.IgnoreFiles {
		if _, err := globRegexp(p); err != nil {
			errs = append(errs, fmt.Errorf("mapping.ignore_files: %q: %v", p, err))
		}
	}
	for _, name := range sortedKeys(m.Tables) {
		tm := m.Tables[name]
		var t *Table
		for _, tt := range tables {
			if tt.Name == name {
				t = tt
			}
		}
		if t == nil {
			errs = append(errs, fmt.Errorf("mapping.tables.%s: unknown table %q", name, name))
			continue
		}
		check := func(section, col string) {
			if _, ok := t.Column(col); !ok {
				errs = append(errs, fmt.Errorf("mapping.tables.%s.%s: table %s has no column %q", name, section, name, col))
			}
		}
		errs = append(errs, sameHeader("mapping.tables."+name+".columns", tm.Columns)...)
		for _, src := range sortedKeys(tm.Columns) {
			if tm.Columns[src] != Ignore {
				check("columns", tm.Columns[src])
			}
		}
		for _, col := range sortedKeys(tm.Values) {
			check("values", col)
			errs = append(errs, sameValue("mapping.tables."+name+".values."+col, tm.Values[col])...)
		}
		for _, col := range sortedKeys(tm.Defaults) {
			check("defaults", col)
		}
		errs = append(errs, validateShape(t, tm, tables)...)
		if tm.Profile != "" && m.profile(tm.Profile) == nil {
			errs = append(errs, fmt.Errorf("mapping.tables.%s.profile = %q: not a profile in use (profiles = [...])", name, tm.Profile))
		}
		for _, col := range sortedKeys(tm.Scale) {
			check("scale", col)
			if c, ok := t.Column(col); ok && c.Kind != KindFloat && c.Kind != KindInt {
				errs = append(errs, fmt.Errorf("mapping.tables.%s.scale: column %q is not a number", name, col))
			}
			if f := tm.Scale[col]; f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
				errs = append(errs, fmt.Errorf("mapping.tables.%s.scale.%s = %v: factor must be a finite number other than 0", name, col, f))
			}
		}
	}
	return errors.Join(errs...)
}

// sameHeader reports the keys of one columns section that name the same
// header (they differ only in case, space or punctuation) but map it to
// different columns: which would win is not to be left to chance.
func sameHeader(section string, cols map[string]string) []error {
	return sameKey(section, cols, normalize, "name the same header but map it to")
}

// sameValue reports the keys of one value map that differ only in case
// (and surrounding space) but map to different values: the reader falls
// back on the lower-cased key.
func sameValue(section string, vm map[string]string) []error {
	return sameKey(section, vm, func(k string) string { return strings.ToLower(strings.TrimSpace(k)) }, "differ only in case but map to")
}

// sameKey reports the keys of m that fold to one key but map to
// different values; how says so in the message.
func sameKey(section string, m map[string]string, fold func(string) string, how string) []error {
	var errs []error
	first := map[string]string{} // folded key -> first key, in sorted order
	for _, k := range sortedKeys(m) {
		f := fold(k)
		prev, ok := first[f]
		if !ok {
			first[f] = k
			continue
		}
		if m[prev] != m[k] {
			errs = append(errs, fmt.Errorf("%s: %q and %q %s %q and %q: keep one", section, prev, k, how, m[prev], m[k]))
		}
	}
	return errs
}

// fileTables returns the tables the mapping gives a file to by name
// (File without a glob, in a table that is not reshaped), by the file's
// normalised name without its extension. A file may hold several tables
// (a form log is sessions and observations): each reads it, in the order
// of tables.
func (m *Mapping) fileTables(tables []*Table) map[string][]*Table {
	byFile := map[string][]*Table{}
	if m == nil {
		return byFile
	}
	for _, t := range tables {
		tm := m.Tables[t.Name]
		if tm.File == "" || tm.shaped() {
			continue
		}
		n := normalize(strings.TrimSuffix(tm.File, filepath.Ext(tm.File)))
		byFile[n] = append(byFile[n], t)
	}
	return byFile
}

// profile is the profile in use named name, or nil.
func (m *Mapping) profile(name string) *Profile {
	for i := range m.Profiles {
		if m.Profiles[i].Name == name {
			return &m.Profiles[i]
		}
	}
	return nil
}

// tableMapping is table name's mapping: the profile's (when one gives
// the table), with the mapping's own keys over it.
func (m *Mapping) tableMapping(name, profile string) TableMapping {
	own := m.Tables[name]
	if profile == "" {
		return own
	}
	var base TableMapping
	if p := m.profile(profile); p != nil {
		base = p.Tables[name]
	}
	return overlay(base, own)
}

// overlay is base with every key top sets over it: maps merge (top's
// entries win), lists and single values replace, joins add.
func overlay(base, top TableMapping) TableMapping {
	out := base
	if top.File != "" || len(top.Files) > 0 {
		out.File, out.Files = top.File, top.Files
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&out.Sheet, top.Sheet)
	set(&out.Path, top.Path)
	set(&out.From, top.From)
	if top.HeaderRow > 0 {
		out.HeaderRow = top.HeaderRow
	}
	if len(top.LatestBy) > 0 {
		out.LatestBy = top.LatestBy
	}
	if len(top.Unnest) > 0 {
		out.Unnest = top.Unnest
	}
	out.Columns = mergeMap(base.Columns, top.Columns)
	out.Defaults = mergeMap(base.Defaults, top.Defaults)
	out.Split = mergeMap(base.Split, top.Split)
	out.Derive = mergeMap(base.Derive, top.Derive)
	out.Where = mergeMap(base.Where, top.Where)
	out.Drop = mergeMap(base.Drop, top.Drop)
	out.Scale = mergeMap(base.Scale, top.Scale)
	out.Values = map[string]map[string]string{}
	for col, vm := range base.Values {
		out.Values[col] = merge(nil, vm)
	}
	for col, vm := range top.Values {
		out.Values[col] = merge(out.Values[col], vm)
	}
	out.Expand = mergeMap(base.Expand, top.Expand)
	out.Join = append(append([]Join(nil), base.Join...), top.Join...)
	out.Profile = top.Profile
	return out
}

func mergeMap[V any](a, b map[string]V) map[string]V {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := make(map[string]V, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// forTable returns the effective settings for table t, as the profile
// named (or none) and the mapping give them: renames keyed by the
// normalised source header, value maps per canonical column, the table's
// mapping, and what Stats.Why says of a renamed header ("mapping" or
// "profile NAME", per normalised header).
func (m *Mapping) forTable(t *Table, profile string) (renames map[string]string, values map[string]map[string]string, tm TableMapping, from map[string]string) {
	renames = map[string]string{}
	values = map[string]map[string]string{}
	from = map[string]string{}
	if m == nil {
		return renames, values, tm, from
	}
	for _, src := range sortedKeys(m.Columns) {
		col := m.Columns[src]
		if _, ok := t.Column(col); ok || col == Ignore {
			renames[normalize(src)] = col
			from[normalize(src)] = "mapping"
		}
	}
	for col, vm := range m.Values {
		if _, ok := t.Column(col); ok {
			values[col] = merge(values[col], vm)
		}
	}
	if p := m.profile(profile); p != nil {
		ptm := p.Tables[t.Name]
		for _, src := range sortedKeys(ptm.Columns) {
			renames[normalize(src)] = ptm.Columns[src]
			from[normalize(src)] = "profile " + profile
		}
	}
	tm = m.tableMapping(t.Name, profile)
	own := m.Tables[t.Name]
	for _, src := range sortedKeys(own.Columns) {
		renames[normalize(src)] = own.Columns[src]
		from[normalize(src)] = "mapping"
	}
	for col, vm := range tm.Values {
		values[col] = merge(values[col], vm)
	}
	return renames, values, tm, from
}

func merge(dst, src map[string]string) map[string]string {
	if dst == nil {
		dst = map[string]string{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
