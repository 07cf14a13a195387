package rag

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
)

// quotable is a quotable piece of a passage: one sentence, with what a member
// needs to read it (the line that introduces an item, a paragraph's topic).
type quotable struct {
	hit   Hit
	rank  int    // of the hit
	pos   int    // of the unit in its passage
	intro string // the line an item belongs to, or the paragraph's topic
	text  string
	score float64
	list  bool // an introducing line with its items
	// prefers is true when the sentence writes the thing asked about by
	// its figure (factKind.prefer).
	prefers bool
}

// quote is how the unit reads in an answer.
func (u quotable) quote() string {
	text := u.text
	if strings.HasSuffix(text, "；") || strings.HasSuffix(text, ";") {
		text = strings.TrimRight(text, "；;") + "。"
	}
	if u.intro == "" || strings.Contains(text, u.intro) {
		return text
	}
	intro := strings.TrimRight(u.intro, "。；;：: ")
	return intro + "：" + text
}

// screenRunes is about what a phone shows before the sources: an answer
// longer than this quotes one sentence only.
const screenRunes = corpus.ScreenRunes

// tieShare is how close two sentences' scores must be to count as a tie;
// listTieShare the same between a list and a sentence, since a list holds
// many words.
const (
	tieShare     = 0.03
	listTieShare = 0.15
)

// unstatedShare scales the score of a sentence that does not state the
// kind of fact the question asks for.
const unstatedShare = 0.3

// minGain is how much more of the question a second sentence must cover,
// with the first, to be quoted for it; samePassageBonus favours a sentence
// of the first's own passage (its next clause, its list).
const (
	minGain          = 0.15
	samePassageBonus = 1.2
)

// tierFitBonus and tierMissShare scale a sentence whose tier holds the
// member's figure, and one whose tiers all miss it.
const (
	tierFitBonus  = 1.3
	tierMissShare = 0.6
)

// unpreferredShare scales a sentence that does not write the thing asked
// about by its figure, where another does.
const unpreferredShare = 0.6

// otherLawShare is how close a sentence of another law must come to the
// best's score to be quoted beside it.
const otherLawShare = 0.5

// otherLaw reports whether two units are articles of different laws.
func otherLaw(a, b quotable) bool {
	return a.hit.Citation.Kind == corpus.KindLaw && b.hit.Citation.Kind == corpus.KindLaw && a.hit.Citation.DocID != b.hit.Citation.DocID
}

// adopted is when passage i's law was first adopted (its history's earliest
// date, else its version), as 2007-06-29, for telling the later of two laws.
func (ix *Index) adopted(i int32) string {
	d := ix.docs[ix.docByID[ix.passages[i].DocID]]
	earliest := d.Version
	for _, h := range d.History {
		for _, dt := range zh.FindDates(h) {
			if dt.Year > 0 && (earliest == "" || dt.String() < earliest) {
				earliest = dt.String()
			}
		}
	}
	return earliest
}

// introShare is what the words of the line introducing an item add to the
// item's score, against its own words.
const introShare = 0.5

// secondShare is how close a second sentence's score must come to the
// best's for the answer to quote it too (红古、永登 after 安宁); measured with
// eval over all question sets.
const secondShare = 0.65

