package rag

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
)

// Saved answers (Q&A entries, corpus.KindFAQ) are questions union staff
// answered. They are indexed like any document — retrieval finds them by
// their answer text and their question, which is the entry's title — and
// besides, a member's question is matched against each saved question
// (question to question): when one means the same, the saved answer is the
// answer, cited as 工会答复 with its date, ahead of any document passage.

// MinSavedSimilarity is how alike a member's question and a saved question
// must be (questionSimilarity) for the saved answer to be given. Reworded
// questions about the same thing (孩子考上大学工会有补助吗 / 娃上大学了，工会给补贴不)
// score 0.6–0.9; questions on another matter of the same field (助学金怎么申请 /
// 疗休养怎么报名) stay under 0.3.
const MinSavedSimilarity = 0.55

// savedAnswers are one index snapshot's Q&A entries, their questions
// prepared for matching.
type savedAnswers struct {
	ix      *Index
	an      *Analyzer
	entries []savedEntry
}

// savedEntry is one Q&A entry.
type savedEntry struct {
	doc corpus.Document
	// raw is the question folded; question is it prepared for matching,
	// without its question words (askless).
	raw      string
	question Query
	// passages are the answer's passages, in order.
	passages []int32
}

// savedFor returns the saved answers of snapshot ix, prepared on first use
// and kept until the index is swapped.
func (e *Engine) savedFor(ix *Index) *savedAnswers {
	if s := e.saved.Load(); s != nil && s.ix == ix {
		return s
	}
	s := &savedAnswers{ix: ix, an: e.opt.Analyzer}
	byDoc := map[string]int{}
	for i, p := range ix.passages {
		d := ix.docs[ix.docByID[p.DocID]]
		if d.Kind != corpus.KindFAQ {
			continue
		}
		k, ok := byDoc[d.ID]
		if !ok {
			k = len(s.entries)
			byDoc[d.ID] = k
			raw, q := s.prepare(firstNonEmpty(d.Question, d.Title))
			s.entries = append(s.entries, savedEntry{doc: d, raw: raw, question: q})
		}
		s.entries[k].passages = append(s.entries[k].passages, int32(i))
	}
	e.saved.Store(s)
	return s
}

// savedMatch is the saved answer whose question is most like the member's.
type savedMatch struct {
	ix         *Index
	entry      *savedEntry
	similarity float64
}

// prepare readies a question for matching: folded, and prepared without
// its question words.
func (s *savedAnswers) prepare(question string) (raw string, q Query) {
	raw = s.an.Fold(truncateRunes(question, MaxQuestionRunes))
	return raw, s.an.Prepare(askless(raw), s.ix.lex)
}

// match finds the saved question most like question, if one is alike
// enough and asks for the same (sameAsk).
func (s *savedAnswers) match(question string) (savedMatch, bool) {
	best := savedMatch{ix: s.ix}
	if len(s.entries) == 0 {
		return best, false
	}
	raw, q := s.prepare(question)
	for i := range s.entries {
		if !sameAsk(raw, s.entries[i].raw) {
			continue
		}
		if sim := s.ix.questionSimilarity(q, s.entries[i].question); sim > best.similarity {
			best.entry, best.similarity = &s.entries[i], sim
		}
	}
	return best, best.entry != nil && best.similarity >= MinSavedSimilarity
}

// asks are what a question can ask for, by its question words: two
// questions about the same thing that ask for different facts (职工书屋几点开门
// / 职工书屋在哪里, 疗休养怎么报名 / 疗休养报名找谁) are different questions. Most
// question words are stop words, so the similarity alone would not see it.
var asks = []*regexp.Regexp{
	regexp.MustCompile(`几点|什么时候|啥时候|什么时间|何时|哪天|哪一天|几号|几月|开门|关门|时间|截止|多会儿`), // when
	regexp.MustCompile(`哪里|哪儿|哪个地方|在哪|去哪|到哪|什么地方|啥地方|地址|位置|怎么走`),           // where
	regexp.MustCompile(`谁|哪位|哪个部门|找哪个`),                                    // who
	regexp.MustCompile(`多少|多久|多长|多大|几天|几个|几次|几年|几岁|几倍|几成|几周|什么标准|啥标准`),     // how much
	regexp.MustCompile(`怎么|怎样|如何|咋|啥办法|什么办法|流程|步骤|手续`),                     // how
	regexp.MustCompile(`为什么|为啥|凭什么|怎么会`),                                   // why
}

