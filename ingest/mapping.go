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
	if _, err := m.fileTables(tables); err != nil {
		errs = append(errs, err)
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

// fileTables returns the tables the mapping gives a file to, by the
// file's normalised name without its extension. A file given to two
// tables is an error naming both: one file holds one table.
func (m *Mapping) fileTables(tables []*Table) (map[string]*Table, error) {
	byFile := map[string]*Table{}
	if m == nil {
		return byFile, nil
	}
	var errs []error
	first := map[string]string{} // normalised file -> first table naming it
	for _, name := range sortedKeys(m.Tables) {
		file := m.Tables[name].File
		if file == "" {
			continue
		}
		n := normalize(strings.TrimSuffix(file, filepath.Ext(file)))
		if prev, ok := first[n]; ok {
			desc := fmt.Sprintf("%q", m.Tables[prev].File)
			if file != m.Tables[prev].File {
				desc += fmt.Sprintf(" (%q)", file)
			}
			errs = append(errs, fmt.Errorf("mapping.tables.%s.file and mapping.tables.%s.file both name %s: a file holds one table", prev, name, desc))
			continue
		}
		first[n] = name
		for _, t := range tables {
			if t.Name == name {
				byFile[n] = t
			}
		}
	}
	return byFile, errors.Join(errs...)
}

// forTable returns the effective settings for table t: renames keyed by the
// normalised source header, value maps per canonical column, defaults and
// scale factors.
func (m *Mapping) forTable(t *Table) (renames map[string]string, values map[string]map[string]string, tm TableMapping) {
	renames = map[string]string{}
	values = map[string]map[string]string{}
	if m == nil {
		return renames, values, tm
	}
	for _, src := range sortedKeys(m.Columns) {
		col := m.Columns[src]
		if _, ok := t.Column(col); ok || col == Ignore {
			renames[normalize(src)] = col
		}
	}
	for col, vm := range m.Values {
		if _, ok := t.Column(col); ok {
			values[col] = merge(values[col], vm)
		}
	}
	tm = m.Tables[t.Name]
	for _, src := range sortedKeys(tm.Columns) {
		renames[normalize(src)] = tm.Columns[src]
	}
	for col, vm := range tm.Values {
		values[col] = merge(values[col], vm)
	}
	return renames, values, tm
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
