package ingest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
		{Name: "USTwoDigitYearTime", In: "9/7/22 18:22", Want: d(2022, 9, 7)},
		{Name: "USShortTime", In: "1/2/23 9:05", Want: d(2023, 1, 2)},
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
		// Ed-Fi GradeLevelDescriptor code values.
		{"First grade", 1, nil}, {"Fourth grade", 4, nil}, {"fourth grade", 4, nil}, {"Twelfth grade", 12, nil},
		{"4th grade", 4, nil}, {"Grade", 0, ErrBadGrade}, {"Thirteenth grade", 0, ErrBadGrade},
		{"Preschool/Prekindergarten", 0, ErrBadGrade}, {"Infant/toddler", 0, ErrBadGrade}, {"Ungraded", 0, ErrBadGrade},
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

func TestParseDuration(t *testing.T) {
	tests := []struct {
		In   string
		Want float64 // minutes
		Unit bool    // written with a unit: no scale factor applies
	}{
		{"45", 45, false}, {"12.5", 12.5, false}, {" 90 ", 90, false}, // plain numbers stay minutes
		{"45 min", 45, true}, {"45 mins", 45, true}, {"45 minutes", 45, true}, {"45min", 45, true},
		{"1 hour", 60, true}, {"1 hr", 60, true}, {"2 hrs", 120, true}, {"1.5 hours", 90, true}, {"1 Hour", 60, true},
		{"1 hour 30 minutes", 90, true}, {"1 hour and 30 minutes", 90, true}, {"1  hour  30  min", 90, true},
		{"1h30", 90, true}, {"1h 30m", 90, true}, {"1h", 60, true}, {"90m", 90, true},
		{"1:30", 90, true}, {"0:45", 45, true}, {"2:05", 125, true},
		{"3/4 hour", 45, true}, {"1/2 hr", 30, true}, {"1 1/2 hours", 90, true}, {"2 1/4 hrs", 135, true}, {"half an hour", 30, true}, {"an hour", 60, true},
	}
	for _, tt := range tests {
		got, unit, err := ParseDuration(tt.In)
		if err != nil || got != tt.Want || unit != tt.Unit {
			t.Errorf("ParseDuration(%q) = %v, %v, %v; want %v, %v, nil", tt.In, got, unit, err, tt.Want, tt.Unit)
		}
	}
	for _, s := range []string{"", "abc", "45 sec", "1:75", "1:3", "1h30x", "30m 1h", "1h 2h", "1h75", "1h30.5",
		"3/0 hour", "3/4", "min", "1 day", "1 hour 30 minutes 5", "an hour and a half"} {
		_, _, err := ParseDuration(s)
		if !errors.Is(err, ErrBadNumber) || !strings.Contains(err.Error(), "1 hour 30 minutes, 1h30") {
			t.Errorf("ParseDuration(%q) err = %v; want ErrBadNumber listing the accepted forms", s, err)
		}
	}
}

func TestDescriptorCode(t *testing.T) {
	tests := []struct{ In, Want string }{
		{"uri://ed-fi.org/GradeLevelDescriptor#Fourth grade", "Fourth grade"},
		{"uri://ed-fi.org/AcademicSubjectDescriptor#Mathematics", "Mathematics"},
		{"URI://ed-fi.org/SexDescriptor#Female", "Female"},
		{"uri://district.example.org/sis/RaceDescriptor# White ", "White"},
		// Not descriptors: kept as they are.
		{"Fourth grade", "Fourth grade"}, {"uri://ed-fi.org/GradeLevelDescriptor#", "uri://ed-fi.org/GradeLevelDescriptor#"},
		{"uri://ed-fi.org/Descriptor#4", "uri://ed-fi.org/Descriptor#4"}, {"uri://GradeLevelDescriptor#4", "uri://GradeLevelDescriptor#4"},
		{"uri://ed-fi.org/GradeLevel#4", "uri://ed-fi.org/GradeLevel#4"}, {"http://ed-fi.org/SexDescriptor#Female", "http://ed-fi.org/SexDescriptor#Female"},
		{"S#12", "S#12"},
	}
	for _, tt := range tests {
		if got := DescriptorCode(tt.In); got != tt.Want {
			t.Errorf("DescriptorCode(%q) = %q; want %q", tt.In, got, tt.Want)
		}
	}
}

