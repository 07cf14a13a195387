package rag

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus"
)

// TestSaveLoadRoundTrip saves an index of the built-in documents and a
// synthetic corpus and loads it back: the same documents, passages (their
// text a span of the body where it stands there), term index and vectors,
// and the same rankings.
func TestSaveLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	env := newBenchEnv(t)
	laws, err := corpus.BuiltinLaws(nil)
	if err != nil {
		t.Fatal(err)
	}
	docs := append(append(defaultDocs(t), laws...), benchCorpus(t, 3000, 3)...)
	slices.SortFunc(docs, func(a, b corpus.Document) int { return cmpString(a.ID, b.ID) })
	ix, path := savedIndex(t, env, docs)
	got, err := LoadIndex(ctx, path, env.emb.Name(), env.an)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.docs, ix.docs) {
		t.Fatal("documents differ after a round trip")
	}
	if !reflect.DeepEqual(got.passages, ix.passages) || !reflect.DeepEqual(got.byID, ix.byID) {
		for i := range ix.passages {
			if !reflect.DeepEqual(got.passages[i], ix.passages[i]) {
				t.Fatalf("passage %d differs:\n got %+v\nwant %+v", i, got.passages[i], ix.passages[i])
			}
		}
		t.Fatal("passages differ after a round trip")
	}
	shared := 0
	for _, p := range got.passages {
		if _, ok := within(got.docs[got.docByID[p.DocID]].Body, p.Text); ok {
			shared++
		}
	}
	if shared < len(got.passages)*3/4 {
		t.Errorf("%d of %d loaded passages share their document's text", shared, len(got.passages))
	}
	a, b := ix.lex, got.lex
	if !reflect.DeepEqual(a.dict, b.dict) || !slices.Equal(a.start, b.start) || !slices.Equal(a.docs, b.docs) ||
		!slices.Equal(a.tf, b.tf) || !slices.Equal(a.docLen, b.docLen) || a.avgLen != b.avgLen ||
		!reflect.DeepEqual(a.charDF, b.charDF) || len(a.bigTF) != len(b.bigTF) {
		t.Fatal("term index differs after a round trip")
	}
	want, _ := ix.vectors.matrix()
	vecs, err := got.vectors.matrix()
	if err != nil || !slices.Equal(vecs, want) {
		t.Fatalf("vectors differ after a round trip (%v)", err)
	}
	for _, q := range benchQuestions {
		p := env.an.Prepare(q, got.lex)
		if g, w := got.lex.search(p.Weights, 50), ix.lex.search(p.Weights, 50); len(g) != len(w) {
			t.Fatalf("%s: %d lexical hits after a round trip, %d before", q, len(g), len(w))
		}
		v, _ := env.emb.Embed(ctx, []string{q})
		g, _ := got.dense(ctx, v[0], 20)
		w, _ := ix.dense(ctx, v[0], 20)
		if !slices.Equal(g, w) {
			t.Fatalf("%s: dense ranking differs after a round trip", q)
		}
	}
	// An update over the loaded index reuses its vectors.
	st := Stats{}
	if _, st, err = BuildIndex(ctx, docs, env.emb, env.an, got); err != nil || st.Embedded != 0 {
		t.Fatalf("rebuild over the loaded index embedded %d (%v)", st.Embedded, err)
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestLoadDamagedIndex damages a saved index in every section, and cuts it
// short: each load fails with an error (the engine then rebuilds), none
// panics or returns a wrong index.
func TestLoadDamagedIndex(t *testing.T) {
	ctx := context.Background()
	env := newBenchEnv(t)
	ix, _, err := BuildIndex(ctx, defaultDocs(t), env.emb, env.an, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "index.gob")
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	try := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, "damaged.gob")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadIndex(ctx, p, env.emb.Name(), env.an)
		if err == nil {
			_, err = got.vectors.matrix() // the vectors are checked when read
		}
		if err == nil {
			t.Errorf("%s: loaded without an error", name)
		}
	}
	h := readHeader(t, good)
	for i, s := range h.Sections {
		if s.Len == 0 {
			continue
		}
		bad := slices.Clone(good)
		bad[s.Off+s.Len/2] ^= 0x40
		try("section "+string(rune('A'+i)), bad)
	}
	for _, n := range []int{0, 10, len(snapshotMagic) + 3, 200, len(good) / 2, len(good) - 1} {
		try("cut short", good[:n])
	}
	// A version-4 (gob) file reads as stale, not corrupt.
	old := filepath.Join(dir, "old.gob")
	f, err := os.Create(old)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(snapshotMagic)
	gob.NewEncoder(f).Encode(struct{ Version int }{4})
	f.Close()
	if _, err := LoadIndex(ctx, old, env.emb.Name(), env.an); !errors.Is(err, ErrStaleIndex) {
		t.Errorf("version-4 file: %v, want ErrStaleIndex", err)
	}
	if _, err := LoadIndex(ctx, path, "another-embedding", env.an); !errors.Is(err, ErrStaleIndex) {
		t.Errorf("other embedding: %v, want ErrStaleIndex", err)
	}
}

