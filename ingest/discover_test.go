package ingest

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// scanned renders what Scan found: "table<-file" per source, then
// "skip file: reason" per skipped file, in order.
func scanned(d Discovery) string {
	var b strings.Builder
	for _, s := range d.Sources {
		fmt.Fprintf(&b, "%s<-%s\n", s.Table.Name, s.Name())
	}
	for _, s := range d.Skipped {
		fmt.Fprintf(&b, "skip %s: %s\n", s.Name(), s.Reason)
	}
	return b.String()
}

// TestScanSkipsUnknownFiles pins issue 13's item 4: a file beside the
// exports that names no table (README.txt, NOTES.md, ProgramAssignments.csv)
// is listed as skipped with the reason, not a structural stop; a .text
// export named after a table (PowerSchool's student.export.text, tab
// separated) is read.
func TestScanSkipsUnknownFiles(t *testing.T) {
	files := map[string]string{}
	for k, v := range minimal {
		files[k] = v
	}
	delete(files, "students.csv")
	files["student.export.text"] = "student_id\tschool_id\tgrade_level\nS1\t01\t3\n"
	files["README.txt"] = "These are the district's exports for 2024.\nAsk Pat about the rosters.\n"
	files["NOTES.md"] = "# Notes\n"
	files["ProgramAssignments.csv"] = "student_id,program\nS1,Title I\n"
	dir := writeDir(t, files)
	d, err := Scan(dir, Tables(), nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := `schools<-schools.csv
teachers<-teachers.csv
students<-student.export.text
rosters<-rosters.csv
assessments<-assessments.csv
coaching_cycles<-coaching_cycles.csv
coaching_sessions<-coaching_sessions.csv
skip NOTES.md: not a CSV, text or xlsx file
skip ProgramAssignments.csv: not a known table; map it with [mapping.tables.X] file = "ProgramAssignments.csv" to read it
skip README.txt: not a known table (neither its name nor its header names one); map it with [mapping.tables.X] file = "README.txt" to read it
`
	if got := scanned(d); got != want {
		t.Errorf("Scan:\n%s\nwant:\n%s", got, want)
	}
	if err := openAll(dir); err != nil {
		t.Errorf("reading the folder: %v", err)
	}
}

// TestScanTextByHeader pins that a .txt export whose name names no table
// is read as the table its header names, and one whose header names none
// is skipped saying so.
func TestScanTextByHeader(t *testing.T) {
	files := map[string]string{}
	for k, v := range minimal {
		files[k] = v
	}
	files["walk_2024.txt"] = "observation_id\tteacher_id\tobservation_date\tlook_for\trating\nO1\tT1\t2023-09-01\tQuestioning\t2\n"
	files["ids.txt"] = "id\tvalue\n1\t2\n"
	d, err := Scan(writeDir(t, files), Tables(), nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := scanned(d)
	for _, want := range []string{"observations<-walk_2024.txt\n", `skip ids.txt: not a known table (neither its name nor its header names one); map it with [mapping.tables.X] file = "ids.txt" to read it` + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("Scan:\n%s\nwant it to contain %q", got, want)
		}
	}
}

// TestScanMissingTableStillStops pins that a required table still missing
// is a stop, whose message lists the skipped files (one may be it).
func TestScanMissingTableStillStops(t *testing.T) {
	files := map[string]string{}
	for k, v := range minimal {
		files[k] = v
	}
	delete(files, "rosters.csv")
	files["roster export.csv"] = minimal["rosters.csv"]
	_, err := Scan(writeDir(t, files), Tables(), nil, Limits{})
	if !errors.Is(err, ErrMissingTable) || !strings.Contains(err.Error(), `skipped: "roster export.csv"`) {
		t.Errorf("Scan() = %v; want ErrMissingTable naming the skipped file", err)
	}
}

// TestScanSkipsUnknownSheets pins that a sheet of a workbook not named
// after a table (a Notes sheet) is skipped with the reason, not a stop,
// while its table sheets are read.
func TestScanSkipsUnknownSheets(t *testing.T) {
	dir := writeDir(t, minimal)
	f := excelize.NewFile()
	writeSheet(t, f, "observations", [][]any{{"observation_id", "teacher_id", "observation_date", "look_for", "rating"}, {"O1", "T1", "2023-09-01", "Questioning", 2}})
	writeSheet(t, f, "Notes", [][]any{{"Pulled by Pat"}})
	saveBook(t, f, filepath.Join(dir, "extra.xlsx"))
	d, err := Scan(dir, Tables(), nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := scanned(d)
	for _, want := range []string{"observations<-extra.xlsx[observations]\n", `skip extra.xlsx[Notes]: not a known table; map it with [mapping.tables.X] file = "Notes" to read it` + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("Scan:\n%s\nwant it to contain %q", got, want)
		}
	}
}
