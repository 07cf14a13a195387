package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tgmodels "github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot/telegramtest"
	"github.com/gonghui/qa/corpus/extract/extracttest"
)

// env returns a getenv with the given variables and a fresh DATA_DIR.
func env(t *testing.T, kv ...string) func(string) string {
	t.Helper()
	m := map[string]string{"DATA_DIR": t.TempDir()}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func runCmd(t *testing.T, getenv func(string) string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestAsk(t *testing.T) {
	out, _, err := runCmd(t, env(t), "", "ask", "孩子考上大学，工会有助学金吗？")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2000至5000元", "[1]", "来源：", "甘肃工人报", "2020-07-02", "第04版"} {
		if !strings.Contains(out, want) {
			t.Errorf("answer lacks %q:\n%s", want, out)
		}
	}
	// The fact comes first: the first line holds it.
	if first, _, _ := strings.Cut(out, "\n"); !strings.Contains(first, "2000至5000元") {
		t.Errorf("first line %q does not lead with the fact", first)
	}
}

func TestAskNotInCorpus(t *testing.T) {
	out, _, err := runCmd(t, env(t), "", "ask", "个税起征点是多少？")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "资料里没有找到") || !strings.Contains(out, "12351") || strings.Contains(out, "来源") {
		t.Errorf("unexpected answer:\n%s", out)
	}
	// The refusal quotes the question as the member wrote it, full-width
	// punctuation and all.
	out, _, err = runCmd(t, env(t), "", "ask", "个税起征点，现在是多少")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "“个税起征点，现在是多少”") {
		t.Errorf("the refusal does not quote the question as written:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no command", nil, nil, "Usage"},
		{"empty question", nil, []string{"ask", "  "}, "ask"},
		{"unknown command", nil, []string{"frobnicate"}, "unknown command"},
		{"eval without questions", nil, []string{"eval"}, "usage"},
		{"serve without token", nil, []string{"serve"}, "TELEGRAM_BOT_TOKEN"},
		{"serve with malformed token", []string{"TELEGRAM_BOT_TOKEN", "12345"}, []string{"serve"}, "TELEGRAM_BOT_TOKEN"},
		{"bad ADMIN_IDS", []string{"ADMIN_IDS", "12,abc"}, []string{"ask", "x"}, "ADMIN_IDS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, env(t, tt.env...), "", tt.args...)
			var u usageError
			if !errors.As(err, &u) {
				t.Fatalf("error = %v, want a usage error (exit 2)", err)
			}
			if !strings.Contains(u.msg, tt.want) {
				t.Errorf("message %q lacks %q", u.msg, tt.want)
			}
			if strings.Contains(u.msg, "12345") && tt.name == "serve with malformed token" {
				t.Error("the token is echoed")
			}
		})
	}
}

func TestHelp(t *testing.T) {
	out, _, err := runCmd(t, env(t), "", "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"ask", "chat", "ingest", "eval", "serve"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("help lacks %s", cmd)
		}
	}
}

func TestChatFollowUp(t *testing.T) {
	out, _, err := runCmd(t, env(t), "金秋助学每人资助多少钱？\n\n那一共帮了多少人？\n", "chat")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "2000至5000元") || !strings.Contains(out, "5324") {
		t.Errorf("chat answers:\n%s", out)
	}
}

func TestIngestThenWarmStart(t *testing.T) {
	getenv := env(t)
	out, _, err := runCmd(t, getenv, "", "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "added     builtin/default/lanzhou-2020-07-02.md") || !strings.Contains(out, "added     builtin/laws/劳动合同法(2012-12-28).md") {
		t.Errorf("first ingest:\n%s", out)
	}
	out, _, err = runCmd(t, getenv, "", "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "added") || !strings.Contains(out, "(0 embedded") {
		t.Errorf("second ingest re-embedded:\n%s", out)
	}
}

func TestCorpusDirEncodingsAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	gb := string(extracttest.GB18030(t, "关于开展职工疗休养的通知\n\n今年职工疗休养每人补贴800元，报名截止到6月30日。\n"))
	files := map[string][]byte{
		"notice.txt": []byte(gb),
		"empty.txt":  nil,
		"photo.txt":  {0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d, 0x0a, 0x1a, 0, 0},
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, err := runCmd(t, env(t, "CORPUS_DIR", dir), "", "ask", "疗休养每人补贴多少钱？")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "800元") {
		t.Errorf("answer:\n%s", out)
	}
	if !strings.Contains(errOut, "empty.txt") || !strings.Contains(errOut, "photo.txt") {
		t.Errorf("bad files not reported:\n%s", errOut)
	}
	if _, _, err := runCmd(t, env(t, "CORPUS_DIR", filepath.Join(dir, "missing")), "", "ask", "x"); err == nil {
		t.Error("a missing CORPUS_DIR is not an error")
	}
}

