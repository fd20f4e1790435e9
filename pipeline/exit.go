package pipeline

import (
	"errors"

	"github.com/coachimpact/coachimpact/ingest"
	"github.com/coachimpact/coachimpact/outdir"
)

// Exit codes of the coachimpact command, as ExitCode and
// CheckReport.ExitCode classify a run's end.
const (
	ExitOK         = 0 // published, or skipped: nothing changed
	ExitFailed     = 1 // the run failed
	ExitUsage      = 2 // bad usage or configuration
	ExitStructural = 3 // the inputs are structurally unusable
	ExitDegraded   = 4 // finished, but the result is empty or mostly rejected
)

// Statuses of a run, the values of Manifest.Status.
const (
	StatusOK       = outdir.StatusOK
	StatusFailed   = outdir.StatusFailed
	StatusSkipped  = outdir.StatusSkipped
	StatusDegraded = outdir.StatusDegraded
)

// ErrConfig is wrapped by the error of a run or check whose configuration
// is invalid.
var ErrConfig = errors.New("config")

// ErrParquetDir is wrapped by the error of a run refused its Parquet
// folder (a folder coachimpact does not own).
var ErrParquetDir = outdir.ErrParquetDir

// ExitCode classifies the end of Run: its error, else its manifest's
// status. A file the inputs cannot be read from (an *ingest.FileError) is
// structural; a bad config or Parquet folder is a usage error; any other
// error is a failed run. A run that published returns no error and exits
// 0 whatever came after, unless it is degraded.
func ExitCode(man *Manifest, err error) int {
	var fe *ingest.FileError
	switch {
	case errors.As(err, &fe):
		return ExitStructural
	case errors.Is(err, ErrConfig), errors.Is(err, ErrParquetDir):
		return ExitUsage
	case err != nil:
		return ExitFailed
	case man != nil && man.Status == StatusDegraded:
		return ExitDegraded
	}
	return ExitOK
}

// ExitCode is the exit code a run on the checked inputs would end with.
func (r *CheckReport) ExitCode() int {
	switch {
	case r.Structural():
		return ExitStructural
	case r.Model != nil && len(r.Model.Reasons) > 0:
		return ExitDegraded
	}
	return ExitOK
}
