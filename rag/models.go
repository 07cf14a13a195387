package rag

import "context"

// Embedder turns texts into unit-length vectors. The offline default hashes
// character n-grams; an OpenAI-compatible server can be used instead.
type Embedder interface {
	// Name identifies the embedding (kind, model, dimensions), so that an index
	// persisted with another embedding is rebuilt rather than mixed.
	Name() string
	// Embed returns one unit-length vector per text, in the order given.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Generator writes an answer from numbered passages. What it writes is
// checked against those passages before a member sees it.
type Generator interface {
	// Generate answers question from passages (passages[i] is marker [i+1]),
	// returning the answer text with [n] markers.
	Generate(ctx context.Context, question string, passages []Citation) (string, error)
}

// Rewriter turns a follow-up question into a standalone one using the
// conversation's recent turns.
type Rewriter interface {
	Rewrite(ctx context.Context, history []Turn, question string) (string, error)
}

// Turn is one question and answer of a conversation, oldest first in a history.
type Turn struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Reformulator rewrites a member's question into the documents' vocabulary
// (炒鱿鱼 → 解除劳动合同); the engine searches both forms and answers from the
// one that finds the better evidence. A chat model provides it; the offline
// engine needs none.
type Reformulator interface {
	Reformulate(ctx context.Context, question string) (string, error)
}
