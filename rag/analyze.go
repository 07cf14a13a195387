package rag

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag/lexicon"
)

// Analyzer turns text into search terms: folded (NFKC, 繁→简, lower case,
// everyday and dialect function words to the standard ones), then Chinese
// runs into character bigrams and trigrams, and Latin words and numbers
// (54.27 stays whole) into single terms. It expands questions with the
// lexicon's concepts — members' words to the documents' words — and with the
// Arabic forms of Chinese numbers. It is safe for concurrent use.
type Analyzer struct {
	folder *zh.Folder
	lex    *lexicon.Lexicon
	// terms[c] are concept c's document terms, folded.
	terms [][]string
	// cut[c] is what Prepare needs of concept c's terms, cut in advance.
	cut []conceptCut
	// homophones is made at the first question that needs it (30 ms).
	homophones func() *zh.Homophones
	// after[r] and before[r] are the characters that follow and precede r
	// in the lexicon's words and terms: a homophone repair must make one of
	// those pairs.
	after, before map[rune][]rune
}

// conceptCut is a concept's document terms cut into search terms once, when
// the analyzer is made, rather than at every question.
type conceptCut struct {
	// checks[i] are the search terms that must all occur for the corpus to
	// hold term i (see termKnown).
	checks [][]string
	// expand are the search terms of all the terms, each with the factor of
	// the expansion weight it gets (longTermBigram for the bigrams of a long
	// phrase, else 1; the highest where terms share one).
	expand []weightedTerm
}

type weightedTerm struct {
	term   string
	factor float64
}

// cutConcept cuts the folded document terms of one concept.
func cutConcept(terms []string) conceptCut {
	var c conceptCut
	at := map[string]int{}
	for _, t := range terms {
		c.checks = append(c.checks, termChecks(t))
		long := utf8.RuneCountInString(t) > 3
		for _, term := range Terms(t) {
			f := 1.0
			if long && utf8.RuneCountInString(term) == 2 && isHanString(term) {
				// A long phrase (每满一年支付一个月工资) is told by its
				// trigrams; its bigrams (一年, 支付) are everywhere.
				f = longTermBigram
			}
			if k, ok := at[term]; ok {
				c.expand[k].factor = max(c.expand[k].factor, f)
				continue
			}
			at[term] = len(c.expand)
			c.expand = append(c.expand, weightedTerm{term, f})
		}
	}
	return c
}

// NewAnalyzer builds an analyzer over a lexicon (lexicon.Default(), perhaps
// extended by a union's own file).
func NewAnalyzer(folder *zh.Folder, lex *lexicon.Lexicon) *Analyzer {
	a := &Analyzer{folder: folder, lex: lex, homophones: sync.OnceValue(zh.NewHomophones),
		after: map[rune][]rune{}, before: map[rune][]rune{}}
	addPairs := func(w string) {
		rs := []rune(w)
		for i := 1; i < len(rs); i++ {
			if !slices.Contains(a.after[rs[i-1]], rs[i]) {
				a.after[rs[i-1]] = append(a.after[rs[i-1]], rs[i])
				a.before[rs[i]] = append(a.before[rs[i]], rs[i-1])
			}
		}
	}
	for _, c := range lex.Concepts() {
		ts := make([]string, 0, len(c.Terms))
		for _, t := range c.Terms {
			if f := folder.Fold(t); f != "" {
				ts = append(ts, f)
				addPairs(f)
			}
		}
		for _, w := range c.Words {
			addPairs(w)
		}
		a.terms = append(a.terms, ts)
		a.cut = append(a.cut, cutConcept(ts))
	}
	return a
}

// Fold is the matching form of text (see zh.Folder).
func (a *Analyzer) Fold(s string) string { return a.folder.Fold(s) }

// Terms splits folded text into search terms, in order, with repeats. The
// terms are substrings of folded (they share its memory): cutting allocates
// only the slice.
func Terms(folded string) []string {
	return appendTerms(make([]string, 0, len(folded)*2/3+1), folded)
}

