package outdir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrParquetDir means the folder given for the Parquet export is one the
// exporter may not replace: it is, holds or lies inside the input or the
// output folder, or it holds files the exporter did not write.
var ErrParquetDir = errors.New("refused as the Parquet folder")

// LinkError says which folder was refused for an export link, and why.
type LinkError struct {
	Path   string // the folder as given
	Reason string // "it is the input folder", ...
}

// Error names the Parquet folder and why coachimpact will not own it.
func (e *LinkError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Path, ErrParquetDir, e.Reason)
}

// Unwrap returns ErrParquetDir, for errors.Is.
func (e *LinkError) Unwrap() error { return ErrParquetDir }

// An export link is a folder outside the output folder that shows one
// published output: path is a symlink to OUT/current/<name>, so that the
// rename that publishes a run publishes what the link shows too. The
// exporter owns path only when it is that symlink, or absent, or (from
// versions that wrote the export there in place) an empty folder or one
// holding nothing but an earlier export's Parquet files.

// CheckLink reports, as a *LinkError (ErrParquetDir), whether path may
// become the export link to output name of the output folder out; input
// is the run's input folder. It writes nothing: call it before the run
// touches anything.
func CheckLink(path, input, out, name string) error {
	refuse := func(format string, a ...any) error {
		return &LinkError{Path: path, Reason: fmt.Sprintf(format, a...)}
	}
	// path itself may be the link, which leads into out: resolve only
	// the folders above it.
	p, err := resolve(filepath.Dir(path))
	if err != nil {
		return refuse("%v", err)
	}
	p = filepath.Join(p, filepath.Base(path))
	for _, f := range []struct{ role, dir string }{{"input", input}, {"output", out}} {
		d, err := resolve(f.dir)
		if err != nil {
			return refuse("%v", err)
		}
		switch {
		case p == d:
			return refuse("it is the %s folder", f.role)
		case within(p, d):
			return refuse("it lies inside the %s folder %s", f.role, f.dir)
		case within(d, p):
			return refuse("it holds the %s folder %s", f.role, f.dir)
		}
	}
	o, _ := resolve(out)
	return owned(path, linkTarget(o, name))
}

// Link makes path the export link to output name of d (see CheckLink,
// which must have passed), replacing an earlier export folder there, and
// removes the temporary folders that earlier versions and killed runs left
// beside it (.<base>.tmp-*).
func (d *Dir) Link(path, name string) error {
	o, err := resolve(d.path)
	if err != nil {
		return fmt.Errorf("parquet link: %w", err)
	}
	want := linkTarget(o, name)
	if err := owned(path, want); err != nil { // again: the folder may have changed since
		return err
	}
	base := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if got, err := os.Readlink(path); err != nil || got != want {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return fmt.Errorf("parquet link: %w", err)
		}
		tmp := base + "link"
		os.Remove(tmp)
		if err := os.Symlink(want, tmp); err != nil {
			return fmt.Errorf("parquet link: %w", err)
		}
		if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
			// An earlier export folder (owned checked it): aside, then gone.
			if err := os.Rename(path, base+"old"); err != nil {
				os.Remove(tmp)
				return fmt.Errorf("parquet link: %w", err)
			}
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("parquet link: %w", err)
		}
	}
	left, _ := filepath.Glob(globQuote(base) + "*")
	for _, p := range left {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("parquet link: remove %s: %w", p, err)
		}
	}
	return nil
}

// linkTarget is where an export link to output name of the output folder
// o (absolute, resolved) points.
func linkTarget(o, name string) string { return filepath.Join(o, CurrentLink, name) }

// owned reports, as a *LinkError, whether path is absent, the symlink
// want, or a folder the exporter may replace: empty, or holding only an
// earlier export (table folders of part-0.parquet files, by school_year
// or not).
func owned(path, want string) error {
	refuse := func(format string, a ...any) error {
		return &LinkError{Path: path, Reason: fmt.Sprintf(format, a...)}
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return refuse("%v", err)
	case fi.Mode()&os.ModeSymlink != 0:
		if got, _ := os.Readlink(path); got != want {
			return refuse("it is a symlink to %s, not one this output folder made (to %s); remove it or choose another folder", got, want)
		}
		return nil
	case !fi.IsDir():
		return refuse("it is a file, not a folder")
	}
	if stray := notExport(path); stray != "" {
		return refuse("it holds %s, which coachimpact did not write; give a new or empty folder", stray)
	}
	return nil
}

// notExport returns the first entry under dir that an earlier Parquet
// export would not have written, or "" when there is none.
func notExport(dir string) string {
	tables, err := os.ReadDir(dir)
	if err != nil {
		return dir
	}
	for _, t := range tables {
		tdir := filepath.Join(dir, t.Name())
		if !t.IsDir() {
			return tdir
		}
		parts, err := os.ReadDir(tdir)
		if err != nil {
			return tdir
		}
		for _, p := range parts {
			pp := filepath.Join(tdir, p.Name())
			switch {
			case p.Name() == "part-0.parquet" && isParquet(pp):
			case p.IsDir() && strings.HasPrefix(p.Name(), "school_year="):
				files, err := os.ReadDir(pp)
				if err != nil {
					return pp
				}
				for _, f := range files {
					if fp := filepath.Join(pp, f.Name()); f.Name() != "part-0.parquet" || !isParquet(fp) {
						return fp
					}
				}
			default:
				return pp
			}
		}
	}
	return ""
}

// isParquet reports whether the file at path is a regular file that
// starts with Parquet's magic bytes.
func isParquet(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "PAR1"
}

// resolve makes path absolute with every symlink in it resolved, as far
// as it exists; the rest is joined on as given.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rest := ""
	for p := abs; ; p = filepath.Dir(p) {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest), nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		if p == filepath.Dir(p) {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// within reports whether path lies inside dir (both clean and absolute).
func within(path, dir string) bool {
	return strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// globQuote escapes the pattern characters of filepath.Match in s.
func globQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
