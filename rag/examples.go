package rag

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/rag/lexicon"
)

// Suggestion is a question the documents answer, checked by asking it: an
// example for /start and for "what can you do", or a related question
// offered when a member's own question is a near miss.
type Suggestion struct {
	// Question is the question as a member would type it; short enough to
	// travel in a button's callback data (MaxSuggestionBytes).
	Question string
	// DocID is the document its answer quotes first.
	DocID string
	// Concept and Domain are the lexicon concept it asks about and that
	// concept's domain ("" for a question made from a heading).
	Concept, Domain string
	// passages are the IDs of the passages that answer it.
	passages []string
	// words are its informative content bigrams, for relating it to a
	// member's question; template marks a question made from a concept's
	// name rather than members' wording.
	words    map[string]bool
	template bool
	// score ranks suggestions: what members talk about most (the concept's
	// member words), confident answers and short questions first.
	score float64
}

// MaxSuggestionBytes bounds a suggestion's question in UTF-8 bytes, so
// that a button can carry it (Telegram allows 64 bytes of callback data;
// the bot's prefix takes the rest).
const MaxSuggestionBytes = 60

// questionBank is the checked suggestions of one index.
type questionBank struct {
	ix    *Index
	items []Suggestion // best first
	// lx is the lexicon the candidates came from (the analyzer's); share says, for each of its concepts that a document
	// mentions, about what share of the passages mention it (用人单位 is
	// everywhere in the laws, 产假 in a few articles).
	lx    *lexicon.Lexicon
	share map[string]float64
}

// suggester builds the question bank once per index, on first use.
type suggester struct {
	mu   sync.Mutex
	bank *questionBank
}

// bank returns the current index's question bank, building it (asking
// every candidate) when the index changed since the last one.
func (e *Engine) bank(ctx context.Context) *questionBank {
	ix := e.index.Load()
	e.suggest.mu.Lock()
	defer e.suggest.mu.Unlock()
	if b := e.suggest.bank; b != nil && b.ix == ix {
		return b
	}
	start := time.Now()
	b := e.buildBank(ctx, ix)
	if ctx.Err() == nil { // a bank cut short is rebuilt next time
		e.suggest.bank = b
	}
	e.log.Info("example questions checked", "kept", len(b.items), "took", time.Since(start).Round(time.Millisecond))
	return b
}

// WarmExamples builds the question bank of the current index now rather
// than on the first /start, so that the first member does not wait for it.
func (e *Engine) WarmExamples(ctx context.Context) { e.bank(ctx) }

// Examples returns up to n example questions the documents answer, spread
// over the documents: a union's own (reports, notices) first, then laws,
// each from another document and topic.
func (e *Engine) Examples(n int) []string {
	var out []string
	for _, s := range pickSpread(e.bank(context.Background()).items, e.Documents(), n) {
		out = append(out, s.Question)
	}
	return out
}

// pickSpread picks n suggestions, no two from one document or one
// concept, the union's own documents first.
func pickSpread(items []Suggestion, docs []corpus.Document, n int) []Suggestion {
	law := map[string]bool{}
	for _, d := range docs {
		law[d.ID] = d.Kind == corpus.KindLaw
	}
	var out []Suggestion
	usedDoc, usedConcept := map[string]bool{}, map[string]bool{}
	take := func(own bool) {
		for _, s := range items {
			if len(out) == n {
				return
			}
			if law[s.DocID] == own || usedDoc[s.DocID] || (s.Concept != "" && usedConcept[s.Concept]) {
				continue
			}
			out = append(out, s)
			usedDoc[s.DocID], usedConcept[s.Concept] = true, s.Concept != ""
		}
	}
	take(true)  // one of the union's own documents first…
	take(false) // …then one law each
	if len(out) < n {
		clear(usedDoc) // few documents: several from one
		take(true)
		take(false)
	}
	return out
}

// candidate is a question to try, with what its answer must be about.
type candidate struct {
	question        string
	concept, domain string
	// terms: an answering passage must contain one of them (folded).
	terms []string
	// heading: or sit under this heading.
	heading string
	// words is how many member words the concept has: how much members
	// talk about it.
	words int
	// template marks a question made from the concept's name (关于产假有什么
	//规定？), tried only when none of its examples is answered.
	template bool
}

