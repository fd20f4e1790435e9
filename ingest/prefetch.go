package ingest

import (
	"errors"
	"io"
	"slices"
	"sync"

	"encoding/csv"
)

// prefetch reads the rows of a source ahead on a goroutine of its own, in
// chunks, so that splitting CSV records (and hashing the file) overlaps
// with converting and checking them.
type prefetch struct {
	src  rowReader
	ch   chan []fetched
	cur  []fetched
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

type fetched struct {
	rec  []string
	line int
	err  error
}

const prefetchChunk = 1024

func newPrefetch(src rowReader) *prefetch {
	p := &prefetch{src: src, ch: make(chan []fetched, 8), stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *prefetch) run() {
	defer close(p.done)
	defer close(p.ch)
	chunk := make([]fetched, 0, prefetchChunk)
	for {
		rec, line, err := p.src.Next()
		// A malformed record is one reject; anything else (io.EOF or an
		// unreadable file) ends the source.
		var pe *csv.ParseError
		last := err != nil && !errors.As(err, &pe)
		chunk = append(chunk, fetched{slices.Clone(rec), line, err}) // the reader reuses rec
		if len(chunk) == prefetchChunk || last {
			select {
			case p.ch <- chunk:
			case <-p.stop:
				return
			}
			if last {
				return
			}
			chunk = make([]fetched, 0, prefetchChunk)
		}
	}
}

func (p *prefetch) Next() ([]string, int, error) {
	for len(p.cur) == 0 {
		c, ok := <-p.ch
		if !ok {
			return nil, 0, io.EOF
		}
		p.cur = c
	}
	f := p.cur[0]
	p.cur = p.cur[1:]
	return f.rec, f.line, f.err
}

// Sum is valid after Next returned io.EOF: the goroutine has stopped.
func (p *prefetch) Sum() string         { return p.src.Sum() }
func (p *prefetch) Date1904() bool      { return p.src.Date1904() }
func (p *prefetch) Encoding() string    { return p.src.Encoding() }
func (p *prefetch) LineEndings() string { return p.src.LineEndings() }

// Close stops the goroutine and closes the source.
func (p *prefetch) Close() error {
	var err error
	p.once.Do(func() {
		close(p.stop)
		<-p.done
		err = p.src.Close()
	})
	return err
}
