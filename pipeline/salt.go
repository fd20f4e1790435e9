package pipeline

import (
	"fmt"
	"os"
)

// saltExposed says, for run.json's notes, that the redaction salt file
// at path can be read by users other than its owner (its group or
// others), who could then undo the redaction by hashing candidate IDs;
// "" when only its owner may read it, or when there is no salt file.
func saltExposed(path string) string {
	if path == "" {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o044 == 0 {
		return "" // a salt that cannot be read fails the run elsewhere
	}
	return fmt.Sprintf("the redaction salt %s is readable by group or others (mode %v): whoever reads it can match hashed IDs to real ones; chmod 600 it", path, fi.Mode().Perm())
}
