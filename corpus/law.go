package corpus

import (
	"fmt"
	"strings"

	"github.com/gonghui/qa/corpus/zh"
)

// article is one 第N条 of a law as read from its lines.
type article struct {
	label  string // 第十九条
	number int
	path   []string
	lines  []string // the first starts with the label
}

// lawPiece is a passage of a law before its ID is set.
type lawPiece struct {
	piece
	article string
	number  int
	clause  int
	place   string
}

// cutLaw cuts a law's lines into passages: an article whole when it fits on
// a screen, else by 款; the text outside articles (a preamble, an appendix)
// by its numbered units. Headings (编/章/节, 附录) make the path.
func cutLaw(lines []textLine) []lawPiece {
	var out []lawPiece
	var divisions []string // 编 › 章 › 节, or 附录
	var ranks []int
	var cur *article
	var loose []textLine
	path := func() []string { return append([]string(nil), divisions...) }
	flush := func() {
		if cur != nil {
			out = append(out, cutArticle(*cur)...)
			cur = nil
		}
		if len(loose) > 0 {
			for _, p := range cutOutline(buildOutline(loose), path(), "") {
				out = append(out, lawPiece{piece: p, place: strings.Join(p.path, " ")})
			}
			loose = nil
		}
	}
	setDivision := func(rank int, head string) {
		flush()
		for len(ranks) > 0 && ranks[len(ranks)-1] >= rank {
			ranks, divisions = ranks[:len(ranks)-1], divisions[:len(divisions)-1]
		}
		ranks, divisions = append(ranks, rank), append(divisions, head)
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if label, n, _, ok := articleStart(l.text); ok {
			flush()
			cur = &article{label: label, number: n, path: path(), lines: []string{l.text}}
			continue
		}
		if m := divisionRe.FindStringSubmatch(l.text); m != nil && isDivision(l.text) {
			rank := map[string]int{"编": 1, "章": 2, "节": 3}[m[2]]
			head := "第" + m[1] + m[2]
			if t := strings.TrimSpace(strings.Trim(m[3], "　 ")); t != "" {
				head += " " + strings.Join(strings.Fields(strings.ReplaceAll(t, "　", " ")), "")
			}
			setDivision(rank, head)
			continue
		}
		if attachmentRe.MatchString(l.text) && runes(l.text) <= 40 && !strings.ContainsAny(l.text, "。；") {
			// 附录： after the articles: a part of its own, titled by the
			// short line that follows it
			head := strings.TrimRight(strings.TrimSpace(l.text), ":：")
			if i+1 < len(lines) && isHeadingLine(lines[i+1]) && markerRank(lines[i+1]) == 0 {
				head += " " + lines[i+1].text
				i++
			}
			setDivision(0, head)
			continue
		}
		if l.md > 0 && !startsUnit(l.text) {
			// an unnumbered heading (## 附则)
			setDivision(2+min(max(l.md-2, 0), 1), l.text)
			continue
		}
		if cur != nil {
			if last := &cur.lines[len(cur.lines)-1]; !endsClause(*last) && !isItem(l.text) {
				// every 款 and item ends with its punctuation: a line that
				// does not was broken, and goes on here
				*last = joinWrapped(*last, l.text)
				continue
			}
			cur.lines = append(cur.lines, l.text)
		} else {
			loose = append(loose, l)
		}
	}
	flush()
	return out
}

// isItem reports whether an article's line is one of its items (（一）…).
func isItem(s string) bool {
	return itemRe.MatchString(s) || numberRe.MatchString(s) || subNumberRe.MatchString(s)
}

// clauseGroup is one 款 of an article with the items that follow it.
type clauseGroup struct {
	n     int // 款 number from 1
	lines []string
}

// cutArticle makes an article one passage when it fits on a screen; a
// longer one is cut at its 款 (neighbours packed while they fit), and a 款
// too long with its items is cut between items — each part keeping the
// article's label and number, and led by the sentence that introduces it.
func cutArticle(a article) []lawPiece {
	whole := strings.Join(a.lines, "\n")
	if runes(whole) <= ScreenRunes {
		return []lawPiece{{piece: piece{path: a.path, text: whole}, article: a.label, number: a.number, place: a.label}}
	}
	var groups []clauseGroup
	for _, l := range a.lines {
		if len(groups) == 0 || !isItem(l) {
			groups = append(groups, clauseGroup{n: len(groups) + 1})
		}
		g := &groups[len(groups)-1]
		g.lines = append(g.lines, l)
	}
	_, _, firstText, _ := articleStart(a.lines[0])
	lead := firstSentence(firstText)
	type part struct {
		text     string
		from, to int // 款
		items    string
		lead     string
	}
	var parts []part
	var run []clauseGroup
	flush := func() {
		if len(run) == 0 {
			return
		}
		var ls []string
		for _, g := range run {
			ls = append(ls, g.lines...)
		}
		p := part{text: strings.Join(ls, "\n"), from: run[0].n, to: run[len(run)-1].n}
		if p.from > 1 {
			p.lead = lead
		}
		parts = append(parts, p)
		run = nil
	}
	size := func(gs []clauseGroup) int {
		n := -1
		for _, g := range gs {
			for _, l := range g.lines {
				n += runes(l) + 1
			}
		}
		return n
	}
	for _, g := range groups {
		if gs := size([]clauseGroup{g}); gs > ScreenRunes {
			flush()
			for _, c := range cutClause(g, lead) {
				parts = append(parts, part{text: c.text, from: g.n, to: g.n, items: c.items, lead: c.lead})
			}
			continue
		}
		if len(run) > 0 && size(append(run[:len(run):len(run)], g)) > ScreenRunes {
			flush()
		}
		run = append(run, g)
	}
	flush()
	out := make([]lawPiece, len(parts))
	for k, p := range parts {
		place := a.label
		if len(groups) > 1 {
			if p.from == p.to {
				place += "第" + chineseNumber(p.from) + "款"
			} else {
				place += "第" + chineseNumber(p.from) + "至" + chineseNumber(p.to) + "款"
			}
		}
		place += p.items
		out[k] = lawPiece{
			piece:   piece{path: a.path, lead: p.lead, text: p.text, part: k + 1, parts: len(parts)},
			article: a.label, number: a.number, clause: p.from, place: place,
		}
	}
	return out
}

