package library

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Names of the files a change leaves around while it runs. Both start with
// '.', so corpus.Load never reads them; recoverDir cleans them up after a
// crash.
const (
	tmpPrefix    = ".tmp~"
	backupPrefix = ".bak~"
)

// tx changes several files in CORPUS_DIR as one unit: new files are staged
// as fsynced temporary files, files to replace or remove are first renamed
// aside, then the staged files are renamed into place. Until commit, rollback
// puts every file back as it was; commit deletes the set-aside copies.
type tx struct {
	fault func(step string) error
	undo  []func() error
	// backups are the set-aside copies, deleted on commit.
	backups []string
	// temps are staged files not yet renamed into place.
	temps map[string]bool
	dirs  map[string]bool
	done  bool
}

func newTx(fault func(string) error) *tx {
	return &tx{fault: fault, temps: map[string]bool{}, dirs: map[string]bool{}}
}

// step gives tests a chance to fail the change at a named point.
func (t *tx) step(name string) error {
	if t.fault == nil {
		return nil
	}
	if err := t.fault(name); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// stage writes data to a fsynced temporary file in dir and returns its path.
func (t *tx) stage(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("create temporary file: %w", err)
	}
	name := f.Name()
	t.temps[name] = true
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("sync %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		return "", fmt.Errorf("chmod %s: %w", name, err)
	}
	return name, nil
}

// setAside renames path to a backup next to it, to be restored on rollback
// or deleted on commit. A missing path is not an error.
func (t *tx) setAside(path string) error {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	dir, base := filepath.Split(path)
	backup := filepath.Join(dir, backupPrefix+base)
	if err := os.Rename(path, backup); err != nil {
		return fmt.Errorf("set aside %s: %w", path, err)
	}
	t.dirs[filepath.Clean(dir)] = true
	t.backups = append(t.backups, backup)
	t.undo = append(t.undo, func() error { return os.Rename(backup, path) })
	return nil
}

// place renames the staged file tmp to dst, setting aside what dst held.
func (t *tx) place(tmp, dst string) error {
	if err := t.setAside(dst); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("rename into %s: %w", dst, err)
	}
	delete(t.temps, tmp)
	t.dirs[filepath.Dir(dst)] = true
	t.undo = append(t.undo, func() error { return os.Remove(dst) })
	return nil
}

// sync flushes the directories whose entries changed, so the renames
// survive a power cut.
func (t *tx) sync() error {
	for dir := range t.dirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

// rollback undoes every rename in reverse order and deletes staged files.
// It returns the first error met while undoing (it carries on regardless).
func (t *tx) rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	var first error
	for i := len(t.undo) - 1; i >= 0; i-- {
		if err := t.undo[i](); err != nil && first == nil {
			first = fmt.Errorf("roll back: %w", err)
		}
	}
	for tmp := range t.temps {
		os.Remove(tmp)
	}
	for dir := range t.dirs {
		syncDir(dir)
	}
	return first
}

// commit deletes the set-aside copies. The change is already durable; a
// copy that cannot be deleted is a hidden file recoverDir removes later.
func (t *tx) commit() {
	t.done = true
	for _, b := range t.backups {
		os.Remove(b)
	}
	for tmp := range t.temps {
		os.Remove(tmp)
	}
}

// syncDir fsyncs a directory.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// recoverDir finishes what a crashed change left in the corpus: staged
// temporary files are deleted; a set-aside copy is put back when nothing took
// its place (the change never completed) and deleted otherwise. It runs under
// the exclusive lock, so no change is in progress.
func recoverDir(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && name != "originals" && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasPrefix(name, tmpPrefix):
			os.Remove(p)
		case strings.HasPrefix(name, backupPrefix):
			orig := filepath.Join(filepath.Dir(p), strings.TrimPrefix(name, backupPrefix))
			if _, err := os.Lstat(orig); errors.Is(err, fs.ErrNotExist) {
				os.Rename(p, orig)
			} else {
				os.Remove(p)
			}
		}
		return nil
	})
}

// randomID is n random bytes in hex.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead on broken systems)
	return hex.EncodeToString(b)
}
