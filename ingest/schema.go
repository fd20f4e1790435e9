package ingest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// Kind is how a column's text is parsed and stored.
type Kind int

const (
	KindString     Kind = iota // trimmed text (IDs keep leading zeros)
	KindYear                   // school year, stored as its ending year (int32)
	KindGrade                  // grade level K=0..12 (int32)
	KindDate                   // calendar date (date32)
	KindFloat                  // number (float64)
	KindInt                    // whole number (int32)
	KindBool                   // Y/N flag (bool)
	KindEnum                   // one of Column.Values, stored lower case
	KindSubject                // subject, common spellings folded (Math, ELA, ...)
	KindPrinciples             // semicolon list of partnership principles
)

// Column is one canonical column of a table.
type Column struct {
	Name     string
	Kind     Kind
	Required bool
	Aliases  []string // header spellings besides Name; compared normalised
	// Generic are spellings that name the column only when no header
	// names it more firmly ("Date" beside "Session Date"; see
	// matchHeader). A bare entity word ("School") is never an ID's
	// spelling: it is the generic spelling of the entity's name column.
	Generic  []string
	Min, Max float64  // inclusive range for numbers when Min < Max
	MinOpen  bool     // Min itself is out of range (minutes > 0)
	Values   []string // allowed values for KindEnum
	Synonyms map[string]string
	Ref      string // canonical table whose key this column must name
	Future   bool   // a date column that may lie after the run's day (a planned end)
	// Duration marks a number column of minutes that also takes durations
	// written with a unit (1 hour 30 minutes, 1:30; see ParseDuration).
	Duration bool
	// Descriptor marks a text column whose Ed-Fi descriptor URIs are read
	// as their code value (DescriptorCode); columns of the other kinds
	// always are.
	Descriptor bool
	// Redact is what a Redactor (Keys.Redact) does to the column's
	// values, as they are read and in the rejects; default RedactNone.
	Redact Redaction
}

// Redaction is what a Redactor does to a column's values.
type Redaction int

const (
	RedactNone Redaction = iota // kept as read
	RedactHash                  // an ID: replaced by its keyed hash (Redactor.ID)
	RedactDrop                  // a name: left empty
)

// Table is one canonical input table.
type Table struct {
	Name     string
	Required bool
	Columns  []Column
	Key      []string // columns whose values are unique per row
	// Aliases are other spellings of the table's file or sheet name.
	Aliases []string
	// Absent says what a run does without the table, for a table that is
	// not Required: the note of a run or a check that was not given it.
	// Empty means the table is loaded empty and nothing else changes.
	Absent string
	// checks are the table's rules that span its columns or other
	// tables, run in order on each row whose cells parsed and whose
	// references resolve (see checkRow).
	checks []check
}

// AbsentNote is the note of a run not given the optional table t: what
// the run does without it (Absent), or "empty".
func (t *Table) AbsentNote() string {
	if t.Absent == "" {
		return "empty"
	}
	return t.Absent
}

// Column returns the named column and whether it exists.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// ArrowType is the Arrow type a column of kind k is stored as.
func (k Kind) ArrowType() arrow.DataType {
	switch k {
	case KindYear, KindGrade, KindInt:
		return arrow.PrimitiveTypes.Int32
	case KindDate:
		return arrow.FixedWidthTypes.Date32
	case KindFloat:
		return arrow.PrimitiveTypes.Float64
	case KindBool:
		return arrow.FixedWidthTypes.Boolean
	}
	return arrow.BinaryTypes.String
}

// Schema is the Arrow schema of the table as loaded.
func (t *Table) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Kind.ArrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// Shared column definitions.
var (
	colSchoolID   = Column{Name: "school_id", Kind: KindString, Required: true, Ref: "schools", Aliases: []string{"school number", "school code", "school id number", "building id", "building code", "SchoolId", "local school id", "campus id"}, Generic: []string{"building"}}
	colTeacherID  = Column{Name: "teacher_id", Kind: KindString, Required: true, Ref: "teachers", Redact: RedactHash, Aliases: []string{"staff id", "StaffUniqueId", "staff unique id", "instructor id", "instructor number", "educator id", "employee id", "StaffUSI"}, Generic: []string{"instructor"}}
	colStudentID  = Column{Name: "student_id", Kind: KindString, Required: true, Ref: "students", Redact: RedactHash, Aliases: []string{"StudentUniqueId", "student unique id", "SSID", "state id", "state student id", "student number", "local id", "local student id", "StudentUSI", "sasid", "stu id"}}
	colSchoolYear = Column{Name: "school_year", Kind: KindYear, Required: true, Aliases: []string{"sy", "academic year", "school year type", "SchoolYear", "test year", "fiscal year"}, Generic: []string{"year"}}
	colSubject    = Column{Name: "subject", Kind: KindSubject, Required: true, Aliases: []string{"content area", "academic subject", "course subject", "subject area", "AcademicSubjectDescriptor", "test subject"}, Generic: []string{"content"}}
)

