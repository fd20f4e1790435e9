//go:build !linux

package ingest

// region is memory mapped for a keySet's slots; only Linux maps any.
type region struct{}

func (r *region) free()               {}
func (r *region) owned(owner *keySet) {}

// allocSlots returns n zeroed slots; the garbage collector frees them.
func allocSlots(n int) ([]keySlot, *region) { return make([]keySlot, n), nil }
