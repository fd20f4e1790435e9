package ingest

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// Keys holds the keys of the rows loaded so far, so that later tables can be
// checked against them. Load tables in the order Tables gives.
type Keys struct {
	ids        map[string]*keySet // table -> hashes of its loaded keys -> row (single-column keys)
	seed       maphash.Seed
	present    map[string]bool   // tables that were given
	cycleYear  map[string]int32  // cycle_id -> school_year (kept by coaching_cycles' rememberCycle)
	cycleCoach map[string]string // cycle_id -> coach_id (likewise)

	// Redact, when set, hashes the columns declared RedactHash (student
	// and teacher IDs) as they are read and empties those declared
	// RedactDrop (teacher names), in every table alike (see Redactor and
	// Column.Redact).
	Redact *Redactor
}

// NewKeys returns an empty registry. present lists the tables that were
// given; references to a table that was not (coaches) are taken as given.
func NewKeys(present []string) *Keys {
	k := &Keys{ids: map[string]*keySet{}, seed: maphash.MakeSeed(), present: map[string]bool{}, cycleYear: map[string]int32{}, cycleCoach: map[string]string{}}
	for _, p := range present {
		k.present[p] = true
		k.ids[p] = &keySet{}
	}
	return k
}

// Release frees the registry's key tables once every table is loaded.
func (k *Keys) Release() {
	for _, s := range k.ids {
		s.release()
	}
}

// hash is the 64-bit hash a single-column key is remembered by: a false
// match needs a collision, about n^2/2^65 (1e-8 at a state's 750k
// students).
func (k *Keys) hash(id string) uint64 { return maphash.String(k.seed, id) }

// keyColumns are the positions of the table's key columns (Table.Key).
func keyColumns(t *Table) []int {
	var idx []int
	for _, k := range t.Key {
		for i, c := range t.Columns {
			if c.Name == k {
				idx = append(idx, i)
			}
		}
	}
	return idx
}

// bindKey finds the positions of the table's key columns (Table.Key) and
// the set their values are checked against, sized for the rows expected.
func (r *Reader) bindKey() {
	r.keyIdx = keyColumns(r.t)
	if len(r.keyIdx) == 1 {
		r.single = r.keys.ids[r.t.Name]
		if r.single == nil {
			r.single = &keySet{}
		}
		if n := r.expectedRows(); n > 0 {
			r.single.reserve(n)
		}
	} else {
		// Sized once: growing a table of millions of keys step by step
		// costs more than the lookups.
		r.seen = newKeySet(r.expectedRows())
	}
}

// checkKey faults a row whose key (Table.Key) an earlier row of the source
// has. A one-column key is looked up only: register stores it if the row
// loads. A composite key is stored as it is checked.
func (r *Reader) checkKey() {
	if r.single != nil {
		k := r.row[r.keyIdx[0]]
		if k.null {
			return
		}
		r.keyHash = r.keys.hash(k.s) // register stores it if the row loads
		if first := r.single.get(r.keyHash); first != 0 {
			r.fault(r.t.Columns[r.keyIdx[0]].Name, k.s, ErrDuplicateKey, "first on "+r.rowName(int(first)))
		}
		return
	}
	// A composite key is remembered by its 64-bit hash: a false duplicate
	// needs a collision, about n^2/2^65 (1e-9 at 200k rows).
	b := r.keyBuf[:0]
	allNull := true
	for _, i := range r.keyIdx {
		c := r.row[i]
		allNull = allNull && c.null
		switch {
		case c.null:
		case r.t.Columns[i].Kind.ArrowType().ID() == arrow.STRING:
			b = append(b, c.s...)
		default:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.n))
		}
		b = append(b, 0)
	}
	r.keyBuf = b
	if allNull {
		return
	}
	h := maphash.Bytes(r.seed, b)
	if first := r.seen.insert(h, int32(r.line)); first != 0 {
		names := make([]string, len(r.keyIdx))
		vals := make([]string, len(r.keyIdx))
		for j, i := range r.keyIdx {
			names[j] = r.t.Columns[i].Name
			vals[j] = r.row[i].s
			if r.t.Columns[i].Kind.ArrowType().ID() != arrow.STRING {
				vals[j] = strconv.FormatFloat(r.row[i].n, 'g', -1, 64)
			}
		}
		r.fault(strings.Join(names, "+"), strings.Join(vals, "|"), ErrDuplicateKey, "first on "+r.rowName(int(first)))
	}
}
