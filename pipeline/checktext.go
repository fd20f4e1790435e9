package pipeline

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/model"
)

// WriteText writes the report as text for a coordinator: each file, the
// files not read, the tables missing, then what the model can estimate,
// and what a run would end with (ExitCode).
func (rep *CheckReport) WriteText(w io.Writer) {
	code := rep.ExitCode()
	fmt.Fprintf(w, "coachimpact check %s: a dry run; nothing is written\n", rep.Input)
	order := map[string][]string{} // table -> its columns in order
	for _, t := range ingest.Tables() {
		for _, c := range t.Columns {
			order[t.Name] = append(order[t.Name], c.Name)
		}
	}
	for _, f := range rep.Files {
		printFile(w, f, order[f.Table])
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(w, "\n== not read (%s)\n", count(len(rep.Skipped), "file"))
		for _, s := range rep.Skipped {
			fmt.Fprintf(w, "%s: %s\n", s.Name(), s.Reason)
			if s.Head != nil {
				if row, line := s.Head.Widest(); row != nil {
					fmt.Fprintf(w, "  header, probably row %d: %s\n", line, quoteList(row))
				}
			}
		}
	}
	switch len(rep.Missing) {
	case 0:
	case 1:
		fmt.Fprintf(w, "\nmissing: required table %s: no file holds it (a run stops here; name its files with [mapping.tables.%s] files = [\"...\"])\n", rep.Missing[0], rep.Missing[0])
	default:
		fmt.Fprintf(w, "\nmissing: required tables %s: no file holds them (a run stops here; name each one's files with [mapping.tables.TABLE] files = [\"...\"])\n", strings.Join(rep.Missing, ", "))
	}
	if rep.Model != nil && len(rep.Files) > 0 {
		printModel(w, rep.Model, rep.Structural())
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	switch code {
	case ExitStructural:
		fmt.Fprintf(w, "\nverdict: a run would stop: the inputs are structurally unusable (exit %d)\n", code)
	case ExitDegraded:
		fmt.Fprintf(w, "\nverdict: a run would be degraded and not published (exit %d)\n", code)
	default:
		fmt.Fprintf(w, "\nverdict: a run would succeed (exit %d)\n", code)
	}
}

// printFile writes one file's part of the report: its table, header,
// columns with where each came from and why, the columns not used, the
// row counts and the rejects by reason.
func printFile(w io.Writer, f FileCheck, columns []string) {
	fmt.Fprintf(w, "\n== %s: table %s\n", f.Name, f.Table)
	if f.Error != "" {
		fmt.Fprintf(w, "  cannot be read (a run stops here): %s\n", f.Error)
		if f.Head != nil {
			if row, line := f.Head.Widest(); row != nil {
				fmt.Fprintf(w, "  header, probably row %d: %s\n", line, quoteList(row))
			}
		}
		return
	}
	st := f.Stats
	if len(st.Inputs) == 0 {
		fmt.Fprintf(w, "  header: row %d\n", st.HeaderRow)
	}
	printInputs(w, st.Inputs)
	fmt.Fprintf(w, "  columns:\n")
	var absent []string
	for _, c := range columns {
		src, ok := st.Columns[c]
		if !ok {
			absent = append(absent, c)
			continue
		}
		why := st.Why[c]
		if strings.HasPrefix(src, "derived:") {
			fmt.Fprintf(w, "    %-26s (%s)\n", c, src)
			continue
		}
		if v, isDefault := strings.CutPrefix(src, "="); isDefault {
			fmt.Fprintf(w, "    %-26s = %q (%s)\n", c, v, why)
			continue
		}
		fmt.Fprintf(w, "    %-26s <- %q (%s)\n", c, src, why)
	}
	if len(absent) > 0 {
		fmt.Fprintf(w, "  not in the file: %s\n", strings.Join(absent, ", "))
	}
	if len(st.IgnoredColumns) > 0 {
		fmt.Fprintf(w, "  not used: %s\n", quoteSome(st.IgnoredColumns, maxListed))
	}
	if len(st.HiddenSheets) > 0 {
		fmt.Fprintf(w, "  hidden sheets, not read: %s\n", quoteList(st.HiddenSheets))
	}
	if st.Encoding != "" {
		fmt.Fprintf(w, "  decoded from %s (not UTF-8)\n", st.Encoding)
	}
	fmt.Fprintf(w, "  rows: %s read, %s would load, %s rejected\n", num(st.RowsRead), num(st.RowsLoaded), num(st.RowsRejected))
	printReshaped(w, st)
	for _, g := range f.Rejects {
		what := g.Reason
		if g.Column != "" {
			what = "column " + g.Column + ": " + what
		}
		fmt.Fprintf(w, "  rejected: %s: %s%s\n", what, count(g.Rows, "row"), rejectHint(g, f.Table))
		for _, e := range g.Examples {
			fmt.Fprintf(w, "    %s row %d", e.File, e.Row)
			if e.Column != "" {
				fmt.Fprintf(w, ", column %s", e.Column)
			}
			fmt.Fprintf(w, ": %q", e.Value)
			if e.Detail != "" {
				fmt.Fprintf(w, " (%s)", e.Detail)
			}
			fmt.Fprintln(w)
		}
	}
}

// printInputs lists the files a reshaped table is read from: each with
// its header row, data rows, headers not used and the steps that did not
// apply to it.
func printInputs(w io.Writer, inputs []ingest.InputFile) {
	if len(inputs) == 0 {
		return
	}
	fmt.Fprintf(w, "  read from %s:\n", count(len(inputs), "file"))
	for _, in := range inputs {
		name := in.Path
		if in.Sheet != "" {
			name += "[" + in.Sheet + "]"
		}
		fmt.Fprintf(w, "    %s: header row %d, %s", name, in.HeaderRow, count(in.Rows, "data row"))
		if len(in.IgnoredColumns) > 0 {
			fmt.Fprintf(w, "; not used: %s", quoteSome(in.IgnoredColumns, maxListed))
		}
		if len(in.Skipped) > 0 {
			fmt.Fprintf(w, "; steps that did not apply: %s", strings.Join(in.Skipped, ", "))
		}
		fmt.Fprintln(w)
	}
}

// printReshaped says what a reshaped table's steps did to its rows: the
// rows its filters dropped, by reason, those superseded by a later one
// (latest_by), and those its expansions and joins added.
func printReshaped(w io.Writer, st ingest.Stats) {
	if st.RowsFiltered > 0 {
		var by []string
		for _, reason := range slices.Sorted(maps.Keys(st.Filtered)) {
			by = append(by, fmt.Sprintf("%s: %s", reason, num(st.Filtered[reason])))
		}
		fmt.Fprintf(w, "  filtered out (not read): %s (%s)\n", count(st.RowsFiltered, "row"), strings.Join(by, "; "))
	}
	if st.RowsSuperseded > 0 {
		fmt.Fprintf(w, "  superseded by a later row (latest_by), not read: %s\n", count(st.RowsSuperseded, "row"))
	}
	if st.RowsAdded > 0 {
		fmt.Fprintf(w, "  added by expansions and joins: %s\n", count(st.RowsAdded, "row"))
	}
}

// rejectHint says in words what an unknown ID means: the value names no
// row of the table the column refers to.
func rejectHint(g RejectGroup, table string) string {
	if !g.Is(ingest.ErrUnknownID) || g.Column == "" {
		return ""
	}
	for _, t := range ingest.Tables() {
		if t.Name != table {
			continue
		}
		if c, ok := t.Column(g.Column); ok && c.Ref != "" {
			hint := fmt.Sprintf(" (the %s is unknown: the value is no %s of the %s table", strings.TrimSuffix(c.Ref, "s"), g.Column, c.Ref)
			if g.NamesNotIDs() {
				hint += fmt.Sprintf("; the values look like names: does the file have a column of IDs to map to %s? --suggest writes the join that looks each name up", g.Column)
			}
			return hint + ")"
		}
	}
	return ""
}

// printModel writes what the model built in memory can estimate: growth
// rows with and without a teacher of record and why, the coached
// teachers, the spring tests, the estimates, and the degraded reasons.
func printModel(w io.Writer, m *ModelCheck, partial bool) {
	c := m.Coverage
	fmt.Fprintf(w, "\n== what the model can estimate (built in memory, as a run would)\n")
	if partial {
		fmt.Fprintf(w, "(from the files that can be read, the others' tables empty: a run would stop before this)\n")
	}
	fmt.Fprintf(w, "growth rows (a spring score with a fall or prior-year score): %s of %s spring scores\n", num(c.GrowthRows), num(c.SpringRows))
	if c.GrowthRows > 0 {
		fmt.Fprintf(w, "  with a teacher of record: %s of %s", num(c.WithTeacher), num(c.GrowthRows))
		var subj []string
		for _, s := range c.Subjects {
			subj = append(subj, fmt.Sprintf("%s %s of %s", s.Subject, num(s.WithTeacher), num(s.GrowthRows)))
		}
		fmt.Fprintf(w, " (%s)\n", strings.Join(subj, ", "))
	}
	if none := c.GrowthRows - c.WithTeacher; none > 0 {
		why := c.Unmatched.Reasons()
		if c.Rosters == 0 {
			why = []string{"the rosters table is empty"}
		}
		if len(why) == 0 {
			why = []string{"those students have no roster row in the same subject and school year"}
		}
		fmt.Fprintf(w, "  no teacher of record for %s of %s growth rows: %s\n", num(none), num(c.GrowthRows), strings.Join(why, "; "))
	} else if why := c.Unmatched.Reasons(); len(why) > 0 {
		fmt.Fprintf(w, "  unmatched: %s\n", strings.Join(why, "; "))
	}
	fmt.Fprintf(w, "coached teachers: %s in coaching cycles, %s with session minutes; %s of them teacher of record of growth rows (of %s teachers of record); %s growth rows with a coached teacher\n",
		num(c.CycleTeachers), num(c.Coached), num(c.CoachedOfRecord), num(c.OfRecord), num(c.CoachedRows))
	if len(m.SpringTests) > 0 {
		fmt.Fprintf(w, "spring tests:\n")
		for _, t := range m.SpringTests {
			role := "main"
			if !t.Main {
				role = "instead of the main test"
			}
			fmt.Fprintf(w, "  %d %s: %q (%s, %s)\n", t.SchoolYear, t.Subject, t.Assessment, role, count(int(t.Students), "student"))
		}
	}
	printEstimates(w, m.Estimates)
	if len(m.Reasons) > 0 {
		fmt.Fprintf(w, "degraded (%s):\n", count(len(m.Reasons), "reason"))
		for _, r := range m.Reasons {
			fmt.Fprintf(w, "  %s: %s\n", r.Code, r.Text)
		}
	}
}

// printEstimates lists the pooled estimates (all years, no subgroup) one
// by one, and counts the others by what became of them.
func printEstimates(w io.Writer, ests []model.Estimate) {
	fmt.Fprintf(w, "estimates (all years pooled):\n")
	var made, suppressed, notMade int
	for _, e := range ests {
		pooled := e.SchoolYear == nil && e.Subgroup == ""
		switch {
		case pooled:
			fmt.Fprintf(w, "  %s %s: %s\n", e.Analysis, e.Subject, estimateText(e))
		case e.Estimate != nil:
			made++
		case e.Suppressed:
			suppressed++
		default:
			notMade++
		}
	}
	if made+suppressed+notMade > 0 {
		fmt.Fprintf(w, "  by school year and subgroup: %d estimated, %d suppressed, %d not estimated\n", made, suppressed, notMade)
	}
}

// estimateText is an estimate as a number with its interval, or why there
// is none.
func estimateText(e model.Estimate) string {
	switch {
	case e.Estimate != nil:
		s := fmt.Sprintf("%.3f %s", *e.Estimate, e.Unit)
		if e.CILow != nil && e.CIHigh != nil {
			s += fmt.Sprintf(" (95%% CI %.3f to %.3f)", *e.CILow, *e.CIHigh)
		}
		if e.NStudents > 0 {
			s += fmt.Sprintf(", %s, %s", count(e.NStudents, "student"), count(e.NTeachers, "teacher"))
		}
		return s
	case e.Suppressed:
		return "suppressed: " + strings.TrimPrefix(e.Note, "suppressed ")
	}
	return "not estimated: " + strings.TrimPrefix(e.Note, "not estimated: ")
}

// maxListed is how many headers a list of headers not used shows.
const maxListed = 10

// quoteSome is quoteList of the first n of ss, saying how many more
// there are.
func quoteSome(ss []string, n int) string {
	if len(ss) <= n {
		return quoteList(ss)
	}
	return fmt.Sprintf("%s and %d more", quoteList(ss[:n]), len(ss)-n)
}

// quoteList quotes each string and joins them with commas.
func quoteList(ss []string) string {
	q := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			q = append(q, strconv.Quote(s))
		}
	}
	return strings.Join(q, ", ")
}

// num writes n with thousands separators: 1,170.
func num(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + num(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// count writes n and the noun, plural unless n is 1: "1 row", "2 rows".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return num(n) + " " + noun + "s"
}
