package ingest

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// cell is one parsed value.
type cell struct {
	null bool
	s    string
	n    float64 // numbers, years, grades and dates (days) alike
	b    bool
}

// conv turns the text of one source column into a cell.
type conv struct {
	col     Column
	index   int // source index, -1 absent
	def     *string
	values  map[string]string // exact source value -> canonical
	valuesL map[string]string // lower-cased fallback
	scale   float64
	app     func(c cell)      // appends to the Arrow builder
	memo    map[string]string // folded spellings of a subject, enum or principles value
	ref     *keySet           // the keys the value must be among (Column.Ref, when that table was given)
	redact  bool              // hash the value (Keys.Redact)
	drop    bool              // leave the value out (Keys.Redact)
}

// newConv is the converter of column c, read from source column index (-1
// when absent) under the table's mapping tm and the column's value
// renames vm, appending to b.
func newConv(c Column, index int, tm TableMapping, vm map[string]string, b array.Builder, keys *Keys) conv {
	cv := conv{col: c, index: index, scale: 1}
	if v, ok := tm.Defaults[c.Name]; ok && index < 0 {
		cv.def = &v
	}
	if len(vm) > 0 {
		cv.values, cv.valuesL = vm, map[string]string{}
		for _, k := range sortedKeys(vm) { // the first of keys equal but for case (Mapping.Validate refuses those)
			if l := strings.ToLower(strings.TrimSpace(k)); !hasKey(cv.valuesL, l) {
				cv.valuesL[l] = vm[k]
			}
		}
	}
	if f, ok := tm.Scale[c.Name]; ok {
		cv.scale = f
	}
	cv.app = appender(b, c.Kind)
	if keys.Redact != nil {
		cv.redact, cv.drop = c.Redact == RedactHash, c.Redact == RedactDrop
	}
	if c.Ref != "" && keys.present[c.Ref] {
		cv.ref = keys.ids[c.Ref]
	}
	return cv
}

// appender returns the function that appends a cell to b, a builder of
// kind k's Arrow type.
func appender(b array.Builder, k Kind) func(cell) {
	switch k {
	case KindYear, KindGrade, KindInt:
		ib := b.(*array.Int32Builder)
		return func(c cell) {
			if c.null {
				ib.AppendNull()
			} else {
				ib.Append(int32(c.n))
			}
		}
	case KindDate:
		db := b.(*array.Date32Builder)
		return func(c cell) {
			if c.null {
				db.AppendNull()
			} else {
				db.Append(arrow.Date32(c.n))
			}
		}
	case KindFloat:
		fb := b.(*array.Float64Builder)
		return func(c cell) {
			if c.null {
				fb.AppendNull()
			} else {
				fb.Append(c.n)
			}
		}
	case KindBool:
		bb := b.(*array.BooleanBuilder)
		return func(c cell) {
			if c.null {
				bb.AppendNull()
			} else {
				bb.Append(c.b)
			}
		}
	}
	sb := b.(*array.StringBuilder)
	return func(c cell) {
		if c.null {
			sb.AppendNull()
		} else {
			sb.Append(c.s)
		}
	}
}

// mapValue is v as the column's value map gives it: by the exact value,
// else in any case, else (an Ed-Fi descriptor URI) by its code value, so
// that "Limited" = "Y" maps uri://ed-fi.org/LimitedEnglishProficiencyDescriptor#Limited
// whatever the namespace; v itself when no key matches.
func (cv *conv) mapValue(v string) string {
	if m, ok := cv.values[v]; ok {
		return m
	}
	if m, ok := cv.valuesL[strings.ToLower(v)]; ok {
		return m
	}
	if code := DescriptorCode(v); code != v {
		if m, ok := cv.values[code]; ok {
			return m
		}
		if m, ok := cv.valuesL[strings.ToLower(code)]; ok {
			return m
		}
	}
	return v
}

