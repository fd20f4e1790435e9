package ingest

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func d(y, m, day int) Date { return MakeDate(y, m, day) }

func TestParseDate(t *testing.T) {
	tests := []struct {
		Name string
		In   string
		Want Date
		Err  error
	}{
		{Name: "ISO", In: "2023-09-15", Want: d(2023, 9, 15)},
		{Name: "ISOTime", In: "2023-09-15T08:30:00", Want: d(2023, 9, 15)},
		{Name: "ISOSpaceTime", In: "2023-09-15 00:00:00", Want: d(2023, 9, 15)},
		{Name: "ISOSlash", In: "2023/09/15", Want: d(2023, 9, 15)},
		{Name: "USDate", In: "9/15/2023", Want: d(2023, 9, 15)},
		{Name: "USPadded", In: "09/05/2023", Want: d(2023, 9, 5)},
		{Name: "USDash", In: "09-15-2023", Want: d(2023, 9, 15)},
		{Name: "USTwoDigitYear", In: "9/15/23", Want: d(2023, 9, 15)},
		{Name: "USTime", In: "9/15/2023 0:00", Want: d(2023, 9, 15)},
		{Name: "Compact", In: "20230915", Want: d(2023, 9, 15)},
		{Name: "Serial", In: "45184", Want: d(2023, 9, 15)},
		{Name: "SerialFraction", In: "45184.75", Want: d(2023, 9, 15)},
		{Name: "TextDMY", In: "15-Sep-2023", Want: d(2023, 9, 15)},
		{Name: "TextMDY", In: "Sep 15, 2023", Want: d(2023, 9, 15)},
		{Name: "TextLong", In: "September 15, 2023", Want: d(2023, 9, 15)},
		{Name: "TextDayFirst", In: "15 September 2023", Want: d(2023, 9, 15)},
		{Name: "LeapDay", In: "2024-02-29", Want: d(2024, 2, 29)},
		{Name: "Spaces", In: "  2023-09-15 ", Want: d(2023, 9, 15)},
		{Name: "Month13", In: "13/1/2023", Err: ErrBadDate},
		{Name: "Day45", In: "13/45/2023", Err: ErrBadDate},
		{Name: "Feb30", In: "2023-02-30", Err: ErrBadDate},
		{Name: "NotLeap", In: "2023-02-29", Err: ErrBadDate},
		{Name: "Words", In: "next tuesday", Err: ErrBadDate},
		{Name: "SmallSerial", In: "5", Err: ErrBadDate},
		{Name: "HugeSerial", In: "999999", Err: ErrBadDate},
		{Name: "Empty", In: "", Err: ErrBadDate},
		{Name: "MixedSeparators", In: "2023-09/15", Err: ErrBadDate},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			got, err := ParseDate(tt.In)
			if !errors.Is(err, tt.Err) || (tt.Err == nil && got != tt.Want) {
				t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tt.In, got, err, tt.Want, tt.Err)
			}
		})
	}
}

func TestDate1904(t *testing.T) {
	// 1904 system: serial 43723 is 2023-09-15 (1462 days fewer).
	got, err := parseDate("43722", true)
	if err != nil || got != d(2023, 9, 15) {
		t.Errorf("parseDate(43722, 1904) = %v, %v; want 2023-09-15", got, err)
	}
}

func TestParseSchoolYear(t *testing.T) {
	tests := []struct {
		In   string
		Want int
		Err  error
	}{
		{"2024", 2024, nil}, {"2023-24", 2024, nil}, {"2023-2024", 2024, nil}, {"2023_2024", 2024, nil},
		{"2023/24", 2024, nil}, {"SY2023-24", 2024, nil}, {"SY 2023-24", 2024, nil}, {"2024.0", 2024, nil},
		{"1999-00", 2000, nil}, {" 2023 - 2024 ", 2024, nil},
		{"2023-25", 0, ErrBadYear}, {"2023-2025", 0, ErrBadYear}, {"24", 0, ErrBadYear}, {"1850", 0, ErrBadYear},
		{"twenty", 0, ErrBadYear}, {"", 0, ErrBadYear}, {"2023-", 0, ErrBadYear},
	}
	for _, tt := range tests {
		got, err := ParseSchoolYear(tt.In)
		if !errors.Is(err, tt.Err) || got != tt.Want {
			t.Errorf("ParseSchoolYear(%q) = %d, %v; want %d, %v", tt.In, got, err, tt.Want, tt.Err)
		}
	}
}

