package rag

import (
	"context"
	"strings"
	"testing"
)

// The member's own situation picks the sentence of a law that speaks to it,
// not the article's general rule: a condition named (难产), a count or age
// against a line (三十来个人, 25人以上), a duration below a right's bound.
func TestAnswerFollowsTheSituation(t *testing.T) {
	e := lawsEngine(t)
	for q, want := range map[string]string{
		"生娃的时候难产了，产假能多给几天不":    "难产的，增加产假15天",
		"我们公司有三十来个人，能不能自己成立工会": "二十五人以上的，应当建立基层工会委员会",
		"刚参加工作半年，有没有带薪年休假？":    "连续工作1年以上的，享受带薪年休假",
	} {
		a, err := e.Answer(context.Background(), "", q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.Text(), want) {
			t.Errorf("%s:\n%s\nwant it to quote %s", q, a.Text(), want)
		}
	}
}

// Two acts a law forbids side by side stay two concepts: a question about a
// deposit is answered by the rule on deposits, not by the one on keeping
// a worker's ID card that stands beside it.
func TestDepositIsNotTheIDCard(t *testing.T) {
	e := lawsEngine(t)
	a, err := e.Answer(context.Background(), "", "职业中介让先交500块押金才给介绍活，这正常吗")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text(), "收取押金") {
		t.Errorf("answer %q does not quote the rule on deposits", a.Text())
	}
}

// A question for how many of a thing is answered by the sentence that
// writes that thing by its figure, not by one giving other figures of the
// same topic that holds more of the question's words.
func TestFigureOfTheThingAsked(t *testing.T) {
	e := newTestEngine(t, Options{})
	a, err := e.Answer(context.Background(), "", "工人们搞出来的新东西，拿到专利的有多少？")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text(), "专利458项") {
		t.Errorf("answer %q does not give the count of patents", a.Text())
	}
}
