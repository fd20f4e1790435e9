package ingest

import (
	"fmt"
	"strings"
)

// Limits guards against hostile or broken files. The zero value means the
// defaults below. Each limit's message names its key in the configuration
// file's [limits] table.
type Limits struct {
	MaxUnzipBytes int64 // max_unzip_bytes: total uncompressed size of an xlsx; default 4 GiB
	MaxSheetBytes int64 // max_sheet_bytes: uncompressed size of one sheet's XML (or its shared strings); default 2 GiB
	MaxRows       int   // max_rows: data rows per file or sheet; default 50 million
	MaxCellBytes  int   // max_cell_chars: bytes in one cell; default 32,767 (Excel's own limit)
	// MaxFields (max_fields) bounds the fields of one CSV record; default
	// 16,384 (Excel's column limit).
	MaxFields int
	// MaxRecordBytes (max_record_bytes) bounds the bytes of one CSV
	// record, all its lines together; default 16 MiB. The record stops
	// being read once past it.
	MaxRecordBytes int

	// ScaleScore bounds a plausible scale score of any assessment
	// (min_scale_score, max_scale_score); a score outside is rejected
	// (ErrImplausible). The zero value means DefaultScaleScore.
	ScaleScore Bounds
	// ScaleScoreBy overrides ScaleScore for the assessments it names
	// (limits.scale_score."name"), matched ignoring case and surrounding
	// space.
	ScaleScoreBy map[string]Bounds

	// Today, when set, is the run's date: a date after it (with a day's
	// grace for time zones) is rejected as in the future, except in
	// columns that may hold plans (Column.Future).
	Today Date
}

// Bounds is an inclusive range of plausible values.
type Bounds struct{ Min, Max float64 }

// DefaultScaleScore holds every real vendor scale (NWEA RIT 100-350,
// i-Ready 100-800, Star 0-1400, state tests up to about 10,000) and
// rejects absurd values (1e100) that would swamp their cell's z-scores.
var DefaultScaleScore = Bounds{Min: -1e6, Max: 1e6}

// maxPartBytes bounds every workbook part other than sheets and shared
// strings (styles, relationships, media): excelize holds them in memory.
const maxPartBytes = 64 << 20

// sheetMemBytes is the size above which excelize unpacks a sheet (or the
// shared strings) to a temporary file instead of memory.
const sheetMemBytes = 16 << 20

// withDefaults is l with every unset limit at its default.
func (l Limits) withDefaults() Limits {
	if l.MaxUnzipBytes <= 0 {
		l.MaxUnzipBytes = 4 << 30
	}
	if l.MaxSheetBytes <= 0 {
		l.MaxSheetBytes = 2 << 30
	}
	if l.MaxRows <= 0 {
		l.MaxRows = 50_000_000
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = 32767
	}
	if l.MaxFields <= 0 {
		l.MaxFields = 16384
	}
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = 16 << 20
	}
	if l.ScaleScore == (Bounds{}) {
		l.ScaleScore = DefaultScaleScore
	}
	return l
}

// scoreBounds returns the plausible scale scores of an assessment and the
// configuration key they come from.
func (l Limits) scoreBounds(assessment string) (Bounds, string) {
	want := strings.ToLower(strings.TrimSpace(assessment))
	for _, name := range sortedKeys(l.ScaleScoreBy) { // in order: two names may differ only in case
		if b := l.ScaleScoreBy[name]; strings.ToLower(strings.TrimSpace(name)) == want {
			return b, fmt.Sprintf("limits.scale_score.%q: min = %g, max = %g", name, b.Min, b.Max)
		}
	}
	return l.ScaleScore, fmt.Sprintf("limits.min_scale_score = %g, limits.max_scale_score = %g", l.ScaleScore.Min, l.ScaleScore.Max)
}