// appendTerms is Terms appending to out.
func appendTerms(out []string, s string) []string { return appendSomeTerms(out, s, true) }

// appendSomeTerms is appendTerms, without the bigrams and trigrams of
// Chinese runs unless grams.
func appendSomeTerms(out []string, s string, grams bool) []string {
	var buf [64]int
	run := buf[:0] // byte offsets of the current Chinese run's characters
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isHanChar(r):
			run = append(run, i)
			i += size
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			out = appendRunTerms(out, s, run, i, grams)
			run = run[:0]
			// A Latin word or a number (54.27 stays whole).
			j, prev := i, rune(-1)
			for j < len(s) {
				c, n := utf8.DecodeRuneInString(s[j:])
				if c == '.' && j > i && unicode.IsDigit(prev) {
					if next, _ := utf8.DecodeRuneInString(s[j+1:]); j+1 < len(s) && unicode.IsDigit(next) {
						j, prev = j+n, c
						continue
					}
					break
				}
				if !(unicode.IsLetter(c) && !isHanChar(c) || unicode.IsDigit(c)) {
					break
				}
				j, prev = j+n, c
			}
			out = append(out, s[i:j])
			i = j
		default:
			out = appendRunTerms(out, s, run, i, grams)
			run = run[:0]
			i += size
		}
	}
	return appendRunTerms(out, s, run, len(s), grams)
}

// appendRunTerms appends the terms of one run of Chinese characters starting
// at the byte offsets run and ending at end: the character alone when it is
// the only one, else its bigrams and trigrams in order.
func appendRunTerms(out []string, s string, run []int, end int, grams bool) []string {
	n := len(run)
	at := func(k int) int {
		if k < n {
			return run[k]
		}
		return end
	}
	if n == 1 {
		return append(out, s[run[0]:end])
	}
	if !grams {
		return out
	}
	for k := 0; k+1 < n; k++ {
		out = append(out, s[run[k]:at(k+2)])
		if k+2 < n {
			out = append(out, s[run[k]:at(k+3)])
		}
	}
	return out
}

// isHanChar is unicode.Is(unicode.Han, r), quick for the common block.
func isHanChar(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF {
		return true
	}
	return r >= 0x2E80 && unicode.Is(unicode.Han, r)
}

// Query is a question prepared for retrieval.
type Query struct {
	// Raw is the question folded, before stop words are cut.
	Raw string
	// Folded is the question in matching form, with stop words cut out.
	Folded string
	// Terms are the question's own search terms.
	Terms []string
	// Expanded are terms added by the lexicon and by number forms.
	Expanded []string
	// Weights is each search term's weight: 1 for the question's own terms,
	// less for expansions (expandWeight, gappedWeight).
	Weights map[string]float64
	// Concepts names the lexicon concepts the question mentions.
	Concepts []string
	// units are the question's content characters (and Latin or number
	// tokens), for judging how much of the question a passage covers.
	units []unit
	// synonyms[i] are the document terms of the i-th concept or number form
	// the question triggered, and synKnown[i] whether the corpus has any.
	synonyms   [][]string
	synKnown   []bool
	synConcept []string // the concept's name, "" for a number form
	// absent is true when the question names a lexicon concept that no
	// document mentions, and absentShare is the share of its content such
	// concepts span.
	absent      bool
	absentShare float64
	// unknownShare is the share of the question's content (by sentence
	// weight) in words neither the corpus nor the lexicon knows: 商场, 打折
	// of 会员去商场买东西能打折吗.
	unknownShare float64
	// memo keeps what is derived from the query against an index, so that
	// comparing it with many passages derives it once (nil: not kept).
	memo *queryMemo
}

// queryMemo is what a query keeps of its comparison with one index: the
// weights of its units, asked for at every passage it is compared with.
// It is shared by the query's copies and safe for concurrent use.
type queryMemo struct{ weights atomic.Pointer[indexWeights] }

// indexWeights are a query's unit weights against one index.
type indexWeights struct {
	ix *Index
	w  []float64
}

