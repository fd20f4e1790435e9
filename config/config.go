// Package config reads and checks coachimpact's configuration file (TOML).
// Every setting is one field of Config; Validate reports every problem at
// once, before any output is touched. Command-line flags override the file.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
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
	// MinClassrooms is the fewest classrooms (teachers of record) a
	// reported cell of student results may rest on, in every workbook;
	// smaller cells are suppressed, since they would be one or two
	// teachers' results. >= 1; default 3.
	MinClassrooms int `toml:"min_classrooms"`
	// MinCoachedTeachers is the fewest coached teachers (treated schools,
	// for the difference-in-differences) an estimate may rest on and be
	// read as telling anything: one on fewer is published, flagged "too
	// few coached teachers to tell"; one on fewer than 3 is suppressed
	// whatever this is. >= 0; default 10.
	MinCoachedTeachers int `toml:"min_coached_teachers"`
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
	// Profiles names the vendor profiles of the district's exports
	// (nwea-map, edfi, powerschool, iready, star, coaching-log; several
	// at once: a SIS, an assessment vendor and a coaching log); flag
	// --profile. Each reads its vendor's files as they are exported;
	// Mapping's keys go over a profile's.
	Profiles []string `toml:"profiles"`
	// Mapping adapts header spellings and values the built-in aliases do
	// not cover; see ingest.Mapping.
	Mapping ingest.Mapping `toml:"mapping"`
	// RedactSaltFile, when set, names a file holding the district's
	// secret salt (at least 16 bytes; `coachimpact salt FILE` makes one):
	// student and teacher IDs are then replaced in every output by a
	// keyed hash and teacher names left out, for outputs shared outside
	// the district. Flag --redact.
	RedactSaltFile string `toml:"redact_salt_file"`
	// Limits guard against hostile or broken input files; 0 keeps a
	// limit's default.
	Limits Limits `toml:"limits"`
	// Degraded is when a run's result counts as empty or mostly
	// rejected, and whether such a run is published.
	Degraded Degraded `toml:"degraded"`
	// Model holds the choices the model makes that a district may set.
	Model Model `toml:"model"`
}

// Model is the [model] table.
type Model struct {
	// MainTests names, per subject, the assessment whose spring scores
	// are the subject's outcome, in place of the one most students took
	// that spring: [model.main_tests] Math = "MAP Growth Math 2-5". A key
	// is a subject as the model names it (Subjects(), or a value
	// [mapping.values.subject] maps to); a value is an assessment_name,
	// matched ignoring case and surrounding spaces. In a school year
	// with no spring scores of the named test the most-takers rule
	// chooses, and run.json and the About sheet say so. Default none.
	MainTests map[string]string `toml:"main_tests"`
	// PriorMean and PriorSD are the normal prior of a headline effect, in
	// SD of spring score, behind its posterior probabilities of exceeding
	// 0 and Threshold (the district's threshold of an effect worth
	// having). Defaults 0, 0.2 and 0.05: centred on no effect, wide enough
	// to admit the 0.18 SD of coaching's efficacy trials (Kraft, Blazar
	// and Hogan 2018). PriorSD > 0; each within ±1 SD.
	PriorMean float64 `toml:"prior_mean"`
	PriorSD   float64 `toml:"prior_sd"`
	Threshold float64 `toml:"threshold"`
}

// Subjects returns the subject names the model uses: ingest folds the
// common spellings (Mathematics, Reading, ...) onto them (ingest
// subjectNames; keep the two in step). Any other subject is kept as the
// export spells it, unless the mapping maps it.
func Subjects() []string { return []string{"Math", "ELA", "Science", "Social Studies", "Writing"} }

// Problems with [model.main_tests], wrapped with the key.
var (
	ErrUnknownSubject = errors.New("unknown subject")
	ErrNoTestName     = errors.New("no assessment name")
)

// Degraded is the [degraded] table. A run past any threshold ends with
// status "degraded" (exit code 4) and its reasons; unless Publish is set
// its outputs are kept aside and the last good outputs stay published.
// Shares are fractions from 0 to 1; a share must exceed its threshold to
// count, so 1 turns a check off.
type Degraded struct {
	// Publish publishes a degraded run's outputs over the last good ones.
	// Default false.
	Publish bool `toml:"publish"`
	// MaxRejectedShare is the largest share of one file's rows that may
	// be rejected. 0-1; default 0.5.
	MaxRejectedShare float64 `toml:"max_rejected_share"`
	// NonEmptyTables are the input tables that must have rows loaded.
	// Table names; default the seven required tables; [] turns it off.
	NonEmptyTables []string `toml:"nonempty_tables"`
	// NoEstimate degrades a run in which a tested subject has no pooled
	// impact estimate (neither a number nor suppressed). Default true.
	NoEstimate bool `toml:"no_estimate"`
	// MaxNoTeacherShare is the largest share of students' spring scores
	// (student_growth rows) that may have no teacher of record. 0-1;
	// default 0.5.
	MaxNoTeacherShare float64 `toml:"max_no_teacher_share"`
	// MaxNoZShare is the largest share of scores that may have no z-score
	// (alone in their group, or in a group of equal scores). 0-1;
	// default 0.5.
	MaxNoZShare float64 `toml:"max_no_z_share"`
}

