// Package openaitest is an httptest server that speaks the OpenAI API well
// enough to drive the real go-openai client in tests: chat completions, plain
// and streamed as server-sent events, and embeddings, with scripted failures
// (429, 500, slow answers, malformed bodies). It records every request so a
// test can assert what crossed the wire.
package openaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// Reply is one scripted answer to a request.
type Reply struct {
	// Status is the HTTP status; 0 means 200. An error status gets an OpenAI
	// error body ({"error": {"message": ...}}) unless Body is set.
	Status int
	// Content is the assistant's message for a chat request (streamed in
	// small pieces when the request asks for a stream).
	Content string
	// FinishReason is sent with the message; "" means "stop".
	FinishReason string
	// Body, when not empty, is sent as it is instead of a generated body, for
	// malformed responses.
	Body string
	// Delay is waited before answering; the request's cancellation (the
	// client's deadline) ends the wait and the request without an answer.
	Delay time.Duration
	// ChunkDelay is waited between the pieces of a streamed message.
	ChunkDelay time.Duration
	// NoChoices sends a chat response without choices.
	NoChoices bool
	// Embeddings, when not nil, makes the embedding data for the inputs
	// instead of the server's Embed (e.g. one vector too few).
	Embeddings func(inputs []string) []openai.Embedding
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// Chat is the decoded body of a chat completion request.
	Chat *openai.ChatCompletionRequest
	// Embedding is the decoded body of an embeddings request, its inputs as
	// strings.
	Embedding *EmbeddingRequest
}

// EmbeddingRequest is the part of an embeddings request the server reads.
type EmbeddingRequest struct {
	Input []string `json:"input"`
	Model string   `json:"model"`
}

// Server is a fake OpenAI-compatible server. Configure its fields before the
// first request; queue replies at any time.
type Server struct {
	// URL is the base URL to give the client: the server's address + "/v1".
	URL string
	// Key, when not empty, is the API key the server expects; a request
	// without "Authorization: Bearer <Key>" gets a 401 that, like OpenAI's,
	// quotes the key it was given.
	Key string
	// Answer makes the reply to a chat request when none is queued. The
	// default answers "好的[1]".
	Answer func(req openai.ChatCompletionRequest) Reply
	// Embed makes the vector for one input. The default is a deterministic
	// 8-dimensional vector derived from the text, not normalised.
	Embed func(input string) []float32
	// InOrder sends embedding data in input order; by default it is sent in
	// reverse, each item with its right index, as servers may do.
	InOrder bool

	srv      *httptest.Server
	mu       sync.Mutex
	chat     []Reply
	embed    []Reply
	requests []Request
}

