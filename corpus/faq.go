package corpus

import (
	"strings"

	"github.com/gonghui/qa/corpus/zh"
)

// faqPassages cuts a Q&A entry's answer (KindFAQ): the whole answer is one
// passage when it fits a phone screen (ScreenRunes), so that the member
// reads the staff's answer as they wrote it; a longer one is cut between
// paragraphs, a paragraph longer than a screen between sentences. Lines stay
// lines (staff write lists). The question is the document's, not a
// passage's: retrieval sees it through the title.
func faqPassages(lines []textLine) []Passage {
	var paras []string
	for _, l := range lines {
		paras = append(paras, l.text)
	}
	var parts []string
	var cur []string
	n := 0
	flush := func() {
		if len(cur) > 0 {
			parts = append(parts, strings.Join(cur, "\n"))
		}
		cur, n = nil, 0
	}
	for _, p := range paras {
		l := runes(p)
		if l > ScreenRunes {
			flush()
			parts = append(parts, chunkSentences(zh.Sentences(p), ScreenRunes)...)
			continue
		}
		if n > 0 && n+l > ScreenRunes {
			flush()
		}
		cur = append(cur, p)
		n += l
	}
	flush()
	out := make([]Passage, 0, len(parts))
	for i, text := range parts {
		p := Passage{Text: text, Place: "答复"}
		if len(parts) > 1 {
			p.Part, p.Parts = i+1, len(parts)
		}
		out = append(out, p)
	}
	return out
}