// unit is one content character of a question, with what would cover it.
type unit struct {
	r          rune
	prev, next string  // bigrams with its neighbours in the same run, or ""
	token      string  // a Latin word or number as a whole ("" for Chinese)
	syn        []int   // synonyms whose words span it
	mult       float64 // the weight of its sentence (contextWeight or 1)
}

// EmbedText is the text the dense embedding sees for the query.
func (q Query) EmbedText() string {
	return q.Folded + " " + strings.Join(q.Expanded, " ")
}

// Weights of expansion terms against the question's own (1): a concept's
// document terms stand in for the member's word, a little less sure; a word
// matched with characters inserted (签了个合同 ~ 签合同) less still. Chosen
// with eval over all question sets (see BENCHMARKS.md).
const (
	expandWeight = 0.7
	gappedWeight = 0.4
	// longTermBigram scales the bigrams of a document term longer than three
	// characters.
	longTermBigram = 0.4
)

// Vocabulary is what Prepare needs to know of the corpus: whether a term
// (a bigram, trigram, Latin word or number) occurs in any passage.
type Vocabulary interface {
	Known(term string) bool
}

// Prepare folds a question, finds the lexicon concepts it mentions, cuts
// stop words, and expands it with the concepts' document terms and the
// Arabic forms of Chinese numbers. vocab tells which terms occur in the
// corpus: a one-character stop word that forms a corpus word with a
// neighbour is kept (就 in 就业), and a concept none of whose document terms
// the corpus has marks the question as naming something absent; nil knows
// nothing.
func (a *Analyzer) Prepare(question string, vocab Vocabulary) Query {
	known := func(t string) bool { return vocab != nil && vocab.Known(t) }
	folded := a.lex.FoldDialect(a.folder.Fold(question))
	// Concepts first, on the question as typed (their words may hold stop
	// characters: 签了合同), once its slips are mended.
	matches := a.lex.Match(folded)
	if mended := a.repairHomophones(folded, matches, known); mended != folded {
		folded, matches = mended, a.lex.Match(mended)
	}
	matches = append(matches, a.splitVerbMatches(folded)...)
	matches = lexicon.Dominant(matches)
	q := Query{Raw: folded, memo: &queryMemo{}}
	rs := []rune(folded)
	synAt := make([][]int, len(rs))
	n := 0
	for _, m := range matches {
		n += len(a.cut[m.Concept].expand)
	}
	expansion := make(map[string]float64, n) // expansion term → weight
	seen := map[int]int{}                    // concept → index in q.synonyms
	for _, m := range matches {
		w := expandWeight
		if m.Gapped {
			w = gappedWeight
		}
		k, ok := seen[m.Concept]
		if !ok {
			k = len(q.synonyms)
			seen[m.Concept] = k
			terms := a.terms[m.Concept]
			corpusHas := a.conceptHeld(m.Concept, known)
			q.synonyms = append(q.synonyms, terms)
			q.synKnown = append(q.synKnown, corpusHas)
			q.synConcept = append(q.synConcept, m.Name)
			q.Concepts = append(q.Concepts, m.Name)
			// Absent: neither the concept's terms nor the word the member
			// wrote are in the corpus (陪产假, where the laws say 产假);
			// 补助多少 for 补助标准 is not absent where the corpus has 补助.
			if !corpusHas && !m.Gapped && !termKnown(headBigram(m.Word), known) {
				q.absent = true
			}
		}
		for _, e := range a.cut[m.Concept].expand {
			expansion[e.term] = max(expansion[e.term], w*e.factor)
		}
		for i := m.Start; i < m.End && i < len(rs); i++ {
			synAt[i] = append(synAt[i], k)
		}
	}
	for _, nf := range numberForms(folded) {
		q.synonyms = append(q.synonyms, nf.values)
		has := false
		for _, v := range nf.values {
			has = has || termKnown(v, known)
			for _, t := range Terms(v) {
				expansion[t] = max(expansion[t], expandWeight)
			}
		}
		q.synKnown = append(q.synKnown, has)
		q.synConcept = append(q.synConcept, "")
		for k := nf.start; k < nf.end; k++ {
			synAt[k] = append(synAt[k], len(q.synonyms)-1)
		}
	}
	// Cut stop words rune for rune, so positions stay aligned with rs:
	// phrases first, then single characters that make no corpus word.
	stopped := append([]rune(nil), rs...)
	var single []int
	for i := 0; i < len(rs); {
		n := zh.StopWordAt(rs[i:])
		switch {
		case n == 0:
			i++
			continue
		case n == 1:
			single = append(single, i)
		default:
			for k := i; k < i+n; k++ {
				stopped[k] = ' '
			}
		}
		i += n
	}
	for _, i := range single {
		keep := !zh.IsParticle(rs[i]) && !zh.IsMarker(rs[i]) && ((i > 0 && stopped[i-1] != ' ' && known(string(rs[i-1:i+1]))) ||
			(i+1 < len(rs) && stopped[i+1] != ' ' && known(string(rs[i:i+2]))))
		if !keep {
			stopped[i] = ' '
		}
	}
	// A long message tells its story first and asks at the end: words of
	// sentences that ask nothing count for less, and a closing frame such as
	// 这合法吗 or 咋整 names no topic at all.
	mult := make([]float64, len(rs))
	spans := sentenceSpans(rs)
	asking := make([]bool, len(spans))
	anyAsks, allAsk := false, true
	for i, sp := range spans {
		asking[i] = zh.Asks(string(rs[sp[0]:sp[1]]))
		anyAsks = anyAsks || asking[i]
		allAsk = allAsk && asking[i]
	}
	for i, sp := range spans {
		m := 1.0
		if anyAsks && !allAsk && !asking[i] {
			m = contextWeight
		}
		for k := sp[0]; k < sp[1]; k++ {
			mult[k] = m
		}
		if asking[i] {
			end := sp[1]
			for end > sp[0] && !unicode.IsLetter(rs[end-1]) && !unicode.IsDigit(rs[end-1]) {
				end--
			}
			if n := zh.QuestionFrameBefore(rs[sp[0]:end]); n > 0 && n < end-sp[0] {
				for k := end - n; k < end; k++ {
					stopped[k] = ' '
				}
				end -= n
			}
			if end > sp[0]+1 && (rs[end-1] == '不' || rs[end-1] == '没') {
				stopped[end-1] = ' ' // 能走人不？ asks; 不 is the question
			}
		}
	}
	q.Folded = strings.Join(strings.Fields(string(stopped)), " ")
	spanTerms := make([][]string, len(spans))
	n = len(expansion)
	for i, sp := range spans {
		spanTerms[i] = Terms(string(stopped[sp[0]:sp[1]]))
		n += len(spanTerms[i])
	}
	q.Weights = make(map[string]float64, n)
	for i, sp := range spans {
		for _, t := range spanTerms[i] {
			if _, dup := q.Weights[t]; !dup {
				q.Terms = append(q.Terms, t)
			}
			q.Weights[t] = max(q.Weights[t], mult[sp[0]])
		}
	}
	q.Expanded = make([]string, 0, len(expansion))
	for t, w := range expansion {
		if _, own := q.Weights[t]; !own {
			q.Weights[t] = w
			q.Expanded = append(q.Expanded, t)
		}
	}
	slices.Sort(q.Expanded)
	q.units = units(stopped, synAt, mult)
	var total, unknownW float64
	for _, u := range q.units {
		total += u.mult
		if len(u.syn) == 0 && u.token == "" && (u.prev != "" || u.next != "") &&
			(u.prev == "" || !known(u.prev)) && (u.next == "" || !known(u.next)) {
			unknownW += u.mult
		}
	}
	if total > 0 {
		q.unknownShare = unknownW / total
	}
	if q.absent {
		n := 0
		for _, u := range q.units {
			for _, k := range u.syn {
				if !q.synKnown[k] && q.synConcept[k] != "" {
					n++
					break
				}
			}
		}
		if len(q.units) > 0 {
			q.absentShare = float64(n) / float64(len(q.units))
		}
	}
	return q
}

