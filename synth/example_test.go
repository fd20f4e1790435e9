package synth_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/coachimpact/coachimpact/synth"
)

func ExampleGenerate() {
	dir, err := os.MkdirTemp("", "district")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	truth, err := synth.Generate(context.Background(), dir, synth.Config{Schools: 3, StudentsPerGrade: 24})
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"students.xlsx", "assessments.csv", "coaching.xlsx#coaching_sessions"} {
		f := truth.Files[name]
		fmt.Printf("%s: table %s, %d rows, %d bad\n", name, f.Table, f.RowsRead, f.RowsRejected)
	}
	r := truth.Rejects[0]
	fmt.Printf("%s row %d, column %s: %q (%s)\n", r.File, r.Row, r.Column, r.Value, r.Reason)
	// Output:
	// students.xlsx: table students, 578 rows, 2 bad
	// assessments.csv: table assessments, 2858 rows, 3 bad
	// coaching.xlsx#coaching_sessions: table coaching_sessions, 164 rows, 2 bad
	// assessments.csv row 2857, column test_date: "13/45/2023" (unrecognised date)
}