// New starts a server; it is closed when the test ends via Close (t.Cleanup
// is the caller's: `t.Cleanup(s.Close)`).
func New() *Server {
	s := &Server{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	return s
}

// Close shuts the server down, cancelling requests still waiting.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// QueueChat adds replies for the next chat requests, first in first out.
func (s *Server) QueueChat(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = append(s.chat, replies...)
}

// QueueEmbeddings adds replies for the next embeddings requests.
func (s *Server) QueueEmbeddings(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embed = append(s.embed, replies...)
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ChatRequests returns the chat completion requests received so far.
func (s *Server) ChatRequests() []openai.ChatCompletionRequest {
	var out []openai.ChatCompletionRequest
	for _, r := range s.Requests() {
		if r.Chat != nil {
			out = append(out, *r.Chat)
		}
	}
	return out
}

// EmbeddingRequests returns the embeddings requests received so far.
func (s *Server) EmbeddingRequests() []EmbeddingRequest {
	var out []EmbeddingRequest
	for _, r := range s.Requests() {
		if r.Embedding != nil {
			out = append(out, *r.Embedding)
		}
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	var reply Reply
	kind := ""
	switch r.URL.Path {
	case "/v1/chat/completions":
		var req openai.ChatCompletionRequest
		if err := json.Unmarshal(body, &req); err != nil {
			s.record(rec)
			writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
			return
		}
		rec.Chat, kind = &req, "chat"
	case "/v1/embeddings":
		var req EmbeddingRequest
		if err := json.Unmarshal(body, &req); err != nil {
			s.record(rec)
			writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
			return
		}
		rec.Embedding, kind = &req, "embeddings"
	default:
		s.record(rec)
		writeError(w, http.StatusNotFound, "unknown path "+r.URL.Path)
		return
	}
	s.record(rec)

	if s.Key != "" && r.Header.Get("Authorization") != "Bearer "+s.Key {
		given := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		writeError(w, http.StatusUnauthorized, "Incorrect API key provided: "+given)
		return
	}

	reply = s.next(kind, rec)
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	switch {
	case reply.Status != 0 && reply.Status != http.StatusOK && reply.Body == "":
		writeError(w, reply.Status, fmt.Sprintf("scripted error %d", reply.Status))
	case reply.Body != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(max(reply.Status, http.StatusOK))
		io.WriteString(w, reply.Body)
	case kind == "chat" && rec.Chat.Stream:
		s.stream(w, r, *rec.Chat, reply)
	case kind == "chat":
		writeJSON(w, chatResponse(*rec.Chat, reply))
	default:
		writeJSON(w, s.embeddingResponse(*rec.Embedding, reply))
	}
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// next takes the next queued reply for kind, or makes the default one.
func (s *Server) next(kind string, rec Request) Reply {
	s.mu.Lock()
	queue := &s.chat
	if kind == "embeddings" {
		queue = &s.embed
	}
	if len(*queue) > 0 {
		r := (*queue)[0]
		*queue = (*queue)[1:]
		s.mu.Unlock()
		return r
	}
	s.mu.Unlock()
	if kind == "chat" {
		if s.Answer != nil {
			return s.Answer(*rec.Chat)
		}
		return Reply{Content: "好的[1]"}
	}
	return Reply{}
}

func chatResponse(req openai.ChatCompletionRequest, reply Reply) openai.ChatCompletionResponse {
	resp := openai.ChatCompletionResponse{
		ID:      "chatcmpl-fake",
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   req.Model,
	}
	if !reply.NoChoices {
		resp.Choices = []openai.ChatCompletionChoice{{
			Index:        0,
			Message:      openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: reply.Content},
			FinishReason: finishReason(reply),
		}}
	}
	return resp
}

func finishReason(reply Reply) openai.FinishReason {
	if reply.FinishReason == "" {
		return openai.FinishReasonStop
	}
	return openai.FinishReason(reply.FinishReason)
}

// stream sends the message as server-sent events, a few runes an event, then
// a final event with the finish reason and "data: [DONE]".
func (s *Server) stream(w http.ResponseWriter, r *http.Request, req openai.ChatCompletionRequest, reply Reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(chunk openai.ChatCompletionStreamResponse) {
		b, _ := json.Marshal(chunk)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	chunk := func(delta openai.ChatCompletionStreamChoiceDelta, finish openai.FinishReason) openai.ChatCompletionStreamResponse {
		return openai.ChatCompletionStreamResponse{
			ID: "chatcmpl-fake", Object: "chat.completion.chunk", Created: time.Now().Unix(), Model: req.Model,
			Choices: []openai.ChatCompletionStreamChoice{{Index: 0, Delta: delta, FinishReason: finish}},
		}
	}
	if !reply.NoChoices {
		send(chunk(openai.ChatCompletionStreamChoiceDelta{Role: openai.ChatMessageRoleAssistant}, ""))
		for _, piece := range pieces(reply.Content, 3) {
			if reply.ChunkDelay > 0 {
				t := time.NewTimer(reply.ChunkDelay)
				select {
				case <-r.Context().Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
			send(chunk(openai.ChatCompletionStreamChoiceDelta{Content: piece}, ""))
		}
		send(chunk(openai.ChatCompletionStreamChoiceDelta{}, finishReason(reply)))
	}
	io.WriteString(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// pieces cuts s into pieces of n runes.
func pieces(s string, n int) []string {
	var out []string
	for s != "" {
		i, k := 0, 0
		for i < len(s) && k < n {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			k++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

func (s *Server) embeddingResponse(req EmbeddingRequest, reply Reply) openai.EmbeddingResponse {
	var data []openai.Embedding
	if reply.Embeddings != nil {
		data = reply.Embeddings(req.Input)
	} else {
		for i, in := range req.Input {
			data = append(data, openai.Embedding{Object: "embedding", Index: i, Embedding: s.vector(in)})
		}
		if !s.InOrder {
			for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
				data[i], data[j] = data[j], data[i]
			}
		}
	}
	return openai.EmbeddingResponse{Object: "list", Data: data, Model: openai.EmbeddingModel(req.Model)}
}

func (s *Server) vector(input string) []float32 {
	if s.Embed != nil {
		return s.Embed(input)
	}
	return Vector(input)
}

// Vector is the default embedding of the fake server: 8 dimensions derived
// from a hash of the text, not unit length (the client must normalise).
func Vector(input string) []float32 {
	v := make([]float32, 8)
	for i := range v {
		h := fnv.New32a()
		fmt.Fprintf(h, "%d:%s", i, input)
		v[i] = float32(h.Sum32()%2000)/100 - 10 // in [-10, 10)
	}
	return v
}

func writeJSON(w http.ResponseWriter, v any) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"message": msg, "type": "fake_error", "code": status},
	})
}
