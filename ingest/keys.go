package ingest

import "hash/maphash"

// Keys holds the keys of the rows loaded so far, so that later tables can be
// checked against them. Load tables in the order Tables gives.
type Keys struct {
	ids        map[string]*keySet // table -> hashes of its loaded keys -> row (single-column keys)
	seed       maphash.Seed
	present    map[string]bool   // tables that were given
	cycleYear  map[string]int32  // cycle_id -> school_year
	cycleCoach map[string]string // cycle_id -> coach_id

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
