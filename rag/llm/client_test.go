package llm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/llm"
	"github.com/gonghui/qa/rag/llm/openaitest"
	"github.com/gonghui/qa/rag/ragtest"
)

const testKey = "sk-test-7f3c9a1e5b2d4c6e8f0a"

// Passages from the seed corpus, as the engine would give them.
var passages = []rag.Citation{
	{N: 1, PassageID: "p57", DocID: "000_271171a6d94e8a59", DocTitle: "谱写工运事业发展新篇章", Source: "甘肃工人报", Date: "2020-07-02",
		Text: "2013—2019年,全市各级工会累积筹措资金1296.83万元,通过市总工会秋送助学活动和发动企业爱心助学等方式,对5324名困难职工家庭子女进行了2000至5000元不等的救助。"},
	{N: 2, PassageID: "p59", DocID: "000_271171a6d94e8a59", DocTitle: "谱写工运事业发展新篇章", Source: "甘肃工人报", Date: "2020-07-02",
		Text: "累积筹措资金580万元,对10000名生活困难职工每人给予500至600元的生活补助金。"},
}

const question = "金秋助学能补助多少钱？"

// fixture is a fake server and a client of it whose logs are captured; at
// the end of the test neither the logs nor anything the test reported may
// contain the key.
type fixture struct {
	srv    *openaitest.Server
	client *llm.Client
	logs   *ragtest.SyncBuffer
}

func newFixture(t *testing.T, edit func(*llm.Config)) *fixture {
	t.Helper()
	srv := openaitest.New()
	srv.Key = testKey
	t.Cleanup(srv.Close)
	cfg := llm.Config{
		BaseURL:        srv.URL,
		APIKey:         testKey,
		ChatModel:      "qwen2.5:7b",
		EmbeddingModel: "bge-m3",
		Timeout:        5 * time.Second,
		RetryBackoff:   time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	logs := &ragtest.SyncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Info("llm configured", slog.Any("config", cfg))
	f := &fixture{srv: srv, client: llm.New(cfg, logger), logs: logs}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), testKey) {
			t.Errorf("the key is in the logs:\n%s", logs.String())
		}
	})
	return f
}

// shortTimeoutIf gives the client a short deadline for the cases that test
// one, and leaves the generous default otherwise, so that a loaded machine
// cannot turn another failure into a timeout.
func shortTimeoutIf(kind error) func(*llm.Config) {
	return func(c *llm.Config) {
		if kind == context.DeadlineExceeded {
			c.Timeout = 100 * time.Millisecond
		}
	}
}

// noKey fails the test when err's text contains the key.
func noKey(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Fatalf("the key is in the error: %v", err)
	}
}

func TestGenerate(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.QueueChat(openaitest.Reply{Content: "<think>用户问金额，资料[1]说2000至5000元。</think>\n金秋助学对困难职工家庭子女给予2000至5000元不等的救助【1】。"})

	got, err := f.client.Generate(context.Background(), question, passages)
	if err != nil {
		t.Fatal(err)
	}
	if want := "金秋助学对困难职工家庭子女给予2000至5000元不等的救助[1]。"; got != want {
		t.Errorf("Generate = %q, want %q", got, want)
	}
	if err := rag.CheckGrounded(got, passages); err != nil {
		t.Errorf("a grounded answer failed the check: %v", err)
	}

	reqs := f.srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("Authorization header not sent")
	}
	chat := r.Chat
	if chat.Model != "qwen2.5:7b" || chat.Stream {
		t.Errorf("model %q stream %v", chat.Model, chat.Stream)
	}
	if chat.Temperature <= 0 || chat.Temperature > 0.5 {
		t.Errorf("temperature %v, want small and positive", chat.Temperature)
	}
	if !strings.Contains(string(r.Body), `"temperature"`) {
		t.Errorf("temperature not on the wire: %s", r.Body)
	}
	if len(chat.Messages) != 2 || chat.Messages[0].Role != "system" || chat.Messages[1].Role != "user" {
		t.Fatalf("messages %+v", chat.Messages)
	}
	for _, want := range []string{"只根据", "简体中文", "[1]", "资料中没有提到"} {
		if !strings.Contains(chat.Messages[0].Content, want) {
			t.Errorf("system prompt lacks %q", want)
		}
	}
	user := chat.Messages[1].Content
	for _, want := range []string{"[1] 《谱写工运事业发展新篇章》", "[2]", "2000至5000元", "500至600元", "问题：" + question} {
		if !strings.Contains(user, want) {
			t.Errorf("user message lacks %q:\n%s", want, user)
		}
	}
}

