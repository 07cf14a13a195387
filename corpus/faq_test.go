package corpus

import (
	"strings"
	"testing"
)

func TestFAQEntry(t *testing.T) {
	file := "---\nkind: faq\ntitle: 孩子考上大学，工会有补助吗？\nquestion: 孩子考上大学，工会有补助吗？\nsource: 工会答复\ndate: 2024-05-01\nadded_by: tg:900\n---\n\n" +
		"有的。每年8月市总工会开展金秋助学，困难职工家庭子女考上大学可申请。\n请带录取通知书到所在单位工会登记。\n"
	doc, err := Parse("qa-20240501-3fa9c1.md", []byte(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Kind != KindFAQ || doc.Question != "孩子考上大学，工会有补助吗？" || doc.Date != "2024-05-01" || doc.AddedBy != "tg:900" {
		t.Fatalf("document = %+v", doc)
	}
	ps := Split(doc)
	if len(ps) != 1 || ps[0].Text != "有的。每年8月市总工会开展金秋助学，困难职工家庭子女考上大学可申请。\n请带录取通知书到所在单位工会登记。" || ps[0].Place != "答复" {
		t.Fatalf("passages = %+v", ps)
	}

	// Without a question line the title is the question; a long answer is
	// cut between paragraphs, each part a screen at most.
	long := strings.Repeat("工会为困难职工发放帮扶金，每户每年最多两次，需要提供收入证明和身份证复印件。", 5)
	doc, err = Parse("qa-long.md", []byte("---\nkind: faq\ntitle: 帮扶金怎么领\n---\n"+long+"\n"+long+"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Question != "帮扶金怎么领" {
		t.Errorf("question = %q", doc.Question)
	}
	ps = Split(doc)
	if len(ps) != 2 || ps[0].Text != long || ps[1].Parts != 2 {
		t.Fatalf("long answer cut into %d: %+v", len(ps), ps)
	}
	// The text alone never makes a Q&A entry.
	if doc, _ := Parse("x.md", []byte("问：帮扶金怎么领？\n答：带上收入证明到工会。\n"), nil); doc.Kind == KindFAQ {
		t.Error("plain text read as a Q&A entry")
	}
}