// buildBank makes the candidate questions of the corpus and keeps those
// the engine answers from a passage that is about them.
//
// Candidates come from two places. The lexicon's concepts that the
// documents mention (one of its document terms is in a passage) give their
// example sentences that are questions, in members' words (孩子考上大学，工会
// 有助学金吗); and the numbered section headings of notices (二、资助标准)
// give "资助标准是什么？", for a union's own documents that no concept
// covers. Each is asked: it is kept when the documents answer it and a
// passage that answers is about it (has the concept's term, or sits under
// the heading).
func (e *Engine) buildBank(ctx context.Context, ix *Index) *questionBank {
	b := &questionBank{ix: ix, share: map[string]float64{}}
	if ix.Len() == 0 {
		return b
	}
	b.lx = e.opt.Analyzer.lex // the engine's own, with a union's extension (LEXICON_FILE)
	asker := e
	if _, local := e.opt.Embedder.(*HashEmbedder); !local {
		// Asking hundreds of candidates must not cost as many calls to an
		// embedding server: check them lexically.
		asker = e.WithOptions(func(o *Options) { o.Mode = ModeLexical })
	}
	var out []Suggestion
	seen := map[string]bool{}
	answered := map[string]bool{} // concepts with a question kept
	try := func(c candidate) {
		if seen[c.question] || ctx.Err() != nil {
			return
		}
		seen[c.question] = true
		if s, ok := e.check(ctx, asker, c); ok {
			s.words = b.informative(contentBigrams(e.opt.Analyzer.Fold(s.Question)))
			out = append(out, s)
			answered[c.concept] = true
		}
	}
	cands := e.candidates(b)
	for _, c := range cands {
		if !c.template {
			try(c)
		}
	}
	// A concept the documents mention whose examples were not answered (or
	// that has none) is asked about in the documents' own word.
	for _, c := range cands {
		if c.template && !answered[c.concept] {
			try(c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].Question < out[j].Question
	})
	b.items = out
	return b
}

// check asks a candidate and makes it a suggestion when the documents
// answer it from a passage about it.
func (e *Engine) check(ctx context.Context, asker *Engine, c candidate) (Suggestion, bool) {
	r, err := asker.Retrieve(ctx, c.question)
	if err != nil || !r.Answerable {
		return Suggestion{}, false
	}
	s := Suggestion{Question: c.question, Concept: c.concept, Domain: c.domain, template: c.template}
	about := false
	for _, h := range r.Hits {
		if !h.Answers {
			continue
		}
		if s.DocID == "" {
			s.DocID = h.Passage.DocID
			s.score = h.Coverage + float64(min(c.words, 20))/20 - 0.01*float64(utf8.RuneCountInString(c.question))
			if c.template {
				s.score -= 0.5 // members' own wording first
			}
		}
		s.passages = append(s.passages, h.Passage.ID)
		about = about || isAbout(e.opt.Analyzer.Fold(h.Passage.Text), c.terms) ||
			(c.heading != "" && strings.Contains(h.Passage.Heading, c.heading))
	}
	return s, about
}

func isAbout(folded string, terms []string) bool {
	for _, t := range terms {
		if strings.Contains(folded, t) {
			return true
		}
	}
	return false
}

