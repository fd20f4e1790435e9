package ingest

// keySet remembers 64-bit key hashes with the row each was first seen on:
// an open-addressing table with linear probing, one 16-byte slot per key,
// in memory the kernel backs with huge pages where it can (Linux). At
// millions of keys every lookup is a cache miss; with 4 KiB pages it is a
// TLB miss too, and a Go map adds a directory and a control word: the
// key checks of a state's rosters and assessments took a third of ingest
// as maps, a third of that as this table (BenchmarkKeySet).
//
// A set that is written is read by no one else at the same time; once
// written it may be read concurrently. Free it with release (memory it
// holds outside the Go heap is otherwise freed only when the garbage
// collector finds the set unreachable).
type keySet struct {
	slots []keySlot
	reg   *region // the slots' memory when mapped, else nil
	n     int
	mask  uint64
}

type keySlot struct {
	h   uint64 // 0: empty (a key hashing to 0 is stored as 1)
	row int32
}

// newKeySet returns a set sized for n keys without growing.
func newKeySet(n int) *keySet {
	s := &keySet{}
	s.reserve(n)
	return s
}

// reserve sizes an empty set for n keys.
func (s *keySet) reserve(n int) {
	c := 16
	for c*3/4 < n {
		c *= 2
	}
	s.release()
	s.slots, s.reg = allocSlots(c)
	s.reg.owned(s)
	s.mask = uint64(c - 1)
}

// release returns the table's memory; the set is empty after.
func (s *keySet) release() {
	s.reg.free()
	s.slots, s.reg, s.n, s.mask = nil, nil, 0, 0
}

// start is the slot a probe for h begins at: the low bits, with the high
// bits mixed in in case the hash's low bits are weak.
func (s *keySet) start(h uint64) uint64 { return (h ^ h>>32) & s.mask }

// insert adds h seen on row and returns 0, or, when h is there already,
// leaves it and returns the row it was first seen on.
func (s *keySet) insert(h uint64, row int32) (first int32) {
	if h == 0 {
		h = 1
	}
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	for i := s.start(h); ; i = (i + 1) & s.mask {
		switch sl := &s.slots[i]; sl.h {
		case 0:
			sl.h, sl.row = h, row
			s.n++
			return 0
		case h:
			return sl.row
		}
	}
}

// get returns the row h was first seen on, 0 when it was not.
func (s *keySet) get(h uint64) int32 {
	if h == 0 {
		h = 1
	}
	if len(s.slots) == 0 {
		return 0
	}
	for i := s.start(h); ; i = (i + 1) & s.mask {
		switch sl := &s.slots[i]; sl.h {
		case 0:
			return 0
		case h:
			return sl.row
		}
	}
}

func (s *keySet) grow() {
	old, oldReg := s.slots, s.reg
	s.slots, s.reg = allocSlots(max(16, 2*len(old)))
	s.reg.owned(s)
	s.mask = uint64(len(s.slots) - 1)
	s.n = 0
	for _, sl := range old {
		if sl.h != 0 {
			s.insert(sl.h, sl.row)
		}
	}
	oldReg.free()
}
