// Package config reads and checks coachimpact's configuration file (TOML).
// Every setting is one field of Config; Validate reports every problem at
// once, before any output is touched. Command-line flags override the file.
package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/coachimpact/coachimpact/ingest"
)

// Config is the whole configuration.
type Config struct {
	// Input is the folder holding the export files; flag --input.
	Input string `toml:"input"`
	// Out is the output folder; flag --out.
	Out string `toml:"out"`
	// MinCell is the smallest number of students a reported cell may
	// rest on; smaller cells are suppressed. >= 1; default 10.
	MinCell int `toml:"min_cell"`
	// ShowTeacherNames lets principal workbooks name teachers in coaching
	// activity counts. Default false.
	ShowTeacherNames bool `toml:"show_teacher_names"`
	// Reports lists the workbooks to build: "district", "cohorts",
	// "schools" (one per school). Default all three; flag --reports. The
	// charts are always drawn.
	Reports []string `toml:"reports"`
	// Parquet, when set, is a folder to export every model table to as
	// Parquet, partitioned by school_year; flag --parquet.
	Parquet string `toml:"parquet"`
	// Mapping adapts header spellings and values the built-in aliases do
	// not cover; see ingest.Mapping.
	Mapping ingest.Mapping `toml:"mapping"`
}

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{MinCell: 10, Reports: []string{ReportDistrict, ReportCohorts, ReportSchools}}
}

// The workbooks Config.Reports may name.
const (
	ReportDistrict = "district"
	ReportCohorts  = "cohorts"
	ReportSchools  = "schools"
)

// Builds reports whether Reports names the workbook.
func (c *Config) Builds(report string) bool { return slices.Contains(c.Reports, report) }

// Load reads the TOML file at path over the defaults. A key the file sets
// that Config does not have is an error naming it.
func Load(path string) (Config, error) {
	c := Default()
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("config %s: unknown key %s", path, strings.Join(keys, ", "))
	}
	return c, nil
}

// Validate returns every problem with c, joined.
func (c *Config) Validate() error {
	var errs []error
	if c.MinCell < 1 {
		errs = append(errs, fmt.Errorf("min_cell = %d: must be at least 1", c.MinCell))
	}
	for _, r := range c.Reports {
		if r != ReportDistrict && r != ReportCohorts && r != ReportSchools {
			errs = append(errs, fmt.Errorf("reports: %q: want district, cohorts or schools", r))
		}
	}
	if err := c.Mapping.Validate(ingest.Tables()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
