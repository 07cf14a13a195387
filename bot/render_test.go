package bot

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/rag"
)

var tagRe = regexp.MustCompile(`<[^>]+>`)

func visible(h string) string { return html.UnescapeString(tagRe.ReplaceAllString(h, "")) }

func TestRenderAnswerEscapesAndCites(t *testing.T) {
	a := rag.Answer{
		Sentences: []rag.Sentence{
			{Text: "工会为考上大学的职工子女发放助学金 <5000元>。", Cites: []int{1}},
			{Text: "申请要带 *录取通知书* 和 _户口本_ & 工资条。", Cites: []int{2}},
		},
		Citations: []rag.Citation{
			{N: 1, DocTitle: "金秋助学<通知>", Source: "甘肃工人报", Date: "2020-07-02", Page: "第04版", Place: "第2部分 第3段"},
			{N: 2, DocTitle: "助学办法", Date: "2021-01-01"},
		},
	}
	got := renderAnswer(a, maxMessageUnits)
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	want := "工会为考上大学的职工子女发放助学金 &lt;5000元&gt;。[1]申请要带 *录取通知书* 和 _户口本_ &amp; 工资条。[2]\n\n<b>来源</b>\n" +
		"[1] 《金秋助学&lt;通知&gt;》 甘肃工人报 2020-07-02 第04版 · 第2部分 第3段\n[2] 《助学办法》 2021-01-01"
	if got[0] != want {
		t.Errorf("render:\n%s\nwant:\n%s", got[0], want)
	}
}

func TestRenderAbstainedHasNoSources(t *testing.T) {
	got := renderAnswer(rag.Answer{Abstained: true, Sentences: rag.Says("资料里没有找到。"), Citations: []rag.Citation{{DocTitle: "x"}}}, maxMessageUnits)
	if len(got) != 1 || strings.Contains(got[0], "来源") {
		t.Errorf("abstained answer rendered as %q", got)
	}
}

func TestRenderSplitsLongAnswersAtSentences(t *testing.T) {
	sentence := "职工遇到工资被拖欠可以向工会求助<&>，工会会依法维护职工权益😀。"
	a := rag.Answer{Sentences: rag.ParseSentences(strings.Repeat(sentence, 300)), Citations: []rag.Citation{{N: 1, DocTitle: "标题"}}}
	for _, limit := range []int{maxMessageUnits, 500} {
		got := renderAnswer(a, limit)
		if len(got) < 2 {
			t.Fatalf("limit %d: got %d messages, want several", limit, len(got))
		}
		var all strings.Builder
		for i, m := range got {
			if n := len(utf16.Encode([]rune(m))); n > limit {
				t.Errorf("limit %d: message %d has %d UTF-16 units", limit, i, n)
			}
			if i < len(got)-1 && !strings.HasSuffix(m, "。") {
				t.Errorf("limit %d: message %d does not end at a sentence: …%s", limit, i, m[len(m)-20:])
			}
			all.WriteString(visible(m))
		}
		if !strings.Contains(all.String(), strings.Repeat(sentence, 300)) {
			t.Errorf("limit %d: text lost in splitting", limit)
		}
	}
}

func TestCutLongKeepsEntitiesWhole(t *testing.T) {
	s := esc(strings.Repeat("<>&", 100))
	for _, piece := range cutLong(s, 7) {
		if utf16Len(piece) > 7 {
			t.Errorf("piece %q too long", piece)
		}
		if html.UnescapeString(piece) == piece && strings.Contains(piece, "&") {
			t.Errorf("piece %q splits an entity", piece)
		}
	}
	if got := strings.Join(cutLong(s, 7), ""); got != s {
		t.Errorf("cutLong lost text")
	}
}

func TestSentences(t *testing.T) {
	got := sentences("第一句。第二句！“引号。”第三句\n末尾")
	want := []string{"第一句。", "第二句！", "“引号。”", "第三句\n", "末尾"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sentences = %q, want %q", got, want)
	}
}

func TestCitationLineNamesArticleAndSection(t *testing.T) {
	law := rag.Citation{Kind: corpus.KindLaw, DocTitle: "中华人民共和国劳动合同法", ShortTitle: "劳动合同法", Article: "第十九条", Place: "第十九条", Version: "2012年修正"}
	if got := citationLine(law); got != "《劳动合同法》第十九条（2012年修正）" {
		t.Errorf("law: %q", got)
	}
	notice := rag.Citation{Kind: corpus.KindNotice, DocTitle: "关于开展金秋助学活动的通知", DocNumber: "兰总工发〔2024〕12号", Place: "二、资助标准"}
	if got := citationLine(notice); got != "《关于开展金秋助学活动的通知》（兰总工发〔2024〕12号）二、资助标准" {
		t.Errorf("notice: %q", got)
	}
	// The 原文 view names the article and the version above its text.
	page := visible(strings.Join(renderPassage(law, maxMessageUnits), ""))
	if !strings.Contains(page, "第十九条 · 2012年修正") {
		t.Errorf("原文 view: %q", page)
	}
}
