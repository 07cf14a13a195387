package main

import (
	"strings"
	"testing"

	"github.com/gonghui/qa/rag"
)

func TestFormatAnswer(t *testing.T) {
	a := rag.Answer{
		Sentences: []rag.Sentence{{Text: "试用期不得超过六个月。", Cites: []int{1}}},
		Citations: []rag.Citation{{N: 1, Kind: "law", DocTitle: "中华人民共和国劳动合同法", ShortTitle: "劳动合同法", Place: "第十九条", Version: "2012年修正"}},
	}
	want := "试用期不得超过六个月。[1]\n\n来源：\n[1] 《劳动合同法》第十九条（2012年修正）"
	if got := formatAnswer(a); got != want {
		t.Errorf("formatAnswer:\n%s\nwant:\n%s", got, want)
	}
	ab := rag.Answer{Abstained: true, Sentences: rag.Says("抱歉，资料里没有找到。"), Citations: a.Citations}
	if got := formatAnswer(ab); strings.Contains(got, "来源") {
		t.Errorf("an abstention lists sources: %q", got)
	}
}
