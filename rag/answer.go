// Package rag turns a member's question into a cited answer: it embeds and
// indexes passages, retrieves and fuses rankings, decides when the corpus does
// not answer, and composes the answer (extractive, or generated and checked).
package rag

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
)

// Answer is what a member reads: sentences, each with the citations it rests
// on, and the cited passages. It is a structure, not a string, so that the
// command line and Telegram each render it in one place.
type Answer struct {
	// Question is the question as the member asked it.
	Question string `json:"question"`
	// Standalone is the question used for retrieval, after follow-up rewriting.
	Standalone string `json:"standalone,omitempty"`
	// Sentences are the answer body, in order, without the source list.
	Sentences []Sentence `json:"sentences"`
	// Citations are the cited passages: Sentence.Cites value n is
	// Citations[n-1].
	Citations []Citation `json:"citations,omitempty"`
	// Abstained is true when the corpus does not answer the question; the
	// sentences then say so and where to ask instead, and Citations is empty.
	Abstained bool `json:"abstained"`
	// Generated is true when an LLM wrote Text and it passed the check.
	Generated bool `json:"generated,omitempty"`
	// GuardRejected is true when an LLM answer failed the check and the
	// extractive answer was used instead.
	GuardRejected bool `json:"guard_rejected,omitempty"`
	// SmallTalk is the kind of small talk the message was (greeting,
	// thanks…), "" for a question: Text is then a warm reply that cites
	// nothing, and the message is no question the documents failed to answer.
	SmallTalk SmallTalk `json:"small_talk,omitempty"`
	// Suggestions are questions the documents answer, offered to ask next
	// (as buttons in the bot): examples after a greeting or "what can you
	// do", related questions after a near miss.
	Suggestions []string `json:"suggestions,omitempty"`
}

// Sentence is one sentence of an answer and the citations (1-based, into
// Answer.Citations) that it rests on; none for a sentence that cites nothing,
// such as "the documents do not say".
type Sentence struct {
	Text  string `json:"text"`
	Cites []int  `json:"cites,omitempty"`
	// Break is true when the sentence starts a new paragraph.
	Break bool `json:"break,omitempty"`
}

// Text is the answer body as plain text, each sentence followed by its [n]
// markers: what eval scores, logs show and follow-ups remember.
func (a Answer) Text() string {
	var b strings.Builder
	for i, s := range a.Sentences {
		if i > 0 && s.Break {
			b.WriteString("\n")
		}
		b.WriteString(s.Text)
		for _, n := range s.Cites {
			b.WriteString("[" + strconv.Itoa(n) + "]")
		}
	}
	return b.String()
}

// Says is a one-sentence answer that cites nothing.
func Says(text string) []Sentence { return []Sentence{{Text: text}} }

// ParseSentences reads text with [n] markers (a model's answer, or a test's)
// into sentences. A sentence is cut after each run of markers, so that a
// clause keeps exactly the citations written after it ("3000元[1]，申请要带
// 录取通知书[2]。" is two), and punctuation written right after a marker moves
// before it (3000元，[1]). A line break starts a new paragraph.
func ParseSentences(text string) []Sentence {
	var out []Sentence
	for li, line := range strings.Split(text, "\n") {
		first := true
		for _, sent := range (zh.Splitter{Citations: true}).Split(line) {
			for _, piece := range citedPieces(sent) {
				if piece.Text == "" {
					if len(out) > 0 && len(piece.Cites) > 0 {
						out[len(out)-1].Cites = appendNew(out[len(out)-1].Cites, piece.Cites...)
					}
					continue
				}
				piece.Break = li > 0 && first
				out = append(out, piece)
				first = false
			}
		}
	}
	return out
}

// citedPieces cuts one sentence after each run of [n] markers.
func citedPieces(sent string) []Sentence {
	var out []Sentence
	locs := guardMarkerRe.FindAllStringSubmatchIndex(sent, -1)
	start, i := 0, 0
	for i < len(locs) {
		textEnd := locs[i][0]
		var cites []int
		end := textEnd
		// Markers separated only by white space are one run.
		for ; i < len(locs) && strings.TrimSpace(sent[end:locs[i][0]]) == ""; i++ {
			n, _ := strconv.Atoi(sent[locs[i][2]:locs[i][3]])
			cites = appendNew(cites, n)
			end = locs[i][1]
		}
		// Punctuation after the markers belongs to the clause before them.
		tail := end
		for tail < len(sent) {
			r, size := utf8.DecodeRuneInString(sent[tail:])
			if !strings.ContainsRune("，,、；;。！？!?：:”’」』）)", r) {
				break
			}
			tail += size
		}
		text := strings.TrimSpace(sent[start:textEnd]) + strings.TrimSpace(sent[end:tail])
		out = append(out, Sentence{Text: text, Cites: cites})
		start = tail
	}
	if rest := strings.TrimSpace(sent[start:]); rest != "" || len(out) == 0 {
		out = append(out, Sentence{Text: rest})
	}
	return out
}

func appendNew(xs []int, ys ...int) []int {
	for _, y := range ys {
		found := false
		for _, x := range xs {
			found = found || x == y
		}
		if !found {
			xs = append(xs, y)
		}
	}
	return xs
}

// Citation is one cited passage with what a member needs to check it.
type Citation struct {
	N         int    `json:"n"`
	PassageID string `json:"passage_id"`
	DocID     string `json:"doc_id"`
	DocTitle  string `json:"doc_title"`
	// Kind is the document's shape (law, notice, report): it decides how
	// Reference names the place.
	Kind corpus.Kind `json:"kind,omitempty"`
	// ShortTitle is the name a member would say: 劳动合同法.
	ShortTitle string `json:"short_title,omitempty"`
	Source     string `json:"source,omitempty"`
	Date       string `json:"date,omitempty"`
	Page       string `json:"page,omitempty"`
	// Version names a law's version: 2012年修正.
	Version string `json:"version,omitempty"`
	// DocNumber and Issuer identify an official document: 兰总工发〔2024〕12号, 兰州市总工会.
	DocNumber string `json:"doc_number,omitempty"`
	Issuer    string `json:"issuer,omitempty"`
	Heading   string `json:"heading,omitempty"`
	// Article is the law article cited (第十九条), also when Place names one
	// of its 款 (第十九条第二款).
	Article string `json:"article,omitempty"`
	Place   string `json:"place,omitempty"`
	// Text is the passage as written. From Engine.Passage (the 原文 button)
	// it is the whole article, even when the passage is one 款 of it.
	Text string `json:"text"`
}
