package outdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrLocked means another run holds the output folder.
var ErrLocked = errors.New("output folder is locked by another run")

// LockError says which run holds the folder.
type LockError struct {
	Path  string // the lock file
	Owner string // "pid 123 since 2026-11-30T02:00:00Z", as the owner wrote it
}

// Error names the lock file and the run holding it.
func (e *LockError) Error() string {
	return fmt.Sprintf("%s (%s, held by %s)", ErrLocked, e.Path, e.Owner)
}

// Unwrap returns ErrLocked, for errors.Is.
func (e *LockError) Unwrap() error { return ErrLocked }

// Lock takes the output folder at path for one run, creating it (0750)
// if needed. With wait > 0 it retries until the folder is free or wait has
// passed; otherwise a held lock is a *LockError at once.
//
// The lock is an flock(2) on path/.lock, which the kernel drops when its
// process dies, so a killed run never blocks the next night. The file also
// holds the owner's PID and start time: a run that finds a PID there whose
// process is gone reports it in Dir.Stale and clears it.
func Lock(ctx context.Context, path string, wait time.Duration) (*Dir, error) {
	if err := os.MkdirAll(path, 0o750); err != nil {
		return nil, folderError(path, err)
	}
	name := filepath.Join(path, LockFile)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, folderError(path, err)
	}
	deadline := time.Now().Add(wait)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("output folder: lock %s: %w", name, err)
		}
		if time.Now().After(deadline) {
			owner, _ := os.ReadFile(name)
			f.Close()
			return nil, &LockError{Path: name, Owner: strings.TrimSpace(string(owner))}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	d := &Dir{path: path, lock: f}
	if prev, _ := os.ReadFile(name); len(strings.TrimSpace(string(prev))) > 0 {
		// The owner died without releasing it (killed, or the machine
		// went down): the kernel dropped its flock; clear its stamp.
		d.Stale = strings.TrimSpace(string(prev))
	}
	stamp := fmt.Sprintf("pid %d since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(stamp), 0)
	}
	if err != nil {
		d.Release()
		return nil, fmt.Errorf("output folder: lock %s: %w", name, err)
	}
	return d, nil
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// folderError says what is wrong with the output folder at path, in the
// words an operator needs (test the cause with errors.Is, e.g.
// fs.ErrPermission).
func folderError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("output folder %s is not writable by this user (uid %d): %w", path, os.Geteuid(), err)
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, fs.ErrExist):
		return fmt.Errorf("output folder %s: a file is in the way: %w", path, err)
	}
	return fmt.Errorf("output folder %s: %w", path, err)
}
