package pipeline

import (
	"errors"
	"fmt"
	"testing"

	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/outdir"
)

// TestExitCode: how a run's end is classified, from its error (wrapped as
// Run wraps them) or its manifest.
func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		name string
		man  *Manifest
		err  error
		want int
	}{
		{"published", &Manifest{Status: StatusOK}, nil, ExitOK},
		{"skipped", &Manifest{Status: StatusSkipped}, nil, ExitOK},
		{"degraded", &Manifest{Status: StatusDegraded}, nil, ExitDegraded},
		{"unreadable file", nil, fmt.Errorf("ingest: %w", &ingest.FileError{File: "a.csv", Err: ingest.ErrUnknownID}), ExitStructural},
		{"bad config", nil, fmt.Errorf("%w: %w", ErrConfig, errors.New("min_cell 0")), ExitUsage},
		{"parquet folder", nil, fmt.Errorf("config: parquet: %w", outdir.ErrParquetDir), ExitUsage},
		{"locked", nil, outdir.ErrLocked, ExitFailed},
	} {
		if got := ExitCode(c.man, c.err); got != c.want {
			t.Errorf("%s: ExitCode = %d, want %d", c.name, got, c.want)
		}
	}
}
