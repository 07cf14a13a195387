// Package rag turns a member's question into a cited answer: it embeds and
// indexes passages, retrieves and fuses rankings, decides when the corpus does
// not answer, and composes the answer (extractive, or generated and checked).
package rag

import "github.com/gonghui/qa/corpus"

// Answer is what a member reads: a short text whose claims carry [n] markers,
// and the passages those markers cite.
type Answer struct {
	// Question is the question as the member asked it.
	Question string `json:"question"`
	// Standalone is the question used for retrieval, after follow-up rewriting.
	Standalone string `json:"standalone,omitempty"`
	// Text is the answer body with [1], [2]… markers, without the source list.
	Text string `json:"text"`
	// Citations are the cited passages: marker [n] is Citations[n-1].
	Citations []Citation `json:"citations,omitempty"`
	// Abstained is true when the corpus does not answer the question; Text then
	// says so and where to ask instead, and Citations is empty.
	Abstained bool `json:"abstained"`
	// Generated is true when an LLM wrote Text and it passed the check.
	Generated bool `json:"generated,omitempty"`
	// GuardRejected is true when an LLM answer failed the check and the
	// extractive answer was used instead.
	GuardRejected bool `json:"guard_rejected,omitempty"`
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
