package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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

// redactRejected is what the rejects keep, under red, of the value val
// of t's column col ("" for a stray cell, "a+b" for a composite key) that
// failed with err.
func redactRejected(red *Redactor, t *Table, col, val string, err error) string {
	c, _ := t.Column(col)
	switch {
	case col == "" || c.Redact == RedactDrop:
		return "" // a stray cell or a name: nothing of it is kept
	case c.Redact == RedactHash:
		if !errors.Is(err, ErrUnknownID) && !errors.Is(err, ErrDuplicateKey) {
			return red.ID(val) // those two already show the parsed, hashed value
		}
	case mayBeID(val) && !errors.Is(err, ErrOutsideYear) && !errors.Is(err, ErrDateOrder):
		// A shifted row puts IDs in other columns, and the ID's own row
		// may be read later or never: every value shaped like an ID is
		// hashed (as its column would hash it), not only those known. The
		// two exceptions show dates the row's date columns parsed.
		return red.ID(strings.TrimSpace(val))
	}
	return val
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
