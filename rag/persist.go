package rag

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gonghui/qa/corpus"
)

// snapshotVersion changes whenever the persisted format or the way passages
// are cut changes, so an older index is rebuilt instead of misread.
const snapshotVersion = 4

const snapshotMagic = "gonghui-qa-index\n"

// snapshot is the persisted form of an Index.
type snapshot struct {
	Version  int
	Embedder string
	Docs     []corpus.Document
	Passages []corpus.Passage
	Vectors  [][]float32
}

// ErrStaleIndex means a persisted index exists but was made by another
// version or embedding; it is rebuilt, not used.
var ErrStaleIndex = errors.New("the persisted index is from another version or embedding")

// Save writes the index to path atomically: a temporary file in the same
// folder, fsynced, then renamed over the old one, so a crash leaves either the
// old index or the new one, never half of one.
func (ix *Index) Save(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".index-*.tmp")
	if err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	w := bufio.NewWriterSize(tmp, 1<<20)
	if _, err := io.WriteString(w, snapshotMagic); err != nil {
		tmp.Close()
		return fmt.Errorf("save index: %w", err)
	}
	snap := snapshot{Version: snapshotVersion, Embedder: ix.embedder, Docs: ix.docs, Passages: ix.passages, Vectors: ix.vectors}
	if err := gob.NewEncoder(w).Encode(&snap); err != nil {
		tmp.Close()
		return fmt.Errorf("save index: %w", err)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("save index: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save index: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all file systems support it
		d.Close()
	}
	return nil
}

// LoadIndex reads an index saved by Save. It fails with os.ErrNotExist when
// there is none, ErrStaleIndex when it was made by another version or
// embedder, and another error when the file is corrupt.
func LoadIndex(ctx context.Context, path, embedder string, an *Analyzer) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != snapshotMagic {
		return nil, fmt.Errorf("load index %s: not an index file", path)
	}
	var snap snapshot
	if err := gob.NewDecoder(r).Decode(&snap); err != nil {
		return nil, fmt.Errorf("load index %s: %w", path, err)
	}
	if snap.Version != snapshotVersion || snap.Embedder != embedder {
		return nil, fmt.Errorf("load index %s (version %d, %s): %w", path, snap.Version, snap.Embedder, ErrStaleIndex)
	}
	if len(snap.Vectors) != len(snap.Passages) {
		return nil, fmt.Errorf("load index %s: %d vectors for %d passages", path, len(snap.Vectors), len(snap.Passages))
	}
	ix := &Index{docs: snap.Docs, docByID: map[string]int{}, passages: snap.Passages, byID: map[string]int32{}, vectors: snap.Vectors, embedder: snap.Embedder}
	for i, d := range ix.docs {
		ix.docByID[d.ID] = i
	}
	for i, p := range ix.passages {
		if _, ok := ix.docByID[p.DocID]; !ok {
			return nil, fmt.Errorf("load index %s: passage %s names unknown document %s", path, p.ID, p.DocID)
		}
		ix.byID[p.ID] = int32(i)
	}
	if err := ix.finish(ctx, an); err != nil {
		return nil, err
	}
	return ix, nil
}

// sameDocuments reports whether ix was built from exactly docs.
func (ix *Index) sameDocuments(docs []corpus.Document) bool {
	if len(ix.docs) != len(docs) {
		return false
	}
	for i := range docs {
		if ix.docs[i].Path != docs[i].Path || ix.docs[i].Hash != docs[i].Hash || ix.docs[i].ID != docs[i].ID {
			return false
		}
	}
	return true
}