func TestEvalJSON(t *testing.T) {
	set := filepath.Join(t.TempDir(), "set.jsonl")
	data := `{"id":"a","question":"金秋助学每人资助多少钱?","answerable":true,"expect":["2000至5000元"]}
{"id":"b","question":"产假一共能休多少天？","answerable":false,"expect":[]}
`
	if err := os.WriteFile(set, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, env(t, "BUILTIN_LAWS", "false"), "", "eval", "-questions", set, "-json") // the laws state 产假
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got map[string]float64
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out)
	}
	for _, f := range []string{"n", "recall_at_1", "recall_at_k", "mrr", "answer_hit", "abstain_correct", "false_abstain", "p50_ms", "p95_ms"} {
		if _, ok := got[f]; !ok {
			t.Errorf("JSON lacks %s", f)
		}
	}
	if got["n"] != 2 || got["answer_hit"] != 1 || got["abstain_correct"] != 1 {
		t.Errorf("scores: %v", got)
	}
}

const testToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"

// serveOnce starts `serve` against a fake Bot API, sends one private
// question, and returns the reply; it stops the bot within 10 s.
func serveOnce(t *testing.T, question string, kv ...string) string {
	t.Helper()
	tg := telegramtest.NewServer(testToken)
	t.Cleanup(tg.Close)
	getenv := env(t, append([]string{"TELEGRAM_BOT_TOKEN", testToken, "TELEGRAM_API_URL", tg.URL()}, kv...)...)
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &bytes.Buffer{}, &logs) }()

	member := tgmodels.User{ID: 42, FirstName: "小王"}
	tg.SendText(tgmodels.Chat{ID: 42, Type: tgmodels.ChatTypePrivate}, member, question)
	sent, ok := tg.WaitSent(1, 20*time.Second)
	if !ok {
		cancel()
		<-done
		t.Fatalf("no answer sent; logs:\n%s", logs.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s")
	}
	if strings.Contains(logs.String(), testToken) || strings.Contains(logs.String(), "AAHdqTcv") {
		t.Error("the token appears in the logs")
	}
	return sent[0].Text
}

// TestServe drives `serve` as a black box: a private question is answered
// with the fact and its source, and the bot stops when asked to.
func TestServe(t *testing.T) {
	got := serveOnce(t, "孩子考上大学，工会有助学金吗？")
	if !strings.Contains(got, "2000至5000元") || !strings.Contains(got, "甘肃工人报") {
		t.Errorf("answer: %q", got)
	}
}

// TestServeEmptyCorpusDir: a new, empty CORPUS_DIR is a valid start; members
// are told there are no documents yet.
func TestServeEmptyCorpusDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-corpus")
	got := serveOnce(t, "孩子考上大学，工会有助学金吗？", "CORPUS_DIR", dir, "ADMIN_IDS", "7", "BUILTIN_LAWS", "false")
	if !strings.Contains(got, "还没有文件") {
		t.Errorf("answer: %q", got)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("CORPUS_DIR not created: %v", err)
	}
	// With the built-in laws (the default), a new union's bot answers from
	// them from the start.
	got = serveOnce(t, "职工累计工作满一年，年休假几天？", "CORPUS_DIR", filepath.Join(t.TempDir(), "other"), "ADMIN_IDS", "7")
	if !strings.Contains(got, "年休假5天") || !strings.Contains(got, "《职工带薪年休假条例》第三条") {
		t.Errorf("answer from the built-in laws: %q", got)
	}
}

