package openaitest_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/gonghui/qa/rag/llm/openaitest"
)

func post(t *testing.T, url, body string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestEmbeddingsComeOutOfOrder(t *testing.T) {
	s := openaitest.New()
	t.Cleanup(s.Close)
	resp := post(t, s.URL+"/embeddings", `{"model":"m","input":["a","b","c"]}`, nil)
	var got openai.EmbeddingResponse
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got.Data) != 3 || got.Data[0].Index != 2 || got.Data[2].Index != 0 {
		t.Fatalf("data %+v, want indexes 2,1,0", got.Data)
	}
	if reqs := s.EmbeddingRequests(); len(reqs) != 1 || strings.Join(reqs[0].Input, "") != "abc" {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestChatStreamIsServerSentEvents(t *testing.T) {
	s := openaitest.New()
	t.Cleanup(s.Close)
	s.Key = "k"
	s.QueueChat(openaitest.Reply{Content: "救助2000至5000元[1]"})
	resp := post(t, s.URL+"/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"问"}]}`,
		map[string]string{"Authorization": "Bearer k"})
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	var text strings.Builder
	done := false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("line %q is not an event", line)
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var chunk openai.ChatCompletionStreamResponse
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			t.Fatal(err)
		}
		text.WriteString(chunk.Choices[0].Delta.Content)
	}
	if !done || text.String() != "救助2000至5000元[1]" {
		t.Errorf("streamed %q, done %v", text.String(), done)
	}
}

func TestWrongKeyIs401(t *testing.T) {
	s := openaitest.New()
	t.Cleanup(s.Close)
	s.Key = "right"
	resp := post(t, s.URL+"/chat/completions", `{"model":"m","messages":[]}`, map[string]string{"Authorization": "Bearer wrong"})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d", resp.StatusCode)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests recorded", n)
	}
}
