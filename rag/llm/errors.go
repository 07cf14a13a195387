package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// Kinds of failure, for errors.Is on an *Error. A deadline is
// context.DeadlineExceeded and a cancellation context.Canceled.
var (
	// ErrStatus: the server answered with an error status (StatusCode says which).
	ErrStatus = errors.New("error status")
	// ErrUnreachable: no answer from the server (refused, reset, DNS).
	ErrUnreachable = errors.New("server unreachable")
	// ErrMalformed: the answer could not be decoded or does not fit the request.
	ErrMalformed = errors.New("malformed response")
	// ErrEmpty: the answer has no text.
	ErrEmpty = errors.New("empty response")
	// ErrTruncated: the answer was cut off at the token limit.
	ErrTruncated = errors.New("response cut off")
)

// Error is a failed call to the server. Its message never contains the API
// key, the URL's credentials or query, nor more than a short excerpt of what
// the server sent. It deliberately does not wrap go-openai's error, whose text
// may carry all of those; it wraps one of the Err* kinds or a context error.
type Error struct {
	// Op is the call: "chat", "rewrite" or "embeddings".
	Op string
	// StatusCode is the HTTP status when the server answered, else 0.
	StatusCode int
	kind       error
	msg        string
}

// Error describes the failure for logs; it never holds a secret.
func (e *Error) Error() string { return "llm " + e.Op + ": " + e.msg }

// Unwrap returns the kind of failure.
func (e *Error) Unwrap() error { return e.kind }

// Retryable reports whether one more attempt may succeed: 429 and 5xx.
func (e *Error) Retryable() bool {
	return e.kind == ErrStatus && (e.StatusCode == 429 || e.StatusCode >= 500)
}

// redactor removes a secret from text.
type redactor struct{ secret string }

func (r redactor) clean(s string) string {
	if len(r.secret) >= 4 {
		s = strings.ReplaceAll(s, r.secret, "[redacted]")
	}
	return s
}

// newError turns an error from go-openai (or from checking a response) into an
// *Error with a safe message. ctxErr is the call context's error, if any: a
// deadline is reported as such whatever the transport made of it.
func (r redactor) newError(op string, err error, ctxErr error) *Error {
	var own *Error
	if errors.As(err, &own) {
		return own
	}
	e := &Error{Op: op}
	var (
		apiErr *openai.APIError
		reqErr *openai.RequestError
		urlErr *url.Error
		synErr *json.SyntaxError
		typErr *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(ctxErr, context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		e.kind, e.msg = context.DeadlineExceeded, "timed out"
	case errors.Is(ctxErr, context.Canceled) || errors.Is(err, context.Canceled):
		e.kind, e.msg = context.Canceled, "canceled"
	case errors.Is(err, errTooLarge):
		e.kind, e.msg = ErrTruncated, fmt.Sprintf("the response is larger than %d KB: the server ignores max_tokens", maxChatBytes>>10)
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0:
		e.kind, e.StatusCode = ErrStatus, apiErr.HTTPStatusCode
		e.msg = fmt.Sprintf("status %d: %s", apiErr.HTTPStatusCode, r.excerpt(apiErr.Message))
	case errors.As(err, &reqErr):
		e.kind, e.StatusCode = ErrStatus, reqErr.HTTPStatusCode
		e.msg = fmt.Sprintf("status %d: %s", reqErr.HTTPStatusCode, r.excerpt(string(reqErr.Body)))
		if reqErr.HTTPStatusCode == 404 || looksLikeHTML(string(reqErr.Body)) {
			e.msg += pathHint
		}
	case errors.As(err, &apiErr):
		// An error event inside a stream has no status.
		e.kind, e.msg = ErrStatus, "error in stream: "+r.excerpt(apiErr.Message)
	case errors.As(err, &synErr), errors.As(err, &typErr), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, openai.ErrTooManyEmptyStreamMessages):
		e.kind, e.msg = ErrMalformed, "cannot decode the response: "+r.excerpt(err.Error())
		if synErr != nil && strings.Contains(synErr.Error(), "invalid character '<'") {
			e.msg += pathHint // a web page, not the API's JSON
		}
	case errors.As(err, &urlErr):
		e.kind = ErrUnreachable
		e.msg = fmt.Sprintf("%s %s: %s", urlErr.Op, safeURL(urlErr.URL), r.excerpt(urlErr.Err.Error()))
	default:
		e.kind, e.msg = ErrUnreachable, r.excerpt(err.Error())
	}
	e.msg = r.clean(e.msg)
	return e
}

// pathHint ends the message of an error that suggests the base URL reaches
// a web server but not its API: most often OPENAI_BASE_URL lacks /v1.
const pathHint = " (this is not the API answering: check that OPENAI_BASE_URL is the API's address, usually ending in /v1)"

// looksLikeHTML reports whether a body is a web page.
func looksLikeHTML(body string) bool {
	b := strings.ToLower(strings.TrimSpace(body))
	return strings.HasPrefix(b, "<!doctype html") || strings.HasPrefix(b, "<html") || strings.HasPrefix(b, "<?xml")
}

// newKind makes an *Error of one kind with a message of ours.
func newKind(op string, kind error, format string, args ...any) *Error {
	return &Error{Op: op, kind: kind, msg: kind.Error() + ": " + fmt.Sprintf(format, args...)}
}

// excerpt is excerpt of the text with the secret removed first, so that a
// cut cannot leave part of the secret behind.
func (r redactor) excerpt(s string) string { return excerpt(r.clean(s)) }

// excerpt shortens what a server sent to a readable length on one line.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const limit = 200
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
