package corpus

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitDefaultCorpus(t *testing.T) {
	docs, skipped, err := Load(Default(), nil)
	if err != nil || len(skipped) > 0 {
		t.Fatalf("Load: %v %v", err, skipped)
	}
	if len(docs) != 1 {
		t.Fatalf("want 1 document, got %d", len(docs))
	}
	d := docs[0]
	if d.Source != "甘肃工人报" || d.Date != "2020-07-02" || d.Page != "第04版:专题报道" {
		t.Errorf("metadata = %+v", d)
	}
	ps := Split(d)
	if len(ps) < 30 {
		t.Fatalf("only %d passages", len(ps))
	}
	ids := map[string]bool{}
	var aid bool
	for _, p := range ps {
		if ids[p.ID] {
			t.Errorf("duplicate ID %s", p.ID)
		}
		ids[p.ID] = true
		for _, noise := range []string{"c198388", "enpproperty", "集团数字报刊", "任涛", "王旭赴"} {
			if strings.Contains(p.Text, noise) {
				t.Errorf("passage %s holds page noise %q", p.ID, noise)
			}
		}
		if strings.Contains(p.Text, "2000至5000元") {
			aid = true
			if p.Heading != "推进法治建设 做好职工帮扶和权益维护" {
				t.Errorf("tuition passage heading = %q", p.Heading)
			}
		}
		if n := utf8.RuneCountInString(p.Text); n > MaxPassageRunes*2 {
			t.Errorf("passage %s has %d runes", p.ID, n)
		}
	}
	if !aid {
		t.Error("no passage holds 2000至5000元")
	}
	// IDs are stable: splitting again gives the same ones.
	again := Split(d)
	for i := range ps {
		if ps[i].ID != again[i].ID {
			t.Fatalf("passage %d ID changed: %s vs %s", i, ps[i].ID, again[i].ID)
		}
	}
}

func TestParsePlainText(t *testing.T) {
	doc, err := Parse("通知.txt", []byte("关于开展疗休养的通知\n\n各基层工会：\n今年疗休养报名从7月1日开始，每人补贴800元。\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "关于开展疗休养的通知" {
		t.Errorf("title = %q", doc.Title)
	}
	ps := Split(doc)
	if len(ps) == 0 || !strings.Contains(ps[len(ps)-1].Text, "800元") {
		t.Errorf("passages = %+v", ps)
	}
	if _, err := Parse("empty.md", []byte("---\ntitle: x\n---\n  \n"), nil); err == nil {
		t.Error("empty body: want error")
	}
}

func TestDocumentID(t *testing.T) {
	tests := map[string]string{
		"lanzhou-2020-07-02.md": "lanzhou-2020-07-02",
		"Notice 2024_05.TXT":    "notice-2024-05",
	}
	for in, want := range tests {
		if got := DocumentID(in); got != want {
			t.Errorf("DocumentID(%q) = %q, want %q", in, got, want)
		}
	}
	if a, b := DocumentID("金秋助学通知.txt"), DocumentID("疗休养通知.txt"); a == b || !strings.HasPrefix(a, "d") {
		t.Errorf("Chinese names: %q %q", a, b)
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "## 标题\n正文。第二句！", "a.b.c. d", "……。。！？", "短\n很长很长的一段话没有标点" + strings.Repeat("字", 400)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := Document{ID: "fz", Body: s}
		seen := map[string]bool{}
		for _, p := range Split(doc) {
			if seen[p.ID] {
				t.Fatalf("duplicate passage ID for %q", s)
			}
			seen[p.ID] = true
			if strings.TrimSpace(p.Text) == "" {
				t.Fatalf("empty passage for %q", s)
			}
		}
	})
}

func TestSplitRepeatedParagraphsGetDistinctIDs(t *testing.T) {
	doc := Document{ID: "rep", Body: "## 标题\n同一段话。\n同一段话。\n同一段话。\n"}
	seen := map[string]bool{}
	for _, p := range Split(doc) {
		if seen[p.ID] {
			t.Fatalf("duplicate passage ID %s", p.ID)
		}
		seen[p.ID] = true
	}
	if len(seen) != 3 {
		t.Errorf("want 3 passages, got %d", len(seen))
	}
}