// Limits are the [limits] table: the largest input the run accepts. A
// file over one is a structural fault whose message names the key.
type Limits struct {
	MaxUnzipBytes int64 `toml:"max_unzip_bytes"` // uncompressed size of one xlsx workbook; default 4 GiB
	MaxSheetBytes int64 `toml:"max_sheet_bytes"` // uncompressed size of one sheet; default 2 GiB
	MaxRows       int   `toml:"max_rows"`        // data rows in one file or sheet; default 50 million
	MaxCellChars  int   `toml:"max_cell_chars"`  // bytes in one cell; default 32,767
	// MaxFields bounds the fields of one CSV record; default 16,384
	// (Excel's column limit).
	MaxFields int `toml:"max_fields"`
	// MaxRecordBytes bounds the bytes of one CSV record (all its lines);
	// default 16 MiB. Reading stops once a record passes it.
	MaxRecordBytes int `toml:"max_record_bytes"`

	// MinScaleScore and MaxScaleScore bound a plausible scale score of
	// any assessment; a row outside is rejected. Finite, min < max;
	// default -1,000,000 and 1,000,000 (ingest.DefaultScaleScore), which
	// hold every vendor scale.
	MinScaleScore *float64 `toml:"min_scale_score"`
	MaxScaleScore *float64 `toml:"max_scale_score"`
	// ScaleScore overrides the two per assessment name (matched ignoring
	// case): [limits.scale_score."MAP Growth"] min = 100, max = 350. A
	// bound left out is the one above.
	ScaleScore map[string]ScoreLimits `toml:"scale_score"`
}

// ScoreLimits are one assessment's plausible scale scores.
type ScoreLimits struct {
	Min *float64 `toml:"min"`
	Max *float64 `toml:"max"`
}

// Ingest returns the limits as ingest takes them.
func (l Limits) Ingest() ingest.Limits {
	out := ingest.Limits{MaxUnzipBytes: l.MaxUnzipBytes, MaxSheetBytes: l.MaxSheetBytes, MaxRows: l.MaxRows, MaxCellBytes: l.MaxCellChars, MaxFields: l.MaxFields, MaxRecordBytes: l.MaxRecordBytes}
	out.ScaleScore = bounds(ingest.DefaultScaleScore, l.MinScaleScore, l.MaxScaleScore)
	for name, s := range l.ScaleScore {
		if out.ScaleScoreBy == nil {
			out.ScaleScoreBy = map[string]ingest.Bounds{}
		}
		out.ScaleScoreBy[name] = bounds(out.ScaleScore, s.Min, s.Max)
	}
	return out
}

// bounds is def with the bounds that are set in place of its own.
func bounds(def ingest.Bounds, lo, hi *float64) ingest.Bounds {
	if lo != nil {
		def.Min = *lo
	}
	if hi != nil {
		def.Max = *hi
	}
	return def
}

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{MinCell: 10, MinClassrooms: 3, MinCoachedTeachers: 10, Model: Model{PriorSD: 0.2, Threshold: 0.05}, Reports: []string{ReportDistrict, ReportCohorts, ReportSchools}, Degraded: DefaultDegraded()}
}

