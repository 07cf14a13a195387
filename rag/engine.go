package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
)

// Mode chooses which rankings retrieval uses; Fused is the default, the
// others exist so `eval` can measure each part alone.
type Mode string

// Retrieval modes.
const (
	ModeFused   Mode = "fused"
	ModeLexical Mode = "lexical"
	ModeDense   Mode = "dense"
)

// MaxQuestionRunes bounds what of a question is searched; members' messages
// longer than this are cut (the start usually holds the question).
const MaxQuestionRunes = 300

// ErrEmptyQuestion is returned for a question with no text in it.
var ErrEmptyQuestion = errors.New("empty question")

// Options configures an Engine. Analyzer and Embedder are required.
type Options struct {
	Analyzer *Analyzer
	Embedder Embedder
	// Generator, when set, writes answers that are checked before use; the
	// extractive answer is the fallback. Rewriter, when set, rewrites
	// follow-up questions; the offline rule is the fallback.
	Generator Generator
	Rewriter  Rewriter
	// Reformulator, when set, rewrites every question into the documents'
	// vocabulary; both forms are searched (see Reformulator).
	Reformulator Reformulator
	// IndexPath is where the index is persisted ("" keeps it in memory only).
	IndexPath string
	// TopK passages are retrieved (default 5).
	TopK int
	// CoverageWeight and RankWeight weigh how much of the question a
	// passage covers and its BM25 score (against the best) when the best few
	// are reordered (CoverageWeight 0: not reordered).
	CoverageWeight float64
	RankWeight     float64
	// Decision decides whether the documents answer (DefaultDecision when
	// it has no weights).
	Decision Decision
	Mode     Mode
	// DenseWeight is the dense ranking's weight in the fusion, the lexical
	// ranking's being 1. 0 leaves the dense ranking out of the fused mode
	// (the query is not embedded at all): the offline hashed embedding adds
	// nothing the lexical ranking lacks (see BENCHMARKS.md), so serve uses it
	// only for a server's embeddings. ModeDense ranks by it alone whatever
	// the weight.
	DenseWeight float64
	Logger      *slog.Logger
	// Now is the clock, for conversation expiry; time.Now when nil.
	Now func() time.Time
}

// Engine answers questions over one indexed corpus. It is safe for concurrent
// use; the index is swapped whole when the corpus changes, so a question is
// answered from the old corpus or the new one, never half of each.
type Engine struct {
	opt   Options
	log   *slog.Logger
	index atomic.Pointer[Index]
	conv  *conversations
	mu    sync.Mutex // serialises index updates
	// suggest holds the checked example questions of the current index.
	suggest suggester
	// saved holds the current index's Q&A entries (faq.go).
	saved atomic.Pointer[savedAnswers]

	generated, guardRejected, llmFailed, reformulated atomic.Int64
}

// NewEngine returns an engine with an empty index; call Load or Update.
func NewEngine(opt Options) *Engine {
	if opt.TopK <= 0 {
		opt.TopK = 5
	}
	if opt.CoverageWeight == 0 {
		opt.CoverageWeight = DefaultCoverageWeight
	}
	if opt.RankWeight == 0 {
		opt.RankWeight = DefaultRankWeight
	}
	if len(opt.Decision.Weights) == 0 {
		opt.Decision = DefaultDecision()
	}
	if opt.Mode == "" {
		opt.Mode = ModeFused
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	e := &Engine{opt: opt, log: opt.Logger, conv: newConversations(opt.Now)}
	empty, _, _ := BuildIndex(context.Background(), nil, opt.Embedder, opt.Analyzer, nil)
	e.index.Store(empty)
	return e
}

// Update indexes docs, reusing the vectors of the current index and, on the
// first call, of the persisted one; then it persists the result and swaps it
// in. A missing, corrupt or stale persisted index is rebuilt with one log line.
// A failure to persist is logged and the new index is still used.
func (e *Engine) Update(ctx context.Context, docs []corpus.Document) (Stats, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	prev := e.index.Load()
	if prev.Len() == 0 && len(prev.docs) == 0 && e.opt.IndexPath != "" {
		saved, err := LoadIndex(ctx, e.opt.IndexPath, e.opt.Embedder.Name(), e.opt.Analyzer)
		switch {
		case err == nil:
			prev = saved
			if saved.sameDocuments(docs) {
				e.index.Store(saved)
				return Stats{Unchanged: paths(docs), Reused: saved.Len()}, nil
			}
		case errors.Is(err, os.ErrNotExist):
			e.log.Info("no saved index yet; building it", "path", e.opt.IndexPath)
		default:
			e.log.Warn("saved index unusable; rebuilding it from the corpus", "path", e.opt.IndexPath, "err", err)
		}
	}
	ix, st, err := BuildIndex(ctx, docs, e.opt.Embedder, e.opt.Analyzer, prev)
	if err != nil {
		return st, fmt.Errorf("build index: %w", err)
	}
	if e.opt.IndexPath != "" && (st.Embedded > 0 || len(st.Removed) > 0 || len(st.Changed) > 0 || len(st.Added) > 0 || !prev.sameDocuments(docs)) {
		if err := ix.Save(e.opt.IndexPath); err != nil {
			e.log.Warn("could not save the index; answering from memory", "err", err)
		}
	} else {
		ix.file = prev.file // the same documents: the saved file still holds them
	}
	e.index.Store(ix)
	return st, nil
}

func paths(docs []corpus.Document) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Path
	}
	return out
}