// contextWeight is what the words of a long message's story count for
// against those of the sentence that asks.
const contextWeight = 0.6

// sentenceSpans cuts runes into sentences at Chinese and ASCII end marks and
// line breaks: [start, end) pairs covering rs.
func sentenceSpans(rs []rune) [][2]int {
	var out [][2]int
	start := 0
	for i, r := range rs {
		if zh.EndsSentence(r) || r == '\n' {
			if i+1 > start {
				out = append(out, [2]int{start, i + 1})
			}
			start = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, [2]int{start, len(rs)})
	}
	return out
}

// conceptHeld reports whether the corpus holds some document term of
// concept k.
func (a *Analyzer) conceptHeld(k int, known func(string) bool) bool {
	for _, checks := range a.cut[k].checks {
		if allKnown(checks, known) {
			return true
		}
	}
	return false
}

// termChecks are the search terms of a folded document term that must all
// occur for the corpus to hold it (see allKnown): its trigrams as well as its
// bigrams, so that 研究生 is not taken for held where the corpus has 研究 and
// the 究生 of 追究生产.
func termChecks(t string) []string { return Terms(t) }

// termKnown reports whether the corpus likely holds a folded document term:
// each of its bigrams and trigrams (or its Latin word or number) occurs in
// some passage.
func termKnown(t string, known func(string) bool) bool {
	return allKnown(termChecks(t), known)
}

