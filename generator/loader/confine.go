package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// refRoot confines the files $refs may read to one directory tree. A
// document is input the generator's user may not have written (a vendor's
// API, a pull request), and what its $refs name is read and ends up in
// generated code: "../../etc/passwd" or a symlink out of the tree must not
// be. The document itself is read wherever it is: its user named it.
type refRoot struct {
	dir string // as configured (Options.Root or the document's directory)

	resolved bool
	abs      string // dir made absolute, cleaned
	real     string // abs with symlinks resolved
	err      error  // why the root itself cannot be used
}

// resolve makes the root absolute and resolves its symlinks, once.
func (r *refRoot) resolve() error {
	if r.resolved {
		return r.err
	}
	r.resolved = true
	abs, err := filepath.Abs(r.dir)
	if err != nil {
		r.err = fmt.Errorf("the $ref root %s: %v", r.dir, err)
		return r.err
	}
	r.abs = abs
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		r.err = fmt.Errorf("the $ref root %s cannot be used: %w", r.dir, cleanPathError(err))
		return r.err
	}
	r.real = real
	return nil
}

// check returns nil when path lies inside the root once symlinks are
// resolved. A path that is outside already as written is refused before
// anything touches the file system, so a document cannot learn which files
// exist elsewhere; a missing file inside the root is left for the read to
// report.
func (r *refRoot) check(path string) error {
	if err := r.resolve(); err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if !inside(r.abs, abs) && !inside(r.real, abs) {
		return r.outside(path, "")
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return cleanPathError(err)
	}
	if !inside(r.real, real) {
		return r.outside(path, real)
	}
	return nil
}

func (r *refRoot) outside(path, real string) error {
	via := ""
	if real != "" {
		via = " (through a symlink, to " + real + ")"
	}
	return fmt.Errorf("%s is outside %s%s, the directory tree $refs may read; to allow it, widen the root (mqttgen -ref-root DIR, loader.Options.Root): %w",
		path, r.dir, via, ErrRefOutsideRoot)
}

// inside reports whether path is dir or lies under it; both are absolute
// and clean.
func inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
