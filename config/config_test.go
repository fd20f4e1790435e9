package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coachimpact/coachimpact/ingest"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	c, err := Load(write(t, `
min_cell = 5
[mapping.columns]
ID = "student_id"
[mapping.tables.rosters.scale]
percent_time = 100
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.MinCell != 5 || c.Mapping.Columns["ID"] != "student_id" || c.Mapping.Tables["rosters"].Scale["percent_time"] != 100 {
		t.Errorf("Load = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if d := Default(); d.MinCell != 10 || d.MinCoachedTeachers != 10 || d.ShowTeacherNames {
		t.Errorf("Default = %+v", d)
	}
}

func TestUnknownKey(t *testing.T) {
	_, err := Load(write(t, "min_cell = 5\n[mapping.tables.rosters]\nscal = 3\n"))
	if err == nil || !strings.Contains(err.Error(), "mapping.tables.rosters.scal") {
		t.Errorf("err = %v; want it to name mapping.tables.rosters.scal", err)
	}
}

func TestValidateJoinsEveryProblem(t *testing.T) {
	c := Default()
	c.MinCell = 0
	c.MinCoachedTeachers = -1
	c.Mapping.Columns = map[string]string{"X": "nope"}
	c.Reports = []string{"district", "principals"}
	err := c.Validate()
	for _, want := range []string{"min_cell", "min_coached_teachers = -1", "nope", `reports: "principals"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to mention %s", err, want)
		}
	}
}

// TestExample: the documented example file loads and validates.
func TestExample(t *testing.T) {
	c, err := Load("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Out == "" || c.MinCell != 10 || len(c.Reports) != 3 || c.Mapping.Columns["Local Student Number"] != "student_id" {
		t.Errorf("example = %+v", c)
	}
	if !reflect.DeepEqual(c.Degraded, DefaultDegraded()) {
		t.Errorf("example [degraded] = %+v; the defaults are %+v", c.Degraded, DefaultDegraded())
	}
}

// TestDegraded: the [degraded] table's defaults, a file setting it, and
// every bad value named by its key.
func TestDegraded(t *testing.T) {
	d := Default().Degraded
	if d.Publish || d.MaxRejectedShare != 0.5 || d.MaxNoTeacherShare != 0.5 || d.MaxNoZShare != 0.5 || !d.NoEstimate || len(d.NonEmptyTables) != 7 {
		t.Errorf("default [degraded] = %+v", d)
	}
	c, err := Load(write(t, "[degraded]\npublish = true\nmax_rejected_share = 0.9\nnonempty_tables = [\"students\"]\nno_estimate = false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Degraded; !d.Publish || d.MaxRejectedShare != 0.9 || d.MaxNoZShare != 0.5 || d.NoEstimate || len(d.NonEmptyTables) != 1 {
		t.Errorf("loaded [degraded] = %+v", d)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	c.Degraded.MaxRejectedShare, c.Degraded.MaxNoTeacherShare, c.Degraded.NonEmptyTables = 1.5, -0.1, []string{"rosters", "grades"}
	err = c.Validate()
	for _, want := range []string{"degraded.max_rejected_share = 1.5", "degraded.max_no_teacher_share = -0.1", `degraded.nonempty_tables: "grades"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), `"rosters"`) {
		t.Errorf("Validate() = %v; rosters is a table", err)
	}
}

