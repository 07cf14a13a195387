package library

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Version is a cheap fingerprint of the corpus as the index sees it: it
// changes when a change is committed by any process (the audit log grows) and
// when a document file in CORPUS_DIR is added, removed or rewritten by hand
// (its name, size or modification time changes). It reads no file contents
// and takes no lock, so a long-running server can poll it every few seconds
// and reload (Docs, then Engine.Update) only when it differs.
func (l *Library) Version() (string, error) {
	h := sha256.New()
	if st, err := os.Stat(l.auditPath()); err == nil {
		fmt.Fprintf(h, "audit %d %d\n", st.Size(), st.ModTime().UnixNano())
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("corpus version: %w", err)
	}
	err := filepath.WalkDir(l.corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == l.corpusDir {
				return err
			}
			return nil // a file removed while walking: the next poll sees the result
		}
		name := d.Name()
		if d.IsDir() {
			if p != l.corpusDir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "originals") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(l.corpusDir, p)
		fmt.Fprintf(h, "%s %d %d\n", filepath.ToSlash(rel), info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("corpus version: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}
