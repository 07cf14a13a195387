package rag

import (
	"context"
	"strings"
	"sync"
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

// lawsEngine is the engine over the report and the laws, the default
// corpus; built once, with its question bank, for the tests that share it
// (they ask without a conversation, so they cannot disturb each other).
func lawsEngine(t *testing.T) *Engine {
	t.Helper()
	sharedLaws.once.Do(func() {
		laws, err := corpus.BuiltinLaws(nil)
		if err != nil {
			sharedLaws.err = err
			return
		}
		e := newTestEngine(t, Options{})
		if _, err := e.Update(context.Background(), append(defaultDocs(t), laws...)); err != nil {
			sharedLaws.err = err
			return
		}
		sharedLaws.e = e
	})
	if sharedLaws.err != nil {
		t.Fatal(sharedLaws.err)
	}
	return sharedLaws.e
}

var sharedLaws struct {
	once sync.Once
	e    *Engine
	err  error
}

// The issue's own example, over the report and the laws.
func TestAnswerThanksThenMaternityLeave(t *testing.T) {
	e := lawsEngine(t)
	a, err := e.Answer(context.Background(), "", "谢谢，那产假多少天？")
	if err != nil {
		t.Fatal(err)
	}
	if a.SmallTalk != "" || a.Abstained || !strings.Contains(a.Text(), "98天") {
		t.Errorf("谢谢，那产假多少天？ = %+v", a)
	}
}

// A near miss — the documents are on the topic but do not state the fact —
// says so and offers related questions they do answer; an unrelated
// question gets none.
func TestNearMissSuggestsRelatedQuestions(t *testing.T) {
	e := lawsEngine(t)
	ctx := context.Background()
	for _, tt := range []struct {
		question string
		about    string // one suggestion must mention it
	}{
		{"金秋助学今年什么时候申请？", "助学"}, // the report has the programme, not the dates
		{"户外的爱心驿站晚上几点关门？", "歇"}, // the stations, not their hours
		{"陪产假有几天？", "产假"},       // the laws have 产假, not 陪产假
		{"兰州最低工资是多少？", "最低工资"},  // the laws have the rule, not Lanzhou's figure
	} {
		a, err := e.Answer(ctx, "", tt.question)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Abstained || len(a.Suggestions) == 0 || len(a.Suggestions) > MaxSuggestions {
			t.Errorf("%s: abstained %v, suggestions %q; want an abstention with 1–%d suggestions", tt.question, a.Abstained, a.Suggestions, MaxSuggestions)
			continue
		}
		if !strings.Contains(a.Text(), "资料里没有") || !strings.Contains(a.Text(), textNearMiss) {
			t.Errorf("%s: the reply does not say plainly that this is not there but something near is: %q", tt.question, a.Text())
		}
		if !strings.Contains(strings.Join(a.Suggestions, " "), tt.about) {
			t.Errorf("%s: suggestions %q, want one about %s", tt.question, a.Suggestions, tt.about)
		}
		for _, s := range a.Suggestions {
			if len(s) > MaxSuggestionBytes {
				t.Errorf("%s: suggestion %q does not fit a button", tt.question, s)
			}
			sa, err := e.Answer(ctx, "", s)
			if err != nil || sa.Abstained || len(sa.Citations) == 0 {
				t.Errorf("%s: suggestion %q is not answered: %q", tt.question, s, sa.Text())
			}
		}
	}
	for _, q := range []string{"今天兰州天气怎么样？", "腰间盘突出，兰州哪家医院看得好", "帮我写一份年终总结", "今天92号汽油多少钱一升"} {
		a, err := e.Answer(ctx, "", q)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Abstained || len(a.Suggestions) > 0 || strings.Contains(a.Text(), textNearMiss) {
			t.Errorf("unrelated %q: abstained %v, suggestions %q", q, a.Abstained, a.Suggestions)
		}
	}
	if a, _ := e.Answer(ctx, "", "产假多少天？"); a.Abstained || len(a.Suggestions) > 0 {
		t.Errorf("an answered question offers suggestions: %+v", a)
	}
}
