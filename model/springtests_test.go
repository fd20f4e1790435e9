package model

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
)

// TestSpringTests: the main spring test of a subject and year is the one
// most students' spring scores came from (a tie to the first name); a
// test some students took instead is listed after it. MAP's Language
// Usage (2 students) beside Reading (3) is what a district needs to see.
func TestSpringTests(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "m.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.conn.ExecContext(ctx, `CREATE TABLE spring_scores AS SELECT * FROM (VALUES
		(2024, 'S1', 'ELA', 'MAP Reading'), (2024, 'S2', 'ELA', 'MAP Reading'), (2024, 'S3', 'ELA', 'MAP Reading'),
		(2024, 'S4', 'ELA', 'MAP Language Usage'), (2024, 'S5', 'ELA', 'MAP Language Usage'),
		(2024, 'S1', 'Math', 'State'), (2024, 'S2', 'Math', 'MAP Math'))
		AS t(school_year, student_id, subject, assessment_name)`); err != nil {
		t.Fatal(err)
	}
	got, err := d.SpringTests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []SpringTest{
		{2024, "ELA", "MAP Reading", 3, true}, {2024, "ELA", "MAP Language Usage", 2, false},
		{2024, "Math", "MAP Math", 1, true}, {2024, "Math", "State", 1, false}, // a tie: the first name
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SpringTests = %+v\nwant %+v", got, want)
	}
}