func with(c Column, f func(*Column)) Column { f(&c); return c }

func optional(c Column) Column { return with(c, func(c *Column) { c.Required = false }) }

var yesNo = Column{Kind: KindBool}

func flag(name string, aliases ...string) Column {
	return with(yesNo, func(c *Column) { c.Name = name; c.Aliases = aliases })
}

// colEmail is a person's e-mail address: how a coaching log names coaches
// and teachers (a join on it finds their IDs). Left empty by a Redactor,
// as names are.
var colEmail = Column{Name: "email", Kind: KindString, Redact: RedactDrop, Aliases: []string{"e-mail", "email address", "e-mail address", "email_addr", "ElectronicMailAddress", "work email"}}

// Tables lists the canonical input tables in load order: every table comes
// after the tables its columns refer to.
func Tables() []*Table {
	return []*Table{
		{
			Name: "schools", Required: true, Key: []string{"school_id"},
			Aliases: []string{"school", "buildings", "campuses"},
			Columns: []Column{
				with(colSchoolID, func(c *Column) { c.Ref = "" }),
				{Name: "school_name", Kind: KindString, Required: true, Aliases: []string{"name", "NameOfInstitution", "building name", "campus name"}, Generic: []string{"school"}},
				{Name: "district_id", Kind: KindString, Required: true, Aliases: []string{"district number", "district code", "lea id", "LocalEducationAgencyId", "lea"}},
				{Name: "district_name", Kind: KindString, Aliases: []string{"lea name", "district label"}, Generic: []string{"district"}},
				{Name: "level", Kind: KindEnum, Values: []string{"elementary", "middle", "high", "other"},
					Aliases:  []string{"school level", "school type", "grade span", "SchoolCategoryDescriptor"},
					Synonyms: map[string]string{"elementary school": "elementary", "es": "elementary", "elem": "elementary", "primary": "elementary", "middle school": "middle", "ms": "middle", "junior high": "middle", "jh": "middle", "high school": "high", "hs": "high", "senior high": "high", "k-12": "other", "k-8": "other", "combined": "other"}},
				{Name: "ip_cohort", Kind: KindYear, Aliases: []string{"cohort", "ip cohort year", "network cohort", "joined", "year joined", "ip year"}},
			},
		},
		{
			Name: "teachers", Required: true, Key: []string{"teacher_id"},
			Aliases: []string{"teacher", "staff", "instructors", "educators"},
			Columns: []Column{
				with(colTeacherID, func(c *Column) { c.Ref = "" }),
				colSchoolID,
				{Name: "first_name", Kind: KindString, Redact: RedactDrop, Aliases: []string{"first", "given name", "FirstName", "fname"}},
				{Name: "last_name", Kind: KindString, Redact: RedactDrop, Aliases: []string{"last", "surname", "LastSurname", "family name", "lname"}},
				{Name: "subject_area", Kind: KindString, Aliases: []string{"content area", "academic subject", "department"}, Generic: []string{"subject"}},
				{Name: "grade_band", Kind: KindString, Aliases: []string{"grade span", "grade level"}, Generic: []string{"grades", "grade"}},
				{Name: "years_experience", Kind: KindFloat, Min: 0, Max: 70, Aliases: []string{"years of experience", "experience", "YearsOfPriorProfessionalExperience", "years teaching", "yrs exp"}},
				colEmail,
			},
		},
		{
			Name: "coaches", Key: []string{"coach_id"}, Absent: "coach IDs are taken as given",
			Aliases: []string{"coach", "instructional partners", "ips"},
			Columns: []Column{
				{Name: "coach_id", Kind: KindString, Required: true, Aliases: []string{"ip id", "instructional partner id", "partner id"}},
				{Name: "coach_name", Kind: KindString, Required: true, Aliases: []string{"name", "ip name", "instructional partner", "coach full name"}, Generic: []string{"coach"}},
				optional(colSchoolID),
				{Name: "ip_cohort", Kind: KindYear, Aliases: []string{"cohort", "ip cohort year"}},
				colEmail,
			},
		},
		{
			Name: "students", Required: true, Key: []string{"student_id"},
			Aliases: []string{"student", "enrollment", "demographics"},
			Columns: []Column{
				with(colStudentID, func(c *Column) { c.Ref = "" }),
				colSchoolID,
				{Name: "grade_level", Kind: KindGrade, Required: true, Generic: []string{"grade"}, Aliases: []string{"current grade", "enrolled grade", "EntryGradeLevelDescriptor", "grade level code", "gr"}},
				{Name: "gender", Kind: KindString, Descriptor: true, Aliases: []string{"sex", "SexDescriptor", "gender code"}},
				{Name: "race_ethnicity", Kind: KindString, Descriptor: true, Aliases: []string{"race", "ethnicity", "race/ethnicity", "federal race ethnicity", "RaceDescriptor"}},
				flag("english_learner", "ell", "el", "lep", "el status", "ell status", "limited english proficiency", "english language learner"),
				flag("special_education", "sped", "iep", "swd", "iep status", "students with disabilities", "sped status"),
				flag("economically_disadvantaged", "econ disadv", "ecodis", "econ dis", "frl", "free reduced lunch", "free/reduced lunch", "frl status", "free reduced lunch status", "low income", "ed"),
			},
		},
		{
			Name: "rosters", Required: true, Key: []string{"school_year", "student_id", "teacher_id", "subject", "section_id"},
			Aliases: []string{"roster", "enrollments", "student section associations", "class rosters", "links"},
			Columns: []Column{
				colSchoolYear, colStudentID, colTeacherID, colSubject,
				{Name: "section_id", Kind: KindString, Aliases: []string{"section", "section identifier", "SectionIdentifier", "class id", "course section"}, Generic: []string{"class", "period"}},
				{Name: "percent_time", Kind: KindFloat, Min: 0, Max: 100, MinOpen: true, Aliases: []string{"percent", "pct time", "percent of time", "time share", "percent instruction", "responsibility"}},
			},
		},
		{
			Name: "assessments", Required: true, Key: []string{"school_year", "student_id", "assessment_name", "subject", "window"},
			checks:  []check{inSchoolYear("test_date", "school_year"), plausibleScore},
			Aliases: []string{"assessment", "scores", "test scores", "tests", "student assessments"},
			Columns: []Column{
				colSchoolYear, colStudentID,
				{Name: "grade_level", Kind: KindGrade, Generic: []string{"grade"}, Aliases: []string{"tested grade", "test grade", "assessed grade", "WhenAssessedGradeLevelDescriptor", "enrolled grade"}},
				{Name: "assessment_name", Kind: KindString, Required: true, Aliases: []string{"test name", "assessment title", "AssessmentIdentifier", "assessment id"}, Generic: []string{"assessment", "test"}},
				colSubject,
				{Name: "window", Kind: KindEnum, Required: true, Values: []string{"fall", "winter", "spring"},
					Aliases: []string{"test window", "testing window", "administration window", "season", "test period", "assessment period"}, Generic: []string{"period", "term"},
					Synonyms: map[string]string{"boy": "fall", "autumn": "fall", "beginning of year": "fall", "fa": "fall", "moy": "winter", "middle of year": "winter", "wi": "winter", "eoy": "spring", "end of year": "spring", "sp": "spring"}},
				{Name: "test_date", Kind: KindDate, Generic: []string{"date"}, Aliases: []string{"administration date", "AdministrationDate", "assessment date", "tested date", "date tested", "test completed date"}},
				{Name: "scale_score", Kind: KindFloat, Required: true, Aliases: []string{"ss", "scaled score", "rit score", "rit", "scale score value"}, Generic: []string{"score"}},
				{Name: "performance_level", Kind: KindInt, Min: 1, Max: 4, Aliases: []string{"achievement level", "proficiency level", "perf level", "proficiency"}, Generic: []string{"performance", "level"}},
				{Name: "percentile", Kind: KindFloat, Min: 0, Max: 100, Aliases: []string{"percentile rank", "national percentile", "npr", "pr", "achievement percentile"}},
			},
		},
		{
			Name: "coaching_cycles", Required: true, Key: []string{"cycle_id"},
			checks:  []check{inSchoolYear("start_date", "school_year"), endAfterStart, rememberCycle},
			Aliases: []string{"cycles", "coaching cycle", "impact cycles"},
			Columns: []Column{
				{Name: "cycle_id", Kind: KindString, Required: true, Aliases: []string{"coaching cycle id", "impact cycle id"}, Generic: []string{"cycle"}},
				{Name: "coach_id", Kind: KindString, Required: true, Ref: "coaches", Aliases: []string{"ip id", "instructional partner id", "partner id"}},
				colTeacherID, colSchoolYear,
				{Name: "start_date", Kind: KindDate, Required: true, Aliases: []string{"begin date", "cycle start", "date started"}, Generic: []string{"start"}},
				{Name: "end_date", Kind: KindDate, Future: true, Aliases: []string{"cycle end", "date ended", "completed date"}, Generic: []string{"end"}},
				{Name: "focus_area", Kind: KindString, Aliases: []string{"focus", "goal area", "area of focus"}},
				{Name: "goal", Kind: KindString, Aliases: []string{"cycle goal", "peak goal", "student goal"}},
				{Name: "stage_reached", Kind: KindEnum, Values: []string{"identify", "learn", "improve"}, Aliases: []string{"stage", "last stage", "current stage", "impact cycle stage"}},
				flag("goal_met", "goal achieved", "met goal", "goal reached"),
			},
		},
		{
			Name: "coaching_sessions", Required: true, Key: []string{"session_id"},
			checks:  []check{inCycleYear, coachDayTotal},
			Aliases: []string{"sessions", "coaching session", "coaching log", "coaching logs"},
			Columns: []Column{
				{Name: "session_id", Kind: KindString, Required: true, Aliases: []string{"log id", "entry id"}, Generic: []string{"session"}},
				{Name: "cycle_id", Kind: KindString, Required: true, Ref: "coaching_cycles", Aliases: []string{"coaching cycle id"}, Generic: []string{"cycle"}},
				{Name: "session_date", Kind: KindDate, Required: true, Aliases: []string{"session day", "date of session", "meeting date"}, Generic: []string{"date"}},
				{Name: "activity", Kind: KindString, Required: true, Aliases: []string{"activity type", "session type", "coaching activity"}, Generic: []string{"type"}},
				{Name: "minutes", Kind: KindFloat, Required: true, Duration: true, Min: 0, Max: 1440, MinOpen: true, Aliases: []string{"duration", "duration minutes", "duration (minutes)", "mins", "length", "time spent"}},
				{Name: "principles", Kind: KindPrinciples, Aliases: []string{"partnership principles", "principle"}},
			},
		},
		{
			Name: "observations", Key: []string{"observation_id"}, Absent: "the teacher-practice analysis is skipped",
			Aliases: []string{"observation", "walkthroughs", "look fors", "classroom observations"},
			Columns: []Column{
				{Name: "observation_id", Kind: KindString, Aliases: []string{"walkthrough id"}, Generic: []string{"observation"}},
				colTeacherID,
				{Name: "observation_date", Kind: KindDate, Required: true, Aliases: []string{"observed on", "date observed"}, Generic: []string{"date"}},
				{Name: "observer_role", Kind: KindEnum, Values: []string{"coach", "principal", "peer"}, Aliases: []string{"role", "observer", "observer type"},
					Synonyms: map[string]string{"ip": "coach", "instructional partner": "coach", "administrator": "principal", "admin": "principal", "assistant principal": "principal", "ap": "principal", "teacher": "peer", "colleague": "peer"}},
				{Name: "look_for", Kind: KindString, Required: true, Aliases: []string{"look-for", "lookfor", "indicator", "look fors", "practice"}},
				{Name: "rating", Kind: KindFloat, Required: true, Min: 0, Max: 4, Aliases: []string{"rating value"}, Generic: []string{"score", "level"}},
			},
		},
	}
}

