package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// readSummed reads the file at path into memory once, with the hex sha256
// of exactly those bytes: a workbook is parsed from them, so that the
// checksum a run records is of the bytes its model holds, however the file
// changes on disk meanwhile (rewritten in place or replaced by a rename).
// A file that cannot be read is ErrUnreadable.
func readSummed(path string) ([]byte, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}

// FileSHA256 returns the hex sha256 of the file at path; a file that
// cannot be read is ErrUnreadable.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