// Index is the current snapshot.
func (e *Engine) Index() *Index { return e.index.Load() }

// Documents lists the documents in the corpus, sorted by ID.
func (e *Engine) Documents() []corpus.Document { return e.index.Load().Documents() }

// PassageCount is the number of passages indexed.
func (e *Engine) PassageCount() int { return e.index.Load().Len() }

// Passage returns the passage with the given ID as a citation (N is 0), for
// showing a cited passage in full: a part of a law article cut at its 款
// comes back as the whole article (Text and Place).
func (e *Engine) Passage(id string) (Citation, bool) {
	ix := e.index.Load()
	i, ok := ix.byID[id]
	if !ok {
		return Citation{}, false
	}
	return ix.original(i), true
}

// Counters reports how generated answers fared since start: used, rejected by
// the check, and failed calls (timeouts, errors).
func (e *Engine) Counters() (generated, guardRejected, llmFailed int64) {
	return e.generated.Load(), e.guardRejected.Load(), e.llmFailed.Load()
}

// Hit is one retrieved passage.
type Hit struct {
	Passage  corpus.Passage
	Citation Citation
	Score    float64
	// Coverage is the weighted share of the question's content the passage
	// has, counting only what the corpus knows (see Evidence.Coverage).
	Coverage float64
	// RawCoverage counts words no document contains as missed.
	RawCoverage float64
	// States is true when the passage states every kind of fact the question
	// asks for (a date, a phone number…).
	States bool
	// Answers is true when the documents answer the question and this
	// passage is one of those that do: the extractive answer quotes it.
	Answers bool
	// Evidence and Confidence are the decision's inputs and probability for
	// this passage (the top candidates only).
	Evidence   Evidence
	Confidence float64
	idx        int32
	missed     float64
}

// Retrieval is the result of a search.
type Retrieval struct {
	Query Query
	Hits  []Hit
	// Evidence is what the decision weighed, and Confidence its probability
	// that the documents answer the question.
	Evidence   Evidence
	Confidence float64
	// Answerable is false when the documents do not answer the question.
	Answerable bool
	// kinds and known are what Retrieve found of the question against ix
	// (the kinds of fact asked for, the units the corpus knows), kept so
	// that the answer does not work them out again.
	kinds []*factKind
	known []bool
	ix    *Index
}

// DefaultCoverageWeight weighs coverage as much as the rank score in
// reordering the best passages; chosen with `eval -coverage-weight` over all
// question sets (0.5, 1 and 2 were tried; 1 was best or tied on each).
const DefaultCoverageWeight = 1.0

// DefaultRankWeight weighs BM25 in that reordering; chosen with
// `eval -rank-weight`.
const DefaultRankWeight = 0.5

// rerankPool is how many of the best-ranked passages are reordered so that
// those stating the kind of fact asked for come first.
const rerankPool = 20

// stateCoverShare is how close to the best coverage a passage must come to
// be moved up for stating the kind of fact asked for.
const stateCoverShare = 0.7

// absentGate is the share of a question's content that concepts no
// document mentions may span before the question counts as asking about
// something the documents lack. 0.25: at 0.3 a union's holiday gifts (发什么
// 福利, three of twelve units) were answered from the statutory holidays;
// 0.2 and 0.25 answer every set alike (eval, all sets).
const absentGate = 0.25

// unknownGate is the share of a question's content in words that neither
// the documents nor the lexicon know at or above which the documents do not
// answer it, whatever its few known words match: 会员去商场买东西能打折吗
// is about shops, not the 会员大会 of a law. Words no document contains are
// otherwise no evidence either way (俺, 紧巴巴, a member's story); only when
// they are most of the question is it about something else. Chosen with
// the eval sets: from 0.7 up no answerable question is refused.
const unknownGate = 0.7

// candidates is how many of the top hits the decision weighs and the answer
// may quote: lower ones are kept for recall figures and the model's context,
// but are too weak to quote (eval: 3 and 5 gave the same answers, 3 is
// cheaper).
const candidates = 3

// modelPassages is how many of the top hits a language model is given to
// write its answer from: the candidates and one more, as context; more
// passages cost tokens and invite the model to mix rules.
const modelPassages = 4

// answerShare is how close to the best candidate's coverage another
// candidate must come to be quoted too.
const answerShare = 0.8

