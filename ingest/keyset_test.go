package ingest

import (
	"math/rand/v2"
	"testing"
)

// TestKeySet checks the set against a Go map over keys that collide in
// their low bits, grow the table from its smallest size, and include 0.
func TestKeySet(t *testing.T) {
	s := newKeySet(0)
	want := map[uint64]int32{}
	rnd := rand.New(rand.NewPCG(3, 4))
	for row := int32(1); row <= 50_000; row++ {
		var h uint64
		switch row % 4 {
		case 0:
			h = rnd.Uint64()
		case 1:
			h = uint64(rnd.IntN(2000)) << 40 // equal low bits
		case 2:
			h = uint64(rnd.IntN(5000)) // small, repeats, 0 included
		default:
			h = rnd.Uint64() % 97
		}
		if h == 0 {
			h = 1 // the set stores 0 as 1; keep the model the same
		}
		first, ok := want[h]
		if !ok {
			want[h] = row
		}
		if got := s.insert(h, row); got != first {
			t.Fatalf("insert(%d, row %d) = %d; want %d", h, row, got, first)
		}
	}
	if s.n != len(want) {
		t.Errorf("set holds %d keys; want %d", s.n, len(want))
	}
}

func BenchmarkKeySet(b *testing.B) {
	const n = 6_000_000
	keys := make([]uint64, n)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range keys {
		keys[i] = rnd.Uint64()
	}
	b.Run("keySet", func(b *testing.B) {
		for b.Loop() {
			s := newKeySet(n)
			for i, k := range keys {
				s.insert(k, int32(i+1))
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			m := make(map[uint64]int32, n)
			for i, k := range keys {
				if _, ok := m[k]; !ok {
					m[k] = int32(i + 1)
				}
			}
		}
	})
}

// TestKeySetLarge goes through the mapped (huge-page) table and its
// growth, then frees it.
func TestKeySetLarge(t *testing.T) {
	s := newKeySet(200_000)
	for i := range 1_000_000 {
		h := uint64(i)*0x9E3779B97F4A7C15 + 1
		if got := s.insert(h, int32(i+1)); got != 0 {
			t.Fatalf("key %d: first seen on row %d; it is new", i, got)
		}
	}
	if got := s.insert(1, 5); got != 1 {
		t.Errorf("the first key again: row %d; want 1", got)
	}
	if s.n != 1_000_000 || len(s.slots) < 1<<20 {
		t.Errorf("%d keys in %d slots", s.n, len(s.slots))
	}
	s.release()
}
