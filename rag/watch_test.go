package rag

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus"
)

// memSource is a corpus in memory whose version counts its changes.
type memSource struct {
	mu      sync.Mutex
	docs    []corpus.Document
	version int
	loads   int
	fail    error
}

func (s *memSource) Docs() ([]corpus.Document, []error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	if s.fail != nil {
		return nil, nil, s.fail
	}
	return append([]corpus.Document(nil), s.docs...), []error{errors.New("skipped.bin: not text")}, nil
}

func (s *memSource) Version() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Repeat("v", s.version+1), nil
}

func (s *memSource) set(docs []corpus.Document) {
	s.mu.Lock()
	s.docs = docs
	s.version++
	s.mu.Unlock()
}

func (s *memSource) loaded() int { s.mu.Lock(); defer s.mu.Unlock(); return s.loads }

func emptyEngine(t *testing.T) *Engine {
	f, an := testAnalyzer(t)
	return NewEngine(Options{Analyzer: an, Embedder: NewHashEmbedder(f, DefaultHashDim)})
}

// watchDocs are three small documents.
func watchDocs(t *testing.T) []corpus.Document {
	t.Helper()
	var docs []corpus.Document
	for i, text := range []string{"金秋助学活动为困难职工子女发放助学金。", "户外劳动者驿站可以歇脚、喝水、充电。", "农民工被拖欠工资可以找工会法律援助。"} {
		d, err := corpus.Parse(fmt.Sprintf("doc%d.md", i), []byte(fmt.Sprintf("---\ntitle: 通知%d\n---\n\n%s\n", i, text)), nil)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

func TestWatcherSyncsOnlyWhenTheVersionChanges(t *testing.T) {
	docs := watchDocs(t)
	src := &memSource{docs: docs[:1]}
	e := emptyEngine(t)
	w := NewWatcher(src, e)
	ctx := context.Background()

	r, reloaded, err := w.Sync(ctx)
	if err != nil || !reloaded {
		t.Fatalf("first Sync: reloaded %v, %v", reloaded, err)
	}
	if r.Documents != 1 || len(e.Documents()) != 1 || len(r.Skipped) != 1 {
		t.Errorf("first Sync = %+v; engine has %d documents", r, len(e.Documents()))
	}
	if _, reloaded, _ := w.Sync(ctx); reloaded || src.loaded() != 1 {
		t.Errorf("Sync with the same version reloaded (loads %d)", src.loaded())
	}
	src.set(docs)
	r, reloaded, err = w.Sync(ctx)
	if err != nil || !reloaded || r.Documents != len(docs) || len(r.Added) != len(docs)-1 {
		t.Errorf("Sync after a change = %+v, %v, %v", r, reloaded, err)
	}
}

func TestWatcherChange(t *testing.T) {
	docs := watchDocs(t)
	src := &memSource{docs: docs}
	e := emptyEngine(t)
	w := NewWatcher(src, e)
	ctx := context.Background()

	// A change that fails reloads nothing and its error comes back as is.
	refused := errors.New("refused")
	if _, err := w.Change(ctx, func() error { return refused }); err != refused {
		t.Errorf("Change error = %v, want the change's own", err)
	}
	if src.loaded() != 0 {
		t.Error("a failed change reloaded the documents")
	}

	if _, _, err := w.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := w.Change(ctx, func() error { src.set(docs[:1]); return nil })
	if err != nil || r.Documents != 1 || len(r.Removed) != len(docs)-1 || len(e.Documents()) != 1 {
		t.Fatalf("Change = %+v, %v; engine has %d documents", r, err, len(e.Documents()))
	}
	// The change is already in the index: the next Sync has nothing to do.
	if _, reloaded, _ := w.Sync(ctx); reloaded {
		t.Error("Sync after Change reloaded again")
	}

	// When the documents cannot be loaded, the index stays as it was.
	src.fail = errors.New("disk on fire")
	if _, err := w.Change(ctx, func() error { return nil }); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Change with a failing source = %v", err)
	}
	if len(e.Documents()) != 1 {
		t.Error("a failed reload changed the index")
	}
}

func TestWatcherWatchReportsChanges(t *testing.T) {
	docs := watchDocs(t)
	src := &memSource{docs: docs}
	e := emptyEngine(t)
	w := NewWatcher(src, e)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, _, err := w.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	reports := make(chan Reload, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Watch(ctx, time.Millisecond, func(r Reload, err error) {
			if err != nil {
				t.Error(err)
			}
			reports <- r
		})
	}()
	src.set(docs[:2])
	select {
	case r := <-reports:
		if r.Documents != 2 {
			t.Errorf("report = %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the change was not noticed")
	}
	cancel()
	<-done
	if len(reports) != 0 {
		t.Errorf("%d more reports without a change", len(reports))
	}
}
