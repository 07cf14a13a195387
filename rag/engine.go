package rag

import (
	"context"

	"github.com/gonghui/qa/corpus"
)

// Engine answers questions over one indexed corpus. It is safe for concurrent use.
type Engine struct {
	// TODO(core): index, conversations, generator.
}

// Answer answers question for the conversation named by conversation (for
// example "chatID:userID"; "" for none), using that conversation's recent turns
// to understand a follow-up such as "那怎么申请？".
func (e *Engine) Answer(ctx context.Context, conversation, question string) (Answer, error) {
	return Answer{Question: question, Abstained: true, Text: "资料里没有找到相关内容。"}, nil
}

// Passage returns the passage with the given ID as a citation (N is 0), for
// showing a cited passage in full.
func (e *Engine) Passage(id string) (Citation, bool) { return Citation{}, false }

// Documents lists the documents in the corpus, in a stable order.
func (e *Engine) Documents() []corpus.Document { return nil }

// PassageCount is the number of passages indexed.
func (e *Engine) PassageCount() int { return 0 }