// TestScaleScoreLimits: the plausible scale scores of [limits], overridden
// per assessment; a bound an override leaves out is the global one.
func TestScaleScoreLimits(t *testing.T) {
	c, err := Load(write(t, `
[limits]
max_scale_score = 20000
[limits.scale_score."MAP Growth"]
min = 100
max = 350
[limits.scale_score.Star]
max = 1400
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	got := c.Limits.Ingest()
	want := ingest.Limits{ScaleScore: ingest.Bounds{Min: -1e6, Max: 20000}, ScaleScoreBy: map[string]ingest.Bounds{
		"MAP Growth": {Min: 100, Max: 350},
		"Star":       {Min: -1e6, Max: 1400},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Ingest() = %+v; want %+v", got, want)
	}
	if d := Default().Limits.Ingest().ScaleScore; d != ingest.DefaultScaleScore {
		t.Errorf("default bounds %+v; want %+v", d, ingest.DefaultScaleScore)
	}
}

func TestScaleScoreLimitsInvalid(t *testing.T) {
	c, err := Load(write(t, `
[limits]
min_scale_score = 500
max_scale_score = 400
[limits.scale_score.MAP]
min = 350
max = 100
`))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	for _, want := range []string{"limits.min_scale_score, limits.max_scale_score: min 500, max 400", `limits.scale_score."MAP": min 350, max 100`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to mention %s", err, want)
		}
	}
}

// TestRecordLimits: [limits] max_fields and max_record_bytes reach ingest,
// and a negative one is refused naming its key.
func TestRecordLimits(t *testing.T) {
	c, err := Load(write(t, "[limits]\nmax_fields = 300\nmax_record_bytes = 65536\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.Limits.Ingest(); got.MaxFields != 300 || got.MaxRecordBytes != 65536 {
		t.Errorf("Ingest() = %+v; want MaxFields 300, MaxRecordBytes 65536", got)
	}
	c, err = Load(write(t, "[limits]\nmax_fields = -1\nmax_record_bytes = -2\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	for _, want := range []string{"limits.max_fields = -1", "limits.max_record_bytes = -2"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to name %s", err, want)
		}
	}
}

// TestMappingScaleInvalid: a scale factor that is not a finite number
// other than 0 is a config error naming its key (TOML reads nan and inf
// as floats).
func TestMappingScaleInvalid(t *testing.T) {
	for _, v := range []string{"nan", "inf", "-inf", "0"} {
		c, err := Load(write(t, "[mapping.tables.rosters.scale]\npercent_time = "+v+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		err = c.Validate()
		if want := "mapping.tables.rosters.scale.percent_time"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("scale %s: Validate() = %v; want it to name %s", v, err, want)
		}
	}
}

// TestMainTests: [model.main_tests] names a subject's main spring test;
// a subject the model never sees (a spelling ingest folds away, or one no
// mapping gives) and an empty name are errors naming the key.
func TestMainTests(t *testing.T) {
	c, err := Load(write(t, `
[mapping.values.subject]
BIO = "Biology"
[model.main_tests]
Math = "MAP Growth Math 2-5"
ELA = "MAP Growth Reading 2-5"
Biology = "Biology EOC"
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	want := map[string]string{"Math": "MAP Growth Math 2-5", "ELA": "MAP Growth Reading 2-5", "Biology": "Biology EOC"}
	if !reflect.DeepEqual(c.Model.MainTests, want) {
		t.Errorf("main_tests = %v; want %v", c.Model.MainTests, want)
	}
	for _, tc := range []struct {
		name, body, key string
		err             error
	}{
		{"Folded", `Mathematics = "MAP"`, `model.main_tests."Mathematics"`, ErrUnknownSubject},
		{"Case", `math = "MAP"`, `model.main_tests."math": unknown subject (did you mean "Math"?)`, ErrUnknownSubject},
		{"Unmapped", `Biology = "EOC"`, `model.main_tests."Biology"`, ErrUnknownSubject},
		{"Empty", `ELA = " "`, `model.main_tests."ELA"`, ErrNoTestName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(write(t, "[model.main_tests]\n"+tc.body+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("Validate() = %v; want %v naming %s", err, tc.err, tc.key)
			}
		})
	}
}

// TestPrior: [model]'s prior and threshold default to 0, 0.2 and 0.05
// SD, and values outside their ranges are each reported.
func TestPrior(t *testing.T) {
	if m := Default().Model; m.PriorMean != 0 || m.PriorSD != 0.2 || m.Threshold != 0.05 {
		t.Errorf("default prior %+v, want mean 0, SD 0.2, threshold 0.05", m)
	}
	c := Default()
	c.Model.PriorSD, c.Model.PriorMean, c.Model.Threshold = 0, 2, -3
	err := c.Validate()
	for _, want := range []string{"model.prior_sd = 0", "model.prior_mean = 2", "model.threshold = -3"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to mention %s", err, want)
		}
	}
}
