package rag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gonghui/qa/corpus"
)

// A saved index can be taken up at start without reading the documents
// when its source says, by a content version, that they are as they were
// when it was saved (ContentVersioned). The version is kept beside the
// index in a small file naming the index file it belongs to (its size and
// modification time), so that an index another process saved since, or a
// save that failed, is never taken for the version's.

// fileID identifies one saved index file.
type fileID struct {
	Size  int64 `json:"size"`
	MTime int64 `json:"mtime_ns"`
}

func idOf(st fs.FileInfo) fileID { return fileID{Size: st.Size(), MTime: st.ModTime().UnixNano()} }

// sourceNote is the file beside the index that says which content
// version the index file was saved from.
type sourceNote struct {
	Version string `json:"version"`
	File    fileID `json:"file"`
}

func (e *Engine) notePath() string { return e.opt.IndexPath + ".source" }

// Resume takes up the saved index when the note beside it says it was
// saved from version and names that very file, and reports it with the
// number of documents; it does nothing (false) when the engine already has
// an index or anything does not match. A note that cannot be read is no
// error: the documents are read as usual.
func (e *Engine) Resume(ctx context.Context, version string) (Stats, int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	prev := e.index.Load()
	if e.opt.IndexPath == "" || version == "" || prev.Len() > 0 || len(prev.docs) > 0 {
		return Stats{}, 0, false
	}
	data, err := os.ReadFile(e.notePath())
	if err != nil {
		return Stats{}, 0, false
	}
	var note sourceNote
	if json.Unmarshal(data, &note) != nil || note.Version != version {
		return Stats{}, 0, false
	}
	ix, err := LoadIndex(ctx, e.opt.IndexPath, e.opt.Embedder.Name(), e.opt.Analyzer)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			e.log.Warn("saved index unusable; rebuilding it from the corpus", "path", e.opt.IndexPath, "err", err)
		}
		return Stats{}, 0, false
	}
	if ix.file != note.File {
		return Stats{}, 0, false // saved since by another process: read the documents
	}
	e.index.Store(ix)
	return Stats{Unchanged: paths(ix.docs), Reused: ix.Len()}, len(ix.docs), true
}

// UpdateVersion is Update for documents that are version's (a
// ContentVersioned source's): once the index file holds them, the note
// beside it says so, for Resume at the next start.
func (e *Engine) UpdateVersion(ctx context.Context, docs []corpus.Document, version string) (Stats, error) {
	st, err := e.Update(ctx, docs)
	if err != nil || e.opt.IndexPath == "" {
		return st, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.noteVersion(version); err != nil {
		e.log.Warn("could not note the corpus version beside the index; the next start reads the documents", "err", err)
	}
	return st, nil
}

// noteVersion writes the note for the current index when the index file
// on disk is the one it was loaded from or saved to, and removes any note
// otherwise; e.mu is held.
func (e *Engine) noteVersion(version string) error {
	ix := e.index.Load()
	path := e.notePath()
	cur, err := os.Stat(e.opt.IndexPath)
	if version == "" || err != nil || ix.file == (fileID{}) || idOf(cur) != ix.file {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	data, err := json.Marshal(sourceNote{Version: version, File: ix.file})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".source-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("note corpus version: %w", err)
	}
	return nil
}
