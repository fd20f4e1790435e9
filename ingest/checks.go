package ingest

import (
	"fmt"
)

// A check is one of a table's rules that span its columns or other tables
// (Table.checks). Open binds it once per source: it resolves the columns
// it reads to positions in v.row and returns the rule.
type check func(v *rowView) rule

// rule is a check bound to one source's reader.
type rule struct {
	// test, when not nil, runs on each row whose cells parsed and whose
	// references resolve, and reports the row's faults (rowView.fault).
	test func()
	// loaded, when not nil, runs on each row that loads: it records what
	// later rows or tables are checked against.
	loaded func()
}

// rowView is what a table's rules see of the reader: the row being
// checked, the run's limits, and the keys of the tables loaded before.
type rowView struct {
	t      *Table
	row    []cell // the row, in t's column order; the same slice for every row
	lim    Limits
	keys   *Keys
	faults *[]RowError // the row's faults so far
	// fault records a fault of the row (Reader.fault): the column, the
	// value as read, the sentinel and a detail.
	fault func(col, val string, err error, detail string)
}

// col is the position of t's column name. A rule declared on a table
// without that column is a fault of the declarations: it panics.
func (v *rowView) col(name string) int {
	for i, c := range v.t.Columns {
		if c.Name == name {
			return i
		}
	}
	panic(fmt.Sprintf("ingest: a check of table %s reads column %s, which it lacks", v.t.Name, name))
}

// faulted reports whether the row has a fault already.
func (v *rowView) faulted() bool { return len(*v.faults) > 0 }

// inYear faults the date in column at unless it is empty or falls in
// school year year (ending year); it reports whether it did not fault.
func (v *rowView) inYear(at, year int) bool {
	if d := v.row[at]; !d.null && !InSchoolYear(Date(d.n), year) {
		v.fault(v.t.Columns[at].Name, Date(d.n).String(), ErrOutsideYear, fmt.Sprintf("school year %d-%02d runs %d-07-01 to %d-06-30", year-1, year%100, year-1, year))
		return false
	}
	return true
}

// inSchoolYear is the check that the date in column date falls in the
// school year of column year of the same row.
func inSchoolYear(date, year string) check {
	return func(v *rowView) rule {
		d, y := v.col(date), v.col(year)
		return rule{test: func() { v.inYear(d, int(v.row[y].n)) }}
	}
}

// bindChecks binds the table's checks to r's row.
func (r *Reader) bindChecks() {
	r.view = &rowView{t: r.t, row: r.row, lim: r.lim, keys: r.keys, faults: &r.faults, fault: r.fault}
	r.rules = make([]rule, len(r.t.checks))
	for i, c := range r.t.checks {
		r.rules[i] = c(r.view)
	}
}

// checkRow applies the checks that span columns or tables, in order:
// references (Column.Ref), the table's own rules (Table.checks), then
// duplicate keys (Table.Key). Each step runs only if those before found
// no fault.
func (r *Reader) checkRow() {
	for i := range r.convs {
		cv := &r.convs[i]
		if cv.ref == nil || r.row[i].null {
			continue
		}
		if cv.ref.get(r.keys.hash(r.row[i].s)) == 0 {
			r.fault(cv.col.Name, r.row[i].s, ErrUnknownID, "not in "+cv.col.Ref)
		}
	}
	if len(r.faults) > 0 {
		return
	}
	for _, ru := range r.rules {
		if ru.test != nil {
			ru.test()
		}
	}
	if len(r.faults) > 0 || len(r.keyIdx) == 0 {
		return
	}
	r.checkKey()
}

// register records what a loaded row adds for later rows' and tables'
// checks: its key, and what the table's rules keep.
func (r *Reader) register() {
	if r.single != nil && !r.row[r.keyIdx[0]].null {
		r.single.insert(r.keyHash, int32(r.line))
	}
	for _, ru := range r.rules {
		if ru.loaded != nil {
			ru.loaded()
		}
	}
}
