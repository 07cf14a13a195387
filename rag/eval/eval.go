// Package eval scores the engine on a question set in the format of
// rag/eval/testdata/README.md: retrieval recall and MRR, whether the answer a member
// reads holds the expected fact, abstention, and latency.
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag"
)

// Case is one question of a set.
type Case struct {
	ID         string   `json:"id"`
	Question   string   `json:"question"`
	Answerable bool     `json:"answerable"`
	Expect     []string `json:"expect"`
	// Kind is "smalltalk" for a message that asks nothing of the documents
	// (answerable false: the bot should reply in kind), "mixed" for small
	// talk around a real question (answerable true), "" otherwise.
	Kind string `json:"kind,omitempty"`
}

// Kinds of case.
const (
	KindSmallTalk = "smalltalk"
	KindMixed     = "mixed"
)

// Load reads a JSONL question set.
func Load(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open question set: %w", err)
	}
	defer f.Close()
	return Read(f)
}

// Read parses JSONL cases; blank lines are skipped.
func Read(r io.Reader) ([]Case, error) {
	cases, err := readJSONLines[Case](r)
	if err != nil {
		return nil, fmt.Errorf("question set %w", err)
	}
	return cases, nil
}

// readJSONLines decodes one JSON value a line, blank lines skipped (question
// sets and the decision's samples are both kept so).
func readJSONLines[T any](r io.Reader) ([]T, error) {
	var out []T
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return out, nil
}

// Report is the score of a set. Its JSON field names are a public interface:
// operators' scripts read them.
type Report struct {
	N              int     `json:"n"`
	K              int     `json:"k"`
	RecallAt1      float64 `json:"recall_at_1"`
	RecallAtK      float64 `json:"recall_at_k"`
	MRR            float64 `json:"mrr"`
	AnswerHit      float64 `json:"answer_hit"`
	AbstainCorrect float64 `json:"abstain_correct"`
	FalseAbstain   float64 `json:"false_abstain"`
	P50ms          float64 `json:"p50_ms"`
	P95ms          float64 `json:"p95_ms"`
	Generated      float64 `json:"generated"`
	GuardRejected  float64 `json:"guard_rejected"`
	// SmallTalkCorrect is the share of small-talk cases recognised as small
	// talk; SmallTalkFalse the share of the other cases taken for it.
	SmallTalkCorrect float64   `json:"smalltalk_correct"`
	SmallTalkFalse   float64   `json:"smalltalk_false"`
	Failures         []Failure `json:"-"`
}

// Failure is a case the system got wrong, for the readable report.
type Failure struct {
	Case   Case
	Why    string
	Answer string
}

// Answerer is what eval needs of the engine.
type Answerer interface {
	Retrieve(ctx context.Context, question string) (rag.Retrieval, error)
	Answer(ctx context.Context, conversation, question string) (rag.Answer, error)
}