// plausibleScore faults an assessment's scale score outside the bounds
// the limits give its assessment (Limits.ScaleScore, ScaleScoreBy). The
// last assessment's bounds are kept: an export lists one assessment's
// rows together.
func plausibleScore(v *rowView) rule {
	score, name := v.col("scale_score"), v.col("assessment_name")
	var last struct {
		name, key string
		b         Bounds
	}
	return rule{test: func() {
		s := v.row[score]
		if s.null {
			return
		}
		if a := v.row[name].s; last.key == "" || (len(v.lim.ScaleScoreBy) > 0 && a != last.name) {
			last.name = strings.Clone(a)
			last.b, last.key = v.lim.scoreBounds(a)
		}
		if s.n < last.b.Min || s.n > last.b.Max {
			v.fault("scale_score", strconv.FormatFloat(s.n, 'g', -1, 64), ErrImplausible, last.key)
		}
	}}
}

// endAfterStart faults a coaching cycle that ends before it starts.
func endAfterStart(v *rowView) rule {
	start, end := v.col("start_date"), v.col("end_date")
	return rule{test: func() {
		s, e := v.row[start], v.row[end]
		if !e.null && e.n < s.n {
			v.fault("end_date", Date(e.n).String(), ErrDateOrder, "starts "+Date(s.n).String())
		}
	}}
}

