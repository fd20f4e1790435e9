package synth

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Formats of the written tables (Config.Format).
const (
	// FormatMixed writes csv and xlsx files with the quirks of real exports.
	FormatMixed = "mixed"
	// FormatCSV writes every table as NAME.csv with canonical headers and
	// values and no quirks: the fast format for state-scale benchmarks.
	FormatCSV = "csv"
)

// Config describes the district to generate. The zero Config is usable:
// Generate and WithDefaults fill every zero field with its default.
type Config struct {
	Seed              int64    // seed of every random draw; any value; 0 means the default 1
	Schools           int      // number of schools; 1..9898; default 14
	Districts         int      // number of districts, schools assigned round-robin; 1..min(Schools, 999); default 1
	StudentsPerGrade  int      // students per grade per school; 1..100000; default 144 (~16k students, ~92k assessment rows)
	LastYear          int      // ending year of the last school year (2024 = 2023-24); 1902..9998; default 2024
	Years             int      // number of school years, ending at LastYear; 1..50; default 4
	Cohorts           []int    // ip_cohort (ending year) of the IP schools, cycled; each 1900..9999; default {2012, 2022, 2023}
	ComparisonShare   float64  // share of schools with blank ip_cohort; 0..1; default 0.3; at least 1 comparison school when Schools >= 3 and at least 1 IP school when Schools >= 2
	Windows           []string // test windows, each "fall", "winter" or "spring", must include "spring"; default {"fall", "spring"}
	SpringOnlySchools int      // schools that test only in spring; <= Schools; default 1; negative means none
	PerHour           float64  // planted effect on the spring latent score (SD units) per coaching hour of the teacher of record; -1..1; default 0.02
	Jump              float64  // planted effect on the spring latent score (SD units) of the teacher of record having any coaching hours, on top of PerHour per hour; -1..1; default 0 (none)
	HoursCap          float64  // coaching hours beyond which PerHour adds nothing (the planted effect is PerHour·min(hours, HoursCap)); 0..10000; default 0 (no cap)
	PracticeGain      float64  // planted gain in observation rating (0-4 scale) after a teacher's first cycle ends; -4..4; default 0.5
	// Selection plants selection into coaching: > 0 coaches teachers with
	// weaker value-added more often (an IP school's coached teachers of a
	// year are drawn without replacement with weights
	// exp(-Selection · effect/teacherSD)); 0..20; default 0 (coached
	// teachers drawn uniformly, the data unchanged).
	Selection float64
	NoEffect  bool   // plant no effect: PerHour, Jump and PracticeGain are set to 0 (a placebo district); default false
	NoBadRows bool   // plant no bad rows; default false, i.e. the bad rows listed in the package doc are planted
	Format    string // FormatMixed or FormatCSV; default FormatMixed; FormatMixed holds at most ~1M students (one Excel sheet)
}

// excelMaxRows is the number of rows of an Excel sheet.
const excelMaxRows = 1 << 20

// ErrConfig is wrapped by every problem Validate reports.
var ErrConfig = errors.New("invalid config")

// Window names (Config.Windows), in calendar order.
var windowNames = [...]string{"fall", "winter", "spring"}

// WithDefaults returns c with every zero field set to its default. With
// NoEffect set, PerHour, Jump and PracticeGain are 0 whatever their value.
func (c Config) WithDefaults() Config {
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Schools == 0 {
		c.Schools = 14
	}
	if c.Districts == 0 {
		c.Districts = 1
	}
	if c.StudentsPerGrade == 0 {
		c.StudentsPerGrade = 144
	}
	if c.LastYear == 0 {
		c.LastYear = 2024
	}
	if c.Years == 0 {
		c.Years = 4
	}
	if len(c.Cohorts) == 0 {
		c.Cohorts = []int{2012, 2022, 2023}
	} else {
		c.Cohorts = slices.Clone(c.Cohorts)
	}
	if c.ComparisonShare == 0 {
		c.ComparisonShare = 0.3
	}
	if len(c.Windows) == 0 {
		c.Windows = []string{"fall", "spring"}
	} else {
		c.Windows = slices.Clone(c.Windows)
	}
	if c.SpringOnlySchools == 0 {
		c.SpringOnlySchools = 1
	}
	if c.NoEffect {
		c.PerHour, c.Jump, c.PracticeGain = 0, 0, 0
	} else {
		if c.PerHour == 0 {
			c.PerHour = 0.02
		}
		if c.PracticeGain == 0 {
			c.PracticeGain = 0.5
		}
	}
	if c.Format == "" {
		c.Format = FormatMixed
	}
	return c
}

