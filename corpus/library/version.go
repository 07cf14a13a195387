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

// ContentVersion is Version with the built-in documents (Options.Builtin)
// in it too, so that it changes whenever Docs would return other documents:
// the engine takes up its saved index at start without reading the folder
// when it matches (rag.ContentVersioned). Like the index's own check of
// the documents' hashes, it trusts that the same bytes parse the same way.
func (l *Library) ContentVersion() (string, error) {
	v, err := l.Version()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", v)
	for _, d := range l.opt.Builtin {
		fmt.Fprintf(h, "builtin %s %s %s\n", d.ID, d.Path, d.Hash)
	}
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}
