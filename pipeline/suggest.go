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
	for _, s := range rep.Skipped {
		if s.Head == nil {
			continue
		}
		name := s.File
		if s.Sheet != "" {
			name = s.Sheet
		}
		g := bestGuess(s.Head, tables, given)
		b.WriteString("\n")
		if g == nil {
			fmt.Fprintf(&b, "# %s: its header names no table's columns; if it holds one, add [mapping.tables.TABLE] file = %q\n", s.Name(), name)
			continue
		}
		given[g.table.Name] = s.Name()
		fmt.Fprintf(&b, "# %s: header row %d names %s of table %s\n", s.Name(), g.line, count(g.named(), "column"), g.table.Name)
		fmt.Fprintf(&b, "[mapping.tables.%s]\n%s\n", g.table.Name, fileLine(name))
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
		fmt.Fprintf(&b, "# %s: %s\n", f.Name, f.Error)
		if g == nil || len(g.missing()) == 0 {
			fmt.Fprintf(&b, "# (no column to suggest)\n")
			continue
		}
		writeColumns(&b, g, false)
		n++
	}
	for _, t := range rep.Missing {
		if given[t] == "" {
			fmt.Fprintf(&b, "\n# required table %s: no file looks like it; name the file or sheet that holds it:\n# [mapping.tables.%s]\n# %s\n", t, t, fileLine("FILE.csv"))
		}
	}
	if n == 0 && len(rep.Missing) == 0 {
		b.WriteString("\n# nothing to suggest: every file was placed\n")
	}
	return b.String()
}

// fileLine is the mapping line giving a file or sheet to a table.
func fileLine(name string) string { return fmt.Sprintf("file = %q", name) }

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
		case h != "" && g.byWord[i]:
			if all || c.Required {
				lines = append(lines, fmt.Sprintf("%q = %q  # guessed from the header's words", h, c.Name))
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
// header that seems to hold it ("" for none) and whether it was matched
// by its words (a name the table does not know) rather than as a known
// spelling.
type guess struct {
	table  *ingest.Table
	line   int
	header []string
	byWord []bool
}

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
		if c.Required && (g.header[i] == "" || g.byWord[i]) {
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

// bestGuess is the table (among those no file feeds yet) and header row
// of h naming the most columns; nil when none names two.
func bestGuess(h *Head, tables []*ingest.Table, given map[string]string) *guess {
	var best *guess
	for _, t := range tables {
		if given[t.Name] != "" {
			continue
		}
		if g := guessRows(h, t); g != nil && g.better(best) {
			best = g
		}
	}
	if best == nil || best.named() < 2 {
		return nil
	}
	return best
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
	g := &guess{table: t, header: make([]string, len(t.Columns)), byWord: make([]bool, len(t.Columns))}
	used := make([]bool, len(row))
	for pass := 0; pass < 2; pass++ { // specific spellings, then generic ones
		for i, c := range t.Columns {
			if g.header[i] != "" {
				continue
			}
			spell := append([]string{c.Name}, c.Aliases...)
			if pass == 1 {
				spell = c.Generic
			}
			for j, cell := range row {
				if !used[j] && cell != "" && slices.ContainsFunc(spell, func(s string) bool { return fold(s) == fold(cell) }) {
					g.header[i], used[j] = cell, true
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
		g.header[c.col], g.byWord[c.col], used[c.cell] = row[c.cell], true, true
	}
	return g
}

// idWords are the words that say a header holds an identifier; they
// are left out when headers and column names are compared by words.
var idWords = []string{"id", "ids", "number", "num", "no", "nbr", "code", "identifier", "key"}

// wordScore is how well a header's words match column c's name or one of
// its aliases: the Dice overlap of the two word sets (ID words aside),
// 0 below one half or when the header names a name and c is an ID.
func wordScore(header string, c ingest.Column) float64 {
	hw := words(header)
	if strings.HasSuffix(c.Name, "_id") && slices.Contains(hw, "name") {
		return 0
	}
	hw = slices.DeleteFunc(hw, func(w string) bool { return slices.Contains(idWords, w) })
	best := 0.0
	for _, s := range append([]string{c.Name}, c.Aliases...) {
		sw := slices.DeleteFunc(words(s), func(w string) bool { return slices.Contains(idWords, w) })
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
	if best < 0.5 {
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

// count writes n and the noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