// allKnown reports whether the corpus likely holds a folded document term,
// given its checks (conceptCut): each of its bigrams and trigrams (or its
// Latin word or number) occurs in some passage.
func allKnown(checks []string, known func(string) bool) bool {
	for _, x := range checks {
		if !known(x) {
			return false
		}
	}
	return len(checks) > 0
}

// headBigram is the first two characters of a word (the word itself when
// shorter).
func headBigram(w string) string {
	rs := []rune(w)
	if len(rs) > 2 {
		rs = rs[:2]
	}
	return string(rs)
}

func isHanString(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// numberForm is another way to write the number at runes [start, end):
// its Arabic digits for a Chinese numeral, its Chinese numerals (with the
// unit that follows) for digits.
type numberForm struct {
	values     []string
	start, end int
}

// numberForms returns the other forms of the numbers folded text writes,
// for the question to match a document that writes them the other way:
// Chinese numerals in digits (二十 → 20, 两千 → 2000, 2千 → 2000, 三千五 →
// 3500), and digits before a unit in Chinese numerals (1年 → 一年, 30天 →
// 三十天 and 三十日), as laws write them. A Chinese number below 10 is left
// alone unless a unit follows: 一线 and 两节 are words, 一年 is a duration.
func numberForms(folded string) []numberForm {
	var out []numberForm
	runes, last := 0, 0 // runes in folded[:last]
	for _, n := range zh.Numbers(folded) {
		if n.Enumerator {
			continue
		}
		next, _ := utf8.DecodeRuneInString(folded[n.End:])
		unit := strings.ContainsRune("年月天日周岁个倍元", next)
		var values []string
		switch {
		case n.Chinese && (n.Value >= 10 || unit):
			values = []string{zh.FormatNumber(n.Value)}
		case !n.Chinese && unit:
			for _, cn := range zh.ChineseNumerals(n.Value) {
				values = append(values, cn+string(next))
				if next == '天' {
					values = append(values, cn+"日") // laws count days in 日
				}
			}
		}
		if len(values) == 0 {
			continue
		}
		start := runes + utf8.RuneCountInString(folded[last:n.Start])
		end := start + utf8.RuneCountInString(n.Text)
		runes, last = end, n.End
		out = append(out, numberForm{values, start, end})
	}
	return out
}

// units lists the content characters of a stopped question, each with the
// weight of the sentence it stands in. Their bigrams and tokens are
// substrings of one string of the question.
func units(rs []rune, synAt [][]int, mult []float64) []unit {
	s := string(rs)
	off := make([]int, len(rs)+1) // byte offset of each rune in s
	for i, r := range rs {
		n := utf8.RuneLen(r)
		if n < 0 {
			n = len(string(utf8.RuneError)) // how string(rs) writes an invalid rune
		}
		off[i+1] = off[i] + n
	}
	sub := func(i, j int) string { return s[off[i]:off[j]] }
	n := 0 // an upper bound of the units: their first characters
	for _, r := range rs {
		if r != ' ' {
			n++
		}
	}
	out := make([]unit, 0, n)
	han := func(i int) bool { return i >= 0 && i < len(rs) && isHanChar(rs[i]) }
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isHanChar(r):
			u := unit{r: r, syn: synAt[i], mult: mult[i]}
			if han(i - 1) {
				u.prev = sub(i-1, i+1)
			}
			if han(i + 1) {
				u.next = sub(i, i+2)
			}
			out = append(out, u)
			i++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j := i
			var syn []int
			for j < len(rs) && !isHanChar(rs[j]) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) ||
				(rs[j] == '.' && j > i && j+1 < len(rs) && unicode.IsDigit(rs[j-1]) && unicode.IsDigit(rs[j+1]))) {
				syn = append(syn, synAt[j]...)
				j++
			}
			out = append(out, unit{r: r, token: sub(i, j), syn: syn, mult: mult[i]})
			i = j
		default:
			i++
		}
	}
	return out
}