// DefaultDegraded returns the [degraded] thresholds used when the file
// sets none.
func DefaultDegraded() Degraded {
	var required []string
	for _, t := range ingest.Tables() {
		if t.Required {
			required = append(required, t.Name)
		}
	}
	return Degraded{MaxRejectedShare: 0.5, NonEmptyTables: required, NoEstimate: true, MaxNoTeacherShare: 0.5, MaxNoZShare: 0.5}
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

// Validate returns every problem with c, joined. It also loads the
// profiles Profiles names into Mapping.Profiles.
func (c *Config) Validate() error {
	var errs []error
	if c.MinCell < 1 {
		errs = append(errs, fmt.Errorf("min_cell = %d: must be at least 1", c.MinCell))
	}
	if c.MinClassrooms < 1 {
		errs = append(errs, fmt.Errorf("min_classrooms = %d: must be at least 1", c.MinClassrooms))
	}
	if c.MinCoachedTeachers < 0 {
		errs = append(errs, fmt.Errorf("min_coached_teachers = %d: must be at least 0", c.MinCoachedTeachers))
	}
	for _, r := range c.Reports {
		if r != ReportDistrict && r != ReportCohorts && r != ReportSchools {
			errs = append(errs, fmt.Errorf("reports: %q: want district, cohorts or schools", r))
		}
	}
	l := c.Limits
	for _, n := range []struct {
		key string
		v   int64
	}{{"max_unzip_bytes", l.MaxUnzipBytes}, {"max_sheet_bytes", l.MaxSheetBytes}, {"max_rows", int64(l.MaxRows)}, {"max_cell_chars", int64(l.MaxCellChars)},
		{"max_fields", int64(l.MaxFields)}, {"max_record_bytes", int64(l.MaxRecordBytes)}} {
		if n.v < 0 {
			errs = append(errs, fmt.Errorf("limits.%s = %d: must be positive (or 0 for the default)", n.key, n.v))
		}
	}
	errs = append(errs, c.Degraded.validate()...)
	checkBounds := func(key string, b ingest.Bounds) {
		if math.IsNaN(b.Min) || math.IsNaN(b.Max) || math.IsInf(b.Min, 0) || math.IsInf(b.Max, 0) || b.Min >= b.Max {
			errs = append(errs, fmt.Errorf("%s: min %g, max %g: want finite bounds, min below max", key, b.Min, b.Max))
		}
	}
	il := l.Ingest()
	checkBounds("limits.min_scale_score, limits.max_scale_score", il.ScaleScore)
	for _, name := range slices.Sorted(maps.Keys(il.ScaleScoreBy)) {
		if strings.TrimSpace(name) == "" {
			errs = append(errs, errors.New(`limits.scale_score."": an assessment name is needed`))
		}
		checkBounds(fmt.Sprintf("limits.scale_score.%q", name), il.ScaleScoreBy[name])
	}
	if c.RedactSaltFile != "" {
		if _, err := c.Redactor(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.applyProfiles(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Mapping.Validate(ingest.Tables()); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.Model.validate(c.subjects())...)
	return errors.Join(errs...)
}

// subjects are the subject names the model can see: Subjects() and every
// subject value the mapping maps to.
func (c *Config) subjects() []string {
	out := Subjects()
	add := func(vm map[string]string) {
		for _, v := range vm {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	add(c.Mapping.Values["subject"])
	for _, tm := range c.Mapping.Tables {
		add(tm.Values["subject"])
	}
	return out
}

// validate returns every problem with the [model] table; subjects are
// the subject names the model can see.
func (m Model) validate(subjects []string) []error {
	var errs []error
	if !(m.PriorSD > 0 && m.PriorSD <= 1) {
		errs = append(errs, fmt.Errorf("model.prior_sd = %g: must be above 0 and at most 1 (SD of spring score)", m.PriorSD))
	}
	if !(math.Abs(m.PriorMean) <= 1) {
		errs = append(errs, fmt.Errorf("model.prior_mean = %g: must be within -1 and 1 (SD of spring score)", m.PriorMean))
	}
	if !(math.Abs(m.Threshold) <= 1) {
		errs = append(errs, fmt.Errorf("model.threshold = %g: must be within -1 and 1 (SD of spring score)", m.Threshold))
	}
	for _, subj := range slices.Sorted(maps.Keys(m.MainTests)) {
		key := fmt.Sprintf("model.main_tests.%q", subj)
		if !slices.Contains(subjects, subj) {
			hint := ""
			if i := slices.IndexFunc(subjects, func(s string) bool { return strings.EqualFold(s, subj) }); i >= 0 {
				hint = fmt.Sprintf(" (did you mean %q?)", subjects[i])
			}
			errs = append(errs, fmt.Errorf("%s: %w%s: want a subject as the model names it (%s) or one [mapping.values.subject] maps to", key, ErrUnknownSubject, hint, strings.Join(Subjects(), ", ")))
		}
		if strings.TrimSpace(m.MainTests[subj]) == "" {
			errs = append(errs, fmt.Errorf("%s: %w: want the assessment_name of the subject's main spring test", key, ErrNoTestName))
		}
	}
	return errs
}

// validate returns every problem with the [degraded] table.
func (d Degraded) validate() []error {
	var errs []error
	for _, s := range []struct {
		key string
		v   float64
	}{{"max_rejected_share", d.MaxRejectedShare}, {"max_no_teacher_share", d.MaxNoTeacherShare}, {"max_no_z_share", d.MaxNoZShare}} {
		if !(s.v >= 0 && s.v <= 1) { // NaN fails too
			errs = append(errs, fmt.Errorf("degraded.%s = %v: must be a share from 0 to 1", s.key, s.v))
		}
	}
	var names []string
	for _, t := range ingest.Tables() {
		names = append(names, t.Name)
	}
	for _, n := range d.NonEmptyTables {
		if !slices.Contains(names, n) {
			errs = append(errs, fmt.Errorf("degraded.nonempty_tables: %q: want input table names (%s)", n, strings.Join(names, ", ")))
		}
	}
	return errs
}

// MinSaltBytes is the shortest redaction salt accepted.
const MinSaltBytes = 16

// Redactor returns the redactor keyed by the salt in RedactSaltFile, or
// nil when redaction is off. Surrounding white space in the file is not
// part of the salt.
func (c *Config) Redactor() (*ingest.Redactor, error) {
	if c.RedactSaltFile == "" {
		return nil, nil
	}
	b, err := os.ReadFile(c.RedactSaltFile)
	if err != nil {
		return nil, fmt.Errorf("redact_salt_file: %w", err)
	}
	salt := bytes.TrimSpace(b)
	if len(salt) < MinSaltBytes {
		return nil, fmt.Errorf("redact_salt_file %s: the salt is %d bytes; at least %d are needed (coachimpact salt FILE makes one)", c.RedactSaltFile, len(salt), MinSaltBytes)
	}
	return ingest.NewRedactor(salt), nil
}
