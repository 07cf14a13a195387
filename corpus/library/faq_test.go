package library

import (
	"errors"
	"strings"
	"testing"

	"github.com/gonghui/qa/corpus"
)

func TestSaveAnswer(t *testing.T) {
	f := newFixture(t)
	l := f.open(t, nil)
	qa := Answer{Question: "孩子考上大学，工会有补助吗？", Answer: "有的。每年8月开展金秋助学，请带录取通知书到单位工会登记。\n咨询电话：0931-1234567", Ref: "工单 #12"}
	doc, replaced, err := l.SaveAnswer(qa, "tg:900")
	if err != nil || replaced {
		t.Fatalf("SaveAnswer: %v, replaced %v", err, replaced)
	}
	if !strings.HasPrefix(doc.ID, "qa-20240502-") || doc.Kind != corpus.KindFAQ || doc.Question != qa.Question || doc.Date != "2024-05-02" {
		t.Fatalf("doc = %+v", doc)
	}
	docs := f.load(t)
	if len(docs) != 1 || docs[0].ID != doc.ID || docs[0].AddedBy != "tg:900" || docs[0].AddedAt == "" {
		t.Fatalf("corpus = %+v", docs)
	}
	if ps := corpus.Split(docs[0]); len(ps) != 1 || !strings.Contains(ps[0].Text, "0931-1234567") {
		t.Fatalf("passages = %+v", ps)
	}
	recs, _ := l.Audit()
	if len(recs) != 1 || recs[0].Action != ActionAdd || recs[0].DocID != doc.ID || recs[0].Detail != "问答 工单 #12" || recs[0].Who != "tg:900" {
		t.Fatalf("audit = %+v", recs)
	}

	// The same answer again is done already; a corrected one replaces the
	// entry under its ID.
	if _, _, err := l.SaveAnswer(qa, "tg:901"); !errors.Is(err, ErrDone) {
		t.Fatalf("saved twice: %v", err)
	}
	qa.Question = "孩子考上大学, 工会有补助吗?" // other widths, same question
	qa.Answer = "有的。金秋助学每年8月申请。"
	again, replaced, err := l.SaveAnswer(qa, "tg:901")
	if err != nil || !replaced || again.ID != doc.ID {
		t.Fatalf("corrected answer: %+v, replaced %v, %v", again, replaced, err)
	}
	if docs := f.load(t); len(docs) != 1 || strings.TrimSpace(docs[0].Body) != "有的。金秋助学每年8月申请。" {
		t.Fatalf("after replacing: %+v", docs)
	}
	// Removable like any document.
	if err := l.Remove(doc.ID, "tg:900"); err != nil {
		t.Fatal(err)
	}
	if docs := f.load(t); len(docs) != 0 {
		t.Fatalf("after removal: %+v", docs)
	}

	if _, _, err := l.SaveAnswer(Answer{Question: "问题", Answer: "  "}, "tg:900"); !errors.Is(err, ErrEmptyAnswer) {
		t.Errorf("empty answer: %v", err)
	}
}

func TestSaveAnswerAllOrNothing(t *testing.T) {
	f := newFixture(t)
	f.write(t, "notice.txt", notice)
	failing := false
	l := f.open(t, func(point string) error {
		if failing && point == "synced" {
			return errors.New("disk gone")
		}
		return nil
	})
	before := snapshot(t, f.corpusDir)
	failing = true
	if _, _, err := l.SaveAnswer(Answer{Question: "疗休养怎么报名", Answer: "找单位工会报名。"}, "tg:900"); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("SaveAnswer with a failing disk: %v", err)
	}
	sameSnapshot(t, before, snapshot(t, f.corpusDir))
	if recs, _ := l.Audit(); len(recs) != 0 {
		t.Errorf("audit = %+v", recs)
	}
}
