package ingest

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// hugeSlots is the table size from which slots come from an anonymous
// mapping advised to use huge pages (a Go slice cannot ask for them).
const hugeSlots = 1 << 18 // 4 MiB

// region is memory mapped for a keySet's slots.
type region struct {
	mem   []byte
	freed atomic.Bool
}

// owned makes r freed when owner becomes garbage, as a backstop for a
// set never released.
func (r *region) owned(owner *keySet) {
	if r != nil {
		runtime.AddCleanup(owner, (*region).free, r)
	}
}

// free unmaps the region once; nil and repeated calls do nothing.
func (r *region) free() {
	if r != nil && r.freed.CompareAndSwap(false, true) {
		syscall.Munmap(r.mem)
	}
}

// allocSlots returns n zeroed slots and, when they are mapped outside the
// Go heap, their region.
func allocSlots(n int) ([]keySlot, *region) {
	if n < hugeSlots {
		return make([]keySlot, n), nil
	}
	mem, err := syscall.Mmap(-1, 0, n*int(unsafe.Sizeof(keySlot{})), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]keySlot, n), nil
	}
	const madvHugepage = 14
	_ = syscall.Madvise(mem, madvHugepage) // a hint: without it the table only runs slower
	return unsafe.Slice((*keySlot)(unsafe.Pointer(&mem[0])), n), &region{mem: mem}
}
