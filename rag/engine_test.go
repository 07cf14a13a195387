package rag

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag/lexicon"
)

// countingEmbedder counts the texts it embeds, to prove what is re-embedded.
type countingEmbedder struct {
	*HashEmbedder
	n atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.n.Add(int64(len(texts)))
	return c.HashEmbedder.Embed(ctx, texts)
}

func testAnalyzer(t testing.TB) (*zh.Folder, *Analyzer) {
	t.Helper()
	f := zh.NewFolder()
	lex, err := lexicon.Default()
	if err != nil {
		t.Fatal(err)
	}
	return f, NewAnalyzer(f, lex)
}

func defaultDocs(t testing.TB) []corpus.Document {
	t.Helper()
	docs, skipped, err := corpus.Load(corpus.Default(), nil)
	if err != nil || len(skipped) > 0 {
		t.Fatalf("load default corpus: %v %v", err, skipped)
	}
	return docs
}

func newTestEngine(t testing.TB, opt Options) *Engine {
	t.Helper()
	f, an := testAnalyzer(t)
	opt.Analyzer = an
	if opt.Embedder == nil {
		opt.Embedder = NewHashEmbedder(f, DefaultHashDim)
	}
	e := NewEngine(opt)
	if _, err := e.Update(context.Background(), defaultDocs(t)); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAnswers(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct {
		name, question string
		want           []string // all must be in the answer text
		abstain        bool
	}{
		{"tuition aid", "孩子考上大学，工会有助学金吗？", []string{"2000至5000元", "[1]"}, false},
		{"traditional", "孩子考上大學，工會有助學金嗎？", []string{"2000至5000元"}, false},
		{"full-width digits", "金秋助学帮了５３２４名困难职工家庭子女吗", []string{"5324"}, false},
		{"delivery rider rest", "送外卖累了哪里能歇脚？", []string{"[1]"}, false},
		{"wage arrears", "农民工被拖欠的工资追回了多少?", []string{"7333.77万元"}, false},
		{"maternity leave", "产假一共能休多少天？", []string{"资料里没有找到", "12351"}, true},
		{"near miss: when to apply", "金秋助学今年什么时候申请？", []string{"资料里没有找到"}, true},
		{"punctuation only", "？？…", []string{"没太看懂"}, true}, // emoji alone is small talk: converse_test.go
		{"malformed UTF-8", "\xff\xfe金秋助学每人资助多少钱\xc3", []string{"2000至5000元"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Answer(context.Background(), "", tt.question)
			if err != nil {
				t.Fatal(err)
			}
			if a.Abstained != tt.abstain {
				t.Fatalf("Abstained = %v, want %v; text %q", a.Abstained, tt.abstain, a.Text())
			}
			for _, w := range tt.want {
				if !strings.Contains(a.Text(), w) {
					t.Errorf("answer %q lacks %q", a.Text(), w)
				}
			}
			if tt.abstain && len(a.Citations) > 0 {
				t.Errorf("abstained answer cites %d passages", len(a.Citations))
			}
			if !tt.abstain {
				if len(a.Citations) == 0 {
					t.Fatal("answer cites nothing")
				}
				// Every marker refers to a citation, and the sources say where.
				for _, n := range CitedMarkers(a.Text()) {
					if n < 1 || n > len(a.Citations) {
						t.Errorf("marker [%d] with %d citations", n, len(a.Citations))
					}
				}
				if s := a.Citations[0].Reference(); !strings.Contains(s, "甘肃工人报") || !strings.Contains(s, "2020-07-02") {
					t.Errorf("the citation does not say where: %q", s)
				}
			}
		})
	}
}

func TestAnswerEmptyAndHuge(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, q := range []string{"", "   \u3000\n", "\xff\xfe"} {
		if _, err := e.Answer(context.Background(), "", q); !errors.Is(err, ErrEmptyQuestion) {
			t.Errorf("Answer(%q) error = %v, want ErrEmptyQuestion", q, err)
		}
	}
	huge := "金秋助学每人资助多少钱？" + strings.Repeat("啊", 10000)
	a, err := e.Answer(context.Background(), "", huge)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text(), "2000至5000元") {
		t.Errorf("huge question: %q", a.Text())
	}
}

