package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// got is one record or fault as the splitter returned it.
type got struct {
	Line   int
	Fields []string
	Err    error  // the *csv.ParseError's Err, for errors.Is
	Detail string // its text, when the fault has no sentinel
}

func splitAll(t *testing.T, in string, eol byte) []got {
	t.Helper()
	s := newSplitter(strings.NewReader(in), ',', eol)
	var out []got
	for i := 0; i < 10_000; i++ {
		rec, line, err := s.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			g := got{Line: line, Err: pe.Err}
			if !errors.Is(pe.Err, csv.ErrQuote) && !errors.Is(pe.Err, csv.ErrBareQuote) {
				g.Err, g.Detail = nil, pe.Err.Error()
			}
			out = append(out, g)
		case err != nil:
			t.Fatalf("Read: %v", err)
		default:
			out = append(out, got{Line: line, Fields: append([]string(nil), rec...)})
		}
	}
	t.Fatal("no end")
	return nil
}

func rec(line int, fields ...string) got { return got{Line: line, Fields: fields} }

// TestSplitter: records and faults, each on the line where it starts;
// every physical line ends up in a record or a fault.
func TestSplitter(t *testing.T) {
	// 150 good lines after a quote that never closes: the bound (100
	// lines) ends the field, and every line after the quote is read.
	var long strings.Builder
	long.WriteString("a,b\n1,\"2\n")
	wantLong := []got{rec(1, "a", "b"), {Line: 2, Detail: "unbalanced quote: field opened on line 2 runs to line 102 without closing (a quoted field may span 100 lines)"}}
	for i := 3; i <= 152; i++ {
		fmt.Fprintf(&long, "%d,x\n", i)
		wantLong = append(wantLong, rec(i, fmt.Sprint(i), "x"))
	}
	for _, tt := range []struct {
		Name string
		In   string
		EOL  byte
		Want []got
	}{
		{Name: "Plain", In: "a,b\n1,2\n", Want: []got{rec(1, "a", "b"), rec(2, "1", "2")}},
		{Name: "NoFinalNewline", In: "a,b\n1,2", Want: []got{rec(1, "a", "b"), rec(2, "1", "2")}},
		{Name: "CRLF", In: "a,b\r\n1,2\r\n", Want: []got{rec(1, "a", "b"), rec(2, "1", "2")}},
		{Name: "EmptyLinesSkipped", In: "a,b\n\n\r\n1,2\n", Want: []got{rec(1, "a", "b"), rec(4, "1", "2")}},
		{Name: "TrailingComma", In: "a,\n,\n", Want: []got{rec(1, "a", ""), rec(2, "", "")}},
		{Name: "CROnly", In: "a,b\r1,2\r3,\"x\ry\"\r", EOL: '\r', Want: []got{rec(1, "a", "b"), rec(2, "1", "2"), rec(3, "3", "x\ny")}},
		{Name: "Quoted", In: "\"a,b\",\"say \"\"hi\"\"\",\"\"\n", Want: []got{rec(1, "a,b", `say "hi"`, "")}},
		{Name: "QuotedOverLines", In: "1,\"x\r\n\r\ny\",2\n3,4\n", Want: []got{rec(1, "1", "x\n\ny", "2"), rec(4, "3", "4")}},
		{Name: "BareQuote", In: "1,b\"c\n2,d\n", Want: []got{{Line: 1, Err: csv.ErrBareQuote}, rec(2, "2", "d")}},
		{Name: "TextAfterClosingQuote", In: "1,\"b\"c\n2,d\n", Want: []got{{Line: 1, Err: csv.ErrQuote}, rec(2, "2", "d")}},
		// A quote that opens on line 2 and never closes: rejected on
		// line 2, and lines 3 and 4 load.
		{Name: "UnbalancedToEnd", In: "a,b\n1,\"2\n3,4\n5,6\n", Want: []got{rec(1, "a", "b"),
			{Line: 2, Detail: "unbalanced quote: field opened on line 2 runs to the end of the file (line 4)"}, rec(3, "3", "4"), rec(4, "5", "6")}},
		// The quote of line 1 closes on line 2 but is followed by text:
		// line 1 is rejected and line 2 read again (its own fault).
		{Name: "FaultOnLaterLine", In: "1,\"a\nb\"c,2\n3,4\n", Want: []got{{Line: 1, Err: csv.ErrQuote}, {Line: 2, Err: csv.ErrBareQuote}, rec(3, "3", "4")}},
		{Name: "UnbalancedPastBound", In: long.String(), Want: wantLong},
	} {
		t.Run(tt.Name, func(t *testing.T) {
			eol := tt.EOL
			if eol == 0 {
				eol = '\n'
			}
			if g := splitAll(t, tt.In, eol); !reflect.DeepEqual(g, tt.Want) {
				t.Errorf("got  %+v\nwant %+v", g, tt.Want)
			}
		})
	}
}