func TestGenerateFailures(t *testing.T) {
	tests := []struct {
		name     string
		replies  []openaitest.Reply
		kind     error
		status   int
		requests int
	}{
		{"500 twice", []openaitest.Reply{{Status: 500}, {Status: 500}}, llm.ErrStatus, 500, 2},
		{"503 then 429", []openaitest.Reply{{Status: 503}, {Status: 429}}, llm.ErrStatus, 429, 2},
		{"400 is not retried", []openaitest.Reply{{Status: 400}}, llm.ErrStatus, 400, 1},
		{"timeout", []openaitest.Reply{{Delay: time.Minute}}, context.DeadlineExceeded, 0, 1},
		{"not JSON", []openaitest.Reply{{Body: "<html>bad gateway</html>"}}, llm.ErrMalformed, 0, 1},
		{"error page with 502 then 500", []openaitest.Reply{{Status: 502, Body: "<html>bad gateway</html>"}, {Status: 500}}, llm.ErrStatus, 500, 2},
		{"no choices", []openaitest.Reply{{NoChoices: true}}, llm.ErrMalformed, 0, 1},
		{"empty answer", []openaitest.Reply{{Content: "  "}}, llm.ErrEmpty, 0, 1},
		{"only reasoning", []openaitest.Reply{{Content: "<think>想了很久</think>"}}, llm.ErrEmpty, 0, 1},
		{"reasoning cut off", []openaitest.Reply{{Content: "<think>想了很久", FinishReason: "length"}}, llm.ErrTruncated, 0, 1},
		{"cut off", []openaitest.Reply{{Content: "救助金额为2000", FinishReason: "length"}}, llm.ErrTruncated, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, shortTimeoutIf(tt.kind))
			f.srv.QueueChat(tt.replies...)
			got, err := f.client.Generate(context.Background(), question, passages)
			if err == nil {
				t.Fatalf("no error, answer %q", got)
			}
			noKey(t, err)
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %v, want kind %v", err, tt.kind)
			}
			var e *llm.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *llm.Error", err)
			}
			if e.StatusCode != tt.status {
				t.Errorf("status %d, want %d", e.StatusCode, tt.status)
			}
			if n := len(f.srv.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}

func TestRetryThenSuccessIsLogged(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.QueueChat(openaitest.Reply{Status: 429}, openaitest.Reply{Content: "每人500至600元[2]。"})
	got, err := f.client.Generate(context.Background(), question, passages)
	if err != nil || got != "每人500至600元[2]。" {
		t.Fatalf("Generate = %q, %v", got, err)
	}
	if n := len(f.srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if !strings.Contains(f.logs.String(), "retrying") || !strings.Contains(f.logs.String(), `"status":429`) {
		t.Errorf("retry not logged:\n%s", f.logs)
	}
}

// The answers a model may give, through the real client and the guard.
func TestGeneratedAnswersAgainstGuard(t *testing.T) {
	tests := []struct {
		name    string
		content string
		reason  string
	}{
		{"grounded", "金秋助学对5324名困难职工家庭子女给予2000-5000元不等的救助[1]。", ""},
		{"invented number", "金秋助学每人可获得8888元救助[1]。", rag.GuardUngroundedNumber},
		{"cites a passage not given", "金秋助学给予2000至5000元不等的救助[3]。", rag.GuardUnknownCitation},
		{"no citations", "金秋助学给予2000至5000元不等的救助。", rag.GuardNoCitation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.QueueChat(openaitest.Reply{Content: tt.content})
			got, err := f.client.Generate(context.Background(), question, passages)
			if err != nil {
				t.Fatal(err)
			}
			err = rag.CheckGrounded(got, passages)
			var ge *rag.GuardError
			switch {
			case tt.reason == "" && err != nil:
				t.Errorf("grounded answer rejected: %v", err)
			case tt.reason != "" && !errors.As(err, &ge):
				t.Errorf("answer %q passed the guard, want %s", got, tt.reason)
			case tt.reason != "" && ge.Reason != tt.reason:
				t.Errorf("reason %q, want %q", ge.Reason, tt.reason)
			}
		})
	}
}

