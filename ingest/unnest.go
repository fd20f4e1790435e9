package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// unnest is one array of objects, flattened as Ed-Fi names it
// ("scoreResults[0].result", "scoreResults[1].result"), made into one row
// per element with columns "scoreResults.result": JSON lines read as
// the API gives them read as the exploded CSV export does.
type unnest struct {
	name  string
	rests []string      // the elements' fields, in order first met
	at    map[int][]int // element index -> position of each rest (-1: absent)
	index []int         // element indexes in order
}

// findUnnest finds array name's columns in header; ok is false when the
// header has none (a CSV export already exploded).
func findUnnest(name string, header []string) (u unnest, ok bool) {
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `\[(\d+)\]\.(.+)$`)
	u = unnest{name: name, at: map[int][]int{}}
	restPos := map[string]int{}
	type cell struct{ i, rest, col int }
	var cells []cell
	for col, h := range header {
		m := re.FindStringSubmatch(h)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		r, seen := restPos[m[2]]
		if !seen {
			r = len(u.rests)
			restPos[m[2]] = r
			u.rests = append(u.rests, m[2])
		}
		cells = append(cells, cell{i, r, col})
	}
	for _, c := range cells {
		pos := u.at[c.i]
		if pos == nil {
			u.index = append(u.index, c.i)
		}
		for len(pos) < len(u.rests) {
			pos = append(pos, -1)
		}
		pos[c.rest] = c.col
		u.at[c.i] = pos
	}
	return u, len(cells) > 0
}

// rows makes row into one row per element that has a value, each with the
// element's fields in the columns at out (one per rest), or row itself
// (with the fields blank) when no element has one.
func (u unnest) rows(row []string, out []int) [][]string {
	var made [][]string
	for _, i := range u.index {
		pos := u.at[i]
		filled := false
		for _, p := range pos {
			if p >= 0 && p < len(row) && strings.TrimSpace(row[p]) != "" {
				filled = true
			}
		}
		if !filled {
			continue
		}
		r := append([]string(nil), row...)
		for k, p := range pos {
			if p >= 0 && p < len(row) {
				r[out[k]] = row[p]
			} else {
				r[out[k]] = ""
			}
		}
		made = append(made, r)
	}
	if len(made) == 0 {
		return [][]string{row}
	}
	return made
}

// unnestStep makes one row per element of each array Unnest names.
func (s *shaper) unnestStep(f *frame) {
	for _, name := range s.tm.Unnest {
		u, ok := findUnnest(name, f.cols)
		if !ok {
			f.skipped = append(f.skipped, "unnest."+name)
			continue
		}
		out := make([]int, len(u.rests))
		for k, r := range u.rests {
			out[k] = f.makeCol(name+"."+r, fmt.Sprintf("derived: %s.%s of each element of %s", name, r, name))
		}
		for _, cols := range u.at {
			for _, c := range cols {
				if c >= 0 {
					f.used[c] = true
				}
			}
		}
		var rows [][]string
		var orig []origin
		for k, row := range f.rows {
			made := u.rows(row, out)
			for _, r := range made {
				rows, orig = append(rows, r), append(orig, f.orig[k])
			}
			s.added += len(made) - 1
		}
		f.rows, f.orig = rows, orig
	}
}

// unnestRef makes one row per element of each array in a join's
// reference rows, as unnestStep does to a table's.
func unnestRef(rt *refTable, names []string) {
	for _, name := range names {
		u, ok := findUnnest(name, rt.header)
		if !ok {
			continue
		}
		out := make([]int, len(u.rests))
		for k, r := range u.rests {
			h := name + "." + r
			n := normalize(h)
			if _, ok := rt.cols[n]; !ok {
				rt.cols[n] = len(rt.header)
				rt.header = append(rt.header, h)
			}
			out[k] = rt.cols[n]
		}
		var rows [][]string
		for _, row := range rt.rows {
			for len(row) < len(rt.header) {
				row = append(row, "")
			}
			rows = append(rows, u.rows(row, out)...)
		}
		rt.rows = rows
	}
}