// clausePiece is a piece of one long 款.
type clausePiece struct{ text, items, lead string }

// cutClause cuts a 款 longer than a screen: between its items, the later
// pieces led by the 款's introducing sentence (职工有下列情形之一的，应当认定为工伤：),
// or, without items, into runs of whole sentences. The first piece of a
// later 款 is led by the article's opening sentence.
func cutClause(g clauseGroup, articleLead string) []clausePiece {
	intro := g.lines[0]
	if _, _, rest, ok := articleStart(intro); ok {
		intro = rest
	}
	firstLead := ""
	if g.n > 1 {
		firstLead = articleLead
	}
	var out []clausePiece
	if len(g.lines) == 1 {
		for k, c := range chunkSentences(zh.Sentences(g.lines[0]), ScreenRunes) {
			l := firstLead
			if k > 0 {
				l = firstSentence(intro)
			}
			out = append(out, clausePiece{text: c, lead: l})
		}
		return out
	}
	var run []string
	first, last := "", ""
	n := 0
	flush := func() {
		if len(run) == 0 {
			return
		}
		p := clausePiece{text: strings.Join(run, "\n"), items: itemRange(first, last), lead: firstLead}
		if len(out) > 0 {
			p.lead = intro
		}
		out = append(out, p)
		run, first, last, n = nil, "", "", 0
	}
	for k, l := range g.lines {
		if len(run) > 0 && n+1+runes(l) > ScreenRunes {
			flush()
		}
		if k > 0 {
			if first == "" {
				first = itemLabel(l)
			}
			last = itemLabel(l)
		}
		if len(run) > 0 {
			n++
		}
		run = append(run, l)
		n += runes(l)
	}
	flush()
	return out
}

// itemLabel is an item's marker: （六）.
func itemLabel(s string) string {
	for _, re := range []interface{ FindString(string) string }{itemRe, numberRe, subNumberRe} {
		if m := re.FindString(s); m != "" {
			m = strings.TrimSpace(m)
			return strings.NewReplacer("(", "（", ")", "）").Replace(m)
		}
	}
	return ""
}

// itemRange names items as a citation does: 第（六）项, 第（五）至（七）项.
func itemRange(first, last string) string {
	switch {
	case first == "":
		return ""
	case first == last:
		return "第" + first + "项"
	}
	return "第" + first + "至" + last + "项"
}

// firstSentence is a text's first sentence, or its first clause up to a
// colon when that comes first (the lead of a list).
func firstSentence(s string) string {
	ss := zh.Sentences(s)
	if len(ss) == 0 {
		return ""
	}
	first := ss[0]
	if i := strings.Index(first, "："); i >= 0 && i+len("：") < len(first) {
		return first[:i+len("：")]
	}
	return first
}

// chineseNumber writes 1–99 in Chinese numerals, as articles and 款 are counted.
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n >= 100:
		return fmt.Sprint(n)
	case n < 10:
		return digits[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + digits[n%10]
	case n%10 == 0:
		return digits[n/10] + "十"
	}
	return digits[n/10] + "十" + digits[n%10]
}

// WholeArticle returns the full text of the article passage i of ps belongs
// to, when Split cut it into parts: the parts are consecutive in ps (the
// passages of one document, or an index's, in Split's order), and joined
// back as the article was written. ok is false when passage i is not part of
// a cut article.
func WholeArticle(ps []Passage, i int) (text string, ok bool) {
	if i < 0 || i >= len(ps) {
		return "", false
	}
	p := ps[i]
	if p.Article == "" || p.Parts < 2 || p.Part < 1 {
		return "", false
	}
	first := i - (p.Part - 1)
	if first < 0 || first+p.Parts > len(ps) {
		return "", false
	}
	var b strings.Builder
	for k := first; k < first+p.Parts; k++ {
		q := ps[k]
		if q.DocID != p.DocID || q.Article != p.Article || q.Part != k-first+1 {
			return "", false
		}
		if k > first {
			// A 款 cut into runs of sentences joins back without a break.
			if q.Clause != ps[k-1].Clause || isItem(q.Text) {
				b.WriteString("\n")
			}
		}
		b.WriteString(q.Text)
	}
	return b.String(), true
}

// IsItem reports whether a line of a passage is an enumerated item —
// （一）…, 1. … — which reads only with the line that introduces it.
func IsItem(line string) bool { return isItem(strings.TrimSpace(line)) }

// WithoutArticleLabel is a passage line without the 第十九条 it opens with,
// for quoting: the citation already names the article.
func WithoutArticleLabel(line string) string {
	if _, _, rest, ok := articleStart(strings.TrimSpace(line)); ok && rest != "" {
		return rest
	}
	return line
}
