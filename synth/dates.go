package synth

import (
	"math/rand/v2"
	"strconv"
)

// date is a civil date, counted in days since 1970-01-01 (proleptic
// Gregorian). It is cheap to compare, step and format, which matters at
// state scale; conversions follow Howard Hinnant's civil-date algorithms.
type date int32

// excelEpoch is the Excel (1900 system) serial of 1970-01-01.
const excelEpoch = 25569

// mkDate returns the date of year y, month m (1-12), day d; y >= 1.
func mkDate(y, m, d int) date {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return date(era*146097 + doe - 719468)
}

// civil returns the year, month (1-12) and day of d.
func (d date) civil() (y, m, day int) {
	z := int(d) + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, day
}

// weekday returns 0 for Sunday .. 6 for Saturday.
func (d date) weekday() int {
	return (int(d)%7 + 7 + 4) % 7 // 1970-01-01 was a Thursday
}

// serial returns the Excel serial number of d (1900 date system).
func (d date) serial() int { return int(d) + excelEpoch }

// appendISO appends d as 2006-01-02.
func (d date) appendISO(b []byte) []byte {
	y, m, day := d.civil()
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
	return b
}

// appendUS appends d as 1/2/2006 (no zero padding).
func (d date) appendUS(b []byte) []byte {
	y, m, day := d.civil()
	b = strconv.AppendInt(b, int64(m), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(day), 10)
	b = append(b, '/')
	return strconv.AppendInt(b, int64(y), 10)
}

// String returns d as 2006-01-02.
func (d date) String() string { return string(d.appendISO(nil)) }

// weekdayIn returns a uniformly drawn Monday-to-Friday date in [lo, hi],
// or lo when the range holds no weekday.
func weekdayIn(r *rand.Rand, lo, hi date) date {
	n := 0
	for d := lo; d <= hi; d++ {
		if d.isWeekday() {
			n++
		}
	}
	if n == 0 {
		return lo
	}
	k := r.IntN(n)
	for d := lo; d <= hi; d++ {
		if d.isWeekday() {
			if k == 0 {
				return d
			}
			k--
		}
	}
	return lo
}

// isWeekday reports whether d is Monday to Friday.
func (d date) isWeekday() bool {
	wd := d.weekday()
	return wd != 0 && wd != 6
}
