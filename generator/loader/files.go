package loader

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// source reads the files that $refs name. Load uses the operating system;
// fuzz tests use one that refuses everything, to stay hermetic.
type source interface {
	read(path string) ([]byte, error)
}

// osSource reads regular files, at most maxFileSize bytes. Devices, pipes
// and directories are refused so a $ref can never block or stream forever.
type osSource struct{}

func (osSource) read(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, cleanPathError(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed: %w", path, fi.Size(), maxFileSize, ErrLimit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, cleanPathError(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s is more than %d bytes: %w", path, maxFileSize, ErrLimit)
	}
	return data, nil
}

// cleanPathError turns "open x: no such file or directory" into "x does
// not exist" and the like, for messages a person reads.
func cleanPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return &readError{msg: pe.Path + " does not exist", err: err}
		case errors.Is(err, fs.ErrPermission):
			return &readError{msg: pe.Path + " cannot be read: permission denied", err: err}
		}
	}
	return err
}

// readError is a file error with a plain message that still unwraps to
// the *fs.PathError (so errors.Is(err, fs.ErrNotExist) works).
type readError struct {
	msg string
	err error
}

func (e *readError) Error() string { return e.msg }
func (e *readError) Unwrap() error { return e.err }

// noFiles refuses every file; for LoadBytes in fuzzing.
type noFiles struct{}

func (noFiles) read(path string) ([]byte, error) {
	return nil, fmt.Errorf("%s: reading other files is disabled", path)
}
