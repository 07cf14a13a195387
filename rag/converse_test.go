package rag

import (
	"context"
	"strings"
	"testing"

	"github.com/gonghui/qa/corpus"
)

func TestAnswerSmallTalk(t *testing.T) {
	e := newTestEngine(t, Options{})
	ctx := context.Background()
	tests := []struct {
		msg  string
		kind SmallTalk
		want string
	}{
		{"谢谢啦", SmallTalkThanks, "不客气"},
		{"😀😀👍", SmallTalkThanks, "不客气"},
		{"你好", SmallTalkGreeting, "你好"},
		{"好的", SmallTalkAck, "好的"},
		{"拜拜", SmallTalkFarewell, "再见"},
		{"答非所问", SmallTalkComplaint, "12351"},
		{"你能干啥", SmallTalkAbout, "比如可以问"},
	}
	for _, tt := range tests {
		a, err := e.Answer(ctx, "c:1", tt.msg)
		if err != nil {
			t.Fatal(err)
		}
		if a.SmallTalk != tt.kind || a.Abstained || len(a.Citations) > 0 || !strings.Contains(a.Text(), tt.want) {
			t.Errorf("Answer(%q) = %+v; want %s small talk with %q, citing nothing", tt.msg, a, tt.kind, tt.want)
		}
		if a.Question != tt.msg {
			t.Errorf("Question = %q, want %q", a.Question, tt.msg)
		}
	}
	// Small talk is no turn of the conversation: a follow-up after 谢谢
	// still refers to the question before it.
	if _, err := e.Answer(ctx, "c:2", "金秋助学每人资助多少钱？"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Answer(ctx, "c:2", "谢谢"); err != nil {
		t.Fatal(err)
	}
	a, err := e.Answer(ctx, "c:2", "那一共帮了多少人？")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Standalone, "金秋助学") {
		t.Errorf("follow-up after thanks: standalone %q", a.Standalone)
	}
}

// A question wrapped in small talk is answered, without the small talk
// weighing on retrieval.
func TestAnswerMixed(t *testing.T) {
	e := newTestEngine(t, Options{})
	a, err := e.Answer(context.Background(), "", "谢谢！那金秋助学每人资助多少钱？")
	if err != nil {
		t.Fatal(err)
	}
	if a.SmallTalk != "" || a.Abstained || !strings.Contains(a.Text(), "2000至5000元") {
		t.Errorf("mixed message: %+v", a)
	}
	if a.Question != "谢谢！那金秋助学每人资助多少钱？" || a.Standalone != "那金秋助学每人资助多少钱？" {
		t.Errorf("Question %q, Standalone %q", a.Question, a.Standalone)
	}
}

// The examples the bot offers are questions the documents answer, drawn
// from what the documents are about, spread over documents, and fit a
// button.
func TestExamplesAreAnswered(t *testing.T) {
	e := newTestEngine(t, Options{})
	ex := e.Examples(3)
	if len(ex) == 0 {
		t.Fatal("no examples for the default corpus")
	}
	for _, q := range ex {
		if len(q) > MaxSuggestionBytes || !strings.HasSuffix(q, "？") {
			t.Errorf("example %q does not fit a button or is no question", q)
		}
		a, err := e.Answer(context.Background(), "", q)
		if err != nil || a.Abstained || a.SmallTalk != "" || len(a.Citations) == 0 {
			t.Errorf("example %q is not answered: %+v %v", q, a, err)
		}
	}
	// Cached per index: the same list until the index changes.
	if again := e.Examples(3); strings.Join(again, "|") != strings.Join(ex, "|") {
		t.Errorf("examples changed without an index change: %v then %v", ex, again)
	}
	b1 := e.bank(context.Background())
	if _, err := e.Update(context.Background(), defaultDocs(t)[:0]); err != nil {
		t.Fatal(err)
	}
	if b2 := e.bank(context.Background()); b2 == b1 || len(b2.items) != 0 {
		t.Errorf("bank not rebuilt for the new (empty) index: %d items", len(b2.items))
	}
	if ex := e.Examples(3); len(ex) != 0 {
		t.Errorf("examples of an empty corpus: %v", ex)
	}
}

func TestHeadingQuestion(t *testing.T) {
	for h, want := range map[string]string{
		"二、资助标准":             "资助标准是什么？",
		"（一）申请条件：":           "申请条件是什么？",
		"第三章 劳动合同":           "劳动合同是什么？",
		"推进法治建设 做好职工帮扶和权益维护": "",
		"一": "",
	} {
		got, ok := headingQuestion(h)
		if got != want || ok != (want != "") {
			t.Errorf("headingQuestion(%q) = %q, %v; want %q", h, got, ok, want)
		}
	}
}

// The issue's own example, over the report and the laws.
func TestAnswerThanksThenMaternityLeave(t *testing.T) {
	laws, err := corpus.BuiltinLaws(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, Options{})
	if _, err := e.Update(context.Background(), append(defaultDocs(t), laws...)); err != nil {
		t.Fatal(err)
	}
	a, err := e.Answer(context.Background(), "", "谢谢，那产假多少天？")
	if err != nil {
		t.Fatal(err)
	}
	if a.SmallTalk != "" || a.Abstained || !strings.Contains(a.Text(), "98天") {
		t.Errorf("谢谢，那产假多少天？ = %+v", a)
	}
}
