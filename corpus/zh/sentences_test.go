package zh

import (
	"slices"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"开展活动。共计32次！好吗？", []string{"开展活动。", "共计32次！", "好吗？"}},
		{"累计有54.27万名职工参加。", []string{"累计有54.27万名职工参加。"}},
		{"他说：“好。”然后走了。", []string{"他说：“好。”", "然后走了。"}},
		{"等等……还有；最后", []string{"等等……", "还有；", "最后"}},
		{"Done. Next one? yes", []string{"Done.", "Next one?", "yes"}},
		{`He said "ok." Then left.`, []string{`He said "ok."`, "Then left."}},
		{"a.b.c. d", []string{"a.b.c.", "d"}},
		{"第一行\n第二行", []string{"第一行", "第二行"}},
		{"见《工会法》。（完）", []string{"见《工会法》。", "（完）"}},
		{"救助。[1]下一句。", []string{"救助。", "[1]下一句。"}},
		{"  \n ", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Sentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitterOptions(t *testing.T) {
	tests := []struct {
		sp   Splitter
		in   string
		want []string
	}{
		// The bot cuts messages between sentences and must lose nothing.
		{Splitter{Lossless: true}, "第一句。第二句！“引号。”第三句\n末尾", []string{"第一句。", "第二句！", "“引号。”", "第三句\n", "末尾"}},
		{Splitter{Lossless: true}, "一。 二。\n\n三", []string{"一。 ", "二。\n\n", "三"}},
		{Splitter{Lossless: true}, "  ", []string{"  "}},
		// The guard reads which passage each sentence cites.
		{Splitter{Citations: true}, "……救助。[1] 全市签订集体合同4087份[3]。", []string{"……", "救助。[1]", "全市签订集体合同4087份[3]。"}},
		{Splitter{Citations: true, Lossless: true}, "救助。[1][2] 补助。 [3]", []string{"救助。[1][2] ", "补助。 [3]"}},
		{Splitter{Citations: true}, "救助。[x] 补助。[1234]", []string{"救助。", "[x] 补助。", "[1234]"}},
	}
	for _, tt := range tests {
		if got := tt.sp.Split(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%+v.Split(%q) = %q, want %q", tt.sp, tt.in, got, tt.want)
		}
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{"", "## 标题\n正文。第二句！", "a.b.c. d", "……。。！？", "救助。[1] 下一句[2]。", "“好。”\n\n（完）", "54.27万。"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, sent := range Sentences(s) {
			if sent == "" || strings.TrimSpace(sent) != sent {
				t.Fatalf("sentence %q of %q is empty or untrimmed", sent, s)
			}
			if !strings.Contains(s, sent) {
				t.Fatalf("sentence %q is not in %q", sent, s)
			}
		}
		for _, sp := range []Splitter{{Lossless: true}, {Lossless: true, Citations: true}} {
			if got := strings.Join(sp.Split(s), ""); got != s {
				t.Fatalf("%+v lost text: %q -> %q", sp, s, got)
			}
		}
	})
}
