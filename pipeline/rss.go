package pipeline

import (
	"bytes"
	"os"
	"strconv"
)

// peakRSS reads the process's peak resident set size (VmHWM) from
// /proc/self/status, in bytes; 0 where there is none (not Linux).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := bytes.Fields(v) // "123456 kB"
			if len(f) == 2 {
				kb, err := strconv.ParseInt(string(f[0]), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// resetPeakRSS starts the peak over from the current RSS (Linux's
// clear_refs "5"), so each stage reports its own peak. Errors are
// ignored: the peaks then accumulate.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