// Run scores cases, retrieving the top k for recall. Each case is a fresh
// conversation.
func Run(ctx context.Context, e Answerer, cases []Case, k int) (Report, error) {
	rep := Report{N: len(cases), K: k}
	var answerable, unanswerable, smallTalk int
	var r1, rk, mrr, hit, abstainOK, falseAbstain, generated, rejected, smallTalkOK, smallTalkFalse float64
	var lat []float64
	for _, c := range cases {
		start := time.Now()
		a, err := e.Answer(ctx, "", c.Question)
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		if err != nil {
			return rep, fmt.Errorf("case %s: %w", c.ID, err)
		}
		if a.Generated {
			generated++
		}
		if a.GuardRejected {
			rejected++
		}
		if c.Kind == KindSmallTalk {
			smallTalk++
			if a.SmallTalk != "" {
				smallTalkOK++
			} else {
				rep.Failures = append(rep.Failures, Failure{c, "small talk taken for a question", a.Text()})
			}
		} else if a.SmallTalk != "" {
			smallTalkFalse++
			rep.Failures = append(rep.Failures, Failure{c, "question taken for small talk (" + string(a.SmallTalk) + ")", a.Text()})
		}
		if !c.Answerable {
			unanswerable++
			// A small-talk case is right when it is not answered from a
			// passage; any other must say the documents lack the answer.
			switch {
			case a.Abstained || (c.Kind == KindSmallTalk && a.SmallTalk != ""):
				abstainOK++
			case c.Kind == KindSmallTalk || a.SmallTalk != "":
				// listed as a failure above
			default:
				rep.Failures = append(rep.Failures, Failure{c, "answered, but the corpus does not cover it", a.Text()})
			}
			continue
		}
		answerable++
		r, err := e.Retrieve(ctx, c.Question)
		if err != nil {
			return rep, fmt.Errorf("case %s: %w", c.ID, err)
		}
		rank := 0
		for i, h := range r.Hits {
			if i >= k {
				break
			}
			if Contains(h.Passage.Text, c.Expect) {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			r1++
		}
		if rank > 0 {
			rk++
			mrr += 1 / float64(rank)
		}
		switch {
		case a.SmallTalk != "":
			falseAbstain++ // listed above
		case a.Abstained:
			falseAbstain++
			rep.Failures = append(rep.Failures, Failure{c, fmt.Sprintf("abstained (expected passage at rank %d)", rank), a.Text()})
		case Contains(a.Text(), c.Expect):
			hit++
		default:
			rep.Failures = append(rep.Failures, Failure{c, fmt.Sprintf("answer misses the fact (expected passage at rank %d)", rank), a.Text()})
		}
	}
	div := func(x float64, n int) float64 {
		if n == 0 {
			return 0
		}
		return round(x / float64(n))
	}
	rep.RecallAt1, rep.RecallAtK, rep.MRR = div(r1, answerable), div(rk, answerable), div(mrr, answerable)
	rep.AnswerHit, rep.FalseAbstain = div(hit, answerable), div(falseAbstain, answerable)
	rep.AbstainCorrect = div(abstainOK, unanswerable)
	rep.Generated, rep.GuardRejected = div(generated, len(cases)), div(rejected, len(cases))
	rep.SmallTalkCorrect, rep.SmallTalkFalse = div(smallTalkOK, smallTalk), div(smallTalkFalse, len(cases)-smallTalk)
	sort.Float64s(lat)
	rep.P50ms, rep.P95ms = percentile(lat, 0.5), percentile(lat, 0.95)
	return rep, nil
}

// Contains reports whether text holds any of expect, both normalised as the
// corpus is (NFKC, white space folded).
func Contains(text string, expect []string) bool {
	t := zh.Normalize(text)
	for _, e := range expect {
		if e = zh.Normalize(e); e != "" && strings.Contains(t, e) {
			return true
		}
	}
	return false
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)-1) + 0.5)
	return round(sorted[i])
}

func round(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

// WriteTable prints the report for a person: the figures, then each failure.
func (r Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "cases            %d\n", r.N)
	fmt.Fprintf(w, "recall@1         %.3f\n", r.RecallAt1)
	fmt.Fprintf(w, "recall@%d         %.3f\n", r.K, r.RecallAtK)
	fmt.Fprintf(w, "mrr              %.3f\n", r.MRR)
	fmt.Fprintf(w, "answer_hit       %.3f\n", r.AnswerHit)
	fmt.Fprintf(w, "abstain_correct  %.3f\n", r.AbstainCorrect)
	fmt.Fprintf(w, "false_abstain    %.3f\n", r.FalseAbstain)
	fmt.Fprintf(w, "generated        %.3f\n", r.Generated)
	fmt.Fprintf(w, "guard_rejected   %.3f\n", r.GuardRejected)
	fmt.Fprintf(w, "smalltalk ok     %.3f\n", r.SmallTalkCorrect)
	fmt.Fprintf(w, "smalltalk false  %.3f\n", r.SmallTalkFalse)
	fmt.Fprintf(w, "latency p50/p95  %.2f / %.2f ms\n", r.P50ms, r.P95ms)
	if len(r.Failures) > 0 {
		fmt.Fprintf(w, "\nfailed cases (%d):\n", len(r.Failures))
		for _, f := range r.Failures {
			ans := []rune(strings.ReplaceAll(f.Answer, "\n", " "))
			if len(ans) > 80 {
				ans = append(ans[:80], '…')
			}
			fmt.Fprintf(w, "  %-5s %s\n        %s\n        → %s\n", f.Case.ID, f.Case.Question, f.Why, string(ans))
		}
	}
}
