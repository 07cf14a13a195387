package library

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus"
)

func TestVersionChangesWithCommitsAndHandEdits(t *testing.T) {
	f := newFixture(t)
	l := f.open(t, nil)
	version := func() string {
		t.Helper()
		v, err := l.Version()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	if v := version(); v != v0 {
		t.Fatalf("version changed with nothing done: %s then %s", v0, v)
	}

	// A preview changes nothing the index sees.
	p, err := l.Prepare("notice.txt", []byte(notice), Meta{}, "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v0 {
		t.Error("version changed on Prepare")
	}
	if _, err := l.Commit(p.ID, "tg:1"); err != nil {
		t.Fatal(err)
	}
	v1 := version()
	if v1 == v0 {
		t.Error("version unchanged after Commit")
	}

	// Another process (a second Library on the same folders) removes it.
	other := f.open(t, nil)
	docs := f.load(t)
	if err := other.Remove(docs[0].ID, "cli:op"); err != nil {
		t.Fatal(err)
	}
	v2 := version()
	if v2 == v1 {
		t.Error("version unchanged after another process's Remove")
	}

	// An operator copies a file in by hand, then edits it.
	f.write(t, "hand.md", handCopied)
	v3 := version()
	if v3 == v2 {
		t.Error("version unchanged after a hand-copied file")
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(f.corpusDir, "hand.md"), later, later); err != nil {
		t.Fatal(err)
	}
	if v := version(); v == v3 {
		t.Error("version unchanged after a hand edit")
	}
}

// TestContentVersionCoversTheBuiltinDocuments: the content version is the
// folder's version and the built-in documents together, so that turning
// the built-in laws off (or a program with other ones) is another version.
func TestContentVersionCoversTheBuiltinDocuments(t *testing.T) {
	f := newFixture(t)
	open := func(builtin []corpus.Document) string {
		t.Helper()
		l, err := OpenWith(f.corpusDir, f.dataDir, Options{Now: f.clock.Now, LockWait: 5 * time.Second, Builtin: builtin})
		if err != nil {
			t.Fatal(err)
		}
		v, err := l.ContentVersion()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	law := corpus.Document{ID: "builtin-law", Path: "builtin/law.md", Hash: "aa"}
	none, one := open(nil), open([]corpus.Document{law})
	law.Hash = "bb"
	other := open([]corpus.Document{law})
	if none == one || one == other || none == other {
		t.Fatalf("content versions %s, %s, %s: want three", none, one, other)
	}
	if again := open([]corpus.Document{law}); again != other {
		t.Fatalf("the same documents gave %s then %s", other, again)
	}
}
