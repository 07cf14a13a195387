package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
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

// DefaultMinCoverage is the share of a question's weighted terms that the best
// passage must contain for the corpus to count as answering it. It was chosen
// with `eval` over the shared sets and the project's own (see BENCHMARKS.md).
const DefaultMinCoverage = 0.40

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
	// IndexPath is where the index is persisted ("" keeps it in memory only).
	IndexPath string
	// TopK passages are retrieved (default 5); MinCoverage as DefaultMinCoverage.
	TopK        int
	MinCoverage float64
	Mode        Mode
	// DenseWeight is the dense ranking's weight in the fusion, the lexical
	// ranking's being 1 (default DefaultDenseWeight).
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

	generated, guardRejected, llmFailed atomic.Int64
}

// NewEngine returns an engine with an empty index; call Load or Update.
func NewEngine(opt Options) *Engine {
	if opt.TopK <= 0 {
		opt.TopK = 5
	}
	if opt.MinCoverage == 0 {
		opt.MinCoverage = DefaultMinCoverage
	}
	if opt.DenseWeight == 0 {
		opt.DenseWeight = DefaultDenseWeight
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
	// Coverage is the weighted share of the question's terms the passage has.
	Coverage float64
	// Answers is true when the passage covers enough of the question and
	// states the kind of fact it asks for (a date, a phone number…).
	Answers bool
	idx     int32
}

// Retrieval is the result of a search.
type Retrieval struct {
	Query Query
	Hits  []Hit
	// Answerable is false when no hit covers enough of the question.
	Answerable bool
}

// Retrieve searches the current index for question.
func (e *Engine) Retrieve(ctx context.Context, question string) (Retrieval, error) {
	ix := e.index.Load()
	q := e.opt.Analyzer.Prepare(truncateRunes(question, MaxQuestionRunes), ix.lex.known)
	r := Retrieval{Query: q}
	if len(q.Terms) == 0 && len(q.Expanded) == 0 {
		return r, nil
	}
	if ix.Len() == 0 {
		return r, nil
	}
	const pool = 50
	var lex, den []scored
	if e.opt.Mode != ModeDense {
		weights := map[string]float64{}
		for _, t := range q.Terms {
			weights[t] = 1
		}
		for _, t := range q.Expanded {
			if _, ok := weights[t]; !ok {
				weights[t] = 0.7
			}
		}
		lex = ix.lex.search(weights, pool)
	}
	if e.opt.Mode != ModeLexical {
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
	fused := fuse([][]scored{lex, den}, []float64{1, e.opt.DenseWeight})
	kinds := askedKinds(q.Raw)
	for i, s := range fused {
		if i == e.opt.TopK {
			break
		}
		h := Hit{
			Passage: ix.passages[s.doc], Citation: ix.citation(s.doc, 0),
			Score: float64(s.score), Coverage: ix.coverage(q, s.doc), idx: s.doc,
		}
		h.Answers = i < 3 && h.Coverage >= e.opt.MinCoverage && statesAll(e.opt.Analyzer.Fold(h.Passage.Text), kinds)
		r.Answerable = r.Answerable || h.Answers
		r.Hits = append(r.Hits, h)
	}
	return r, nil
}

// rrfK is the usual reciprocal-rank-fusion constant.
const rrfK = 60

// DefaultDenseWeight weighs the offline hashed embedding's ranking against
// BM25's in the fusion; chosen with `eval -dense-weight` (see BENCHMARKS.md).
const DefaultDenseWeight = 0.1

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

// coverage is the share of the question's content characters that passage i
// covers, each weighted by how rare the character is in the corpus (a
// character found nowhere weighs most). A character is covered when a
// passage holds a bigram it forms with a neighbour, its Latin or number token,
// or a report term of a thesaurus word that spans it; holding the character
// alone earns partial credit.
func (ix *Index) coverage(q Query, i int32) float64 {
	if len(q.units) == 0 {
		return 0
	}
	p := ix.passages[i]
	folded := ix.an.Fold(indexText(ix.docs[ix.docByID[p.DocID]], p))
	have := map[string]struct{}{}
	for _, t := range Terms(folded) {
		have[t] = struct{}{}
	}
	synOK := make([]bool, len(q.synonyms))
	for k, terms := range q.synonyms {
		for _, t := range terms {
			if containsAll(have, Terms(t)) {
				synOK[k] = true
				break
			}
		}
	}
	var got, total float64
	for _, u := range q.units {
		w := ix.lex.charIDF(u.r)
		if u.token != "" {
			w = ix.lex.idf(u.token)
		}
		total += w
		credit := 0.0
		switch {
		case u.prev != "" && hasTerm(have, u.prev), u.next != "" && hasTerm(have, u.next), u.token != "" && hasTerm(have, u.token):
			credit = 1
		case anySyn(u.syn, synOK):
			credit = 1
		case u.token == "" && strings.ContainsRune(folded, u.r):
			credit = partialCredit
		}
		got += credit * w
	}
	if total == 0 {
		return 0
	}
	return got / total
}

func hasTerm(have map[string]struct{}, t string) bool {
	_, ok := have[t]
	return ok
}

func anySyn(syn []int, ok []bool) bool {
	for _, k := range syn {
		if ok[k] {
			return true
		}
	}
	return false
}

func containsAll(have map[string]struct{}, terms []string) bool {
	if len(terms) == 0 {
		return false
	}
	for _, t := range terms {
		if _, ok := have[t]; !ok {
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
		if i == 4 {
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