func TestConcurrentCallsDoNotWait(t *testing.T) {
	f := newFixture(t, nil)
	release := make(chan struct{})
	var once sync.Once
	slowStarted := make(chan struct{})
	f.srv.Answer = func(req openai.ChatCompletionRequest) openaitest.Reply {
		if strings.Contains(req.Messages[1].Content, "慢") {
			once.Do(func() { close(slowStarted) })
			<-release
		}
		return openaitest.Reply{Content: "好的[1]"}
	}
	slow := make(chan error, 1)
	go func() {
		_, err := f.client.Generate(context.Background(), "慢的问题", passages)
		slow <- err
	}()
	<-slowStarted
	if _, err := f.client.Generate(context.Background(), "快的问题", passages); err != nil {
		t.Fatalf("fast call: %v", err)
	}
	close(release)
	if err := <-slow; err != nil {
		t.Fatalf("slow call: %v", err)
	}
}

func TestRewrite(t *testing.T) {
	f := newFixture(t, nil)
	history := []rag.Turn{{Question: "金秋助学补助多少？", Answer: "金秋助学给予2000至5000元不等的救助[1]。"}}
	f.srv.QueueChat(openaitest.Reply{Content: "<think>嗯</think>改写后的问题：“金秋助学怎么申请？”\n"})
	got, err := f.client.Rewrite(context.Background(), history, "那怎么申请？")
	if err != nil {
		t.Fatal(err)
	}
	if got != "金秋助学怎么申请？" {
		t.Errorf("Rewrite = %q", got)
	}
	user := f.srv.ChatRequests()[0].Messages[1].Content
	for _, want := range []string{"金秋助学补助多少？", "2000至5000元", "那怎么申请？"} {
		if !strings.Contains(user, want) {
			t.Errorf("rewrite prompt lacks %q:\n%s", want, user)
		}
	}

	got, err = f.client.Rewrite(context.Background(), nil, "金秋助学怎么申请？")
	if err != nil || got != "金秋助学怎么申请？" {
		t.Errorf("Rewrite without history = %q, %v", got, err)
	}
	if n := len(f.srv.Requests()); n != 1 {
		t.Errorf("%d requests, want no call without history", n)
	}

	f.srv.QueueChat(openaitest.Reply{Status: 500}, openaitest.Reply{Status: 500})
	if _, err := f.client.Rewrite(context.Background(), history, "那怎么申请？"); !errors.Is(err, llm.ErrStatus) {
		t.Errorf("Rewrite on 500s: %v", err)
	}
}

func TestEmbed(t *testing.T) {
	f := newFixture(t, func(c *llm.Config) { c.BatchSize = 2 })
	texts := []string{"金秋助学", "夏送清凉", "", "两节送温暖", "职工书屋"}
	vecs, err := f.client.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(vecs), len(texts))
	}
	for i, v := range vecs {
		in := texts[i]
		if in == "" {
			in = " "
		}
		want := openaitest.Vector(in)
		var norm, wantNorm float64
		for j := range v {
			norm += float64(v[j]) * float64(v[j])
			wantNorm += float64(want[j]) * float64(want[j])
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Errorf("vector %d has squared length %v", i, norm)
		}
		for j := range v {
			if math.Abs(float64(v[j])-float64(want[j])/math.Sqrt(wantNorm)) > 1e-5 {
				t.Fatalf("vector %d is not the one for %q (order by index lost?)", i, texts[i])
			}
		}
	}
	reqs := f.srv.EmbeddingRequests()
	if len(reqs) != 3 || len(reqs[0].Input) != 2 || len(reqs[2].Input) != 1 || reqs[0].Model != "bge-m3" {
		t.Errorf("batches %+v, want 2+2+1 texts of model bge-m3", reqs)
	}
	if got := f.client.Name(); got != "openai:bge-m3" {
		t.Errorf("Name = %q", got)
	}
	if got := f.client.Dimensions(); got != 8 {
		t.Errorf("Dimensions = %d", got)
	}
	if vecs, err := f.client.Embed(context.Background(), nil); err != nil || len(vecs) != 0 {
		t.Errorf("Embed(nil) = %v, %v", vecs, err)
	}
}

