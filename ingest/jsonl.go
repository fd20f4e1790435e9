package ingest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
)

// readJSONLines reads a JSON lines file (one object per line, as Ed-Fi's
// API clients save resources) as rows: nested objects and arrays are
// flattened into headers the way Ed-Fi's CSV exports name them
// ("studentReference.studentUniqueId", "races[0].raceDescriptor"). The
// header is every name in the order first met; row numbers are lines.
func readJSONLines(path, rel string, lim Limits) (*rawFile, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{File: rel, Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
	}
	defer f.Close()
	h := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(f, h), 1<<20)
	rf := &rawFile{rel: rel, headerRow: 0}
	pos := map[string]int{}
	var objs []map[string]string
	line := 0
	for {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			line++
			b = bytes.TrimSpace(b)
			if len(b) > lim.MaxRecordBytes {
				return nil, &FileError{File: rel, Err: fmt.Errorf("%w: line %d is longer than %d bytes (limits.max_record_bytes)", ErrLimit, line, lim.MaxRecordBytes)}
			}
			if len(b) > 0 {
				var v any
				if jerr := json.Unmarshal(b, &v); jerr != nil {
					return nil, &FileError{File: rel, Err: fmt.Errorf("%w: line %d is not JSON: %v", ErrUnreadable, line, jerr)}
				}
				obj := map[string]string{}
				flatten("", v, obj)
				for _, k := range sortedKeys(obj) {
					if _, ok := pos[k]; !ok {
						pos[k] = len(pos)
					}
				}
				if len(objs) >= lim.MaxRows {
					return nil, &FileError{File: rel, Err: fmt.Errorf("%w: more than %d data rows (limits.max_rows)", ErrLimit, lim.MaxRows)}
				}
				objs = append(objs, obj)
				rf.lines = append(rf.lines, line)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &FileError{File: rel, Err: fmt.Errorf("%w: %v", ErrUnreadable, err)}
		}
	}
	rf.header = make([]string, len(pos))
	for k, i := range pos {
		rf.header[i] = k
	}
	if len(rf.header) > lim.MaxFields {
		return nil, &FileError{File: rel, Err: fmt.Errorf("%w: %d fields (limits.max_fields)", ErrLimit, len(rf.header))}
	}
	for _, obj := range objs {
		row := make([]string, len(rf.header))
		for k, v := range obj {
			row[pos[k]] = v
		}
		rf.rows = append(rf.rows, row)
	}
	rf.sum = hex.EncodeToString(h.Sum(nil))
	rf.nrows = len(rf.rows)
	return rf, nil
}

// flatten writes the scalar leaves of v into out under dotted names.
func flatten(prefix string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			flatten(name, v[k], out)
		}
	case []any:
		for i, e := range v {
			flatten(prefix+"["+strconv.Itoa(i)+"]", e, out)
		}
	case nil:
		out[prefix] = ""
	case string:
		out[prefix] = v
	case bool:
		out[prefix] = strconv.FormatBool(v)
	case float64:
		out[prefix] = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		out[prefix] = fmt.Sprint(v)
	}
}
