package rag

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// contentSource is a memSource whose Version identifies its documents.
type contentSource struct{ *memSource }

func (s contentSource) ContentVersion() (string, error) { return s.Version() }

// TestResumeSkipsReadingTheDocuments: a start with the documents as they
// were saved takes the index up without reading them; a change to the
// documents, or an index file another process saved since, reads them.
func TestResumeSkipsReadingTheDocuments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	indexPath := filepath.Join(dir, "index.bin")
	f, an := testAnalyzer(t)
	engine := func() *Engine {
		return NewEngine(Options{Analyzer: an, Embedder: NewHashEmbedder(f, DefaultHashDim), IndexPath: indexPath})
	}
	src := contentSource{&memSource{docs: watchDocs(t)}}
	start := func() (*Engine, Reload) {
		t.Helper()
		e := engine()
		r, _, err := NewWatcher(src, e).Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return e, r
	}

	e, _ := start()
	if src.loaded() != 1 {
		t.Fatalf("first start read the documents %d times, want 1", src.loaded())
	}
	want := e.PassageCount()

	e, r := start()
	if src.loaded() != 1 {
		t.Fatalf("a start with unchanged documents read them (%d reads)", src.loaded())
	}
	if e.PassageCount() != want || r.Documents != 3 || r.Reused != want {
		t.Fatalf("resumed %d passages, %d documents (reload %+v); want %d and 3", e.PassageCount(), r.Documents, r, want)
	}
	a, err := e.Answer(ctx, "", "户外劳动者驿站可以充电吗")
	if err != nil || len(a.Citations) == 0 {
		t.Fatalf("resumed index does not answer: %+v, %v", a, err)
	}

	// The documents changed while the program was stopped.
	src.set(watchDocs(t)[:2])
	e, _ = start()
	if src.loaded() != 2 || e.PassageCount() >= want {
		t.Fatalf("changed documents: %d reads, %d passages", src.loaded(), e.PassageCount())
	}

	// Another process saved another index over it: the note no longer
	// names the file there, so the documents are read.
	other := engine()
	if _, err := other.Update(ctx, watchDocs(t)); err != nil {
		t.Fatal(err)
	}
	e, _ = start()
	if src.loaded() != 3 || e.PassageCount() >= want {
		t.Fatalf("index saved by another: %d reads, %d passages", src.loaded(), e.PassageCount())
	}

	// A note that is not one is ignored.
	if err := os.WriteFile(indexPath+".source", []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _ = start(); src.loaded() != 4 {
		t.Fatalf("a broken note was trusted (%d reads)", src.loaded())
	}
	if _, _ = start(); src.loaded() != 4 {
		t.Fatalf("the note was not written again after a broken one (%d reads)", src.loaded())
	}
}

// TestResumeNeedsAContentVersion: a source whose Version does not promise
// to identify its documents is always read.
func TestResumeNeedsAContentVersion(t *testing.T) {
	ctx := context.Background()
	indexPath := filepath.Join(t.TempDir(), "index.bin")
	f, an := testAnalyzer(t)
	src := &memSource{docs: watchDocs(t)}
	for range 2 {
		e := NewEngine(Options{Analyzer: an, Embedder: NewHashEmbedder(f, DefaultHashDim), IndexPath: indexPath})
		if _, _, err := NewWatcher(src, e).Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if src.loaded() != 2 {
		t.Fatalf("read %d times, want 2", src.loaded())
	}
	if _, err := os.Stat(indexPath + ".source"); !os.IsNotExist(err) {
		t.Fatalf("a note was written for a source without content versions: %v", err)
	}
}
