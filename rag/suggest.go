package rag

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag/lexicon"
)

// MaxSuggestions is how many related questions a near miss offers.
const MaxSuggestions = 3

// nearMissCoverage is the share of the question the best passage must
// cover for an abstention to count as a near miss: the passages are on the
// topic, only the fact asked for is not there. Below it the question is
// about something the documents do not treat, and nothing is suggested.
const nearMissCoverage = 0.25

// genericShare: a concept mentioned by more than this share of the
// passages (用人单位, 工会, 工资) says too little about what a question is
// about to relate other questions to it.
const genericShare = 0.03

// textNearMiss introduces the related questions of a near miss.
const textNearMiss = "资料里有相近的内容，下面这些问题可以回答，点一下就能看："

// focus is what an abstained question is about, as far as the documents
// can tell.
type focus struct {
	// concepts and domains: the specific lexicon concepts it names that the
	// documents mention, and their domains.
	concepts, domains map[string]bool
	// absent: the concepts it names that no document mentions (陪产假
	// where the laws have 产假), with their domains.
	absent []lexicon.Concept
	// words are the question's content bigrams.
	words map[string]bool
}

// nearMiss reports whether an abstention is a near miss and what it is
// about. It reads the evidence of the decision that abstained: a near miss
// names a concept no document mentions (Evidence.Absent: 陪产假 where the
// laws have 产假), or names a specific lexicon concept (not one as common as
// 用人单位) that the best passage is on — it lacks only the kind of fact
// asked for (Evidence.FactMissing: 金秋助学 with no dates), or it covers at
// least nearMissCoverage of the question or half its concepts (兰州最低工资:
// the rule, not the city's figure). A question naming no concept
// (今天天气怎么样, 哪家医院看得好) is no near miss, however many of its
// characters the documents happen to hold.
func (e *Engine) nearMiss(b *questionBank, r Retrieval) (bool, focus) {
	f := focus{concepts: map[string]bool{}, domains: map[string]bool{}, words: b.informative(contentBigrams(r.Query.Raw))}
	if r.Answerable || len(r.Hits) == 0 || b.lx == nil {
		return false, f
	}
	for _, name := range r.Query.Concepts {
		c, _, ok := b.lx.Lookup(name)
		if !ok {
			continue
		}
		share, mentioned := b.share[c.Name]
		switch {
		case !mentioned:
			f.absent = append(f.absent, c)
		case share <= genericShare:
			f.concepts[c.Name], f.domains[c.Domain] = true, true
		}
	}
	ev := r.Evidence
	onTopic := ev.FactMissing == 1 || ev.Coverage >= nearMissCoverage || ev.Concepts >= 0.5
	return len(f.absent) > 0 || (len(f.concepts) > 0 && onTopic), f
}

// related returns up to MaxSuggestions questions of the bank — questions
// the engine answered when the bank was built — close to an abstained
// question that is a near miss (nearMiss). A question is close when it asks
// about a concept the question names; or, in the same domain, when its
// answer quotes a passage found for the question and the two share a word;
// or when it asks about a kin of a concept no document has (产假 for
// 陪产假: same domain, same head character or a shared word).
func (e *Engine) related(ctx context.Context, question string, r Retrieval) []string {
	b := e.bank(ctx)
	near, f := e.nearMiss(b, r)
	if !near {
		return nil
	}
	found := map[string]bool{} // passages found for the question that are on its topic
	for i, h := range r.Hits {
		if i < candidates && h.Coverage >= nearMissCoverage {
			found[h.Passage.ID] = true
		}
	}
	type pick struct {
		s     Suggestion
		score int
	}
	var picks []pick
	for _, s := range b.items {
		if s.Question == question || s.Concept == "" {
			continue
		}
		quotes := false
		for _, id := range s.passages {
			quotes = quotes || found[id]
		}
		shared := 0
		for w := range s.words {
			if f.words[w] {
				shared++
			}
		}
		score := 0
		switch {
		case f.concepts[s.Concept]:
			score = 4 // the documents answer this about the same concept
		case f.domains[s.Domain] && quotes && shared > 0:
			score = 2 // on the same subject, from what was found
		case kin(f.absent, s):
			score = 2 // what the documents have instead
		default:
			continue
		}
		if quotes {
			score++
		}
		score = score*10 + min(shared, 4)
		if s.template {
			score -= 5 // members' own wording first
		}
		picks = append(picks, pick{s, score})
	}
	// Best first; the bank's order (what members ask most) breaks ties.
	sort.SliceStable(picks, func(i, j int) bool { return picks[i].score > picks[j].score })
	var out []string
	used := map[string]bool{}
	for _, p := range picks {
		if len(out) == MaxSuggestions {
			break
		}
		if used[p.s.Concept] {
			continue
		}
		used[p.s.Concept] = true
		out = append(out, p.s.Question)
	}
	return out
}

// kin reports whether suggestion s asks about a concept akin to one of the
// absent ones: of the same domain, one name ending the other (产假 in
// 陪产假, 津贴 in 高温津贴: the head of a Chinese compound is its end).
func kin(absent []lexicon.Concept, s Suggestion) bool {
	for _, a := range absent {
		if a.Domain == s.Domain && s.Concept != "" && (strings.HasSuffix(a.Name, s.Concept) || strings.HasSuffix(s.Concept, a.Name)) {
			return true
		}
	}
	return false
}

// informativeShare: a bigram in more passages than this (工会, 职工) tells
// nothing about which of two questions are alike.
const informativeShare = 0.05

// informative keeps the bigrams that are rare enough in the corpus to tell
// what a question is about.
func (b *questionBank) informative(words map[string]bool) map[string]bool {
	for w := range words {
		if b.ix.share(w) > informativeShare {
			delete(words, w)
		}
	}
	return words
}

// contentBigrams are the Chinese character bigrams of folded text once its
// stop words are out: what a question is about, for comparing two.
func contentBigrams(folded string) map[string]bool {
	out := map[string]bool{}
	var run []rune
	flush := func() {
		for i := 0; i+1 < len(run); i++ {
			out[string(run[i:i+2])] = true
		}
		run = run[:0]
	}
	for _, r := range zh.RemoveStopWords(folded) {
		if unicode.Is(unicode.Han, r) {
			run = append(run, r)
		} else {
			flush()
		}
	}
	flush()
	return out
}
