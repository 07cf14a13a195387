package rag

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
)

// extract composes the extractive answer: the sentence of the best passage
// that holds most of the question, and a second one from another retrieved
// passage when it is about as good — each followed by its marker. The fact
// comes first; nothing is written that is not in a cited passage.
func (e *Engine) extract(r Retrieval) ([]Sentence, []Citation) {
	ix := e.index.Load()
	weights := map[string]float64{}
	for _, t := range r.Query.Terms {
		weights[t] = ix.lex.idf(t)
	}
	for _, t := range r.Query.Expanded {
		if _, ok := weights[t]; !ok {
			weights[t] = 0.7 * ix.lex.idf(t)
		}
	}
	quantity := asksQuantity(r.Query)
	type pick struct {
		hit   Hit
		rank  int // of the hit
		pos   int // of the sentence in its passage
		topic string
		sent  string
		score float64
	}
	var picks []pick
	for rank, h := range r.Hits {
		if !h.Answers {
			continue
		}
		sents := zh.Sentences(h.Passage.Text)
		topic := strings.TrimRight(h.Passage.Lead, "。；;")
		if len(sents) > 1 && isTopic(sents[0]) {
			// A passage opening with a short topic sentence (开展“两节”送温暖活动。)
			// answers with what follows it, introduced by the topic.
			topic = strings.TrimRight(sents[0], "。；;")
			sents = sents[1:]
		}
		for pos, s := range sents {
			sc := sentenceScore(e.opt.Analyzer.Fold(s), weights)
			if quantity && hasDigit(s) {
				sc *= 1.5
			}
			picks = append(picks, pick{h, rank, pos, topic, s, sc})
		}
	}
	if len(picks) == 0 { // cannot happen for an answerable retrieval; be safe
		h := r.Hits[0]
		picks = append(picks, pick{hit: h, sent: h.Passage.Text})
	}
	sort.SliceStable(picks, func(i, j int) bool {
		if picks[i].score != picks[j].score {
			return picks[i].score > picks[j].score
		}
		return picks[i].rank < picks[j].rank
	})
	chosen := picks[:1]
	// A second sentence that answers nearly as well (红古、永登 after 安宁);
	// 0.65 was measured with eval over the three question sets.
	for _, p := range picks[1:] {
		if p.score >= 0.65*picks[0].score && p.sent != picks[0].sent {
			chosen = append(chosen, p)
			break
		}
	}
	if len(chosen) == 2 && chosen[0].hit.Passage.ID == chosen[1].hit.Passage.ID && chosen[1].pos < chosen[0].pos {
		chosen[0], chosen[1] = chosen[1], chosen[0] // keep the document's order
	}
	var sents []Sentence
	var cits []Citation
	marker := map[string]int{}
	for i, p := range chosen {
		n, ok := marker[p.hit.Passage.ID]
		if !ok {
			c := p.hit.Citation
			c.N = len(cits) + 1
			cits = append(cits, c)
			n = c.N
			marker[p.hit.Passage.ID] = n
		}
		text := p.sent
		if p.topic != "" && !strings.Contains(p.sent, p.topic) && (i == 0 || p.topic != chosen[0].topic) {
			text = p.topic + "：" + text
		}
		sents = append(sents, Sentence{Text: text, Cites: []int{n}, Break: i > 0})
	}
	return sents, cits
}

// isTopic reports whether a sentence is a short topic line rather than a fact.
func isTopic(s string) bool {
	return utf8.RuneCountInString(s) <= 24 && !hasDigit(s)
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
}

// quantityWords mark a question that asks for a number.
var quantityWords = []string{"多少", "几", "数量", "比例", "多大", "多高", "多长", "多久", "率", "多不多", "人多", "多吗"}

// asksQuantity reports whether the question asks how many or how much.
func asksQuantity(q Query) bool {
	for _, w := range quantityWords {
		if strings.Contains(q.Raw, w) {
			return true
		}
	}
	return false
}

// sentenceScore sums the weights of the question's terms found in a folded
// sentence.
func sentenceScore(folded string, weights map[string]float64) float64 {
	seen := map[string]bool{}
	var s float64
	for _, t := range Terms(folded) {
		if w, ok := weights[t]; ok && !seen[t] {
			seen[t] = true
			s += w
		}
	}
	return s
}

// Reference describes where the cited passage stands, in one line, naming
// the place as a member would: 《劳动合同法》第十九条（2012年修正） for a law,
// the 文号 and section for a notice, the paper and section for a report,
// 工会答复 and its date for a saved answer.
func (c Citation) Reference() string {
	switch c.Kind {
	case corpus.KindFAQ:
		return c.faqReference()
	case corpus.KindLaw:
		s := "《" + firstNonEmpty(c.ShortTitle, c.DocTitle) + "》" + c.Place
		if c.Version != "" {
			s += "（" + c.Version + "）"
		}
		return s
	case corpus.KindNotice:
		s := "《" + c.DocTitle + "》"
		if id := firstNonEmpty(c.DocNumber, strings.TrimSpace(c.Issuer+" "+c.Date)); id != "" {
			s += "（" + id + "）"
		}
		return s + c.Place
	}
	parts := []string{"《" + c.DocTitle + "》"}
	var pub []string
	for _, s := range []string{c.Source, c.Date, c.Page} {
		if s != "" {
			pub = append(pub, s)
		}
	}
	if len(pub) > 0 {
		parts = append(parts, strings.Join(pub, " "))
	}
	where := c.Place
	if c.Heading != "" {
		where = "“" + c.Heading + "” " + where
	}
	if where != "" {
		parts = append(parts, where)
	}
	return strings.Join(parts, "，")
}

// firstNonEmpty returns the first value that is not "".
func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
