package rag_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/llm"
	"github.com/gonghui/qa/rag/llm/openaitest"
	"github.com/gonghui/qa/rag/ragtest"
)

const tuitionQ = "孩子考上大学，工会有助学金吗？"

// llmEngine is the real engine over the default corpus with the real go-openai
// client pointed at a fake OpenAI server.
func llmEngine(t *testing.T, srv *openaitest.Server, timeout time.Duration) (*rag.Engine, *ragtest.SyncBuffer) {
	t.Helper()
	logs := &ragtest.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	client := llm.New(llm.Config{BaseURL: srv.URL, APIKey: srv.Key, ChatModel: "qwen-test", Timeout: timeout, RetryBackoff: time.Millisecond}, log)
	e := ragtest.Engine(t, rag.Options{Generator: client, Rewriter: client, Logger: log}, ragtest.DefaultDocs(t))
	return e, logs
}

func TestGeneratedAnswers(t *testing.T) {
	tests := []struct {
		name          string
		replies       []openaitest.Reply
		wantGenerated bool
		wantRejected  bool
		want          string
	}{
		{"grounded answer is sent", []openaitest.Reply{{Content: "有。工会“金秋助学”对困难职工家庭子女给予2000至5000元不等的救助[1]。"}}, true, false, "给予2000至5000元不等的救助。[1]"},
		{"invented number falls back", []openaitest.Reply{{Content: "有，每人8888元[1]。"}}, false, true, "2000至5000元"},
		{"citation of a passage not given", []openaitest.Reply{{Content: "有，2000至5000元[7]。"}}, false, true, "2000至5000元"},
		{"no citation at all", []openaitest.Reply{{Content: "有的，金额2000至5000元。"}}, false, true, "2000至5000元"},
		{"reasoning is never shown", []openaitest.Reply{{Content: "<think>让我想想8888</think>有，2000至5000元[1]。"}}, true, false, "2000至5000元。[1]"},
		{"server error twice falls back", []openaitest.Reply{{Status: http.StatusInternalServerError}, {Status: http.StatusInternalServerError}}, false, false, "2000至5000元"},
		{"429 then success", []openaitest.Reply{{Status: http.StatusTooManyRequests}, {Content: "有，2000至5000元[1]。"}}, true, false, "2000至5000元。[1]"},
		{"timeout falls back", []openaitest.Reply{{Delay: 2 * time.Second, Content: "太慢了[1]"}}, false, false, "2000至5000元"},
		{"malformed body falls back", []openaitest.Reply{{Body: "{not json"}}, false, false, "2000至5000元"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New()
			srv.Key = "sk-test-secret-key-123"
			t.Cleanup(srv.Close)
			srv.QueueChat(tt.replies...)
			e, logs := llmEngine(t, srv, 300*time.Millisecond)
			a, err := e.Answer(context.Background(), "", tuitionQ)
			if err != nil {
				t.Fatal(err)
			}
			if a.Generated != tt.wantGenerated || a.GuardRejected != tt.wantRejected {
				t.Errorf("Generated=%v GuardRejected=%v, want %v %v; text %q", a.Generated, a.GuardRejected, tt.wantGenerated, tt.wantRejected, a.Text())
			}
			if !strings.Contains(a.Text(), tt.want) || strings.Contains(a.Text(), "8888") || strings.Contains(a.Text(), "think") {
				t.Errorf("answer %q, want it to contain %q and nothing invented", a.Text(), tt.want)
			}
			if len(a.Citations) == 0 {
				t.Error("no citations")
			}
			if strings.Contains(logs.String(), srv.Key) || strings.Contains(fmt.Sprint(a), srv.Key) {
				t.Error("the API key leaked")
			}
		})
	}
}

func TestGeneratorNotCalledWhenCorpusHasNoAnswer(t *testing.T) {
	srv := openaitest.New()
	t.Cleanup(srv.Close)
	e, _ := llmEngine(t, srv, time.Second)
	a, err := e.Answer(context.Background(), "", "产假一共能休多少天？")
	if err != nil || !a.Abstained {
		t.Fatalf("answer %+v, %v", a, err)
	}
	if n := len(srv.ChatRequests()); n != 0 {
		t.Errorf("%d chat requests for an unanswerable question", n)
	}
}

