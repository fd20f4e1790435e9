package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
)

// Redactor replaces student and teacher IDs, as they are read, by a keyed
// hash (HMAC-SHA-256 under a district's secret salt, 20 hex digits), so
// that outputs shared outside the district carry no identifier the
// district's own systems use, while every join and count stays the same.
// The same salt gives the same hashes night after night; without the salt
// the hashes cannot be recomputed from a list of IDs. Teacher names are
// dropped. Safe for concurrent use.
type Redactor struct {
	salt []byte
	mu   sync.Mutex
	memo map[string]string
}

// RedactedColumns are the columns a Redactor hashes, in every table.
var redactedColumns = map[string]bool{"student_id": true, "teacher_id": true}

// droppedColumns are the columns a Redactor leaves empty.
var droppedColumns = map[string]bool{"first_name": true, "last_name": true}

// NewRedactor returns a Redactor keyed by salt.
func NewRedactor(salt []byte) *Redactor {
	return &Redactor{salt: append([]byte(nil), salt...), memo: map[string]string{}}
}

// ID returns the hash that stands for id.
func (r *Redactor) ID(id string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h, ok := r.memo[id]; ok {
		return h
	}
	m := hmac.New(sha256.New, r.salt)
	m.Write([]byte(id))
	h := hex.EncodeToString(m.Sum(nil))[:20]
	r.memo[id] = h
	return h
}

// SaltID names the salt without revealing it: the first 8 hex digits of
// its SHA-256, shown in outputs so that two deliveries can be checked to
// share a salt.
func (r *Redactor) SaltID() string {
	s := sha256.Sum256(r.salt)
	return hex.EncodeToString(s[:4])
}

// SortByID sorts hashes (each one ID returned) in the order of the IDs
// they stand for, as text: rules that break ties by ID (the teacher of
// record) then decide as they would on the district's own IDs. A hash
// this Redactor did not make sorts last.
func (r *Redactor) SortByID(hashes []string) {
	r.mu.Lock()
	raw := make(map[string]string, len(r.memo))
	for id, h := range r.memo {
		raw[h] = id
	}
	r.mu.Unlock()
	slices.SortFunc(hashes, func(a, b string) int {
		ra, oka := raw[a]
		rb, okb := raw[b]
		switch {
		case oka && okb:
			return strings.Compare(ra, rb)
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
}

// mayBeID reports whether a rejected value is shaped like a student or
// teacher ID: one token of letters, digits, '-', '_' or '.', with a digit.
func mayBeID(v string) bool {
	v = strings.TrimSpace(v)
	digit := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isDigit(c):
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return digit
}