// Validate reports every problem of c (after defaults are applied) at once,
// joined with errors.Join, each wrapping ErrConfig; nil means Generate can
// use c.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...)))
	}
	if c.Schools < 1 || c.Schools > 9898 {
		bad("Schools %d: want 1..9898", c.Schools)
	}
	if c.Districts < 1 || c.Districts > 999 || c.Districts > max(c.Schools, 1) {
		bad("Districts %d: want 1..min(Schools, 999)", c.Districts)
	}
	if c.StudentsPerGrade < 1 || c.StudentsPerGrade > 100000 {
		bad("StudentsPerGrade %d: want 1..100000", c.StudentsPerGrade)
	}
	if c.LastYear < 1902 || c.LastYear > 9998 {
		bad("LastYear %d: want 1902..9998", c.LastYear)
	}
	if c.Years < 1 || c.Years > 50 {
		bad("Years %d: want 1..50", c.Years)
	} else if c.LastYear-c.Years+1 < 1901 {
		bad("Years %d: first year %d before 1901", c.Years, c.LastYear-c.Years+1)
	}
	if len(c.Cohorts) == 0 {
		bad("Cohorts: empty")
	}
	for _, y := range c.Cohorts {
		if y < 1900 || y > 9999 {
			bad("Cohorts: %d: want 1900..9999", y)
		}
	}
	if !(c.ComparisonShare >= 0 && c.ComparisonShare <= 1) {
		bad("ComparisonShare %v: want 0..1", c.ComparisonShare)
	}
	seen := map[string]bool{}
	for _, w := range c.Windows {
		if !slices.Contains(windowNames[:], w) {
			bad("Windows: %q: want fall, winter or spring", w)
		} else if seen[w] {
			bad("Windows: %q twice", w)
		}
		seen[w] = true
	}
	if !seen["spring"] {
		bad("Windows %q: must include spring", c.Windows)
	}
	if c.SpringOnlySchools > c.Schools {
		bad("SpringOnlySchools %d: more than Schools %d", c.SpringOnlySchools, c.Schools)
	}
	if math.IsNaN(c.PerHour) || math.IsInf(c.PerHour, 0) || math.Abs(c.PerHour) > 1 {
		bad("PerHour %v: want -1..1", c.PerHour)
	}
	if math.IsNaN(c.Jump) || math.IsInf(c.Jump, 0) || math.Abs(c.Jump) > 1 {
		bad("Jump %v: want -1..1", c.Jump)
	}
	if !(c.Selection >= 0 && c.Selection <= 20) {
		bad("Selection %v: want 0..20", c.Selection)
	}
	if !(c.HoursCap >= 0 && c.HoursCap <= 10000) {
		bad("HoursCap %v: want 0..10000", c.HoursCap)
	}
	if math.IsNaN(c.PracticeGain) || math.IsInf(c.PracticeGain, 0) || math.Abs(c.PracticeGain) > 4 {
		bad("PracticeGain %v: want -4..4", c.PracticeGain)
	}
	switch {
	case c.Format != FormatMixed && c.Format != FormatCSV:
		bad("Format %q: want %q or %q", c.Format, FormatMixed, FormatCSV)
	case c.Format == FormatMixed && len(errs) == 0 && studentCount(&c)+3 > excelMaxRows:
		bad("Format %q: %d students do not fit the %d rows of an Excel sheet; use %q",
			c.Format, studentCount(&c), excelMaxRows, FormatCSV)
	}
	return errors.Join(errs...)
}

// effectHours is the coaching hours PerHour applies to: hours, capped at
// HoursCap when there is a cap.
func (c *Config) effectHours(hours float64) float64 {
	if c.HoursCap > 0 {
		return min(hours, c.HoursCap)
	}
	return hours
}

// effect is the planted effect on the spring latent score of a teacher of
// record's coaching hours: Jump when there are any, plus PerHour per hour
// up to HoursCap.
func (c *Config) effect(hours float64) float64 {
	e := c.PerHour * c.effectHours(hours)
	if hours > 0 && c.Jump != 0 {
		e += c.Jump
	}
	return e
}

// hasWindow reports whether window w (0 fall, 1 winter, 2 spring) is tested.
func (c *Config) hasWindow(w int) bool {
	return slices.Contains(c.Windows, windowNames[w])
}