// TestSplitterMatchesEncodingCSV: on well-formed input the splitter gives
// encoding/csv's records and start lines.
func TestSplitterMatchesEncodingCSV(t *testing.T) {
	for _, in := range []string{
		"a,b,c\n1,2,3\n",
		"a,\"b\nc\",d\r\n\"\"\"\",x,\n\n\"\",,\n",
		"x\n\"multi\n\nline\",\"q\"\"q\"\ny",
		"one field\n  spaced , cells \n",
		strings.Repeat("long,"+strings.Repeat("z", 70000)+"\n", 3),
	} {
		r := csv.NewReader(strings.NewReader(in))
		r.FieldsPerRecord = -1
		var want []got
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%q: encoding/csv: %v", in, err)
			}
			line, _ := r.FieldPos(0)
			want = append(want, got{Line: line, Fields: rec})
		}
		if g := splitAll(t, in, '\n'); !reflect.DeepEqual(g, want) {
			t.Errorf("%.40q:\ngot  %+v\nwant %+v", in, g, want)
		}
	}
}

// benchCSV is 100k assessment-like lines, one in ten with a quoted field.
func benchCSV() string {
	var b strings.Builder
	for i := range 100_000 {
		if i%10 == 0 {
			fmt.Fprintf(&b, "2024,S%07d,\"State, grade 3\",Math,fall,2023-09-20,%d\n", i, 300+i%200)
		} else {
			fmt.Fprintf(&b, "2024,S%07d,State,Math,fall,2023-09-20,%d\n", i, 300+i%200)
		}
	}
	return b.String()
}

// BenchmarkSplitter and BenchmarkEncodingCSV compare the splitter with
// the encoding/csv reader (ReuseRecord) it replaced.
func BenchmarkSplitter(b *testing.B) {
	in := benchCSV()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		s := newSplitter(strings.NewReader(in), ',', '\n')
		for {
			if _, _, err := s.Read(); err != nil {
				break
			}
		}
	}
}

func BenchmarkEncodingCSV(b *testing.B) {
	in := benchCSV()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		r := csv.NewReader(strings.NewReader(in))
		r.ReuseRecord, r.FieldsPerRecord = true, -1
		for {
			if _, err := r.Read(); err != nil {
				break
			}
		}
	}
}

// TestQuoteAboveHeader: a title line that opens a quote it never closes
// is rejected on its own line, above the header, and the header and rows
// after it are read (encoding/csv ran the quote to the end of the file:
// no header found).
func TestQuoteAboveHeader(t *testing.T) {
	files := map[string]string{}
	for k, v := range minimal {
		files[k] = v
	}
	files["schools.csv"] = "\"District export, 2024\nschool_id,school_name,district_id\n01,A,9\n02,B,9\n"
	got, rejects := loadDir(t, writeDir(t, files), nil)
	st := got["schools"].stats
	if st.HeaderRow != 2 || st.RowsRead != 3 || st.RowsLoaded != 2 || st.RowsRejected != 1 {
		t.Errorf("schools: header row %d, read %d, loaded %d, rejected %d; want 2, 3, 2, 1", st.HeaderRow, st.RowsRead, st.RowsLoaded, st.RowsRejected)
	}
	want := RowError{File: "schools.csv", Table: "schools", Row: 1, Err: ErrMalformedRow,
		Detail: "unbalanced quote: field opened on line 1 runs to the end of the file (line 4); above the header row 2"}
	var found bool
	for _, re := range rejects {
		if re.File == "schools.csv" {
			found = true
			if !errors.Is(re.Err, ErrMalformedRow) || re.Row != want.Row || re.Detail != want.Detail {
				t.Errorf("reject %+v; want %+v", re, want)
			}
		}
	}
	if !found {
		t.Error("no reject for the line above the header")
	}
}
