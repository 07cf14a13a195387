package library

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus/extract"
	"github.com/gonghui/qa/corpus/extract/extracttest"
)

func TestImportHandCopiedFiles(t *testing.T) {
	f := newFixture(t)
	f.write(t, "lanzhou.md", handCopied)
	f.write(t, "2024/助学.docx", string(extracttest.DOCX(t, "关于金秋助学的通知\n今年金秋助学每人资助5000元，报名到9月15日。")))
	f.write(t, "hotline.html", "<html><head><title>职工服务热线</title></head><body><p>职工服务热线改为12351，全天24小时有人接听。</p></body></html>")
	f.write(t, "broken.docx", "PK\x03\x04broken")
	f.write(t, "_drafts/skip.docx", string(extracttest.DOCX(t, "草稿\n不应导入的草稿内容。")))
	l := f.open(t, nil)

	got, err := l.Import("cli:op")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("imported %+v", got)
	}
	byFile := map[string]Imported{}
	for _, g := range got {
		byFile[g.File] = g
	}
	if g := byFile["broken.docx"]; !errors.Is(g.Err, extract.ErrCorrupt) {
		t.Errorf("broken.docx: %v", g.Err)
	}
	for _, name := range []string{"2024/助学.docx", "hotline.html"} {
		if g := byFile[name]; g.Err != nil || g.Doc.ID == "" {
			t.Errorf("%s: %+v", name, g)
		}
		if _, err := os.Stat(filepath.Join(f.corpusDir, filepath.FromSlash(name))); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still in place: %v", name, err)
		}
	}
	docs := f.load(t)
	text := passagesText(docs)
	if len(docs) != 3 || !strings.Contains(text, "5000元") || !strings.Contains(text, "12351") || strings.Contains(text, "草稿") {
		t.Errorf("corpus after import: %d docs, %q", len(docs), text)
	}
	if _, err := os.Stat(filepath.Join(f.corpusDir, "broken.docx")); err != nil {
		t.Errorf("broken file moved: %v", err)
	}
	origs, _ := os.ReadDir(filepath.Join(f.corpusDir, "originals"))
	if len(origs) != 2 {
		t.Errorf("originals = %v", origs)
	}
	audit, _ := l.Audit()
	if len(audit) != 2 || audit[0].Who != "cli:op" || audit[0].Action != ActionAdd {
		t.Errorf("audit = %+v", audit)
	}

	// Copying an updated version by hand replaces the document of the same title.
	f.write(t, "助学v2.docx", string(extracttest.DOCX(t, "关于金秋助学的通知\n今年金秋助学每人资助6000元。")))
	got, err = l.Import("cli:op")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].File != "助学v2.docx" || !got[1].Replaced || got[1].Doc.ID != byFile["2024/助学.docx"].Doc.ID {
		t.Errorf("second import %+v", got)
	}
	if text := passagesText(f.load(t)); strings.Contains(text, "5000元") || !strings.Contains(text, "6000元") {
		t.Errorf("after replace %q", text)
	}
}

func TestImportFailureLeavesFileInPlace(t *testing.T) {
	f := newFixture(t)
	f.write(t, "hotline.html", "<html><body><h1>职工服务热线</h1><p>职工服务热线改为12351，全天有人接听。</p></body></html>")
	injected := errors.New("disk full")
	l := f.open(t, func(step string) error {
		if step == "synced" {
			return injected
		}
		return nil
	})
	before := snapshot(t, f.corpusDir)
	got, err := l.Import("cli:op")
	if err != nil || len(got) != 1 || !errors.Is(got[0].Err, injected) {
		t.Fatalf("import: %+v, %v", got, err)
	}
	sameSnapshot(t, before, snapshot(t, f.corpusDir))
	if entries, _ := os.ReadDir(filepath.Join(f.dataDir, "pending")); len(entries) != 0 {
		t.Errorf("pending left: %v", entries)
	}
}

func TestBusyWhenAnotherProcessHoldsTheLock(t *testing.T) {
	f := newFixture(t)
	l, err := OpenWith(f.corpusDir, f.dataDir, Options{Now: f.clock.Now, LockWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Prepare("n.txt", []byte(notice), Meta{}, "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	// Another process (an operator's CLI) holds the lock.
	fh, err := os.OpenFile(filepath.Join(f.corpusDir, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(fh.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, f.corpusDir)
	_, err = l.Commit(p.ID, "tg:1")
	if !errors.Is(err, ErrBusy) {
		t.Errorf("commit while locked: %v", err)
	}
	if !strings.Contains(UserMessage(err), "稍等") {
		t.Errorf("message %q", UserMessage(err))
	}
	sameSnapshot(t, before, snapshot(t, f.corpusDir))
	syscall.Flock(int(fh.Fd()), syscall.LOCK_UN)
	fh.Close()
	if _, err := l.Commit(p.ID, "tg:1"); err != nil {
		t.Fatal(err)
	}
}
