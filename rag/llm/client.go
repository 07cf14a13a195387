package llm

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/gonghui/qa/rag"
)

// The interfaces the engine consumes.
var (
	_ rag.Generator = (*Client)(nil)
	_ rag.Rewriter  = (*Client)(nil)
	_ rag.Embedder  = (*Client)(nil)
)

// Client talks to one OpenAI-compatible server. It satisfies rag.Generator,
// rag.Rewriter and rag.Embedder, and is safe for concurrent use: calls do not
// wait for one another, so one slow answer holds up no other chat.
type Client struct {
	cfg  Config
	api  *openai.Client
	log  *slog.Logger
	red  redactor
	dims atomic.Int64 // embedding dimension seen first, 0 before any
}

// New returns a client for cfg. It makes no call: a server that is down shows
// up as errors from the calls. logger may be nil; it receives a warning for
// each retried call, never the key.
func New(cfg Config, logger *slog.Logger) *Client {
	cfg = cfg.withDefaults()
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = limitChat{next: next}
	oc.HTTPClient = hc
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{
		cfg: cfg,
		api: openai.NewClientWithConfig(oc),
		log: logger.With(slog.String("component", "llm")),
		red: redactor{secret: cfg.APIKey},
	}
}

// maxChatBytes bounds a chat response, for a server that ignores
// max_tokens: far above an answer of rag.MaxAnswerRunes with its reasoning,
// far below the 288 KB answers seen (issue 10).
const maxChatBytes = 256 << 10

// errTooLarge is read from a chat response body past its bound.
var errTooLarge = errors.New("response too large")

// limitChat bounds the bodies of chat completion responses (not embeddings,
// whose size follows the batch).
type limitChat struct{ next http.RoundTripper }

// RoundTrip sends the request and bounds the body of a chat response.
func (l limitChat) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/chat/completions") {
		return resp, err
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxChatBytes}
	return resp, nil
}

// limitedBody fails with errTooLarge once more than left bytes are read.
type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more tells a body of exactly the limit from a longer one
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), errTooLarge
	}
	return n, err
}

// Config returns the client's configuration, defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// call runs attempt with ctx, and once more after the back-off when it fails
// with 429 or 5xx and ctx has time left. The error is always an *Error.
func (c *Client) call(ctx context.Context, op string, attempt func(context.Context) error) error {
	for try := 1; ; try++ {
		start := time.Now()
		err := attempt(ctx)
		if err == nil {
			return nil
		}
		e := c.red.newError(op, err, ctx.Err())
		if try >= 2 || !e.Retryable() {
			return e
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "llm call failed, retrying once",
			slog.String("op", op), slog.Int("status", e.StatusCode),
			slog.Duration("took", time.Since(start)), slog.Duration("backoff", c.cfg.RetryBackoff),
			slog.String("error", e.Error()))
		t := time.NewTimer(c.cfg.RetryBackoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return c.red.newError(op, ctx.Err(), ctx.Err())
		case <-t.C:
		}
	}
}