func TestFollowUp(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := newTestEngine(t, Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	if _, err := e.Answer(ctx, "chat1:user1", "金秋助学每人资助多少钱？"); err != nil {
		t.Fatal(err)
	}
	a, err := e.Answer(ctx, "chat1:user1", "那一共帮了多少人？")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Standalone, "金秋助学") || !strings.Contains(a.Text(), "5324") {
		t.Errorf("follow-up: standalone %q, answer %q", a.Standalone, a.Text())
	}
	// Another conversation has no history.
	b, _ := e.Answer(ctx, "chat2:user9", "那一共帮了多少人？")
	if b.Standalone != "" {
		t.Errorf("history leaked across conversations: %q", b.Standalone)
	}
	// History expires after half an hour.
	now = now.Add(31 * time.Minute)
	c, _ := e.Answer(ctx, "chat1:user1", "那一共帮了多少人？")
	if c.Standalone != "" {
		t.Errorf("expired history used: %q", c.Standalone)
	}
}

func TestPersistenceWarmStartAndRebuild(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index.gob")
	f, an := testAnalyzer(t)
	docs := defaultDocs(t)
	ctx := context.Background()
	open := func() (*Engine, *countingEmbedder, Stats) {
		emb := &countingEmbedder{HashEmbedder: NewHashEmbedder(f, DefaultHashDim)}
		e := NewEngine(Options{Analyzer: an, Embedder: emb, IndexPath: path})
		st, err := e.Update(ctx, docs)
		if err != nil {
			t.Fatal(err)
		}
		return e, emb, st
	}
	e1, emb1, _ := open()
	if emb1.n.Load() != int64(e1.PassageCount()) {
		t.Fatalf("cold start embedded %d of %d passages", emb1.n.Load(), e1.PassageCount())
	}
	e2, emb2, st := open()
	if emb2.n.Load() != 0 || st.Reused != e2.PassageCount() {
		t.Fatalf("warm start embedded %d passages (stats %+v)", emb2.n.Load(), st)
	}
	// A new document: only its passages are embedded; old citations resolve.
	someID := e2.Index().passages[3].ID
	extra, err := corpus.Parse("notice.md", []byte("---\ntitle: 疗休养通知\ndate: 2024-05-01\n---\n今年职工疗休养报名从6月1日开始，每人补贴800元。\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err = e2.Update(ctx, append(append([]corpus.Document(nil), docs...), extra))
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedded != 1 || len(st.Added) != 1 {
		t.Errorf("adding one document: %+v", st)
	}
	if _, ok := e2.Passage(someID); !ok {
		t.Error("a citation made before the addition no longer resolves")
	}
	a, _ := e2.Answer(ctx, "", "疗休养每人补贴多少钱？")
	if !strings.Contains(a.Text(), "800元") {
		t.Errorf("new document not answered from: %q", a.Text())
	}
	// Corrupt the file: the next start rebuilds instead of failing.
	if err := os.WriteFile(path, []byte("gonghui-qa-index\ngarbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	e3, emb3, _ := open()
	if emb3.n.Load() != int64(e3.PassageCount()) {
		t.Errorf("corrupt index: embedded %d of %d", emb3.n.Load(), e3.PassageCount())
	}
	// Another embedding: stale, rebuilt.
	other := &countingEmbedder{HashEmbedder: NewHashEmbedder(f, 64)}
	e4 := NewEngine(Options{Analyzer: an, Embedder: other, IndexPath: path})
	if _, err := e4.Update(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if other.n.Load() != int64(e4.PassageCount()) {
		t.Errorf("stale index reused: embedded %d", other.n.Load())
	}
}

func TestUnwritableDataDirStillAnswers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	e := newTestEngine(t, Options{IndexPath: filepath.Join(file, "index.gob"), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	a, err := e.Answer(context.Background(), "", "金秋助学每人资助多少钱？")
	if err != nil || a.Abstained {
		t.Fatalf("answer = %+v, %v", a, err)
	}
	if !strings.Contains(logs.String(), "could not save the index") {
		t.Errorf("no warning logged: %s", logs.String())
	}
}

func TestEmptyCorpus(t *testing.T) {
	_, an := testAnalyzer(t)
	f := zh.NewFolder()
	e := NewEngine(Options{Analyzer: an, Embedder: NewHashEmbedder(f, 32)})
	if _, err := e.Update(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	a, err := e.Answer(context.Background(), "", "金秋助学每人资助多少钱？")
	if err != nil || !a.Abstained || !strings.Contains(a.Text(), "还没有文件") {
		t.Fatalf("answer = %+v, %v", a, err)
	}
}

func TestConcurrentAnswersDuringUpdate(t *testing.T) {
	e := newTestEngine(t, Options{})
	docs := defaultDocs(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 5; i++ {
			if _, err := e.Update(context.Background(), docs[:0]); err != nil {
				t.Error(err)
			}
			if _, err := e.Update(context.Background(), docs); err != nil {
				t.Error(err)
			}
		}
	}()
	for i := 0; i < 50; i++ {
		a, err := e.Answer(context.Background(), "", "金秋助学每人资助多少钱？")
		if err != nil {
			t.Fatal(err)
		}
		// Either the whole corpus or none of it: never a half-built index.
		if !a.Abstained && !strings.Contains(a.Text(), "2000至5000元") {
			t.Fatalf("answer from a partial index: %q", a.Text())
		}
	}
	<-done
}

func TestReportTermsInTheQuestionWin(t *testing.T) {
	e := newTestEngine(t, Options{})
	// 休息室 is an everyday word for rest stations, but 母婴休息室 is the report's own term.
	a, err := e.Answer(context.Background(), "", "母婴休息室有几家？")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text(), "母婴休息室") {
		t.Errorf("answer %q", a.Text())
	}
}

// TestCutPartThatSaysItComesFirst: the parts of a cut paragraph all carry
// its topic sentence; the one whose own text answers goes before the one
// that only repeats the topic.
func TestCutPartThatSaysItComesFirst(t *testing.T) {
	e := newTestEngine(t, Options{})
	r, err := e.Retrieve(context.Background(), "困难职工可以参加哪些技能培训?")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Hits) == 0 || !strings.Contains(r.Hits[0].Passage.Text, "电工、焊工") {
		t.Fatalf("first hit %q, want the part naming the trades trained", r.Hits[0].Passage.Text)
	}
}

// A report paragraph cut in two answers a figure question from its second
// part, read with the first: the figure (49.5万元) is in the part that does not
// name the stations' users (环卫工、快递员), which the question does.
func TestContinuedPartStatesTheFigure(t *testing.T) {
	e := newTestEngine(t, Options{})
	a, err := e.Answer(context.Background(), "", "给环卫工、快递小哥歇脚的站点，工会给了多少补助资金")
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || !strings.Contains(a.Text(), "49.5万元") {
		t.Errorf("answer = %q (abstained %v), want the 49.5万元 of the stations' paragraph", a.Text(), a.Abstained)
	}
}

// A candidate the decision all but rules out is not quoted beside the best,
// however much of the question it covers.
func TestMarkAnswersByConfidence(t *testing.T) {
	hits := []Hit{
		{States: true, Coverage: 0.71, Confidence: 0.83},
		{States: true, Coverage: 0.65, Confidence: 0.40},
		{States: true, Coverage: 0.63, Confidence: 0.065},
	}
	if !markAnswers(hits, 0, 0) {
		t.Fatal("no answer marked")
	}
	for i, want := range []bool{true, true, false} {
		if hits[i].Answers != want {
			t.Errorf("hit %d (confidence %.3f): Answers = %v, want %v", i, hits[i].Confidence, hits[i].Answers, want)
		}
	}
}