// rememberCycle keeps each loaded cycle's school year and coach
// (Keys.cycleYear, cycleCoach) for its sessions' checks.
func rememberCycle(v *rowView) rule {
	id, year, coach := v.col("cycle_id"), v.col("school_year"), v.col("coach_id")
	return rule{loaded: func() {
		if c := v.row[id]; !c.null {
			cycle := strings.Clone(c.s)
			v.keys.cycleYear[cycle] = int32(v.row[year].n)
			v.keys.cycleCoach[cycle] = strings.Clone(v.row[coach].s)
		}
	}}
}

// inCycleYear faults a session dated outside its cycle's school year.
func inCycleYear(v *rowView) rule {
	date, cycle := v.col("session_date"), v.col("cycle_id")
	return rule{test: func() {
		v.inYear(date, int(v.keys.cycleYear[v.row[cycle].s]))
	}}
}

// coachDay keys a coach's logged minutes on one day.
type coachDay struct {
	coach string
	day   Date
}

// coachDayTotal faults a session (not already faulted) that would bring
// its coach's minutes on its day, over the sessions loaded so far, past
// the day's 24 hours.
func coachDayTotal(v *rowView) rule {
	date, cycle, minutes := v.col("session_date"), v.col("cycle_id"), v.col("minutes")
	var dayMin map[coachDay]float64 // minutes loaded per coach and day
	day := func() coachDay { return coachDay{v.keys.cycleCoach[v.row[cycle].s], Date(v.row[date].n)} }
	return rule{
		test: func() {
			if v.faulted() {
				return
			}
			k, mins := day(), v.row[minutes].n
			if total := dayMin[k] + mins; total > 24*60 {
				v.fault("minutes", strconv.FormatFloat(mins, 'g', -1, 64), ErrDayTotal,
					fmt.Sprintf("coach %s would log %.1f hours on %s", k.coach, total/60, k.day))
			}
		},
		loaded: func() {
			if dayMin == nil {
				dayMin = map[coachDay]float64{}
			}
			dayMin[day()] += v.row[minutes].n
		},
	}
}

