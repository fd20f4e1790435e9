package ingest

import (
	"errors"
	"strings"
	"testing"
)

// TestShapeProfileOverlay: a district's own reshaping keys for a table a
// profile gives (here a drop filter, naming no file) go over the
// profile's mapping, which still finds the files. They used to replace
// it: the table then had no file ("no file of the input folder matches"
// with an empty list) and the run stopped.
func TestShapeProfileOverlay(t *testing.T) {
	dir := shapeDir(t, map[string]string{
		"assessments.csv": "",
		"fall/AssessmentResults.csv": "TermName,StudentID,Subject,Course,TestRITScore\n" +
			"Fall 2022-2023,S1,Language Arts,Reading,190\n" +
			"Fall 2022-2023,S1,Language Arts,Language Usage,185\n",
	})
	m := mappingOf(t, `
[mapping.tables.assessments]
drop = { Course = "Reading" }
`)
	m.Profiles = []Profile{{Name: "map", Tables: map[string]TableMapping{"assessments": {
		Files:    []string{"**/AssessmentResults.csv"},
		Split:    map[string]string{"TermName": `^(?P<window>\w+) (?P<school_year>\d{4}-\d{4})$`},
		Drop:     map[string]TextList{"Course": {"Language Usage"}},
		Defaults: map[string]string{"assessment_name": "MAP Growth"},
		Columns:  map[string]string{"TestRITScore": "scale_score"},
	}}}}
	got, rejects := loadDir(t, dir, m)
	if len(rejects) != 0 {
		t.Fatalf("rejects %v", rejects)
	}
	as := got["assessments"]
	// The district's drop names Course, as the profile's does: it
	// replaces that filter, so Language Usage is kept and Reading goes.
	if s := column(t, as, "scale_score"); strings.Join(s, ",") != "185" {
		t.Errorf("scores %v; want Language Usage's 185 alone", s)
	}
	if as.stats.RowsFiltered != 1 || as.stats.Why["scale_score"] != "profile map" {
		t.Errorf("filtered %d, scale_score %q; want 1 filtered, the score by profile map", as.stats.RowsFiltered, as.stats.Why["scale_score"])
	}
}

// TestShapeNoFileNamed: reshaping keys that name no file, with no file
// named after the table and no profile to give the files, stop the run
// saying so (the message used to end "matches " and nothing).
func TestShapeNoFileNamed(t *testing.T) {
	dir := shapeDir(t, map[string]string{"assessments.csv": ""})
	m := mappingOf(t, `
[mapping.tables.assessments]
drop = { Course = "Reading" }
`)
	_, err := Discover(dir, Tables(), m, Limits{})
	if !errors.Is(err, ErrMissingTable) || !strings.Contains(err.Error(), "mapping.tables.assessments: its keys name no file (files = [...]), no file is named after the table and no profile in use gives it") {
		t.Errorf("Discover: %v; want ErrMissingTable saying the keys name no file", err)
	}
}

// TestLatestByTime: latest_by orders the dates of one day by their time
// (Star's CompletedDateLocal "5/15/24 8:42"): a retest an hour later is
// the latest, wherever its row is; a date without a time is the day's
// start. It used to compare the dates alone, the file order settling.
func TestLatestByTime(t *testing.T) {
	order := []string{"5/14/24 23:59", "5/15/24", "5/15/24 7:42", "2024-05-15T08:00:00Z", "5/15/24 8:42", "5/15/2024 1:05:00 PM", "5/16/24 0:01"}
	for i := 1; i < len(order); i++ {
		a, b := orderOf(order[i-1]), orderOf(order[i])
		if compareOrder([]orderKey{a}, []orderKey{b}) >= 0 {
			t.Errorf("%q does not come before %q (%v, %v)", order[i-1], order[i], a, b)
		}
	}
}
