package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