// Retrieve searches the current index for question.
func (e *Engine) Retrieve(ctx context.Context, question string) (Retrieval, error) {
	ix := e.index.Load()
	q := e.opt.Analyzer.Prepare(truncateRunes(question, MaxQuestionRunes), ix.lex)
	r := Retrieval{Query: q}
	if len(q.Terms) == 0 && len(q.Expanded) == 0 {
		return r, nil
	}
	if ix.Len() == 0 {
		return r, nil
	}
	const pool = 50
	var lex, den []scored
	weights := q.Weights
	if e.opt.Mode != ModeDense {
		lex = ix.lex.search(weights, pool)
	}
	if e.opt.Mode == ModeDense || (e.opt.Mode == ModeFused && e.opt.DenseWeight > 0) {
		vs, err := e.opt.Embedder.Embed(ctx, []string{q.EmbedText()})
		switch {
		case err != nil && e.opt.Mode == ModeDense:
			return r, fmt.Errorf("embed question: %w", err)
		case err != nil:
			// A server that cannot embed the question costs the dense
			// ranking, not the answer.
			e.log.Warn("embedding the question failed; ranking lexically", "err", err)
		default:
			if den, err = ix.dense(ctx, vs[0], pool); err != nil {
				return r, err
			}
		}
	}
	dw := e.opt.DenseWeight
	if e.opt.Mode == ModeDense {
		dw = 1
	}
	fused := fuse([][]scored{lex, den}, []float64{1, dw})
	kinds := askedKinds(q.Raw)
	known := ix.knownUnits(q)
	r.kinds, r.known, r.ix = kinds, known, ix
	// A question for a figure (a sum, a value, a count, a share) about a
	// place the passage's document does not name is not answered by it: a
	// national law gives the rule, not 兰州's minimum wage.
	places := zh.Places(q.Raw)
	local := len(places) > 0 && asksFigure(kinds)
	// states tells whether the passage states the kinds of fact asked
	// for, and closer tells whether it also writes the thing asked about by
	// its figure (工会60个 for 示范社区工会创建了多少个), as extract prefers.
	// A passage's text is folded once for the tests below.
	folds := make(map[int32]string, rerankPool)
	foldedOf := func(doc int32) string {
		f, ok := folds[doc]
		if !ok {
			p := ix.passages[doc]
			f = e.opt.Analyzer.Fold(p.Lead + " " + p.Text)
			folds[doc] = f
		}
		return f
	}
	states := func(doc int32) (states, closer bool) {
		p := ix.passages[doc]
		folded := foldedOf(doc)
		if local {
			d := ix.docs[ix.docByID[p.DocID]]
			where := folded + " " + e.opt.Analyzer.Fold(d.Title+" "+d.Subtitle+" "+d.Issuer+" "+d.Source+" "+p.Heading)
			named := false
			for _, pl := range places {
				named = named || strings.Contains(where, pl)
			}
			if !named {
				return false, false
			}
		}
		if !statesAll(folded, kinds) {
			return false, false
		}
		return true, prefersAll(folded, kinds)
	}
	// The best few are reordered by how much of the question each covers
	// as well as by rank: BM25 rewards a passage that repeats some of the
	// question's words; a member asks about all of them. Then a passage that
	// states the kind of fact asked for (a count, a date, an age…) goes
	// before one that does not.
	n := min(len(fused), rerankPool)
	top := fused[:n]
	// Coverage and the fact test are asked for again and again while
	// sorting: each is worked out once a passage.
	type passageCover struct{ cov, raw, missed float64 }
	covs := make(map[int32]passageCover, n)
	coverOf := func(doc int32) passageCover {
		c, ok := covs[doc]
		if !ok {
			c.cov, c.raw, c.missed = ix.coverage(q, doc, known)
			covs[doc] = c
		}
		return c
	}
	covOf := func(doc int32) float64 { return coverOf(doc).cov }
	type statement struct{ states, closer bool }
	stated := make(map[int32]statement, n)
	stateOf := func(doc int32) statement {
		v, ok := stated[doc]
		if !ok {
			v.states, v.closer = states(doc)
			stated[doc] = v
		}
		return v
	}
	statesOnce := func(doc int32) bool { return stateOf(doc).states }
	// A part that goes on from the one before it (a report's paragraph cut
	// in two: 重点服务环卫工、快递员… then 给予资金补助49.5万元) and states the
	// fact asked for, which that one does not, is read with it: the figure
	// is the first part's.
	joined := make(map[int32]passageCover)
	fullCover := func(doc int32) passageCover {
		c := coverOf(doc)
		if len(kinds) == 0 || !statesOnce(doc) {
			return c
		}
		if j, ok := joined[doc]; ok {
			return j
		}
		if prev, ok := ix.continues(doc); ok && !statesOnce(prev) {
			if c2 := ix.coverageWith(q, known, doc, prev); c2.cov > c.cov {
				c = passageCover{c2.cov, c2.raw, c2.missed}
			}
		}
		joined[doc] = c
		return c
	}
	if n > 1 && e.opt.CoverageWeight > 0 {
		// The rank score is BM25's, against the best BM25 score (the fused
		// RRF scores are nearly flat); a passage only the dense ranking
		// found has none.
		bm25 := make(map[int32]float64, len(lex))
		bestBM25 := 0.0
		for _, s := range lex {
			bm25[s.doc] = float64(s.score)
			bestBM25 = max(bestBM25, float64(s.score))
		}
		key := make(map[int32]float64, n)
		for _, s := range top {
			cov := covOf(s.doc)
			if p := ix.passages[s.doc]; p.Lead != "" {
				// What a cut part holds only in the lead it repeats from the
				// first part does not count: the part that says it comes
				// first (培训项目涉及电工、焊工… before the 救助金 after it).
				// BM25 still sees the lead, so an item is found with it.
				// (Counting it at half was tried: worse on the labour sets.)
				// A lead that holds none of the question changes nothing.
				if lead := e.opt.Analyzer.Fold(p.Lead); ix.textCoverage(q, known, lead) > 0 {
					d := ix.docs[ix.docByID[p.DocID]]
					rest := e.opt.Analyzer.Fold(p.Text + " " + p.Heading + " " + d.Title)
					cov -= max(0, ix.textCoverage(q, known, lead+" "+rest)-ix.textCoverage(q, known, rest))
				}
			}
			rank := 0.0
			if bestBM25 > 0 {
				rank = bm25[s.doc] / bestBM25
			}
			key[s.doc] = e.opt.RankWeight*rank + e.opt.CoverageWeight*cov
		}
		sort.SliceStable(top, func(i, j int) bool { return key[top[i].doc] > key[top[j].doc] })
	}
	bestCov := 0.0
	for _, s := range top {
		bestCov = max(bestCov, covOf(s.doc))
	}
	if len(kinds) > 0 {
		// Only a passage on the question's topic (covering nearly as much
		// as the best) is moved up for stating the kind of fact: a deadline
		// in another law does not answer 金秋助学什么时候申请.
		// Among those, one that writes the thing asked about by its figure
		// goes before one stating some other figure.
		up := func(doc int32) int {
			st := stateOf(doc)
			switch {
			case !st.states || fullCover(doc).cov < stateCoverShare*bestCov:
				return 0
			case st.closer:
				return 2
			}
			return 1
		}
		sort.SliceStable(top, func(i, j int) bool { return up(top[i].doc) > up(top[j].doc) })
	}
	if figs, spans := questionFigures(q.Raw), situationSpans(q.Raw); len(figs)+len(spans) > 0 && n > 1 {
		// A passage that draws a line the member's own figure falls on
		// (会员二十五人以上的 for 三十来个人, 未满十六周岁 for 15岁, 已满10年不满
		// 20年的 for 工作满12年) speaks to the member's situation: among those
		// on the topic, it goes first.
		fits := make(map[int32]bool, n)
		for _, s := range top {
			folded := foldedOf(s.doc)
			fits[s.doc] = covOf(s.doc) >= stateCoverShare*bestCov && (len(kinds) == 0 || statesOnce(s.doc)) &&
				(lineFit(folded, figs) == 1 || tierFit(folded, spans) == 1)
		}
		sort.SliceStable(top, func(i, j int) bool { return fits[top[i].doc] && !fits[top[j].doc] })
	}
	for i, s := range fused {
		if i == e.opt.TopK {
			break
		}
		h := Hit{Passage: ix.passages[s.doc], Citation: ix.citation(s.doc, 0), Score: float64(s.score), idx: s.doc}
		c := fullCover(s.doc)
		h.States = statesOnce(s.doc)
		h.Coverage, h.RawCoverage, h.missed = c.cov, c.raw, c.missed
		r.Hits = append(r.Hits, h)
	}
	// Each candidate is weighed on its own: the documents answer when one
	// of them convinces the decision, and the most convincing is the one the
	// answer quotes first.
	base := ix.evidence(q, known, lex)
	r.Evidence = base
	if len(kinds) > 0 {
		r.Evidence.FactMissing = 1
	}
	best := -1
	for i := range r.Hits {
		if i == candidates {
			break
		}
		h := &r.Hits[i]
		h.Evidence = ix.hitEvidence(base, q, *h, i, lex, known)
		h.Confidence = e.opt.Decision.Probability(h.Evidence)
		if best < 0 || h.Confidence > r.Hits[best].Confidence {
			best = i
		}
	}
	if best >= 0 {
		r.Evidence, r.Confidence = r.Hits[best].Evidence, r.Hits[best].Confidence
		// A question for a kind of fact (a date, a phone number, an age…)
		// that the candidate does not state is not answered, however well
		// the rest matches: the near miss (金秋助学什么时候申请 against a
		// passage with no date).
		// So is a question much of which names a concept the documents never
		// mention (陪产假 where the laws have 产假): whatever the passages
		// match, it is not what was asked.
		r.Answerable = r.Confidence >= e.opt.Decision.Threshold && r.Hits[best].States && q.absentShare < absentGate && q.unknownShare < unknownGate
		if r.Answerable {
			markAnswers(r.Hits, best, 0)
		}
	}
	return r, nil
}