// repairHomophones mends the slips of a pinyin keyboard: a character that
// makes no word the corpus knows with either neighbour (词 in 把她词退, 设 in
// 设保费) is replaced by a homophone that makes, with a neighbour, a word of
// the lexicon the question did not have there and the corpus does (辞退), or
// a member's word for a concept the corpus holds (社保, where the laws write
// 社会保险). A lexicon word the member wrote is never touched, and a repair must
// create a lexicon match: a rare word spelled right, which no concept
// covers, stays as it is.
func (a *Analyzer) repairHomophones(folded string, matches []lexicon.Match, known func(string) bool) string {
	rs := []rune(folded)
	isHan := func(i int) bool { return i >= 0 && i < len(rs) && unicode.Is(unicode.Han, rs[i]) }
	unknownPair := func(i, j int) bool { return !isHan(i) || !isHan(j) || !known(string(rs[i:j+1])) }
	// The pairs of the text as written, each looked up once.
	pairKnown := make([]int8, len(rs)) // at i: rs[i:i+2]; 0 not yet asked, 1 known, -1 not
	writtenUnknown := func(i int) bool {
		if !isHan(i) || !isHan(i+1) {
			return true
		}
		if pairKnown[i] == 0 {
			pairKnown[i] = -1
			if known(string(rs[i : i+2])) {
				pairKnown[i] = 1
			}
		}
		return pairKnown[i] < 0
	}
	protected := make([]bool, len(rs))
	for _, m := range matches {
		for k := m.Start; k < m.End && k < len(rs); k++ {
			protected[k] = true
		}
	}
	held := func(k int) bool { return a.conceptHeld(k, known) }
	changed := false
	for i := range rs {
		if !isHan(i) || protected[i] || (!isHan(i-1) && !isHan(i+1)) {
			continue
		}
		if (i > 0 && !writtenUnknown(i-1)) || !writtenUnknown(i) || stopAt(rs, i) || zh.Asks(string(rs[i])) {
			continue
		}
		orig, found := rs[i], false
		var cands []rune
		if isHan(i - 1) {
			cands = a.after[rs[i-1]]
		}
		if isHan(i + 1) {
			cands = append(slices.Clip(cands), a.before[rs[i+1]]...)
		}
		h := a.homophones()
		for _, c := range cands {
			if !h.Same(orig, c) {
				continue
			}
			rs[i] = c
			// The repaired word makes a pair the corpus has, or is a
			// member's word for a concept the corpus holds (社保 for
			// 社会保险, which the laws write in full).
			if unknownPair(i-1, i) && unknownPair(i, i+1) {
				if !a.newMatch(rs, i, matches, held) {
					continue
				}
			} else if !a.newMatchAt(rs, i, matches) {
				continue
			}
			found = true
			break
		}
		if !found {
			rs[i] = orig
		} else if i+1 < len(rs) {
			protected[i+1] = true // the mended word is not mended again (社保 to 社宝)
		}
		changed = changed || found
	}
	if !changed {
		return folded
	}
	return string(rs)
}