func TestEmbedRejectsBadResponses(t *testing.T) {
	vec := func(i int, v ...float32) openai.Embedding { return openai.Embedding{Index: i, Embedding: v} }
	tests := []struct {
		name  string
		reply openaitest.Reply
		kind  error
	}{
		{"one vector too few", openaitest.Reply{Embeddings: func(in []string) []openai.Embedding { return []openai.Embedding{vec(0, 1, 2)} }}, llm.ErrMalformed},
		{"index repeated", openaitest.Reply{Embeddings: func(in []string) []openai.Embedding { return []openai.Embedding{vec(0, 1, 2), vec(0, 2, 1)} }}, llm.ErrMalformed},
		{"index out of range", openaitest.Reply{Embeddings: func(in []string) []openai.Embedding { return []openai.Embedding{vec(0, 1, 2), vec(2, 2, 1)} }}, llm.ErrMalformed},
		{"zero vector", openaitest.Reply{Embeddings: func(in []string) []openai.Embedding { return []openai.Embedding{vec(0, 1, 2), vec(1, 0, 0)} }}, llm.ErrMalformed},
		{"dimensions differ", openaitest.Reply{Embeddings: func(in []string) []openai.Embedding { return []openai.Embedding{vec(0, 1, 2), vec(1, 1, 2, 3)} }}, llm.ErrMalformed},
		{"empty vector", openaitest.Reply{Embeddings: func(in []string) []openai.Embedding { return []openai.Embedding{vec(0), vec(1)} }}, llm.ErrMalformed},
		{"not JSON", openaitest.Reply{Body: "{"}, llm.ErrMalformed},
		{"500", openaitest.Reply{Status: 500}, llm.ErrStatus},
		{"timeout", openaitest.Reply{Delay: time.Minute}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, shortTimeoutIf(tt.kind))
			f.srv.QueueEmbeddings(tt.reply, tt.reply)
			_, err := f.client.Embed(context.Background(), []string{"甲", "乙"})
			noKey(t, err)
			if !errors.Is(err, tt.kind) {
				t.Errorf("Embed = %v, want kind %v", err, tt.kind)
			}
		})
	}
}

func TestEmbed429ThenSuccess(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.QueueEmbeddings(openaitest.Reply{Status: 429})
	vecs, err := f.client.Embed(context.Background(), []string{"金秋助学"})
	if err != nil || len(vecs) != 1 {
		t.Fatalf("Embed = %v, %v", vecs, err)
	}
	if n := len(f.srv.EmbeddingRequests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestKeyNeverShown(t *testing.T) {
	// A wrong key: the server quotes it back in its 401, as OpenAI does.
	f := newFixture(t, nil)
	f.srv.Key = "sk-the-right-one"
	_, err := f.client.Generate(context.Background(), question, passages)
	var e *llm.Error
	if !errors.As(err, &e) || e.StatusCode != 401 {
		t.Fatalf("Generate with a wrong key = %v", err)
	}
	noKey(t, err)
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("the quoted key should read [redacted]: %v", err)
	}
	_, err = f.client.Embed(context.Background(), []string{"甲"})
	noKey(t, err)

	// An unreachable server whose URL carries credentials and a query.
	srv := openaitest.New()
	base := strings.Replace(srv.URL, "http://", "http://user:"+testKey+"@", 1) + "?key=" + testKey
	srv.Close()
	logs := &ragtest.SyncBuffer{}
	c := llm.New(llm.Config{BaseURL: base, APIKey: testKey, ChatModel: "m", EmbeddingModel: "e", RetryBackoff: time.Millisecond},
		slog.New(slog.NewTextHandler(logs, nil)))
	_, err = c.Generate(context.Background(), question, passages)
	if !errors.Is(err, llm.ErrUnreachable) {
		t.Errorf("Generate on a closed server = %v, want ErrUnreachable", err)
	}
	noKey(t, err)
	_, err = c.Embed(context.Background(), []string{"甲"})
	noKey(t, err)

	// The configuration itself, however it is printed.
	cfg := c.Config()
	slog.New(slog.NewTextHandler(logs, nil)).Info("config", "cfg", cfg)
	slog.New(slog.NewJSONHandler(logs, nil)).Info("config", "cfg", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), logs.String()} {
		if strings.Contains(s, testKey) {
			t.Errorf("the key is shown: %s", s)
		}
	}
	if !strings.Contains(fmt.Sprint(cfg), "APIKey: (set)") {
		t.Errorf("String should say a key is set: %s", cfg)
	}
}

func TestNoModelConfigured(t *testing.T) {
	c := llm.New(llm.Config{}, nil)
	if _, err := c.Generate(context.Background(), question, passages); err == nil {
		t.Error("Generate without a chat model should fail")
	}
	if _, err := c.Embed(context.Background(), []string{"甲"}); err == nil {
		t.Error("Embed without an embedding model should fail")
	}
}

func TestTimeoutDefault(t *testing.T) {
	if got := llm.New(llm.Config{Timeout: 15 * time.Second}, nil).Config().Timeout; got != 15*time.Second {
		t.Errorf("timeout %v", got)
	}
	if got := llm.New(llm.Config{}, nil).Config().Timeout; got != llm.DefaultTimeout {
		t.Errorf("default timeout %v", got)
	}
}