// parseCell converts the text raw of a column into its cell, or returns
// the row sentinel it fails with.
func (r *Reader) parseCell(cv *conv, raw string) (cell, error) {
	if cv.drop {
		return cell{null: true}, nil
	}
	if len(raw) > r.lim.MaxCellBytes {
		return cell{}, fmt.Errorf("%w: %d bytes; limits.max_cell_chars is %d", ErrTooLong, len(raw), r.lim.MaxCellBytes)
	}
	// Text kept as it is must be UTF-8 (the database takes nothing else);
	// other kinds fail their own parsing on stray bytes.
	if (cv.col.Kind == KindString || cv.col.Kind == KindSubject) && !utf8.ValidString(raw) {
		return cell{}, ErrBadText
	}
	v := strings.TrimSpace(raw)
	if cv.values != nil {
		v = cv.mapValue(v)
	}
	if cv.col.Kind != KindString || cv.col.Descriptor {
		v = DescriptorCode(v)
	}
	if v == "" {
		if cv.col.Required {
			return cell{}, ErrMissing
		}
		return cell{null: true}, nil
	}
	c := cell{}
	var err error
	switch cv.col.Kind {
	case KindString:
		c.s = v
		if cv.redact {
			c.s = r.keys.Redact.ID(v)
		}
	case KindYear:
		var y int
		y, err = ParseSchoolYear(v)
		c.n = float64(y)
	case KindGrade:
		var g int
		g, err = ParseGrade(v)
		c.n = float64(g)
	case KindDate:
		var d Date
		d, err = parseDate(v, r.date1904)
		c.n = float64(d)
		if err == nil && r.lim.Today != 0 && d > r.lim.Today+1 && !cv.col.Future {
			err = ErrFuture
		}
	case KindBool:
		c.b, err = ParseBool(v)
	case KindFloat, KindInt:
		unit := false
		if cv.col.Duration {
			c.n, unit, err = ParseDuration(v)
		} else {
			c.n, err = ParseNumber(v)
		}
		if err == nil {
			if !unit { // a duration with its unit is minutes whatever the scale
				c.n *= cv.scale
			}
			if cv.col.Kind == KindInt && c.n != math.Trunc(c.n) {
				err = ErrBadNumber
			} else if cv.col.Min < cv.col.Max && (c.n < cv.col.Min || c.n > cv.col.Max || (cv.col.MinOpen && c.n == cv.col.Min)) {
				err = ErrRange
			}
		}
	case KindEnum, KindSubject, KindPrinciples:
		if m, ok := cv.memo[v]; ok {
			c.s = m
			return c, nil
		}
		c, err = foldCell(cv, v)
		if err == nil && len(cv.memo) < 1024 {
			if cv.memo == nil {
				cv.memo = map[string]string{}
			}
			cv.memo[strings.Clone(v)] = c.s
		}
	}
	return c, err
}

// hasKey reports whether m has the key k.
func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// foldCell maps a subject, enum or principles value onto its canonical
// spelling.
func foldCell(cv *conv, v string) (cell, error) {
	var c cell
	var err error
	switch cv.col.Kind {
	case KindEnum:
		l := strings.ToLower(v)
		if s, ok := cv.col.Synonyms[l]; ok {
			l = s
		}
		err = ErrBadValue
		for _, a := range cv.col.Values {
			if a == l {
				c.s, err = a, nil
			}
		}
	case KindSubject:
		c.s = v
		if s, ok := subjectNames[normalize(v)]; ok {
			c.s = s
		}
	case KindPrinciples:
		c.s, err = parsePrinciples(v)
	}
	return c, err
}

// parsePrinciples folds a list of partnership principles (separated by
// ;, , or |) to lower case, each once, joined by ;; an unknown one is
// ErrBadValue.
func parsePrinciples(v string) (string, error) {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		ok := false
		for _, a := range principleNames {
			ok = ok || a == p
		}
		if !ok {
			return "", ErrBadValue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == p
		}
		if !dup {
			out = append(out, p)
		}
	}
	return strings.Join(out, ";"), nil
}