// matchedAt reports whether a match of ms covers position k.
func matchedAt(ms []lexicon.Match, k int) bool {
	for _, m := range ms {
		if m.Start <= k && k < m.End {
			return true
		}
	}
	return false
}

// stopAt reports whether rs[i] is part of a stop word (的, 这么, 什么).
func stopAt(rs []rune, i int) bool {
	for k := max(0, i-3); k <= i; k++ {
		if k+zh.StopWordAt(rs[k:]) > i {
			return true
		}
	}
	return false
}

// newMatchAt reports whether a lexicon word covers position i of rs that
// does not merely re-read words the question already had (仲裁院 is not
// mended to 仲裁员: the member wrote 仲裁 and a word the lexicon lacks).
func (a *Analyzer) newMatchAt(rs []rune, i int, had []lexicon.Match) bool {
	return a.newMatch(rs, i, had, nil)
}

// newMatch is newMatchAt, and when held is set, the new word's concept must
// be one the corpus holds (held reports it of a concept's index).
func (a *Analyzer) newMatch(rs []rune, i int, had []lexicon.Match, held func(int) bool) bool {
	lo, hi := max(0, i-6), min(len(rs), i+7)
	for _, m := range a.lex.Match(string(rs[lo:hi])) {
		if held != nil && (m.Kind != lexicon.MemberWord || !held(m.Concept)) {
			continue
		}
		start, end := m.Start+lo, m.End+lo
		if m.Gapped || i < start || i >= end {
			continue
		}
		// Every other character of the word already in a word of the
		// question: the repair only re-reads what the member wrote.
		rereads := true
		for k := start; k < end && rereads; k++ {
			rereads = k == i || matchedAt(had, k)
		}
		if !rereads {
			return true
		}
	}
	return false
}

// quantityGap is a quantity that speech puts between a verb and its object
// (加多少个小时的班, 请了三天的假, 休了五天假), longer than the gaps the
// lexicon's matcher allows (lexicon.MaxGap).
var quantityGap = regexp.MustCompile(`(?:了|过)?(?:\d+(?:\.\d+)?|[零一二三四五六七八九十两百千几]+|多少)(?:个|多)?(?:小时|天|日|周|星期|礼拜|月|年|次|回|趟|分钟)?的?`)

// splitVerbMatches finds the two-character words of the lexicon that a
// quantity splits (加班 in 加多少个小时的班): a character right before the
// quantity and one right after make the word. They are gapped matches,
// weighed as such.
func (a *Analyzer) splitVerbMatches(folded string) []lexicon.Match {
	var out []lexicon.Match
	for _, loc := range quantityGap.FindAllStringIndex(folded, -1) {
		gap := utf8.RuneCountInString(folded[loc[0]:loc[1]])
		if gap <= lexicon.MaxGap {
			continue // the matcher's own gapped reading covers it
		}
		before, n1 := utf8.DecodeLastRuneInString(folded[:loc[0]])
		after, _ := utf8.DecodeRuneInString(folded[loc[1]:])
		if n1 == 0 || !isHanChar(before) || !isHanChar(after) {
			continue
		}
		word := string([]rune{before, after})
		start := utf8.RuneCountInString(folded[:loc[0]]) - 1
		for _, m := range a.lex.Match(word) {
			if m.Start == 0 && m.End == 2 {
				m.Start, m.End, m.Gapped = start, start+gap+2, true
				out = append(out, m)
			}
		}
	}
	return out
}