// TableByName returns the canonical table a file or sheet name denotes
// (case, space and punctuation insensitive), or nil.
func TableByName(tables []*Table, name string) *Table {
	n := normalize(name)
	for _, t := range tables {
		if normalize(t.Name) == n {
			return t
		}
	}
	for _, t := range tables {
		for _, a := range t.Aliases {
			if normalize(a) == n {
				return t
			}
		}
	}
	return nil
}

// normalize folds a header or name for comparison: lower case, letters and
// digits only ("Student ID", "student_id" and "StudentID" are equal).
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Subjects folds common subject spellings onto the names the model uses.
var subjectNames = map[string]string{
	"math": "Math", "mathematics": "Math", "maths": "Math", "mth": "Math", "ma": "Math",
	"ela": "ELA", "reading": "ELA", "englishlanguagearts": "ELA", "english": "ELA", "literacy": "ELA",
	"readinglanguagearts": "ELA", "languagearts": "ELA", "rla": "ELA", "elareading": "ELA", "rd": "ELA",
	"science": "Science", "sci": "Science", "socialstudies": "Social Studies", "ss": "Social Studies",
	"writing": "Writing",
}

// partnership principles of Jim Knight's model.
var principleNames = []string{"equality", "choice", "voice", "dialogue", "reflection", "praxis", "reciprocity"}

// Refs lists the tables t's columns refer to (Column.Ref), each once.
func (t *Table) Refs() []string {
	var out []string
	for _, c := range t.Columns {
		if c.Ref != "" && !slices.Contains(out, c.Ref) {
			out = append(out, c.Ref)
		}
	}
	return out
}