// otherConfShare is the least share of the best candidate's confidence
// another must have for the answer to quote it: a passage the decision all
// but rules out (职工书屋's question, answered beside it by 带回家 of a health
// class) is not quoted for the one word it adds. 0.1 changes no set's
// figures; 0.2 and more lose answers (eval, all sets).
const otherConfShare = 0.1

// markAnswers marks the candidates that the answer may quote: the best
// candidate b when its coverage reaches least, and the others that state the
// facts asked for and reach answerShare of the best's coverage.
func markAnswers(hits []Hit, b int, least float64) (any bool) {
	if hits[b].Coverage < least {
		return false
	}
	for i := range hits {
		h := &hits[i]
		share := answerShare
		if h.Citation.Kind == corpus.KindLaw && hits[b].Citation.Kind == corpus.KindLaw && h.Citation.DocID != hits[b].Citation.DocID {
			// Another law may give another rule for the same thing: the
			// answer weighs it beside the best (see extract).
			share = otherLawShare
		}
		h.Answers = i < candidates && (i == b || h.States && h.Coverage >= share*hits[b].Coverage && h.Confidence >= otherConfShare*hits[b].Confidence)
		any = any || h.Answers
	}
	return any
}

// bestCandidate is the index of the top hit that states the facts asked for
// and covers most of the question (the first hit when none states them).
func bestCandidate(hits []Hit) int {
	best := 0
	for i := 0; i < len(hits) && i < candidates; i++ {
		h, b := hits[i], hits[best]
		if h.States != b.States {
			if h.States {
				best = i
			}
			continue
		}
		if h.Coverage > b.Coverage {
			best = i
		}
	}
	return best
}

