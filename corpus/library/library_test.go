package library

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/extract"
	"github.com/gonghui/qa/corpus/extract/extracttest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	corpusDir, dataDir string
	clock              *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := t.TempDir()
	return &fixture{
		corpusDir: filepath.Join(root, "corpus"),
		dataDir:   filepath.Join(root, "data"),
		clock:     &clock{t: time.Date(2024, 5, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))},
	}
}

func (f *fixture) open(t *testing.T, fault func(string) error) *Library {
	t.Helper()
	l, err := OpenWith(f.corpusDir, f.dataDir, Options{Now: f.clock.Now, fault: fault, LockWait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// write puts a file into the corpus by hand, as an operator would.
func (f *fixture) write(t *testing.T, rel, content string) {
	t.Helper()
	p := filepath.Join(f.corpusDir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// load reads the corpus the way the bot does.
func (f *fixture) load(t *testing.T) []corpus.Document {
	t.Helper()
	docs, skipped, err := corpus.Load(os.DirFS(f.corpusDir), extract.DecodeText)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) > 0 {
		t.Fatalf("skipped: %v", skipped)
	}
	return docs
}

// snapshot is every file below dir (except the lock file) with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		if rel == ".lock" {
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if w, ok := after[k]; !ok {
			t.Errorf("%s disappeared", k)
		} else if w != v {
			t.Errorf("%s changed", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s appeared", k)
		}
	}
}

func passagesText(docs []corpus.Document) string {
	var b strings.Builder
	for _, d := range docs {
		for _, p := range corpus.Split(d) {
			b.WriteString(p.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

const handCopied = `---
title: 兰州市总工会工作综述
date: 2020-07-02
---

近年来，兰州市总工会紧紧围绕中心工作认真履行职能，创造性地开展工作，开创了工会工作新局面。
`

const notice = "关于组织2024年职工疗休养的通知\n\n2024年5月1日\n\n各基层工会：\n\n今年职工疗休养报名截止日期为2024年6月30日，每人补助1800元，请各单位按时报送名单。\n\n市总工会\n"

func TestPrepareCommitGB18030(t *testing.T) {
	f := newFixture(t)
	f.write(t, "lanzhou.md", handCopied)
	l := f.open(t, nil)

	p, err := l.Prepare("疗休养通知.txt", extracttest.GB18030(t, notice), Meta{}, "tg:42")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "关于组织2024年职工疗休养的通知" || p.Date != "2024-05-01" || p.Format != "txt" {
		t.Errorf("preview = %+v", p)
	}
	if p.PassageCount < 1 || len(p.FirstLines) == 0 || p.Replaces != "" || len(p.ID) != 8 {
		t.Errorf("preview = %+v", p)
	}
	if strings.Contains(passagesText(f.load(t)), "1800元") {
		t.Fatal("searchable before 确认")
	}

	doc, err := l.Commit(p.ID, "tg:42")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.ID, "20240501-") || len(doc.ID) != 13 {
		t.Errorf("doc ID %q, want date-hash", doc.ID)
	}
	docs := f.load(t)
	got, ok := find(docs, doc.ID)
	if !ok || len(docs) != 2 {
		t.Fatalf("corpus = %v", docs)
	}
	if got.Title != p.Title || got.AddedBy != "tg:42" || got.AddedAt != "2024-05-02T09:30:00+08:00" || got.Date != "2024-05-01" {
		t.Errorf("stored doc = %+v", got)
	}
	if !strings.Contains(passagesText([]corpus.Document{got}), "每人补助1800元") {
		t.Errorf("new fact not in passages of %q", got.Body)
	}
	orig, err := os.ReadFile(filepath.Join(f.corpusDir, "originals", doc.ID+".txt"))
	if err != nil || !bytes.Equal(orig, extracttest.GB18030(t, notice)) {
		t.Errorf("original not stored as uploaded: %v", err)
	}
	if _, err := l.Get(p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("pending still there after commit: %v", err)
	}
	// Pressed again: done, and said so.
	if again, err := l.Commit(p.ID, "tg:42"); !errors.Is(err, ErrDone) || again.ID != doc.ID || !strings.Contains(UserMessage(err), "已经入库") {
		t.Errorf("second commit: %v, %q (%s)", err, again.ID, UserMessage(err))
	}
	if err := l.Cancel(p.ID); !errors.Is(err, ErrDone) {
		t.Errorf("cancel after commit: %v", err)
	}

	list, err := l.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != doc.ID || list[0].Passages != p.PassageCount || list[0].Original != "originals/"+doc.ID+".txt" || list[0].AddedBy != "tg:42" || list[0].Body != "" {
		t.Errorf("list = %+v", list)
	}
	audit, err := l.Audit()
	if err != nil || len(audit) != 1 {
		t.Fatalf("audit = %v, %v", audit, err)
	}
	if a := audit[0]; a.Action != ActionAdd || a.Who != "tg:42" || a.DocID != doc.ID || a.FileSHA256 != p.SHA256 || a.Title != p.Title {
		t.Errorf("audit = %+v", a)
	}
}

func TestCaptionOverridesDocument(t *testing.T) {
	f := newFixture(t)
	l := f.open(t, nil)
	meta := ParseCaption("标题：2024年疗休养安排 日期：2024年5月8日 来源：兰州市总工会")
	p, err := l.Prepare("n.txt", []byte(notice), meta, "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "2024年疗休养安排" || p.Date != "2024-05-08" || p.Source != "兰州市总工会" {
		t.Errorf("preview = %+v", p)
	}
	doc, err := l.Commit(p.ID, "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.ID, "20240508-") || doc.Source != "兰州市总工会" {
		t.Errorf("doc = %+v", doc)
	}
	// The document's own first line stays in the body when the caption sets another title.
	if !strings.Contains(doc.Body, "关于组织2024年职工疗休养的通知") {
		t.Errorf("body lost its first line: %q", doc.Body)
	}
}

func TestReplace(t *testing.T) {
	v1 := "关于金秋助学的通知\n\n今年金秋助学每人资助3000元，报名到8月底。\n"
	v2 := "关于金秋助学的通知\n\n今年金秋助学每人资助5000元，报名延长到9月15日。\n"
	t.Run("same title", func(t *testing.T) {
		f := newFixture(t)
		f.write(t, "lanzhou.md", handCopied)
		l := f.open(t, nil)
		first, _, err := l.Add("a.txt", []byte(v1), Meta{}, "tg:1")
		if err != nil {
			t.Fatal(err)
		}
		p, err := l.Prepare("b.docx", extracttest.DOCX(t, v2), Meta{}, "tg:2")
		if err != nil {
			t.Fatal(err)
		}
		if p.Replaces != first.ID || p.ReplacesTitle != "关于金秋助学的通知" {
			t.Errorf("preview replaces %q", p.Replaces)
		}
		doc, err := l.Commit(p.ID, "tg:2")
		if err != nil {
			t.Fatal(err)
		}
		if doc.ID != first.ID {
			t.Errorf("replacement ID %q, want %q", doc.ID, first.ID)
		}
		docs := f.load(t)
		text := passagesText(docs)
		if len(docs) != 2 || strings.Contains(text, "3000元") || !strings.Contains(text, "5000元") {
			t.Errorf("after replace: %d docs, passages %q", len(docs), text)
		}
		origs, _ := os.ReadDir(filepath.Join(f.corpusDir, "originals"))
		if len(origs) != 1 || origs[0].Name() != first.ID+".docx" {
			t.Errorf("originals = %v", origs)
		}
		audit, _ := l.Audit()
		if len(audit) != 2 || audit[1].Action != ActionReplace || audit[1].DocID != first.ID {
			t.Errorf("audit = %+v", audit)
		}
	})
	t.Run("explicit, of a hand-copied file with a Chinese name", func(t *testing.T) {
		f := newFixture(t)
		f.write(t, "通知/金秋助学.txt", v1)
		l := f.open(t, nil)
		before := f.load(t)[0]
		p, err := l.Prepare("new.txt", []byte("助学新规\n\n"+v2), Meta{Replaces: before.ID}, "tg:2")
		if err != nil {
			t.Fatal(err)
		}
		if p.Replaces != before.ID || !p.ReplacesExplicitly {
			t.Errorf("preview = %+v", p)
		}
		doc, err := l.Commit(p.ID, "tg:2")
		if err != nil {
			t.Fatal(err)
		}
		docs := f.load(t)
		if len(docs) != 1 || docs[0].ID != before.ID || doc.ID != before.ID || docs[0].Title != "助学新规" || strings.Contains(passagesText(docs), "3000元") {
			t.Errorf("after replace: %+v", docs)
		}
	})
	t.Run("explicit target gone", func(t *testing.T) {
		f := newFixture(t)
		l := f.open(t, nil)
		if _, err := l.Prepare("new.txt", []byte(v2), Meta{Replaces: "nosuch"}, "tg:2"); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestRemove(t *testing.T) {
	f := newFixture(t)
	f.write(t, "lanzhou.md", handCopied)
	l := f.open(t, nil)
	doc, _, err := l.Add("n.txt", []byte(notice), Meta{}, "cli:op")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Remove(doc.ID, "tg:7"); err != nil {
		t.Fatal(err)
	}
	docs := f.load(t)
	if len(docs) != 1 || docs[0].ID != "lanzhou" || strings.Contains(passagesText(docs), "1800元") {
		t.Errorf("after remove: %+v", docs)
	}
	if origs, _ := os.ReadDir(filepath.Join(f.corpusDir, "originals")); len(origs) != 0 {
		t.Errorf("originals left: %v", origs)
	}
	if err := l.Remove(doc.ID, "tg:7"); !errors.Is(err, ErrDone) || !strings.Contains(UserMessage(err), "已经删除") {
		t.Errorf("second remove: %v", err)
	}
	if err := l.Remove("nosuch", "tg:7"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove of an unknown document: %v", err)
	}
	// A hand-copied document can be removed too.
	if err := l.Remove("lanzhou", "tg:7"); err != nil {
		t.Fatal(err)
	}
	if docs := f.load(t); len(docs) != 0 {
		t.Errorf("left: %v", docs)
	}
	audit, _ := l.Audit()
	if len(audit) != 3 || audit[1].Action != ActionRemove || audit[1].DocID != doc.ID || audit[1].Who != "tg:7" || audit[1].FileSHA256 == "" {
		t.Errorf("audit = %+v", audit)
	}
}

func TestConcurrentCommits(t *testing.T) {
	titles := []string{"关于A的通知", "关于B的通知", "关于C的通知", "关于D的通知"}
	for _, tc := range []struct {
		name      string
		sameTitle bool
		wantDocs  int
	}{
		{"different documents", false, 4},
		{"the same notice four times", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			// Separate Library values on the same folders stand for separate
			// processes: only the flock orders them.
			var libs []*Library
			var ids []string
			for i, title := range titles {
				if tc.sameTitle {
					title = titles[0]
				}
				l := f.open(t, nil)
				p, err := l.Prepare(fmt.Sprintf("%d.txt", i), []byte(fmt.Sprintf("%s\n\n第%d版：职工补助标准为每人%d元，请按时申报。\n", title, i, 1000+i)), Meta{}, "tg:1")
				if err != nil {
					t.Fatal(err)
				}
				libs, ids = append(libs, l), append(ids, p.ID)
			}
			var wg sync.WaitGroup
			errs := make([]error, len(ids))
			for i := range ids {
				wg.Go(func() { _, errs[i] = libs[i].Commit(ids[i], "tg:1") })
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			docs := f.load(t)
			if len(docs) != tc.wantDocs {
				t.Fatalf("%d documents, want %d", len(docs), tc.wantDocs)
			}
			origs, _ := os.ReadDir(filepath.Join(f.corpusDir, "originals"))
			if len(origs) != tc.wantDocs {
				t.Errorf("%d originals, want %d", len(origs), tc.wantDocs)
			}
			audit, _ := libs[0].Audit()
			if len(audit) != len(ids) {
				t.Errorf("%d audit records, want %d", len(audit), len(ids))
			}
			for _, e := range snapshotNames(t, f.corpusDir) {
				if strings.Contains(e, tmpPrefix) || strings.Contains(e, backupPrefix) {
					t.Errorf("leftover %s", e)
				}
			}
		})
	}
}

func snapshotNames(t *testing.T, dir string) []string {
	var out []string
	for k := range snapshot(t, dir) {
		out = append(out, k)
	}
	return out
}

func TestPendingSurvivesRestartAndExpires(t *testing.T) {
	f := newFixture(t)
	p, err := f.open(t, nil).Prepare("n.md", []byte("# 新通知\n\n食堂每天中午供应职工午餐，每餐补贴8元。\n"), Meta{}, "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(23 * time.Hour)
	l := f.open(t, nil) // a restart
	got, err := l.Get(p.ID)
	if err != nil || got.Title != "新通知" || got.PassageCount != p.PassageCount {
		t.Fatalf("after restart: %+v, %v", got, err)
	}
	if _, err := l.Commit(p.ID, "tg:1"); err != nil {
		t.Fatal(err)
	}

	p, err = l.Prepare("m.md", []byte("# 另一通知\n\n工会活动中心周末开放，职工凭卡入场。\n"), Meta{}, "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, f.corpusDir)
	f.clock.Add(DefaultPendingTTL)
	if _, err := l.Commit(p.ID, "tg:1"); !errors.Is(err, ErrExpired) {
		t.Errorf("expired commit: %v", err)
	}
	if msg := UserMessage(fmt.Errorf("x: %w", ErrExpired)); !strings.Contains(msg, "过期") {
		t.Errorf("message %q", msg)
	}
	sameSnapshot(t, before, snapshot(t, f.corpusDir))
	// One TTL later, a restart sweeps it away.
	f.clock.Add(DefaultPendingTTL)
	l = f.open(t, nil)
	if _, err := l.Get(p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("swept pending: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(f.dataDir, "pending")); len(entries) != 0 {
		t.Errorf("pending folder not swept: %v", entries)
	}
}

func TestCancel(t *testing.T) {
	f := newFixture(t)
	l := f.open(t, nil)
	p, err := l.Prepare("n.txt", []byte(notice), Meta{}, "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Cancel(p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Commit(p.ID, "tg:1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("commit after cancel: %v", err)
	}
	for _, id := range []string{p.ID, "../../etc", "", "ABCDEFGH"} {
		if err := l.Cancel(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Cancel(%q) = %v", id, err)
		}
	}
	if docs := f.load(t); len(docs) != 0 {
		t.Errorf("corpus = %v", docs)
	}
}

func TestHostileUploadsChangeNothing(t *testing.T) {
	bomb := extracttest.Zip(t, "word/document.xml", strings.Repeat("<w:p><w:r><w:t>工会工会工会</w:t></w:r></w:p>", 200_000))
	for _, tc := range []struct {
		name string
		file string
		data []byte
		want error
	}{
		{"empty", "a.txt", nil, extract.ErrEmpty},
		{"blank", "a.txt", []byte(" \n\t\n"), extract.ErrEmpty},
		{"binary renamed .txt", "photo.txt", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 100)...), extract.ErrBinary},
		{"zip bomb docx", "bomb.docx", bomb, extract.ErrZipBomb},
		{"over 20 MB", "big.txt", bytes.Repeat([]byte("工会"), 20<<20/6+1), extract.ErrTooLarge},
		{"unknown format", "sheet.xlsx", []byte("PK\x03\x04 not really"), extract.ErrUnknownFormat},
		{"scanned pdf", "scan.pdf", extracttest.ScannedPDF(), extract.ErrNoTextLayer},
		{"truncated docx", "cut.docx", extracttest.DOCX(t, notice)[:60], extract.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.write(t, "lanzhou.md", handCopied)
			l := f.open(t, nil)
			before, beforeData := snapshot(t, f.corpusDir), snapshot(t, f.dataDir)
			_, err := l.Prepare(tc.file, tc.data, Meta{}, "tg:1")
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if msg := UserMessage(err); msg == "" || msg == UserMessage(errors.New("other")) {
				t.Errorf("message %q", msg)
			}
			sameSnapshot(t, before, snapshot(t, f.corpusDir))
			sameSnapshot(t, beforeData, snapshot(t, f.dataDir))
		})
	}
}

func TestRecoverAfterCrash(t *testing.T) {
	f := newFixture(t)
	f.write(t, "a.md", "# 甲\n\n甲文档的正文内容，职工补助标准。\n")
	// A crash between setting aside b.md and placing its new version, and
	// after a completed replacement of a.md, with a staged temp file left.
	f.write(t, backupPrefix+"b.md", "# 乙\n\n乙文档的正文内容，工会活动安排。\n")
	f.write(t, backupPrefix+"a.md", "# 甲旧\n\n旧版本。\n")
	f.write(t, "originals/"+tmpPrefix+"123", "partial")
	l := f.open(t, nil)
	if _, _, err := l.Add("c.txt", []byte("丙通知\n\n丙文档正文，疗休养安排。\n"), Meta{}, "tg:1"); err != nil {
		t.Fatal(err)
	}
	docs := f.load(t)
	titles := map[string]bool{}
	for _, d := range docs {
		titles[d.Title] = true
	}
	if len(docs) != 3 || !titles["甲"] || !titles["乙"] || !titles["丙通知"] {
		t.Errorf("after recovery: %+v", docs)
	}
	for name := range snapshot(t, f.corpusDir) {
		if strings.Contains(name, tmpPrefix) || strings.Contains(name, backupPrefix) {
			t.Errorf("leftover %s", name)
		}
	}
}

func TestAuditSkipsTornLineAndRecordsReindex(t *testing.T) {
	f := newFixture(t)
	l := f.open(t, nil)
	if _, _, err := l.Add("n.txt", []byte(notice), Meta{}, "cli:root"); err != nil {
		t.Fatal(err)
	}
	fh, err := os.OpenFile(filepath.Join(f.dataDir, "audit.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(`{"time":"2024-05-02T10:00:00Z","who":"x","act`)
	fh.Close()
	docs, _, err := l.Reindex("tg:9")
	if err != nil || len(docs) != 1 {
		t.Fatalf("reindex: %v, %v", docs, err)
	}
	audit, err := l.Audit()
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || audit[0].Action != ActionAdd || audit[1].Action != ActionReindex || audit[1].Who != "tg:9" || audit[1].Detail != "1 documents" {
		t.Errorf("audit = %+v", audit)
	}
	raw, _ := os.ReadFile(filepath.Join(f.dataDir, "audit.jsonl"))
	if !strings.HasSuffix(string(raw), "\n") {
		t.Error("audit log does not end a line")
	}
}

func TestParseCaption(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Meta
	}{
		{"", Meta{}},
		{"标题：关于 2024 年疗休养的通知 日期：2024-05-01 来源：市总工会", Meta{Title: "关于 2024 年疗休养的通知", Date: "2024-05-01", Source: "市总工会"}},
		{"标题:金秋助学\n日期: 2024年5月1日\n出处：甘肃工人报", Meta{Title: "金秋助学", Date: "2024-05-01", Source: "甘肃工人报"}},
		{"副标题：——综述，标题：主标题", Meta{Title: "主标题", Subtitle: "——综述"}},
		{"title: Notice date: 2024/5/1 source: ACFTU", Meta{Title: "Notice", Date: "2024-05-01", Source: "ACFTU"}},
		{"标题：关于发布日期调整的通知", Meta{Title: "关于发布日期调整的通知"}},
		{"日期：二〇二四年五月一日", Meta{Date: "2024-05-01"}},
		{"日期：５月１日", Meta{Date: "５月１日"}},
		{"日期：五月初", Meta{Date: "五月初"}},
		{"日期：2024-02-30", Meta{Date: "2024-02-30"}},
		{"替换：20240501-ab12", Meta{Replaces: "20240501-ab12"}},
		{"2024年疗休养通知", Meta{Title: "2024年疗休养通知"}},
		{"请帮我入库\n谢谢", Meta{}},
	} {
		if got := ParseCaption(tc.in); got != tc.want {
			t.Errorf("ParseCaption(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
