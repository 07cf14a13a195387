package rag

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gonghui/qa/corpus"
)

// Source is a corpus that can change while the program runs, such as the
// staff-managed CORPUS_DIR (*library.Library is one).
type Source interface {
	// Docs returns the documents to index, and why files were skipped.
	Docs() (docs []corpus.Document, skipped []error, err error)
	// Version changes whenever the documents may have changed, also by
	// another process. It is polled, so it must be cheap.
	Version() (string, error)
}

// Indexer is the index a Watcher keeps current; *Engine is one.
type Indexer interface {
	// Update indexes docs, embedding only new passages, and swaps the
	// index to them whole.
	Update(ctx context.Context, docs []corpus.Document) (Stats, error)
}

// ContentVersioned is a Source whose Version also identifies its
// documents' content, so that an index saved from one Version can be taken
// up at start without reading the documents again (*library.Library is
// one: its Version covers every file's name, size and modification time,
// the staff's audit log and the built-in documents).
type ContentVersioned interface {
	Source
	// ContentVersion is Version, promised to change whenever Docs would
	// return other documents.
	ContentVersion() (string, error)
}

// Resumer is an Indexer that can take up the index it saved from a
// content version instead of reading the documents (*Engine is one).
type Resumer interface {
	Indexer
	// Resume takes up the saved index when it was saved from version,
	// and reports whether it did.
	Resume(ctx context.Context, version string) (Stats, int, bool)
	// UpdateVersion is Update, noting that docs are version's, so that a
	// later start can Resume from it.
	UpdateVersion(ctx context.Context, docs []corpus.Document, version string) (Stats, error)
}

// Reload says what one reload of the corpus found and did to the index.
type Reload struct {
	Stats
	// Documents is how many documents are indexed now.
	Documents int
	// Skipped explains the files the source could not use.
	Skipped []error
}

// Watcher is the one owner of "the corpus changed": it notices changes to a
// Source (its Version), reloads the documents and swaps the index. Changes
// made through it (a staff member's upload) and reloads are ordered by one
// lock, so each swap sees every change committed before it. The bot's serve
// and the CLI's ingest both keep their index current through one.
type Watcher struct {
	src Source
	idx Indexer

	mu      sync.Mutex
	version string // the Version the index was last built from
	built   bool   // the index was built from src at least once
}

// NewWatcher returns a Watcher that keeps idx in step with src. Nothing is
// loaded until Sync or Change.
func NewWatcher(src Source, idx Indexer) *Watcher {
	return &Watcher{src: src, idx: idx}
}

// Sync reloads the documents and swaps the index when the source's Version
// differs from the one the index was built from (or the index was never
// built from it). reloaded is false when nothing had changed.
func (w *Watcher) Sync(ctx context.Context) (r Reload, reloaded bool, err error) {
	v, verr := w.sourceVersion()
	w.mu.Lock()
	defer w.mu.Unlock()
	if verr == nil && w.built && v == w.version {
		return Reload{}, false, nil
	}
	r, err = w.reloadLocked(ctx)
	return r, err == nil, err
}

// Change runs change (one that adds, replaces or removes documents in the
// source) and then reloads the documents and swaps the index, with no other
// change or reload in between. An error from change is returned as it is,
// and nothing is reloaded; an error after it means the change stands but
// the index still shows the documents as they were.
func (w *Watcher) Change(ctx context.Context, change func() error) (Reload, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := change(); err != nil {
		return Reload{}, err
	}
	return w.reloadLocked(ctx)
}

// reloadLocked loads the documents and swaps the index; w.mu is held. The
// version is read before the documents, so a change made while they load
// is noticed by the next Sync.
func (w *Watcher) reloadLocked(ctx context.Context) (Reload, error) {
	v, verr := w.sourceVersion()
	_, versioned := w.src.(ContentVersioned)
	rs, resumes := w.idx.(Resumer)
	content := ""
	if versioned && resumes && verr == nil {
		content = v
	}
	if !w.built && content != "" {
		// A start with the documents as they were when the index was
		// saved: it is taken up as it is, without reading them all.
		if st, n, ok := rs.Resume(ctx, content); ok {
			w.built, w.version = true, v
			return Reload{Stats: st, Documents: n}, nil
		}
	}
	docs, skipped, err := w.src.Docs()
	if err != nil {
		return Reload{Skipped: skipped}, fmt.Errorf("load documents: %w", err)
	}
	var st Stats
	if content != "" {
		st, err = rs.UpdateVersion(ctx, docs, content)
	} else {
		st, err = w.idx.Update(ctx, docs)
	}
	r := Reload{Stats: st, Documents: len(docs), Skipped: skipped}
	if err != nil {
		return r, fmt.Errorf("update index: %w", err)
	}
	w.built = true
	if verr == nil {
		w.version = v
	} else {
		w.version = "" // unknown: the next Sync that can read it reloads
	}
	return r, nil
}

// sourceVersion is the source's content version when it has one, else its
// Version.
func (w *Watcher) sourceVersion() (string, error) {
	if cv, ok := w.src.(ContentVersioned); ok {
		return cv.ContentVersion()
	}
	return w.src.Version()
}

// Watch calls Sync every interval until ctx ends. report is told of each
// reload that swapped the index, and of each one that failed (err set).
func (w *Watcher) Watch(ctx context.Context, every time.Duration, report func(Reload, error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r, reloaded, err := w.Sync(ctx)
			if (reloaded || err != nil) && ctx.Err() == nil {
				report(r, err)
			}
		}
	}
}