// candidates lists the questions to try for the corpus of b's index, and
// notes in b which concepts the documents mention.
func (e *Engine) candidates(b *questionBank) []candidate {
	ix := b.ix
	var out []candidate
	if b.lx != nil {
		for _, c := range b.lx.Concepts() {
			var terms []string
			share := 0.0
			for _, t := range c.Terms {
				if t = e.opt.Analyzer.Fold(strings.TrimSuffix(t, "*")); ix.mentions(t) {
					terms = append(terms, t)
					share = max(share, ix.share(t))
				}
			}
			if len(terms) == 0 {
				continue // no document mentions the concept
			}
			b.share[c.Name] = share
			for _, ex := range c.Examples {
				if q, ok := asQuestion(ex); ok {
					out = append(out, candidate{question: q, concept: c.Name, domain: c.Domain, terms: terms, words: len(c.Words)})
				}
			}
			if q, ok := termQuestion(terms[0]); ok {
				out = append(out, candidate{question: q, concept: c.Name, domain: c.Domain, terms: terms, words: len(c.Words), template: true})
			}
		}
	}
	for _, d := range ix.Documents() {
		if d.Kind != corpus.KindNotice {
			continue
		}
		for _, h := range ix.headings(d.ID) {
			if q, ok := headingQuestion(h); ok {
				out = append(out, candidate{question: q, heading: h})
			}
		}
	}
	return out
}

// mentions reports whether some passage holds the folded term: its terms
// are all in the lexical index and a passage the term ranks first has it.
func (ix *Index) mentions(term string) bool {
	ts := Terms(term)
	if len(ts) == 0 {
		return false
	}
	weights := map[string]float64{}
	for _, t := range ts {
		if !ix.lex.known(t) {
			return false
		}
		weights[t] = 1
	}
	for _, s := range ix.lex.search(weights, 5) {
		p := ix.passages[s.doc]
		if strings.Contains(ix.an.Fold(indexText(ix.docs[ix.docByID[p.DocID]], p)), term) {
			return true
		}
	}
	return false
}

// share is about what share of the passages hold the folded term: at most
// that of its rarest search term.
func (ix *Index) share(term string) float64 {
	if ix.Len() == 0 {
		return 0
	}
	df := ix.Len()
	for _, t := range Terms(term) {
		df = min(df, ix.lex.df(t))
	}
	return float64(df) / float64(ix.Len())
}

// headings lists the distinct section headings of a document's passages,
// in document order.
func (ix *Index) headings(docID string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ix.passages {
		if p.DocID != docID {
			continue
		}
		for _, h := range p.Path {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out
}

// questionMarkers make a sentence a question (in folded or plain text).
var questionMarkers = []string{"吗", "呢", "么", "怎么", "咋", "多少", "几", "哪", "什么", "啥", "能不能", "可不可以",
	"是不是", "有没有", "算不算", "要不要", "会不会", "行不行", "如何", "谁"}

// asQuestion turns a lexicon example into a suggestion: only a question,
// short enough for a button, ending in a question mark.
func asQuestion(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, "?？。!！ ")
	// Lexicon examples are folded (NFKC): give a comma between Chinese
	// words its full width back.
	s = strings.ReplaceAll(s, ",", "，")
	if s == "" || len(s)+len("？") > MaxSuggestionBytes {
		return "", false
	}
	q := false
	for _, m := range questionMarkers {
		if strings.Contains(s, m) {
			q = true
			break
		}
	}
	if !q {
		return "", false
	}
	return s + "？", true
}

// termQuestion asks about a concept in the documents' own word: 产假 →
// 关于产假有什么规定？ (a short word with no punctuation only).
func termQuestion(term string) (string, bool) {
	n := utf8.RuneCountInString(term)
	if n < 2 || n > 5 || strings.IndexFunc(term, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) >= 0 {
		return "", false
	}
	return "关于" + term + "有什么规定？", true
}

// headingNumber is the numbering in front of a heading (一、 （二） 3. 第四章).
var headingNumber = regexp.MustCompile(`^\s*(第[一二三四五六七八九十百零〇\d]+[章节条部分编]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、.．])\s*`)

// headingQuestion makes a question of a section heading (二、资助标准 →
// 资助标准是什么？): a short heading with no punctuation inside.
func headingQuestion(h string) (string, bool) {
	h = headingNumber.ReplaceAllString(strings.TrimSpace(h), "")
	h = strings.TrimRight(h, "：:。 ")
	n := utf8.RuneCountInString(h)
	if n < 2 || n > 10 || strings.IndexFunc(h, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }) >= 0 {
		return "", false
	}
	q := h + "是什么？"
	if len(q) > MaxSuggestionBytes {
		return "", false
	}
	return q, true
}
