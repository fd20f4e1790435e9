package ingest

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Mapping adapts an export whose headers or values the built-in aliases do
// not cover. It is read from the [mapping] section of the config file.
//
//	[mapping.columns]            # every table: source header = canonical column
//	ID = "student_id"
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
	for _, src := range sortedKeys(m.Columns) {
		if !known[m.Columns[src]] {
			errs = append(errs, fmt.Errorf("mapping.columns.%s: unknown column %q", src, m.Columns[src]))
		}
	}
	for _, col := range sortedKeys(m.Values) {
		if !known[col] {
			errs = append(errs, fmt.Errorf("mapping.values.%s: unknown column %q", col, col))
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
		for _, src := range sortedKeys(tm.Columns) {
			check("columns", tm.Columns[src])
		}
		for _, col := range sortedKeys(tm.Values) {
			check("values", col)
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

// forTable returns the effective settings for table t: renames keyed by the
// normalised source header, value maps per canonical column, defaults and
// scale factors.
func (m *Mapping) forTable(t *Table) (renames map[string]string, values map[string]map[string]string, tm TableMapping) {
	renames = map[string]string{}
	values = map[string]map[string]string{}
	if m == nil {
		return renames, values, tm
	}
	for src, col := range m.Columns {
		if _, ok := t.Column(col); ok {
			renames[normalize(src)] = col
		}
	}
	for col, vm := range m.Values {
		if _, ok := t.Column(col); ok {
			values[col] = merge(values[col], vm)
		}
	}
	tm = m.Tables[t.Name]
	for src, col := range tm.Columns {
		renames[normalize(src)] = col
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
