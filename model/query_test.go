package model

import (
	"testing"
	"time"
)

// TestCSVValue: the cells coachimpact sql writes for each kind of value
// DuckDB returns.
func TestCSVValue(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, ""},
		{"Lee, Ann", "Lee, Ann"},
		{[]byte("blob"), "blob"},
		{0.1, "0.1"},
		{float32(0.1), "0.1"},
		{1e21, "1e+21"},
		{int64(-3), "-3"},
		{true, "true"},
		{time.Date(2024, 5, 14, 0, 0, 0, 0, time.UTC), "2024-05-14"},
		{time.Date(2024, 5, 14, 9, 30, 0, 500, time.UTC), "2024-05-14T09:30:00.0000005Z"},
	} {
		if got := CSVValue(c.v); got != c.want {
			t.Errorf("CSVValue(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}