// extract composes the extractive answer: the sentence (or item, with the
// line that introduces it) of an answering passage that holds most of the
// question and states the kind of fact asked for, and a second one when it
// is about as good — each with its citation. The fact comes first; nothing
// is written that is not in a cited passage.
func (e *Engine) extract(r Retrieval) ([]Sentence, []Citation) {
	ix := e.index.Load()
	kinds, known := r.kinds, r.known
	if r.ix != ix {
		kinds, known = askedKinds(r.Query.Raw), ix.knownUnits(r.Query)
	}
	spans := questionSpans(r.Query.Raw)
	figs := questionFigures(r.Query.Raw)
	var units []quotable
	for rank, h := range r.Hits {
		if !h.Answers {
			continue
		}
		for _, u := range passageUnits(h, rank) {
			// A sentence scores by how much of the question it holds, each
			// word weighted by its rarity; the introducing line's words count
			// for less: they are the article's topic, shared by its items.
			folded := e.opt.Analyzer.Fold(u.text)
			u.score = ix.textCoverage(r.Query, known, folded)
			if u.intro != "" {
				with := ix.textCoverage(r.Query, known, e.opt.Analyzer.Fold(u.intro)+" "+folded)
				u.score += introShare * max(0, with-u.score)
			}
			// A tier that holds the member's own figure (一年以上不满三年 for
			// 签1年的合同) answers; its neighbours do not.
			// So does the side of a line of count or age that holds theirs
			// (会员二十五人以上的 for 三十来个人), and not the other side.
			for _, fit := range [...]int{tierFit(e.opt.Analyzer.Fold(u.intro+" "+u.text), spans), lineFit(folded, figs)} {
				switch fit {
				case 1:
					u.score *= tierFitBonus
				case -1:
					u.score *= tierMissShare
				}
			}
			u.prefers = len(kinds) > 0 && prefersAll(folded, kinds)
			switch {
			case len(kinds) == 0:
			case statesAll(folded, kinds):
				if u.prefers {
					u.score *= 1.3
				}
			default:
				// A sentence that does not state the kind of fact asked for
				// comes after any that does.
				u.score *= unstatedShare
			}
			units = append(units, u)
		}
	}
	// Where some sentence writes the thing asked about by its figure
	// (获得专利458项 for 专利的有多少), one stating other figures of the
	// topic does not answer as well, however much of the question it holds.
	if slices.ContainsFunc(units, func(u quotable) bool { return u.prefers }) {
		for i := range units {
			if !units[i].prefers {
				units[i].score *= unpreferredShare
			}
		}
	}
	if len(units) == 0 { // cannot happen for an answerable retrieval; be safe
		h := r.Hits[0]
		units = append(units, quotable{hit: h, text: h.Passage.Text})
	}
	sort.SliceStable(units, func(i, j int) bool {
		a, b := units[i], units[j]
		tie := tieShare
		if a.list != b.list {
			tie = listTieShare // a list must be clearly better than one line
		}
		if math.Abs(a.score-b.score) <= tie*max(a.score, b.score) {
			// About as good: within one passage the earlier (an article's
			// main rule comes before its special cases); across passages the
			// shorter, which says it more plainly (one line of an article
			// rather than another's whole list), then the better ranked.
			if a.hit.Passage.ID == b.hit.Passage.ID && a.list == b.list {
				return a.pos < b.pos
			}
			if la, lb := utf8.RuneCountInString(a.quote()), utf8.RuneCountInString(b.quote()); la != lb {
				return la < lb
			}
			return a.rank < b.rank
		}
		return a.score > b.score
	})
	first := units[0]
	for _, u := range units[1:] {
		if u.list && strings.HasPrefix(u.text, strings.TrimSpace(first.text)) && u.score >= first.score {
			first = u // the list its best sentence introduces says more
		}
	}
	chosen := []quotable{first}
	// A second sentence: the one that adds most of what the first leaves
	// out of the question (参加时已办理退休手续的人员… after 均可参加), or one
	// that answers nearly as well on its own (红古、永登 after 安宁), or another
	// law's rule on the same thing — the member must not read one rule alone
	// where another law gives a different or more specific one (劳动法's 60
	// days against 劳动争议调解仲裁法's year).
	firstCov := ix.textCoverage(r.Query, known, e.opt.Analyzer.Fold(first.intro+" "+first.text))
	var second *quotable
	bestGain := 0.0
	for i := range units {
		u := &units[i]
		if strings.Contains(first.quote(), u.quote()) || strings.Contains(u.quote(), first.quote()) ||
			utf8.RuneCountInString(first.quote()+u.quote()) > screenRunes {
			continue
		}
		if len(kinds) > 0 && !statesAll(e.opt.Analyzer.Fold(u.text), kinds) && !otherLaw(first, *u) {
			continue
		}
		gain := ix.textCoverage(r.Query, known, e.opt.Analyzer.Fold(first.intro+" "+first.text+" "+u.intro+" "+u.text)) - firstCov
		if u.hit.Passage.ID == first.hit.Passage.ID {
			gain *= samePassageBonus
		}
		ok := gain >= minGain ||
			u.score >= secondShare*first.score ||
			otherLaw(first, *u) && u.hit.States && u.score >= otherLawShare*first.score
		if ok && (second == nil || gain > bestGain || gain == bestGain && u.score > second.score) {
			second, bestGain = u, gain
		}
	}
	if second != nil {
		chosen = append(chosen, *second)
	}
	switch {
	case len(chosen) < 2:
	case chosen[0].hit.Passage.ID == chosen[1].hit.Passage.ID && chosen[1].pos < chosen[0].pos:
		chosen[0], chosen[1] = chosen[1], chosen[0] // keep the document's order
	case otherLaw(chosen[0], chosen[1]) && ix.adopted(chosen[1].hit.idx) > ix.adopted(chosen[0].hit.idx):
		chosen[0], chosen[1] = chosen[1], chosen[0] // the later law first: it prevails
	}
	var sents []Sentence
	var cits []Citation
	marker := map[string]int{}
	for i, u := range chosen {
		n, ok := marker[u.hit.Passage.ID]
		if !ok {
			c := u.hit.Citation
			c.N = len(cits) + 1
			cits = append(cits, c)
			n = c.N
			marker[u.hit.Passage.ID] = n
		}
		text := u.quote()
		if i > 0 && u.intro != "" && u.intro == chosen[0].intro {
			text = u.text // the same introduction is not repeated
		}
		sents = append(sents, Sentence{Text: text, Cites: []int{n}, Break: i > 0})
	}
	return sents, cits
}

