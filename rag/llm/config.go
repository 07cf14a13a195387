// Package llm answers, rewrites follow-up questions and embeds passages
// through any OpenAI-compatible server (a hosted API, or Ollama, vLLM and the
// like on the union's own machine), using github.com/sashabaranov/go-openai.
//
// A Client satisfies rag.Generator, rag.Rewriter and rag.Embedder. It never
// trusts the server: every call has a deadline, 429 and 5xx are retried once,
// anything malformed or empty is an error, and what a model writes must
// still pass rag.CheckGrounded before a member sees it. The API key is never
// written to a log, an error or a String of the Config.
package llm

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Defaults for the zero fields of a Config.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultBatchSize    = 10
	DefaultTemperature  = 0.1
	DefaultMaxTokens    = 1024
	DefaultRetryBackoff = 500 * time.Millisecond
)

// Config says which server and models to use. The zero value of every field
// but BaseURL and the models means its default.
type Config struct {
	// BaseURL is the server's OpenAI-compatible endpoint, ending in /v1, e.g.
	// http://localhost:11434/v1 for Ollama. Empty means api.openai.com.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (local servers).
	APIKey string
	// ChatModel turns generated answers and rewriting on when not empty.
	ChatModel string
	// EmbeddingModel turns server embeddings on when not empty.
	EmbeddingModel string
	// Timeout bounds one call, its retry included (default 20 s). For
	// embeddings it bounds each batch.
	Timeout time.Duration
	// BatchSize is how many texts go into one embeddings request (default 10,
	// which every server known here accepts; some hosted ones refuse more).
	BatchSize int
	// Temperature for answers (default 0.1; go-openai drops an exact 0).
	Temperature float32
	// MaxTokens caps an answer's length (default 1024; reasoning included).
	MaxTokens int
	// RetryBackoff is the wait before the one retry of a 429 or 5xx
	// (default 500 ms).
	RetryBackoff time.Duration
	// HTTPClient replaces the default HTTP client, e.g. in tests.
	HTTPClient *http.Client
}

// Generation reports whether answers are to be generated (a chat model is set).
func (c Config) Generation() bool { return c.ChatModel != "" }

// Embeddings reports whether passages are to be embedded by the server.
func (c Config) Embeddings() bool { return c.EmbeddingModel != "" }

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.Temperature <= 0 {
		c.Temperature = DefaultTemperature
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = DefaultMaxTokens
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	return c
}

// String describes the configuration without the key (and without any
// credentials or query in the URL).
func (c Config) String() string {
	return fmt.Sprintf("llm.Config{BaseURL: %q, APIKey: %s, ChatModel: %q, EmbeddingModel: %q, Timeout: %s}",
		safeURL(c.BaseURL), keyState(c.APIKey), c.ChatModel, c.EmbeddingModel, c.Timeout)
}

// GoString is String, so that %#v does not print the key either.
func (c Config) GoString() string { return c.String() }

// LogValue logs the configuration without the key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", safeURL(c.BaseURL)),
		slog.String("api_key", keyState(c.APIKey)),
		slog.String("chat_model", c.ChatModel),
		slog.String("embedding_model", c.EmbeddingModel),
		slog.Duration("timeout", c.Timeout),
	)
}

func keyState(key string) string {
	if key == "" {
		return "(none)"
	}
	return "(set)"
}

// safeURL drops user information, query and fragment from a URL.
func safeURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}