// TestOperatorCorpusCommands: an operator stores a notice, lists it, the
// bot answers from it, and removing it takes its passages out of answers.
func TestOperatorCorpusCommands(t *testing.T) {
	dir := t.TempDir()
	notice := filepath.Join(t.TempDir(), "liaoxiuyang.txt")
	if err := os.WriteFile(notice, []byte("2024年职工疗休养通知\n\n今年职工疗休养每人补贴800元，报名截止到6月30日。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := env(t, "CORPUS_DIR", dir, "USER", "ops")
	out, errOut, err := runCmd(t, getenv, "", "ingest", notice)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(out, "stored") || !strings.Contains(out, "added") {
		t.Errorf("ingest:\n%s", out)
	}
	out, _, err = runCmd(t, getenv, "", "docs")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "2024年职工疗休养通知") || !strings.Contains(out, "cli:ops") {
		t.Errorf("docs:\n%s", out)
	}
	id := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1])[0]
	out, _, _ = runCmd(t, getenv, "", "ask", "疗休养补贴多少钱？")
	if !strings.Contains(out, "800元") {
		t.Errorf("answer before removal:\n%s", out)
	}
	if _, _, err := runCmd(t, getenv, "", "remove", id); err != nil {
		t.Fatal(err)
	}
	out, _, _ = runCmd(t, getenv, "", "ask", "疗休养补贴多少钱？")
	if strings.Contains(out, "800元") {
		t.Errorf("removed document still answers:\n%s", out)
	}
	// The built-in laws are listed beside the folder's documents, and stay.
	out, _, err = runCmd(t, getenv, "", "docs")
	if err != nil || !strings.Contains(out, "law-labor-contract") || !strings.Contains(out, "built-in") {
		t.Errorf("docs with CORPUS_DIR: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, getenv, "", "remove", "law-labor-contract"); err == nil || !strings.Contains(err.Error(), "BUILTIN_LAWS=false") {
		t.Errorf("removing a built-in law: %v", err)
	}
	if out, _, _ := runCmd(t, getenv, "", "docs"); !strings.Contains(out, "law-labor-contract") {
		t.Errorf("the built-in law was removed:\n%s", out)
	}
	// Without CORPUS_DIR, docs lists the built-in documents; they cannot be
	// managed, and BUILTIN_LAWS=false hides the laws.
	out, _, err = runCmd(t, env(t), "", "docs")
	if err != nil || !strings.Contains(out, "lanzhou-2020-07-02") || !strings.Contains(out, "law-work-injury-insurance") || !strings.Contains(out, "2010-12-20") {
		t.Errorf("docs without CORPUS_DIR: %v\n%s", err, out)
	}
	if out, _, _ := runCmd(t, env(t, "BUILTIN_LAWS", "false"), "", "docs"); strings.Contains(out, "law-") {
		t.Errorf("BUILTIN_LAWS=false still lists the laws:\n%s", out)
	}
	if _, _, err := runCmd(t, env(t), "", "remove", "lanzhou-2020-07-02"); err == nil {
		t.Error("remove without CORPUS_DIR succeeded")
	}
	out, _, _ = runCmd(t, env(t, "CORPUS_DIR", dir, "BUILTIN_LAWS", "false"), "", "ask", "试用期最长多久？")
	if strings.Contains(out, "劳动") {
		t.Errorf("BUILTIN_LAWS=false still answers from the laws:\n%s", out)
	}
}

func TestEmbeddingServerDownFallsBackOffline(t *testing.T) {
	// Nothing listens on this port: the server is down.
	getenv := env(t, "OPENAI_BASE_URL", "http://127.0.0.1:1/v1", "EMBEDDING_MODEL", "bge-m3", "LLM_MODEL", "qwen", "OPENAI_API_KEY", "sk-very-secret", "LLM_TIMEOUT", "2s")
	out, errOut, err := runCmd(t, getenv, "", "ask", "孩子考上大学，工会有助学金吗？")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(out, "2000至5000元") {
		t.Errorf("answer:\n%s", out)
	}
	if !strings.Contains(errOut, "offline embedding") {
		t.Errorf("fallback not logged:\n%s", errOut)
	}
	if strings.Contains(out+errOut, "sk-very-secret") {
		t.Error("the API key leaked")
	}
}

// TestServeInvisibleQuestion: a message of invisible characters gets a hint,
// not an apology for a failure.
func TestServeInvisibleQuestion(t *testing.T) {
	got := serveOnce(t, "\u200b\u200b")
	if !strings.Contains(got, "没看到问题的文字") {
		t.Errorf("reply: %q", got)
	}
}
