package llm_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gonghui/qa/rag/llm"
)

// A base URL without /v1 often reaches a web page (the server's UI, or its
// 404 page) instead of the API: the error says to check the path.
func TestWebPageInsteadOfAPIHintsAtPath(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNotFound} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<!DOCTYPE html>\n<html><head><title>Ollama</title></head><body>not here</body></html>"))
		}))
		c := llm.New(llm.Config{BaseURL: srv.URL, ChatModel: "m", EmbeddingModel: "e", Timeout: 5 * time.Second, RetryBackoff: time.Millisecond}, nil)
		_, gerr := c.Generate(context.Background(), question, passages)
		_, eerr := c.Embed(context.Background(), []string{"金秋助学"})
		for _, err := range []error{gerr, eerr} {
			if err == nil || !strings.Contains(err.Error(), "/v1") {
				t.Errorf("HTTP %d web page: error %v, want a hint to check the /v1 path", status, err)
			}
		}
		srv.Close()
	}
}
