package generator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mqttgen/mqttgen/templates"
)

// Changes says what Write did to a directory.
type Changes struct {
	Written []string // files created or replaced, as paths under dir
	Removed []string // earlier mqttgen output the new files no longer include
}

// Write puts files into dir all at once: every new content is first written
// to a temporary directory inside dir, then renamed into place, and on any
// error the files already replaced are put back, so dir is left as it was.
// Files whose content is unchanged are not touched (their modification
// time stays, so builds stay cached). Go files in dir that mqttgen wrote
// earlier and that files no longer include are removed in the same step;
// files mqttgen did not write are never touched: when one has the name of
// a file to write, Write fails with ErrConfig and changes nothing.
func Write(dir string, files []File) (Changes, error) {
	var ch Changes
	if err := checkNames(files); err != nil {
		return ch, err
	}
	created := false
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return ch, fmt.Errorf("create output directory: %w", err)
		}
		created = true
	}
	fail := func(err error) (Changes, error) {
		if created {
			os.RemoveAll(dir)
		}
		return Changes{}, err
	}
	changed, stale, err := diff(dir, files)
	if err != nil {
		return fail(err)
	}
	if len(changed) == 0 && len(stale) == 0 {
		return ch, nil
	}
	tmp, err := os.MkdirTemp(dir, ".mqttgen-")
	if err != nil {
		return fail(fmt.Errorf("output directory %s is not writable: %w", dir, err))
	}
	defer os.RemoveAll(tmp)
	for _, f := range changed {
		if err := os.WriteFile(filepath.Join(tmp, f.Name), f.Data, 0o644); err != nil {
			return fail(fmt.Errorf("write %s: %w", f.Name, err))
		}
	}

	// Swap: move each old file aside, then the new one in; undo on error.
	type move struct{ from, to string }
	var done []move
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			os.Rename(done[i].to, done[i].from)
		}
	}
	rename := func(from, to string) error {
		if err := os.Rename(from, to); err != nil {
			undo()
			return err
		}
		done = append(done, move{from, to})
		return nil
	}
	backup := filepath.Join(tmp, "old")
	if err := os.Mkdir(backup, 0o755); err != nil {
		return fail(err)
	}
	for _, name := range stale {
		if err := rename(filepath.Join(dir, name), filepath.Join(backup, name)); err != nil {
			return fail(fmt.Errorf("remove stale %s: %w", name, err))
		}
		ch.Removed = append(ch.Removed, filepath.Join(dir, name))
	}
	for _, f := range changed {
		target := filepath.Join(dir, f.Name)
		if _, err := os.Lstat(target); err == nil {
			if err := rename(target, filepath.Join(backup, f.Name)); err != nil {
				return fail(fmt.Errorf("replace %s: %w", f.Name, err))
			}
		}
		if err := rename(filepath.Join(tmp, f.Name), target); err != nil {
			return fail(fmt.Errorf("replace %s: %w", f.Name, err))
		}
		ch.Written = append(ch.Written, target)
	}
	return ch, nil
}

// Check compares files with dir and lists, sorted, the names that are out
// of date: missing, different, or earlier mqttgen output that files no
// longer include. It writes nothing. Like Write, it fails with ErrConfig
// when a file mqttgen did not write has the name of one of files.
func Check(dir string, files []File) ([]string, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		var all []string
		for _, f := range files {
			all = append(all, f.Name)
		}
		sort.Strings(all)
		return all, nil
	}
	changed, stale, err := diff(dir, files)
	if err != nil {
		return nil, err
	}
	out := stale
	for _, f := range changed {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out, nil
}

// diff returns the files whose content differs from dir and the names of
// generated files in dir that files no longer include.
func diff(dir string, files []File) (changed []File, stale []string, err error) {
	if err := checkNames(files); err != nil {
		return nil, nil, err
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Name] = true
		old, err := os.ReadFile(filepath.Join(dir, f.Name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			changed = append(changed, f)
		case err != nil:
			return nil, nil, err
		case bytes.Equal(old, f.Data):
		case !hasHeader(old):
			// Someone else's file under a name mqttgen writes: replacing
			// it would lose it.
			return nil, nil, fmt.Errorf("%s exists and was not written by mqttgen (it lacks the %q header): move it away, or write into another directory: %w",
				filepath.Join(dir, f.Name), "// "+templates.Header, ErrConfig)
		default:
			changed = append(changed, f)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if e.IsDir() || want[e.Name()] || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		ours, err := generatedByUs(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		if ours {
			stale = append(stale, e.Name())
		}
	}
	return changed, stale, nil
}

// checkNames refuses file names that are not plain .go names in dir.
func checkNames(files []File) error {
	for _, f := range files {
		if f.Name != filepath.Base(f.Name) || !strings.HasSuffix(f.Name, ".go") || strings.HasPrefix(f.Name, ".") {
			return fmt.Errorf("file name %q: want a plain .go name: %w", f.Name, ErrConfig)
		}
	}
	return nil
}

// generatedByUs reports whether the file starts with mqttgen's header.
func generatedByUs(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return hasHeader([]byte(line)), nil
}

// hasHeader reports whether data's first line is mqttgen's header.
func hasHeader(data []byte) bool {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	return strings.TrimRight(string(line), "\r") == "// "+templates.Header
}
