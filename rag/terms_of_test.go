package rag

import (
	"testing"
	"unicode/utf8"
)

// FuzzTermsOf holds termsOf to its promise: it tells the same as the set of
// Terms(folded), for every term of either text.
func FuzzTermsOf(f *testing.F) {
	for _, s := range [][2]string{
		{"职工累计工作满1年不满10年的，年休假5天", "年休假几天"},
		{"第三十九条 劳动者有下列情形之一的", "30天 abc 劳动"},
		{"甲 乙丙 3000元", "乙丙 甲 3000 300"},
		{"", "工伤"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, other string) {
		if !utf8.ValidString(text) || !utf8.ValidString(other) {
			return
		}
		set := map[string]bool{}
		for _, x := range Terms(text) {
			set[x] = true
		}
		has := termsOf(text)
		for _, x := range append(Terms(other), Terms(text)...) {
			if has(x) != set[x] {
				t.Fatalf("termsOf(%q)(%q) = %v, Terms says %v", text, x, has(x), set[x])
			}
		}
	})
}