// sameAsk reports whether two folded questions ask for the same kinds of
// fact (none counts as a kind: "is there…?").
func sameAsk(a, b string) bool {
	for _, re := range asks {
		if re.MatchString(a) != re.MatchString(b) {
			return false
		}
	}
	return true
}

// askless is a folded question with its question words blanked: two
// questions that ask for the same kind of fact meet on what they ask about
// (职工书屋几点开门 / 职工书屋开放时间是什么时候).
func askless(raw string) string {
	for _, re := range asks {
		raw = re.ReplaceAllString(raw, " ")
	}
	return raw
}

// questionSimilarity says how much two questions mean the same, from 0 to
// 1: the harmonic mean of how much of each the other covers (questionCover),
// so that neither may say much the other does not.
func (ix *Index) questionSimilarity(a, b Query) float64 {
	ab, ba := ix.questionCover(a, b), ix.questionCover(b, a)
	if ab+ba == 0 {
		return 0
	}
	return 2 * ab * ba / (ab + ba)
}

// questionCover is the share of a's content characters that question b
// covers, each weighted by its rarity in the corpus, as a passage's
// coverage is: a character is covered when b has a word it forms with a
// neighbour, its Latin or number token, or the documents' terms of a
// thesaurus entry a's wording triggered (娃 and 孩子 both mean 子女); b
// having the character alone earns partial credit.
func (ix *Index) questionCover(a, b Query) float64 {
	have := map[string]bool{}
	for _, t := range Terms(b.Folded) {
		have[t] = true
	}
	for _, t := range b.Expanded {
		have[t] = true
	}
	all := make([]bool, len(a.units))
	for i := range all {
		all[i] = true
	}
	return ix.coverageBy(a, all, func(t string) bool { return have[t] }, func(r rune) bool { return strings.ContainsRune(b.Folded, r) }, b.Concepts...).raw
}

// minDocsAfterSaved is the least coverage a document's passage needs to be
// quoted after a saved answer.
const minDocsAfterSaved = 0.8

// answerSaved answers from a saved answer: the staff's words, each
// paragraph citing the entry ([1], 工会答复), then, when the documents
// answer too, their extractive answer after it with its own citations.
func (e *Engine) answerSaved(m savedMatch, r Retrieval) ([]Sentence, []Citation) {
	var sents []Sentence
	for _, i := range m.entry.passages {
		for _, line := range strings.Split(m.ix.passages[i].Text, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				sents = append(sents, Sentence{Text: line, Cites: []int{1}, Break: len(sents) > 0})
			}
		}
	}
	cits := []Citation{m.ix.citation(m.entry.passages[0], 1)}
	docs := r
	docs.Hits = nil
	best := 0.0
	for _, h := range r.Hits {
		if h.Citation.Kind != corpus.KindFAQ {
			docs.Hits = append(docs.Hits, h)
		} else {
			best = max(best, h.Coverage)
		}
	}
	// The documents answer too when a passage of theirs states what is
	// asked and comes close to the saved answer's coverage of the question.
	if len(docs.Hits) == 0 || !markAnswers(docs.Hits, bestCandidate(docs.Hits), answerShare*max(best, minDocsAfterSaved)) {
		return sents, cits
	}
	more, moreCits := e.extract(docs)
	for k, s := range more {
		cites := make([]int, len(s.Cites))
		for j, n := range s.Cites {
			cites[j] = n + 1
		}
		s.Cites, s.Break = cites, s.Break || k == 0
		sents = append(sents, s)
	}
	for _, c := range moreCits {
		c.N++
		cits = append(cits, c)
	}
	return sents, cits
}

// faqReference names a saved answer in a source list: 工会答复（2024-05-02）
// and the question it answers, shortened.
func (c Citation) faqReference() string {
	s := "工会答复"
	if c.Date != "" {
		s += "（" + c.Date + "）"
	}
	if q := c.DocTitle; q != "" {
		if utf8.RuneCountInString(q) > 30 {
			q = string([]rune(q)[:30]) + "…"
		}
		s += "：" + q
	}
	return s
}

// SavedAnswer returns the saved answer (Q&A entry) a member asking question
// would be given, as its citation; staff reports use it to show which
// unanswered questions have one now.
func (e *Engine) SavedAnswer(question string) (Citation, bool) {
	m, ok := e.savedFor(e.index.Load()).match(question)
	if !ok {
		return Citation{}, false
	}
	return m.ix.citation(m.entry.passages[0], 0), true
}
