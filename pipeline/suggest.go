package pipeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/coachimpact/coachimpact/ingest"
)

// Suggest writes a starter mapping (the [mapping] section of a config
// file, docs/mapping.md) for what the check could not place: for each
// file not read, the table its header names most columns of, with the
// line giving the file to the table and a line for each column of that
// table its header seems to hold under another name; for each file read
// as a table but missing a required column, a line for each such column
// it can guess. What it cannot guess is a commented line to fill in.
// The result parses as a config file.
func Suggest(rep *CheckReport) string {
	tables := ingest.Tables()
	given := map[string]string{} // table -> the source that feeds it
	for _, f := range rep.Files {
		given[f.Table] = f.Name
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# A starter mapping written by coachimpact check --suggest for %s.\n", rep.Input)
	fmt.Fprintf(&b, "# Check every line against the files; fill in or delete the commented ones.\n")
	n := 0
	placed := placeSkipped(rep.Skipped, tables, given)
	for i, s := range rep.Skipped {
		if s.Head == nil {
			continue
		}
		g := placed[i]
		b.WriteString("\n")
		if g == nil {
			fmt.Fprintf(&b, "# %s: its header names too few columns of a table no file feeds; if it holds one, add [mapping.tables.TABLE] %s\n", s.Name(), fileLine(s.File, s.Sheet))
			continue
		}
		given[g.table.Name] = s.Name()
		fmt.Fprintf(&b, "# %s: header row %d names %s of table %s\n", s.Name(), g.line, count(g.named(), "column"), g.table.Name)
		fmt.Fprintf(&b, "[mapping.tables.%s]\n%s\n", g.table.Name, strings.ReplaceAll(fileLine(s.File, s.Sheet), "; ", "\n"))
		writeColumns(&b, g, true)
		n++
	}
	for _, f := range rep.Files {
		if f.Error == "" || f.Head == nil {
			continue
		}
		t := ingest.TableByName(tables, f.Table)
		g := guessRows(f.Head, t)
		b.WriteString("\n")
		fmt.Fprintf(&b, "# %s: %s\n", f.Name, strings.TrimPrefix(f.Error, f.Name+": "))
		if g == nil || len(g.missing()) == 0 {
			fmt.Fprintf(&b, "# (no column to suggest)\n")
			continue
		}
		writeColumns(&b, g, false)
		n++
	}
	for _, f := range rep.Files {
		for _, g := range f.Rejects {
			if j := nameJoin(f, g); j != "" {
				b.WriteString("\n" + j)
				n++
			}
		}
	}
	var unplaced []string
	for _, t := range rep.Missing {
		if given[t] == "" {
			unplaced = append(unplaced, t)
		}
	}
	if len(unplaced) > 0 {
		fmt.Fprintf(&b, "\n# required tables no file looks like: %s; for each, name the file or sheet that holds it:\n", strings.Join(unplaced, ", "))
		fmt.Fprintf(&b, "# [mapping.tables.%s]\n# %s\n", unplaced[0], fileLine("FILE.csv", ""))
	}
	if n == 0 && len(unplaced) == 0 && strings.Count(b.String(), "\n") == 2 {
		b.WriteString("\n# nothing to suggest: every file was placed\n")
	}
	return b.String()
}

// fileLine is the mapping giving a file, or a sheet of it, to a table:
// its lines joined by "; ".
func fileLine(file, sheet string) string {
	l := fmt.Sprintf("files = [%q]", file)
	if sheet != "" {
		l += fmt.Sprintf("; sheet = %q", sheet)
	}
	return l
}

// writeColumns writes g's column section: a line for each column its
// header seems to hold under a name the table does not know, and a
// commented line for each required column it found no header for. With
// all, guesses for the optional columns are written too; else only for
// the required columns the file lacks.
func writeColumns(b *strings.Builder, g *guess, all bool) {
	var lines []string
	for i, c := range g.table.Columns {
		h := g.header[i]
		switch {
		case h != "" && g.how[i] != "":
			if all || c.Required {
				lines = append(lines, fmt.Sprintf("%q = %q  # %s", h, c.Name, g.how[i]))
			}
		case h == "" && c.Required:
			lines = append(lines, fmt.Sprintf("# \"HEADER\" = %q  # required: no header found for it", c.Name))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "[mapping.tables.%s.columns]\n%s\n", g.table.Name, strings.Join(lines, "\n"))
}

// guess is how one header row maps onto one table: per column, the
// header that seems to hold it ("" for none) and, when ingest would not
// find it there by itself, how it was guessed ("" when it would: the
// header is a spelling the table knows).
type guess struct {
	table  *ingest.Table
	line   int
	header []string
	how    []string
}

// How a header was guessed to hold a column ingest would not find in it.
const (
	byLastPart = "its last part names the column"
	byWords    = "guessed from the header's words"
)

// named counts the columns g found a header for.
func (g *guess) named() int {
	n := 0
	for _, h := range g.header {
		if h != "" {
			n++
		}
	}
	return n
}

// missing lists the required columns g found no known spelling for.
func (g *guess) missing() []string {
	var out []string
	for i, c := range g.table.Columns {
		if c.Required && (g.header[i] == "" || g.how[i] != "") {
			out = append(out, c.Name)
		}
	}
	return out
}

// better reports whether g beats h: more columns named, then more
// required ones.
func (g *guess) better(h *guess) bool {
	if h == nil {
		return true
	}
	if gn, hn := g.named(), h.named(); gn != hn {
		return gn > hn
	}
	return g.required() > h.required()
}

// required counts the required columns g found a header for.
func (g *guess) required() int {
	n := 0
	for i, c := range g.table.Columns {
		if c.Required && g.header[i] != "" {
			n++
		}
	}
	return n
}

// placeSkipped guesses the table of each skipped file (by position in
// skipped; nil for none) among the tables no file feeds (given): of every
// file and table, the pairs whose header names the most columns (then
// the most required ones) are placed first, each file and table once. A
// pair is a guess when its header names two columns or more, one of them
// required.
func placeSkipped(skipped []SkippedCheck, tables []*ingest.Table, given map[string]string) []*guess {
	type pair struct {
		file int
		g    *guess
	}
	var pairs []pair
	for i, s := range skipped {
		if s.Head == nil {
			continue
		}
		for _, t := range tables {
			if given[t.Name] != "" {
				continue
			}
			if g := guessRows(s.Head, t); g != nil && g.named() >= 2 && g.required() >= 1 {
				pairs = append(pairs, pair{i, g})
			}
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int {
		switch {
		case a.g.better(b.g):
			return -1
		case b.g.better(a.g):
			return 1
		}
		return 0
	})
	out := make([]*guess, len(skipped))
	taken := map[string]bool{}
	for _, p := range pairs {
		if out[p.file] == nil && !taken[p.g.table.Name] {
			out[p.file], taken[p.g.table.Name] = p.g, true
		}
	}
	return out
}

// guessRows is the row of h that names most columns of t, mapped.
func guessRows(h *Head, t *ingest.Table) *guess {
	var best *guess
	for i, row := range h.Rows {
		if g := guessRow(row, t); g.better(best) {
			g.line = h.Lines[i]
			best = g
		}
	}
	return best
}

// guessRow maps the cells of one header row onto t's columns: first each
// cell that is a known spelling of a column (its name, an alias or a
// generic spelling), then, for the columns left, the cell sharing the
// most words with the column's name or an alias (ID words such as "id"
// and "number" aside; a cell naming a "name" never fills an ID column).
func guessRow(row []string, t *ingest.Table) *guess {
	g := &guess{table: t, header: make([]string, len(t.Columns)), how: make([]string, len(t.Columns))}
	used := make([]bool, len(row))
	// Specific spellings, then generic ones; the whole header, then the
	// last part of a dotted one ("studentReference.studentUniqueId").
	for pass := 0; pass < 4; pass++ {
		for i, c := range t.Columns {
			if g.header[i] != "" {
				continue
			}
			spell := append([]string{c.Name}, c.Aliases...)
			if pass%2 == 1 {
				spell = c.Generic
			}
			for j, cell := range row {
				part := cell
				if pass >= 2 {
					part = lastPart(cell)
				}
				if !used[j] && part != "" && slices.ContainsFunc(spell, func(s string) bool { return fold(s) == fold(part) }) {
					g.header[i], used[j] = cell, true
					if pass >= 2 {
						g.how[i] = byLastPart
					}
					break
				}
			}
		}
	}
	type cand struct {
		col, cell int
		score     float64
	}
	var cands []cand
	for i, c := range t.Columns {
		if g.header[i] != "" {
			continue
		}
		for j, cell := range row {
			if used[j] || cell == "" {
				continue
			}
			if s := wordScore(cell, c); s > 0 {
				cands = append(cands, cand{i, j, s})
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(b.score, a.score) })
	for _, c := range cands {
		if g.header[c.col] != "" || used[c.cell] {
			continue
		}
		g.header[c.col], g.how[c.col], used[c.cell] = row[c.cell], byWords, true
	}
	return g
}

// lastPart is the part of a dotted header after its last dot
// ("studentReference.studentUniqueId" -> "studentUniqueId"), "" when
// it has no dot.
func lastPart(h string) string {
	i := strings.LastIndexByte(h, '.')
	if i < 0 {
		return ""
	}
	return h[i+1:]
}

// idWords are the words that say a header holds an identifier; they
// are left out when headers and column names are compared by words.
var idWords = []string{"id", "ids", "number", "num", "no", "nbr", "code", "identifier", "key"}

// wordScore is how well a header's words match column c's name or one of
// its aliases of several words: the Dice overlap of the two word sets (ID words aside),
// 0 unless above one half (one word shared of two each is too little:
// "sessionName" is no first_name), and 0 when the header names a name
// and c is an ID.
func wordScore(header string, c ingest.Column) float64 {
	hw := words(header)
	if p := lastPart(header); p != "" {
		hw = words(p) // the dotted prefix names the record, not the value
	}
	if strings.HasSuffix(c.Name, "_id") && slices.Contains(hw, "name") {
		return 0
	}
	hw = slices.Compact(slices.Sorted(slices.Values(slices.DeleteFunc(hw, func(w string) bool { return slices.Contains(idWords, w) }))))
	best := 0.0
	for _, s := range append([]string{c.Name}, c.Aliases...) {
		if s != c.Name && len(words(s)) < 2 {
			continue // a one-word alias ("name") says too little shared with other words
		}
		sw := slices.Compact(slices.Sorted(slices.Values(slices.DeleteFunc(words(s), func(w string) bool { return slices.Contains(idWords, w) }))))
		shared := 0
		for _, w := range sw {
			if slices.Contains(hw, w) {
				shared++
			}
		}
		if shared == 0 {
			continue
		}
		best = max(best, 2*float64(shared)/float64(len(hw)+len(sw)))
	}
	if best <= 0.5 {
		return 0
	}
	return best
}

// words splits s into lower-case words at spaces, punctuation and
// lower-to-upper case changes: "StudentUniqueId" -> student unique id.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prev := ' '
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}

// fold is s as ingest compares headers: lower case, letters and digits
// only.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NamesNotIDs reports whether the group is unknown IDs whose every
// example is words of letters ("Brian Cox", "Cox, Brian") or an e-mail
// address: names where IDs were expected.
func (g RejectGroup) NamesNotIDs() bool {
	if !g.Is(ingest.ErrUnknownID) {
		return false
	}
	for _, e := range g.Examples {
		if strings.Contains(e.Value, "@") {
			continue
		}
		f := strings.FieldsFunc(e.Value, func(r rune) bool { return r == ' ' || r == ',' })
		if len(f) < 2 {
			return false
		}
		for _, w := range f {
			for _, r := range w {
				if !unicode.IsLetter(r) && r != '.' && r != '-' && r != '\'' {
					return false
				}
			}
		}
	}
	return len(g.Examples) > 0
}

// nameColumns are, per table, the columns a name (or an e-mail) of one of
// its rows is looked up in.
var nameColumns = map[string][]string{
	"teachers": {"first_name+last_name", "email"},
	"coaches":  {"coach_name", "email"},
	"schools":  {"school_name"},
}

// nameJoin is the mapping that looks up each name of a column of IDs that
// holds names (rosters' teacher_id = "Brian Cox") in the table the column
// refers to, or "".
func nameJoin(f FileCheck, g RejectGroup) string {
	t := ingest.TableByName(ingest.Tables(), f.Table)
	if t == nil || !g.NamesNotIDs() {
		return ""
	}
	c, ok := t.Column(g.Column)
	if !ok || nameColumns[c.Ref] == nil {
		return ""
	}
	header := f.Stats.Columns[g.Column]
	if header == "" || strings.HasPrefix(header, "derived: ") || strings.HasPrefix(header, "=") {
		return ""
	}
	alts := make([]string, len(nameColumns[c.Ref]))
	for i, a := range nameColumns[c.Ref] {
		alts[i] = fmt.Sprintf("%q", a)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s holds names (%q), not IDs: look each up in %s by name\n", f.Name, header, g.Examples[0].Value, c.Ref)
	fmt.Fprintf(&b, "[[mapping.tables.%s.join]]\n", t.Name)
	fmt.Fprintf(&b, "table = %q\n", c.Ref)
	fmt.Fprintf(&b, "on = { %q = [%s] }\n", header, strings.Join(alts, ", "))
	fmt.Fprintf(&b, "match = \"name\"\n")
	fmt.Fprintf(&b, "take = { %s = %q }\n", g.Column, g.Column)
	return b.String()
}