// TestReadDescriptorsAndDurations reads Ed-Fi descriptor URIs in grade,
// sex and subject columns and minutes written as durations, as an Ed-Fi
// export and a coaching log write them; the expected cells are the code
// values parsed by the column's kind, and the minutes worked by hand.
func TestReadDescriptorsAndDurations(t *testing.T) {
	dir := t.TempDir()
	base, err := filepath.Glob(filepath.Join("..", "testdata", "badinput", "base", "*.csv"))
	if err != nil || len(base) == 0 {
		t.Fatalf("base district: %v, %d files", err, len(base))
	}
	for _, p := range base { // the valid district, then this test's tables over it
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"students.csv": "student_id,school_id,grade_level,gender\n" +
			"S1,01,uri://ed-fi.org/GradeLevelDescriptor#Fourth grade,uri://ed-fi.org/SexDescriptor#Female\n" +
			"S2,01,uri://ed-fi.org/GradeLevelDescriptor#Kindergarten,Male\n" +
			"S3,01,uri://ed-fi.org/GradeLevelDescriptor#Preschool/Prekindergarten,Male\n",
		"rosters.csv": "school_year,student_id,teacher_id,subject\n" +
			"2024,S1,T1,uri://ed-fi.org/AcademicSubjectDescriptor#Mathematics\n" +
			"2024,S2,T1,uri://ed-fi.org/AcademicSubjectDescriptor#English Language Arts\n" +
			"2024,S2,T2,uri://ed-fi.org/AcademicSubjectDescriptor#Reading\n",
		"coaching_sessions.csv": "session_id,cycle_id,session_date,activity,minutes\n" +
			"X1,C1,2023-09-12,planning,1 hour 30 minutes\n" +
			"X2,C1,2023-09-13,modeling,0:45\n" +
			"X3,C1,2023-09-14,debrief,3/4 hour\n" +
			"X4,C1,2023-09-15,debrief,30\n" +
			"X5,C1,2023-09-16,debrief,a while\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, rejects := loadDir(t, dir, nil)
	want := map[string][][]string{
		"students": {{"S1", "01", "4", "Female"}, {"S2", "01", "0", "Male"}},
		// Reading folds to ELA, as a plain "Reading" does.
		"rosters": {{"2024", "S1", "T1", "Math"}, {"2024", "S2", "T1", "ELA"}, {"2024", "S2", "T2", "ELA"}},
		// 1 h 30 = 90; 0:45 = 45; 3/4 of 60 = 45; a plain 30 stays 30.
		"coaching_sessions": {{"X1", "C1", "2023-09-12", "planning", "90"}, {"X2", "C1", "2023-09-13", "modeling", "45"},
			{"X3", "C1", "2023-09-14", "debrief", "45"}, {"X4", "C1", "2023-09-15", "debrief", "30"}},
	}
	for table, rows := range want {
		l := got[table]
		if l == nil {
			t.Fatalf("%s not loaded", table)
		}
		var lead [][]string // each row's columns up to the last one this test writes
		for _, r := range l.rows {
			lead = append(lead, r[:min(len(r), len(rows[0]))])
		}
		if fmt.Sprint(lead) != fmt.Sprint(rows) {
			t.Errorf("%s rows = %v; want %v", table, lead, rows)
		}
	}
	var mine []RowError // the rejects of this test's tables; base assessments name students it leaves out
	for _, r := range rejects {
		if _, ok := files[r.File]; ok {
			mine = append(mine, r)
		}
	}
	rejects = mine
	if len(rejects) != 2 {
		t.Fatalf("rejects = %v; want S3's grade and X5's minutes", rejects)
	}
	if r := rejects[0]; r.Row != 4 || r.Column != "grade_level" || !errors.Is(r.Err, ErrBadGrade) || !strings.Contains(r.Error(), "before kindergarten") {
		t.Errorf("reject = %v; want row 4 grade_level: unrecognised grade, before kindergarten", r.Error())
	}
	if r := rejects[1]; r.Row != 6 || r.Column != "minutes" || !errors.Is(r.Err, ErrBadNumber) || !strings.Contains(r.Error(), "1:30 (h:mm)") {
		t.Errorf("reject = %v; want row 6 minutes: not a number, listing the duration forms", r.Error())
	}
}
