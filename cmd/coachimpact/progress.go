package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"
)

// isTerminal reports whether w is a character device (a terminal), where
// a progress bar helps; a file, pipe or the scheduler's log gets none.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// bar draws one progress line on a terminal and keeps log lines written
// through it from mixing with the bar: each log line clears the bar,
// is written, and the bar is drawn again below it.
type bar struct {
	mu    sync.Mutex
	w     io.Writer
	width int    // of the whole line
	line  string // the bar as last drawn ("" before the first update)
}

func newBar(w io.Writer) *bar { return &bar{w: w, width: 78} }

// Update redraws the bar: stage, a bar of done/total, the item.
func (b *bar) Update(stage, item string, done, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	const cells = 24
	filled := 0
	if total > 0 {
		filled = min(cells, done*cells/total)
	}
	line := fmt.Sprintf("%-8s [%s%s] %d/%d %s", stage, strings.Repeat("=", filled), strings.Repeat(" ", cells-filled), done, total, item)
	if utf8.RuneCountInString(line) > b.width {
		line = string([]rune(line)[:b.width])
	}
	b.line = line
	fmt.Fprintf(b.w, "\r\033[K%s", line)
}

// Write writes a log line above the bar.
func (b *bar) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.line != "" {
		fmt.Fprint(b.w, "\r\033[K")
	}
	n, err := b.w.Write(p)
	if b.line != "" {
		fmt.Fprint(b.w, b.line)
	}
	return n, err
}

// Done clears the bar.
func (b *bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.line != "" {
		fmt.Fprint(b.w, "\r\033[K")
		b.line = ""
	}
}
