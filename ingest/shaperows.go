package ingest

import "io"

// shapedRows serves a reshaped table to the Reader as a source's rows:
// the header (the table's column names), then the rows. Row numbers are
// positions (the header is 1); origin turns one into the file and row it
// came from.
type shapedRows struct {
	sh  *shaped
	sum string
	k   int
}

func (r *shapedRows) Next() ([]string, int, error) {
	if r.k == 0 {
		r.k++
		return r.sh.header, 1, nil
	}
	if r.k > len(r.sh.rows) {
		return nil, 0, io.EOF
	}
	r.k++
	return r.sh.rows[r.k-2], r.k, nil
}

func (r *shapedRows) Close() error        { return nil }
func (r *shapedRows) Sum() string         { return r.sum }
func (r *shapedRows) Date1904() bool      { return false }
func (r *shapedRows) Encoding() string    { return "" }
func (r *shapedRows) LineEndings() string { return "" }

// origin is where row number line of the served rows came from.
func (r *shapedRows) origin(line int) origin {
	if line < 2 || line-2 >= len(r.sh.orig) {
		return origin{}
	}
	return r.sh.orig[line-2]
}