// evidence gathers the decision's inputs from the hits.
func (ix *Index) evidence(q Query, known []bool, lex []scored) Evidence {
	var ev Evidence
	n := 0
	var wAll, wUnknown float64
	for i, k := range known {
		n++
		w := ix.lex.charIDF(q.units[i].r) * q.units[i].mult
		wAll += w
		if !k {
			ev.Unknown++
			wUnknown += w
		}
	}
	if n > 0 {
		ev.Unknown /= float64(n)
	}
	if wAll > 0 {
		ev.UnknownWeight = wUnknown / wAll
	}
	ev.Length = math.Log1p(float64(n))
	ev.Absent = q.absentShare
	switch {
	case len(lex) > 1 && lex[0].score > 0:
		ev.Margin = float64(lex[0].score-lex[1].score) / float64(lex[0].score)
	case len(lex) == 1:
		ev.Margin = 1
	}
	return ev
}

// hitEvidence completes the question's evidence with what hit, ranked at
// rank, holds of it.
func (ix *Index) hitEvidence(ev Evidence, q Query, h Hit, rank int, lex []scored, known []bool) Evidence {
	ev.Coverage, ev.RawCoverage, ev.Missed = h.Coverage, h.RawCoverage, h.missed
	p := ix.passages[h.idx]
	ev.Concepts = ix.coverageBy(q, known, func(t string) bool { return ix.lex.has(t, h.idx) },
		func(r rune) bool { return strings.ContainsRune(p.Text, r) }).concepts
	for _, u := range passageUnits(h, 0) {
		ev.Sentence = max(ev.Sentence, ix.textCoverage(q, known, ix.an.Fold(u.intro+" "+u.text)))
	}
	ev.FactMissing = b2f(!h.States)
	// The ideal is the question's own terms found once each: expansions are
	// alternatives (a passage needs one of a concept's terms, not all).
	var ideal float64
	for _, t := range q.Terms {
		ideal += q.Weights[t] * ix.lex.idf(t)
	}
	for _, s := range lex {
		if s.doc == h.idx && ideal > 0 {
			ev.Lexical = min(1, float64(s.score)/ideal)
		}
	}
	ev.Rank = 1 / float64(1+rank)
	return ev
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// rrfK is the usual reciprocal-rank-fusion constant.
const rrfK = 60

// fuse merges rankings by weighted reciprocal rank fusion.
func fuse(rankings [][]scored, weights []float64) []scored {
	acc := map[int32]float32{}
	for i, ranking := range rankings {
		for rank, s := range ranking {
			acc[s.doc] += float32(weights[i]) / float32(rrfK+rank+1)
		}
	}
	out := make([]scored, 0, len(acc))
	for d, s := range acc {
		out = append(out, scored{d, s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].doc < out[j].doc
	})
	return out
}

// partialCredit is what a question character earns when a passage has the
// character but none of the question's words around it.
const partialCredit = 0.15

// knownUnits reports, for each content unit of q, whether the corpus knows
// it: a bigram it forms with a neighbour occurs in some passage, its Latin or
// number token does, a lexicon concept spanning it is in the corpus, or —
// for a character standing alone — the character itself occurs. What the
// corpus does not know is no evidence either way.
func (ix *Index) knownUnits(q Query) []bool {
	out := make([]bool, len(q.units))
	for i, u := range q.units {
		synKnown := false
		for _, k := range u.syn {
			synKnown = synKnown || q.synKnown[k]
		}
		switch {
		case u.token != "":
			out[i] = ix.lex.known(u.token) || synKnown
		case u.prev == "" && u.next == "":
			out[i] = ix.lex.charDF[u.r] > 0 || synKnown
		default:
			out[i] = (u.prev != "" && ix.lex.known(u.prev)) || (u.next != "" && ix.lex.known(u.next)) || synKnown
		}
	}
	return out
}

// coverage is the share of the question's content characters that passage i
// covers (and missed, the weight of the most telling known character it
// misses, against the question's most telling one), each weighted by how rare the character is in the corpus: over the
// units the corpus knows (cov), and over all of them (raw, where an unknown
// unit counts as missed at the weight of the rarest character). A character
// is covered when a passage holds a bigram it forms with a neighbour, its
// Latin or number token, or a document term of a lexicon concept that spans
// it; holding the character alone earns partial credit.
func (ix *Index) coverage(q Query, i int32, known []bool) (cov, raw, missed float64) {
	c := ix.coverageWith(q, known, i)
	return c.cov, c.raw, c.missed
}

// coverageWith is the coverage of passage i read together with the
// passages more (a part with the one it goes on from).
func (ix *Index) coverageWith(q Query, known []bool, i int32, more ...int32) covered {
	p := ix.passages[i]
	d := ix.docs[ix.docByID[p.DocID]]
	// Passage text in the corpus is already simplified, so the raw text
	// serves to look up a single character.
	holds := func(r rune) bool {
		if strings.ContainsRune(p.Text, r) || strings.ContainsRune(p.Lead, r) ||
			strings.ContainsRune(p.Heading, r) || strings.ContainsRune(d.Title, r) {
			return true
		}
		for _, j := range more {
			if strings.ContainsRune(ix.passages[j].Text, r) {
				return true
			}
		}
		return false
	}
	has := func(t string) bool {
		if ix.lex.has(t, i) {
			return true
		}
		for _, j := range more {
			if ix.lex.has(t, j) {
				return true
			}
		}
		return false
	}
	return ix.coverageBy(q, known, has, holds)
}

// continues returns the passage that passage i goes on from: the one before
// it in the same document, when i is a later part of the same paragraph or
// article (its lead is the other's topic).
func (ix *Index) continues(i int32) (int32, bool) {
	if i == 0 {
		return 0, false
	}
	p, q := ix.passages[i], ix.passages[i-1]
	lead := strings.TrimSpace(p.Lead)
	if lead == "" || p.DocID != q.DocID || p.Heading != q.Heading {
		return 0, false
	}
	if q.Lead != p.Lead && !strings.HasPrefix(strings.TrimSpace(q.Text), lead) {
		return 0, false
	}
	return i - 1, true
}

// textCoverage is coverage over a piece of folded text rather than an
// indexed passage: one sentence of it, for instance.
func (ix *Index) textCoverage(q Query, known []bool, folded string) float64 {
	c := ix.coverageBy(q, known, termsOf(folded), func(r rune) bool { return strings.ContainsRune(folded, r) })
	return c.cov
}

// termsOf tells whether t is one of Terms(folded). A Chinese bigram or
// trigram is one exactly when the text holds it (Chinese characters side by
// side are one run), which a substring search answers without cutting the
// text into terms; other terms (a lone character, a number, a Latin word)
// are looked up among the text's other terms, cut once, when first asked
// for.
func termsOf(folded string) func(t string) bool {
	var lone []string // few: a slice searched beats a map built
	cut := false
	return func(t string) bool {
		if n := utf8.RuneCountInString(t); n == 2 || n == 3 {
			han := true
			for _, r := range t {
				han = han && isHanChar(r)
			}
			if han {
				return strings.Contains(folded, t)
			}
		}
		if !cut {
			lone, cut = appendSomeTerms(nil, folded, false), true
		}
		return slices.Contains(lone, t)
	}
}

// weightsOf is unitWeights, derived once per query and index.
func (ix *Index) weightsOf(q Query) []float64 {
	if q.memo == nil {
		return ix.unitWeights(q)
	}
	if m := q.memo.weights.Load(); m != nil && m.ix == ix {
		return m.w
	}
	w := ix.unitWeights(q)
	q.memo.weights.Store(&indexWeights{ix: ix, w: w})
	return w
}

// unitWeights weighs each content unit of q by the rarest evidence that
// could cover it: its character, the bigrams it forms with its neighbours
// (when the corpus has them), the lexicon concept it belongs to — so that
// 条 of 工资条 weighs what 工资清单 does, not what the 条 of every article
// does — times the weight of its sentence.
func (ix *Index) unitWeights(q Query) []float64 {
	synW := make([]float64, len(q.synonyms))
	for k, terms := range q.synonyms {
		if !q.synKnown[k] {
			continue
		}
		w := math.Inf(1)
		for _, t := range terms {
			tw := 0.0
			for _, b := range Terms(t) {
				if ix.lex.known(b) {
					tw = max(tw, ix.lex.idf(b))
				}
			}
			if tw > 0 {
				w = min(w, tw) // a concept is as common as its commonest form
			}
		}
		if !math.IsInf(w, 1) {
			synW[k] = w
		}
	}
	out := make([]float64, len(q.units))
	for i, u := range q.units {
		w := ix.lex.charIDF(u.r)
		if u.token != "" {
			w = ix.lex.idf(u.token)
		}
		for _, b := range []string{u.prev, u.next} {
			if b != "" && ix.lex.known(b) {
				w = max(w, ix.lex.idf(b))
			}
		}
		for _, k := range u.syn {
			w = max(w, synW[k])
		}
		out[i] = w * u.mult
	}
	return out
}

// covered is what coverageBy finds.
type covered struct{ cov, raw, missed, concepts float64 }

// coverageBy computes coverage with has telling whether the text holds a
// search term and holds whether it holds a character, and concepts naming
// the lexicon concepts the text is known to mention (another question's);
// the result's concepts is the share of the question's lexicon concepts
// (those the corpus has) that the text holds.
func (ix *Index) coverageBy(q Query, known []bool, has func(string) bool, holds func(rune) bool, concepts ...string) covered {
	var c covered
	if len(q.units) == 0 {
		return c
	}
	synOK := make([]bool, len(q.synonyms))
	var nConcepts, gotConcepts float64
	for k, terms := range q.synonyms {
		if q.synConcept[k] != "" && slices.Contains(concepts, q.synConcept[k]) {
			synOK[k] = true // the other text names the same concept
		}
		for _, t := range terms {
			if synOK[k] {
				break
			}
			if containsAll(has, Terms(t)) {
				synOK[k] = true
				break
			}
		}
		if q.synKnown[k] {
			nConcepts++
			if synOK[k] {
				gotConcepts++
			}
		}
	}
	var got, total, rawTotal, maxW, maxMissed float64
	weights := ix.weightsOf(q)
	for k, u := range q.units {
		w := weights[k]
		rawTotal += w
		credit := 0.0
		switch {
		case u.prev != "" && has(u.prev), u.next != "" && has(u.next), u.token != "" && has(u.token):
			credit = 1
		case anySyn(u.syn, synOK):
			credit = 1
		case u.token == "" && u.prev == "" && u.next == "" && holds(u.r):
			credit = 1 // a character standing alone (休 in 产假 休 天) is matched by itself
		case u.token == "" && holds(u.r):
			credit = partialCredit
		}
		got += credit * w
		if known[k] {
			total += w
			maxW = max(maxW, w)
			maxMissed = max(maxMissed, (1-credit)*w)
		}
	}
	if total > 0 {
		c.cov = min(1, got/total)
	}
	if rawTotal > 0 {
		c.raw = got / rawTotal
	}
	if maxW > 0 {
		c.missed = maxMissed / maxW
	}
	if nConcepts > 0 {
		c.concepts = gotConcepts / nConcepts
	}
	return c
}

func anySyn(syn []int, ok []bool) bool {
	for _, k := range syn {
		if ok[k] {
			return true
		}
	}
	return false
}

func containsAll(has func(string) bool, terms []string) bool {
	if len(terms) == 0 {
		return false
	}
	for _, t := range terms {
		if !has(t) {
			return false
		}
	}
	return true
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Answer answers question for the conversation named by conversation (for
// example "chatID:userID"; "" for none), using that conversation's recent turns
// to understand a follow-up such as "那怎么申请？".
func (e *Engine) Answer(ctx context.Context, conversation, question string) (Answer, error) {
	if strings.TrimSpace(zh.Normalize(question)) == "" {
		return Answer{}, ErrEmptyQuestion
	}
	// Keep the member's own characters (full-width punctuation) for display;
	// retrieval normalises on its own.
	question = strings.Join(strings.Fields(strings.ToValidUTF8(question, "")), " ")
	// Small talk (谢谢, 你好, 你是谁) gets a warm reply and is never searched;
	// a question it wraps (谢谢，那产假多少天？) is asked without it.
	kind, asked := ClassifySmallTalk(question)
	if kind != "" {
		return e.smallTalkAnswer(kind, question), nil
	}
	a := Answer{Question: question}
	standalone := e.standalone(ctx, conversation, asked)
	if standalone != question {
		a.Standalone = standalone
	}
	r, err := e.Retrieve(ctx, standalone)
	if err != nil {
		return Answer{}, err
	}
	if e.opt.Reformulator != nil && len(r.Query.Terms)+len(r.Query.Expanded) > 0 {
		r = e.retrieveReformulated(ctx, standalone, r)
	}
	saved, isSaved := e.savedFor(e.index.Load()).match(standalone)
	switch {
	case len(r.Query.Terms) == 0 && len(r.Query.Expanded) == 0:
		a.Abstained = true
		a.Sentences = Says(unclearText)
	case e.index.Load().Len() == 0:
		a.Abstained = true
		a.Sentences = Says(noDocumentsText)
	case isSaved: // staff answered this question: their answer first (faq.go)
		a.Sentences, a.Citations = e.answerSaved(saved, r)
	case !r.Answerable:
		a.Abstained = true
		a.Sentences = Says(notFoundText(standalone))
		// A near miss offers what the documents do answer nearby (suggest.go).
		if a.Suggestions = e.related(ctx, asked, r); len(a.Suggestions) > 0 {
			a.Sentences = append(a.Sentences, Sentence{Text: textNearMiss, Break: true})
		}
	default:
		a.Sentences, a.Citations = e.extract(r)
		if e.opt.Generator != nil {
			e.generate(ctx, standalone, r, &a)
		}
	}
	if conversation != "" && !a.Abstained {
		e.conv.add(conversation, Turn{Question: standalone, Answer: a.Text()})
	}
	return a, nil
}

// retrieveReformulated searches the question in the documents' words too
// and keeps whichever retrieval the decision trusts more; a model that fails
// costs nothing but the attempt.
func (e *Engine) retrieveReformulated(ctx context.Context, question string, r Retrieval) Retrieval {
	rw, err := e.opt.Reformulator.Reformulate(ctx, question)
	if err != nil {
		e.llmFailed.Add(1)
		e.log.Warn("reformulating the question failed; searching it as asked", "err", err)
		return r
	}
	if rw = strings.TrimSpace(rw); rw == "" || rw == question {
		return r
	}
	r2, err := e.Retrieve(ctx, rw)
	if err != nil || r2.Confidence <= r.Confidence {
		return r
	}
	e.reformulated.Add(1)
	return r2
}

// User-facing texts of answers that cite nothing.
const (
	unclearText     = "没太看懂您的问题😊 请用一句话说说想了解什么，比如：孩子考上大学，工会有助学金吗？"
	noDocumentsText = "资料库里还没有文件，暂时答不上来。您的问题已记下，工会工作人员会尽快补充资料。急事请联系您所在单位的工会，或拨打 12351 职工服务热线。"
)

func notFoundText(question string) string {
	const ask = "建议问问您所在单位的工会，或拨打 12351 职工服务热线咨询。"
	if q := strings.TrimRight(question, "?？!！。 "); utf8.RuneCountInString(q) <= 30 {
		return fmt.Sprintf("抱歉，资料里没有找到关于“%s”的内容。%s", q, ask)
	}
	return "抱歉，资料里没有找到能回答这个问题的内容。" + ask
}

// generate replaces a's extractive text with a generated one when the model
// answers and its answer passes CheckGrounded; otherwise a stays as it is.
func (e *Engine) generate(ctx context.Context, question string, r Retrieval, a *Answer) {
	var given []Citation
	for i, h := range r.Hits {
		if i == modelPassages {
			break
		}
		c := h.Citation
		c.N = i + 1
		given = append(given, c)
	}
	text, err := e.opt.Generator.Generate(ctx, question, given)
	if err != nil {
		e.llmFailed.Add(1)
		e.log.Warn("generation failed; sending the extractive answer", "err", err)
		return
	}
	text = CleanAnswer(text)
	if err := CheckGrounded(text, given); err != nil {
		reason := "other"
		var ge *GuardError
		if errors.As(err, &ge) {
			reason = ge.Reason
		}
		e.guardRejected.Add(1)
		a.GuardRejected = true
		e.log.Warn("generated answer failed the check; sending the extractive answer", "reason", reason, "detail", err)
		return
	}
	text, cits := renumber(text, given)
	e.generated.Add(1)
	a.Sentences, a.Citations, a.Generated = ParseSentences(text), cits, true
}

// renumber keeps only the cited passages and renumbers the markers 1, 2, … in
// order of first citation.
func renumber(text string, given []Citation) (string, []Citation) {
	order := CitedMarkers(text)
	newN := map[int]int{}
	var cits []Citation
	for _, n := range order {
		if n >= 1 && n <= len(given) {
			if _, ok := newN[n]; !ok {
				newN[n] = len(cits) + 1
				c := given[n-1]
				c.N = len(cits) + 1
				cits = append(cits, c)
			}
		}
	}
	for old, nw := range newN {
		text = strings.ReplaceAll(text, fmt.Sprintf("[%d]", old), fmt.Sprintf("[\x00%d]", nw))
	}
	return strings.ReplaceAll(text, "[\x00", "["), cits
}

// WithOptions returns an engine sharing e's index whose options are changed
// by edit; eval uses it to compare retrieval modes on one index.
func (e *Engine) WithOptions(edit func(*Options)) *Engine {
	opt := e.opt
	edit(&opt)
	c := &Engine{opt: opt, log: e.log, conv: newConversations(opt.Now)}
	c.index.Store(e.index.Load())
	return c
}
