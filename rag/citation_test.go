package rag

import (
	"context"
	"strings"
	"testing"

	"github.com/gonghui/qa/corpus"
)

func TestCitationReference(t *testing.T) {
	tests := []struct {
		name string
		c    Citation
		want string
	}{
		{"law article", Citation{Kind: corpus.KindLaw, DocTitle: "中华人民共和国劳动合同法", ShortTitle: "劳动合同法", Place: "第十九条", Version: "2012年修正"},
			"《劳动合同法》第十九条（2012年修正）"},
		{"law 款", Citation{Kind: corpus.KindLaw, DocTitle: "中华人民共和国劳动合同法", ShortTitle: "劳动合同法", Place: "第十四条第三款", Version: "2012年修正"},
			"《劳动合同法》第十四条第三款（2012年修正）"},
		{"law without version", Citation{Kind: corpus.KindLaw, DocTitle: "上海市城镇职工社会保险费征缴若干规定", Place: "第六条第一至二款"},
			"《上海市城镇职工社会保险费征缴若干规定》第六条第一至二款"},
		{"notice", Citation{Kind: corpus.KindNotice, DocTitle: "兰州市总工会关于开展2024年“金秋助学”活动的通知", DocNumber: "兰总工发〔2024〕12号", Place: "二、资助标准"},
			"《兰州市总工会关于开展2024年“金秋助学”活动的通知》（兰总工发〔2024〕12号）二、资助标准"},
		{"notice without 文号", Citation{Kind: corpus.KindNotice, DocTitle: "关于开展职工疗休养的通知", Issuer: "兰州市总工会", Date: "2024-03-01", Place: "一、疗休养对象"},
			"《关于开展职工疗休养的通知》（兰州市总工会 2024-03-01）一、疗休养对象"},
		{"report, as before", Citation{Kind: corpus.KindReport, DocTitle: "谱写工运事业发展新篇章", Source: "甘肃工人报", Date: "2020-07-02", Page: "第04版", Heading: "推进法治建设", Place: "第3部分 第15段"},
			"《谱写工运事业发展新篇章》，甘肃工人报 2020-07-02 第04版，“推进法治建设” 第3部分 第15段"},
	}
	for _, tt := range tests {
		if got := tt.c.Reference(); got != tt.want {
			t.Errorf("%s: Reference() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestPassageOpensTheWholeArticle: the 原文 of one 款 of a long article is
// the whole article, and the citation names the article by its short title
// and version.
func TestPassageOpensTheWholeArticle(t *testing.T) {
	f, an := testAnalyzer(t)
	laws, err := corpus.BuiltinLaws(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(Options{Analyzer: an, Embedder: NewHashEmbedder(f, DefaultHashDim)})
	if _, err := e.Update(context.Background(), laws); err != nil {
		t.Fatal(err)
	}
	ix := e.Index()
	var part corpus.Passage
	for _, p := range ix.passages {
		if p.DocID == "law-labor-contract" && p.Article == "第十四条" && p.Part == 2 {
			part = p
		}
	}
	if part.ID == "" {
		t.Fatal("劳动合同法第十四条 was not cut into parts")
	}
	c, ok := e.Passage(part.ID)
	if !ok {
		t.Fatal("passage not found")
	}
	if !strings.HasPrefix(c.Text, "第十四条 无固定期限劳动合同") || !strings.Contains(c.Text, part.Text) || !strings.Contains(c.Text, "（一）劳动者在该用人单位连续工作满十年的") {
		t.Errorf("原文 is not the whole article:\n%s", c.Text)
	}
	if c.Place != "第十四条" || c.Reference() != "《劳动合同法》第十四条（2012年修正）" {
		t.Errorf("place %q, reference %q", c.Place, c.Reference())
	}
	hit := ix.citation(ix.byID[part.ID], 1)
	if hit.Text != part.Text || hit.Reference() != "《劳动合同法》第十四条第三款（2012年修正）" {
		t.Errorf("cited part: %q, %q", hit.Reference(), hit.Text)
	}
}