func readHeader(t *testing.T, data []byte) header {
	t.Helper()
	p := filepath.Join(t.TempDir(), "h.gob")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := readHead(f)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestPassageFieldsPersisted fails when corpus.Passage gains a field: the
// persisted record (passageRecord) must then carry it, and snapshotVersion
// change.
func TestPassageFieldsPersisted(t *testing.T) {
	var got []string
	for f := range reflect.TypeFor[corpus.Passage]().Fields() {
		got = append(got, f.Name)
	}
	want := []string{"ID", "DocID", "Heading", "Path", "Article", "ArticleNo", "Clause", "Part", "Parts", "Lead", "Text", "Seq", "Place"}
	if !slices.Equal(got, want) {
		t.Errorf("corpus.Passage has fields %v; the persisted index knows %v: persist the new ones and bump snapshotVersion", got, want)
	}
}

// TestMappedPostingsOutliveSwaps: an engine's loaded index (its postings
// read in place from the mapped file) is searched while the index is
// swapped again and again and the old ones collected; no search may see
// its postings go (run with -race; a use after unmapping crashes).
func TestMappedPostingsOutliveSwaps(t *testing.T) {
	ctx := context.Background()
	env := newBenchEnv(t)
	docs := defaultDocs(t)
	_, path := savedIndex(t, env, docs)
	e := NewEngine(Options{Analyzer: env.an, Embedder: env.emb})
	want, err := e.swapLoaded(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-done:
				return
			default:
			}
			r, err := e.Retrieve(ctx, "孩子考上大学，工会有助学金吗？")
			if err != nil || len(r.Hits) == 0 || r.Hits[0].Passage.ID != want {
				errs <- fmt.Errorf("retrieve: %v, %d hits", err, len(r.Hits))
				return
			}
		}
	}()
	for range 30 {
		if _, err := e.swapLoaded(ctx, path); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
	}
	close(done)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	// The swapped-out indexes' mappings go with them (where the system
	// lists a process's mappings).
	maps := func() int {
		b, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			return -1
		}
		return strings.Count(string(b), path)
	}
	n := maps()
	for deadline := time.Now().Add(5 * time.Second); n > 2 && time.Now().Before(deadline); n = maps() {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n > 2 {
		t.Fatalf("%d mappings of the index file are left after 30 swaps", n)
	}
}

// swapLoaded loads the index at path and makes it the engine's, returning
// the passage it ranks first for the test question.
func (e *Engine) swapLoaded(ctx context.Context, path string) (string, error) {
	ix, err := LoadIndex(ctx, path, e.opt.Embedder.Name(), e.opt.Analyzer)
	if err != nil {
		return "", err
	}
	e.index.Store(ix)
	r, err := e.Retrieve(ctx, "孩子考上大学，工会有助学金吗？")
	if err != nil || len(r.Hits) == 0 {
		return "", fmt.Errorf("retrieve: %v", err)
	}
	return r.Hits[0].Passage.ID, nil
}

// savedIndex builds the index of docs and saves it in a temporary folder,
// returning it and its path.
func savedIndex(t *testing.T, env benchEnv, docs []corpus.Document) (*Index, string) {
	t.Helper()
	ix, _, err := BuildIndex(context.Background(), docs, env.emb, env.an, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "index.gob")
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	return ix, path
}