// passageUnits cuts a passage into quotable units: its sentences, line by
// line. An item (（六）在上下班途中…) keeps the line that introduces it
// (职工有下列情形之一的，应当认定为工伤：), and so does the first line of a
// cut article's later part, from the passage's lead; a report paragraph's
// sentences keep its short topic sentence (开展“两节”送温暖活动).
func passageUnits(h Hit, rank int) []quotable {
	p := h.Passage
	var out []quotable
	intro := ""
	if p.Article != "" {
		intro = strings.TrimSpace(p.Lead)
	}
	lines := strings.Split(p.Text, "\n")
	for li, line := range lines {
		line = strings.TrimSpace(line)
		if li == 0 && p.Article != "" {
			line = corpus.WithoutArticleLabel(line)
		}
		if line == "" {
			continue
		}
		sents := zh.Sentences(line)
		topic := ""
		switch {
		case p.Article == "" && li == 0 && len(sents) > 1 && isTopic(sents[0]):
			// A paragraph opening with a short topic sentence answers with
			// what follows it, introduced by the topic.
			topic = sents[0]
			sents = sents[1:]
		case p.Article == "" && li == 0:
			topic = strings.TrimSpace(p.Lead)
		case corpus.IsItem(line):
			topic = intro
		}
		for _, s := range sents {
			out = append(out, quotable{hit: h, rank: rank, pos: len(out), intro: topic, text: s})
		}
		if !corpus.IsItem(line) && len(sents) > 0 {
			// The line that introduces the items after it: its last sentence
			// (…应当认定为工伤：). With its items it is a unit of its own, the
			// list (提交下列材料：（一）…（二）…), as far as a phone shows.
			intro = sents[len(sents)-1]
			if last := intro; strings.HasSuffix(last, "：") || strings.HasSuffix(last, ":") {
				list := last
				for _, next := range lines[li+1:] {
					next = strings.TrimSpace(next)
					if !corpus.IsItem(next) || utf8.RuneCountInString(list+next) > screenRunes {
						break
					}
					list += next
				}
				if list != last {
					out = append(out, quotable{hit: h, rank: rank, pos: len(out), text: list, list: true})
				}
			}
		}
	}
	return out
}

// isTopic reports whether a sentence is a short topic line rather than a fact.
func isTopic(s string) bool {
	return utf8.RuneCountInString(s) <= 24 && !hasDigit(s)
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
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