func TestFollowUpRewrittenByModel(t *testing.T) {
	srv := openaitest.New()
	t.Cleanup(srv.Close)
	srv.QueueChat(openaitest.Reply{Content: "有，2000至5000元[1]。"}, // first answer
		openaitest.Reply{Content: "金秋助学一共资助了多少名困难职工家庭子女？"}, // the rewrite
		openaitest.Reply{Content: "共资助5324名困难职工家庭子女[1]。"})
	e, _ := llmEngine(t, srv, time.Second)
	ctx := context.Background()
	if _, err := e.Answer(ctx, "c:u", tuitionQ); err != nil {
		t.Fatal(err)
	}
	a, err := e.Answer(ctx, "c:u", "那一共帮了多少人？")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Standalone, "金秋助学") || !strings.Contains(a.Text(), "5324") {
		t.Errorf("follow-up: standalone %q, text %q", a.Standalone, a.Text())
	}
}

func TestServerEmbeddingsCachedAcrossRestarts(t *testing.T) {
	srv := openaitest.New()
	t.Cleanup(srv.Close)
	docs := ragtest.DefaultDocs(t)
	path := t.TempDir() + "/index.gob"
	start := func() *rag.Engine {
		client := llm.New(llm.Config{BaseURL: srv.URL, EmbeddingModel: "bge-test", Timeout: time.Second}, nil)
		return ragtest.Engine(t, rag.Options{Embedder: client, IndexPath: path, DenseWeight: 0.1}, docs) // the fake's vectors carry no meaning
	}
	e := start()
	cold := len(srv.EmbeddingRequests())
	if cold == 0 {
		t.Fatal("no embedding requests on a cold start")
	}
	start()
	if n := len(srv.EmbeddingRequests()); n != cold {
		t.Errorf("restart made %d more embedding requests", n-cold)
	}
	// The question is embedded by the server; with the server down the
	// answer still comes, ranked lexically.
	a, err := e.Answer(context.Background(), "", tuitionQ)
	if err != nil || !strings.Contains(a.Text(), "2000至5000元") {
		t.Fatalf("answer %q, %v", a.Text(), err)
	}
	srv.Close()
	a, err = e.Answer(context.Background(), "", tuitionQ)
	if err != nil || !strings.Contains(a.Text(), "2000至5000元") {
		t.Fatalf("answer with the server down: %q, %v", a.Text(), err)
	}
}

// With a chat model, a member's question is also searched in the documents'
// words; the offline path needs none of it, and a failing model costs
// nothing but the attempt.
func TestQuestionReformulatedIntoTheDocumentsWords(t *testing.T) {
	srv := openaitest.New()
	defer srv.Close()
	logs := &ragtest.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	client := llm.New(llm.Config{BaseURL: srv.URL, APIKey: srv.Key, ChatModel: "qwen-test", Timeout: time.Second, RetryBackoff: time.Millisecond}, log)
	laws, err := corpus.BuiltinLaws(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := ragtest.Engine(t, rag.Options{Reformulator: client, Logger: log}, laws)
	const q = "厂里一声不吭就让俺卷铺盖，能讨个说法拿点钱不"
	srv.QueueChat(openaitest.Reply{Content: "用人单位违法解除劳动合同，劳动者可以要求支付赔偿金吗"})
	a, err := e.Answer(context.Background(), "", q)
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || !strings.Contains(a.Text(), "赔偿金") {
		t.Errorf("answer with the question reformulated: %q", a.Text())
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].Messages[len(reqs[0].Messages)-1].Content, "卷铺盖") {
		t.Fatalf("the model was asked %+v", reqs)
	}

	// The server failing: the question is searched as asked, no error.
	srv.QueueChat(openaitest.Reply{Status: http.StatusInternalServerError}, openaitest.Reply{Status: http.StatusInternalServerError})
	if _, err := e.Answer(context.Background(), "", q); err != nil {
		t.Errorf("a failing model broke the answer: %v", err)
	}
}
