// Package rag turns a member's question into a cited answer: it embeds and
// indexes passages, retrieves and fuses rankings, decides when the corpus does
// not answer, and composes the answer (extractive, or generated and checked).
package rag

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
	Source    string `json:"source,omitempty"`
	Date      string `json:"date,omitempty"`
	Page      string `json:"page,omitempty"`
	Heading   string `json:"heading,omitempty"`
	Place     string `json:"place,omitempty"`
	// Text is the whole passage as written, for the 原文 button.
	Text string `json:"text"`
}
