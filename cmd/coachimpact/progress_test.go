package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestBar: log lines written through the bar clear it first and redraw it
// after; Done leaves no bar behind.
func TestBar(t *testing.T) {
	var buf bytes.Buffer
	b := newBar(&buf)
	b.Write([]byte("before any bar\n"))
	b.Update("ingest", "rosters.csv", 2, 8)
	b.Write([]byte("a log line\n"))
	b.Done()
	want := "before any bar\n" +
		"\r\033[Kingest   [======                  ] 2/8 rosters.csv" +
		"\r\033[Ka log line\ningest   [======                  ] 2/8 rosters.csv" +
		"\r\033[K"
	if got := buf.String(); got != want {
		t.Errorf("bar wrote\n%q\nwant\n%q", got, want)
	}
}

// TestNoBarWhenPiped: the CLI's stderr is a pipe in tests, as under a
// scheduler: no carriage returns, one log record per line.
func TestNoBarWhenPiped(t *testing.T) {
	_, stderr, code := cli(t, "demo", "--out", t.TempDir(), "--schools", "4")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "\r") || !strings.Contains(stderr, `msg="stage done" stage=model`) {
		t.Errorf("piped stderr:\n%s", stderr)
	}
}
