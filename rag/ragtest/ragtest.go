// Package ragtest builds, for tests, what a deployment without a model runs
// (the real analyzer, the offline embedding and the real engine) and a log
// buffer that a logger may write to from several goroutines. Tests of rag's
// users and rag's external tests use it instead of each setting these up.
package ragtest

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/lexicon"
)

// shared is built once per test binary: the analyzer's tables take a while,
// and it is safe for concurrent use.
var shared = sync.OnceValues(func() (*rag.Analyzer, error) {
	lex, err := lexicon.Default()
	if err != nil {
		return nil, err
	}
	return rag.NewAnalyzer(zh.NewFolder(), lex), nil
})

// Analyzer is the analyzer with the built-in lexicon.
func Analyzer(t testing.TB) *rag.Analyzer {
	t.Helper()
	an, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return an
}

// Embedder is the offline hashing embedding at its default size.
func Embedder() *rag.HashEmbedder {
	return rag.NewHashEmbedder(zh.NewFolder(), rag.DefaultHashDim)
}

// Engine is an engine as serve runs it without a model, with opt's fields
// (the analyzer and, unless opt has one, the embedder filled in), having
// indexed docs (none: an empty index).
func Engine(t testing.TB, opt rag.Options, docs []corpus.Document) *rag.Engine {
	t.Helper()
	opt.Analyzer = Analyzer(t)
	if opt.Embedder == nil {
		opt.Embedder = Embedder()
	}
	e := rag.NewEngine(opt)
	if len(docs) > 0 {
		if _, err := e.Update(context.Background(), docs); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// DefaultDocs are the documents of the built-in corpus.
func DefaultDocs(t testing.TB) []corpus.Document {
	t.Helper()
	docs, skipped, err := corpus.Load(corpus.Default(), nil)
	if err != nil || len(skipped) > 0 {
		t.Fatalf("load the built-in corpus: %v %v", err, skipped)
	}
	return docs
}

// SyncBuffer is a bytes.Buffer safe for the concurrent writes of a logger,
// to read a test's logs back.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
