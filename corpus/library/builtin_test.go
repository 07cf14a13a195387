package library

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus"
)

// TestBuiltinDocuments: the built-in laws are listed and indexed beside the
// folder's own documents, and refused for removal with a message naming the
// setting; the folder's files are untouched.
func TestBuiltinDocuments(t *testing.T) {
	laws, err := corpus.BuiltinLaws(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.write(t, "lanzhou.md", handCopied)
	l, err := OpenWith(f.corpusDir, f.dataDir, Options{Now: f.clock.Now, LockWait: 5 * time.Second, Builtin: laws})
	if err != nil {
		t.Fatal(err)
	}
	docs, skipped, err := l.Docs()
	if err != nil || len(skipped) != 0 || len(docs) != 1+len(laws) {
		t.Fatalf("Docs: %d documents, skipped %v, %v", len(docs), skipped, err)
	}
	entries, err := l.List()
	if err != nil {
		t.Fatal(err)
	}
	var builtin int
	for _, e := range entries {
		if e.Builtin {
			builtin++
			if e.Passages == 0 || e.Body != "" || !strings.HasPrefix(e.ID, "law-") {
				t.Errorf("entry %+v", e.Document)
			}
		}
	}
	if builtin != len(laws) || len(entries) != 1+len(laws) {
		t.Errorf("List: %d entries, %d built in", len(entries), builtin)
	}
	before := snapshot(t, f.corpusDir)
	err = l.Remove("law-labor-contract", "tg:7")
	if !errors.Is(err, ErrBuiltin) || !strings.Contains(UserMessage(err), "BUILTIN_LAWS=false") {
		t.Errorf("removing a built-in law: %v (%s)", err, UserMessage(err))
	}
	sameSnapshot(t, before, snapshot(t, f.corpusDir))
	if audit, _ := l.Audit(); len(audit) != 0 {
		t.Errorf("a refused removal was audited: %+v", audit)
	}

	// A document of the folder's own with a built-in ID hides the built-in
	// one, and can be removed like any other.
	f.write(t, "law-labor.md", "# 我们的劳动法学习材料\n\n第一条 这是工会自己的学习材料。\n\n第二条 仅供参考。\n")
	docs, skipped, _ = l.Docs()
	if len(docs) != 2+len(laws)-1 || len(skipped) != 1 {
		t.Errorf("with an own law-labor: %d documents, skipped %v", len(docs), skipped)
	}
	if err := l.Remove("law-labor", "tg:7"); err != nil {
		t.Errorf("removing the folder's own law-labor: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.corpusDir, "law-labor.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("law-labor.md still there: %v", err)
	}
}