func TestParseGrade(t *testing.T) {
	tests := []struct {
		In   string
		Want int
		Err  error
	}{
		{"K", 0, nil}, {"KG", 0, nil}, {"kg", 0, nil}, {"Kindergarten", 0, nil}, {"0", 0, nil}, {"00", 0, nil},
		{"05", 5, nil}, {"5", 5, nil}, {"12", 12, nil}, {"Grade 5", 5, nil}, {"5th", 5, nil}, {"3rd", 3, nil}, {"5.0", 5, nil},
		{"13", 0, ErrBadGrade}, {"Q", 0, ErrBadGrade}, {"PK", 0, ErrBadGrade}, {"-1", 0, ErrBadGrade}, {"", 0, ErrBadGrade},
	}
	for _, tt := range tests {
		got, err := ParseGrade(tt.In)
		if !errors.Is(err, tt.Err) || got != tt.Want {
			t.Errorf("ParseGrade(%q) = %d, %v; want %d, %v", tt.In, got, err, tt.Want, tt.Err)
		}
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"Y", "y", "Yes", "YES", "TRUE", "true", "T", "1"} {
		if v, err := ParseBool(s); err != nil || !v {
			t.Errorf("ParseBool(%q) = %v, %v; want true", s, v, err)
		}
	}
	for _, s := range []string{"N", "no", "FALSE", "f", "0"} {
		if v, err := ParseBool(s); err != nil || v {
			t.Errorf("ParseBool(%q) = %v, %v; want false", s, v, err)
		}
	}
	for _, s := range []string{"", "maybe", "2", "Ja"} {
		if _, err := ParseBool(s); !errors.Is(err, ErrBadBool) {
			t.Errorf("ParseBool(%q) err = %v; want ErrBadBool", s, err)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		In   string
		Want float64
		Err  error
	}{
		{"45", 45, nil}, {"-30", -30, nil}, {"12.5", 12.5, nil}, {"1,234.5", 1234.5, nil}, {"1,234", 1234, nil},
		{"12,5", 12.5, nil}, {"85%", 85, nil}, {" 7 ", 7, nil}, {"1e3", 1000, nil},
		{"abc", 0, ErrBadNumber}, {"NaN", 0, ErrBadNumber}, {"Inf", 0, ErrBadNumber}, {"", 0, ErrBadNumber},
		{"1,2,3", 0, ErrBadNumber}, {"0x10", 0, ErrBadNumber},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.In)
		if !errors.Is(err, tt.Err) || got != tt.Want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tt.In, got, err, tt.Want, tt.Err)
		}
	}
}

func TestSchoolYearOf(t *testing.T) {
	if y := SchoolYearOf(d(2023, 6, 30)); y != 2023 {
		t.Errorf("2023-06-30 in %d", y)
	}
	if y := SchoolYearOf(d(2023, 7, 1)); y != 2024 {
		t.Errorf("2023-07-01 in %d", y)
	}
	if !InSchoolYear(d(2024, 6, 30), 2024) || InSchoolYear(d(2024, 7, 1), 2024) || InSchoolYear(d(2023, 6, 30), 2024) {
		t.Error("InSchoolYear bounds wrong")
	}
}

func ExampleParseSchoolYear() {
	y, _ := ParseSchoolYear("2023-24")
	fmt.Println(y)
	// Output: 2024
}

func ExampleParseDate() {
	for _, s := range []string{"9/15/2023", "45184", "2023-09-15"} {
		d, _ := ParseDate(s)
		fmt.Println(d)
	}
	// Output:
	// 2023-09-15
	// 2023-09-15
	// 2023-09-15
}

func TestDateOf(t *testing.T) {
	at := time.Date(2026, 11, 30, 23, 59, 0, 0, time.FixedZone("", -5*3600)) // Dec 1 in UTC
	if got, want := DateOf(at), MakeDate(2026, 12, 1); got != want {
		t.Errorf("DateOf(%v) = %v; want %v", at, got, want)
	}
}
