package rag

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gonghui/qa/corpus"
)

// savedEntry is a Q&A entry as the library writes it.
func faqDoc(t *testing.T, name, question, answer string) corpus.Document {
	t.Helper()
	file := "---\nkind: faq\ntitle: " + question + "\nquestion: " + question + "\nsource: 工会答复\ndate: 2024-05-02\nadded_by: tg:900\n---\n\n" + answer + "\n"
	d, err := corpus.Parse(name, []byte(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSavedQuestionMatching(t *testing.T) {
	e := newTestEngine(t, Options{})
	tests := []struct {
		saved, asked string
		same         bool
	}{
		{"孩子考上大学，工会有补助吗？", "娃上大学了，工会给补贴不", true},
		{"孩子考上大学，工会有补助吗？", "我家孩子考上大学了，工会能给点补助吗", true},
		{"孩子考上大学，工会有补助吗？", "小孩上大学工会有没有钱", true},
		{"职工书屋几点开门", "职工书屋开放时间是什么时候", true},
		{"户外职工服务站点在哪", "送外卖累了哪里能歇脚", true},
		{"户外劳动者驿站在哪", "户外劳动者服务站点在什么地方", true},
		{"产假有多少天", "生孩子能休几天假", true},

		{"孩子考上大学，工会有补助吗？", "助学金怎么申请", false}, // asks how
		{"孩子考上大学，工会有补助吗？", "疗休养怎么报名", false},
		{"孩子考上大学，工会有补助吗？", "工会会费交多少", false},
		{"职工书屋几点开门", "职工书屋在哪里", false}, // when, not where
		{"疗休养怎么报名", "疗休养报名找谁", false},  // how, not who
		{"疗休养怎么报名", "今年还有疗休养吗", false},
		{"单位不给交社保怎么办", "工资被拖欠怎么办", false},
	}
	for _, tt := range tests {
		ix := e.index.Load()
		s := &savedAnswers{ix: ix, an: e.opt.Analyzer}
		raw, q := s.prepare(tt.saved)
		s.entries = []savedEntry{{raw: raw, question: q}}
		m, same := s.match(tt.asked)
		if same != tt.same {
			t.Errorf("%s | %s: same = %v (similarity %.2f), want %v", tt.saved, tt.asked, same, m.similarity, tt.same)
		}
	}
}

func TestAnswerFromSavedAnswer(t *testing.T) {
	gen := &fakeGenerator{}
	e := newTestEngine(t, Options{Generator: gen})
	docs := append(defaultDocs(t),
		faqDoc(t, "qa-20240502-3fa9c1.md", "孩子考上大学，工会有补助吗？", "有的。每年8月市总工会开展金秋助学，请带录取通知书到单位工会登记，咨询电话 0931-8888888。"),
		faqDoc(t, "qa-20240502-77aa01.md", "工会会员证丢了怎么补办", "带身份证到所在单位工会填补办申请表即可。"))
	if _, err := e.Update(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Reworded by another member: the staff's answer comes first, cited as
	// 工会答复 with its date; the report's passage on 金秋助学 follows it.
	a, err := e.Answer(ctx, "", "娃上大学了，工会给补贴不")
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || !strings.HasPrefix(a.Text(), "有的。每年8月市总工会开展金秋助学") || !strings.Contains(a.Text(), "0931-8888888。[1]") {
		t.Fatalf("answer = %+v", a)
	}
	if c := a.Citations[0]; c.Kind != corpus.KindFAQ || c.Reference() != "工会答复（2024-05-02）：孩子考上大学，工会有补助吗？" {
		t.Errorf("first citation = %+v, %q", c, c.Reference())
	}
	if len(a.Citations) < 2 || a.Citations[1].Kind == corpus.KindFAQ || !strings.Contains(a.Text(), "[2]") || a.Citations[1].N != 2 {
		t.Errorf("the document's answer should follow the saved one: %q %+v", a.Text(), a.Citations)
	}
	if gen.calls.Load() != 0 {
		t.Error("a saved answer was rewritten by the model")
	}

	// A saved answer the documents know nothing about.
	a, _ = e.Answer(ctx, "", "会员证丢了怎么办理补办")
	if a.Abstained || !strings.HasPrefix(a.Text(), "带身份证到所在单位工会填补办申请表即可。[1]") || len(a.Citations) != 1 {
		t.Errorf("answer = %+v", a)
	}

	// Another question of the same field is not given the saved answer.
	a, _ = e.Answer(ctx, "", "助学金怎么申请？")
	for _, c := range a.Citations {
		if c.Kind == corpus.KindFAQ && c.N == 1 && strings.HasPrefix(a.Text(), "有的。") {
			t.Errorf("助学金怎么申请 answered from the saved answer: %q", a.Text())
		}
	}

	// Once the entry is removed, the question is answered as before.
	if _, err := e.Update(ctx, defaultDocs(t)); err != nil {
		t.Fatal(err)
	}
	if a, _ = e.Answer(ctx, "", "会员证丢了怎么办理补办"); !a.Abstained {
		t.Errorf("after removal: %+v", a)
	}
}

// fakeGenerator counts its calls and fails, so the extractive answer stays.
type fakeGenerator struct{ calls atomic.Int64 }

func (g *fakeGenerator) Generate(context.Context, string, []Citation) (string, error) {
	g.calls.Add(1)
	return "", errors.New("no model here")
}
