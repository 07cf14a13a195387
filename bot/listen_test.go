package bot_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/bot/telegramtest"
)

const hookSecret = "s3cret-Token_value"

// webhookBot runs a bot in webhook mode with tight listener limits and
// returns the webhook's and the metrics' addresses.
func webhookBot(t *testing.T, srv *telegramtest.Server, a bot.Answerer, tweak func(*bot.Options)) (hook, metrics string, r *running) {
	t.Helper()
	hook, metrics = freeAddr(t), freeAddr(t)
	r = start(t, srv, t.TempDir(), a, func(o *bot.Options) {
		o.WebhookURL = "https://bot.example.org/tg/hook"
		o.ListenAddr = hook
		o.WebhookSecret = hookSecret
		o.MetricsAddr = metrics
		o.Listen = bot.ListenLimits{ReadHeaderTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond, MaxConns: 8, MaxHeaderBytes: 4 << 10}
		if tweak != nil {
			tweak(o)
		}
	})
	return hook, metrics, r
}

// closedByServer reports whether the server closes c (read gives EOF or a
// reset) before the test's wait passes.
func closedByServer(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func postUpdate(t *testing.T, hook string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+hook+"/tg/hook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hookSecret)
	resp, err := (&http.Client{Timeout: wait}).Do(req)
	if err != nil {
		t.Fatalf("Telegram's POST: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Many idle connections (more than the server admits) are closed in time,
// and Telegram's POST still gets through.
func TestIdleConnectionsDoNotExhaustTheWebhook(t *testing.T) {
	srv := newServer(t)
	hook, metrics, _ := webhookBot(t, srv, newFakeAnswerer(), nil)
	var idle []net.Conn
	for _, addr := range []string{hook, metrics} {
		for range 40 {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			idle = append(idle, c)
		}
	}
	if code := postUpdate(t, hook, srv.RawUpdate(models.Update{Message: srv.NewMessage(dm, member, "有助学金吗")})); code != http.StatusOK {
		t.Errorf("POST behind 40 idle connections: %d", code)
	}
	waitSent(t, srv, 1)
	for i, c := range idle {
		if !closedByServer(c) {
			t.Fatalf("idle connection %d still open after %s", i, wait)
		}
	}
}

// A client that trickles its headers (slowloris) is cut off.
func TestSlowHeadersAreCut(t *testing.T) {
	srv := newServer(t)
	hook, _, _ := webhookBot(t, srv, newFakeAnswerer(), nil)
	c, err := net.Dial("tcp", hook)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	closed := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, c); close(closed) }()
	fmt.Fprintf(c, "POST /tg/hook HTTP/1.1\r\nHost: x\r\n")
	deadline := time.After(wait)
	for i := 0; ; i++ {
		select {
		case <-closed:
			return
		case <-deadline:
			t.Fatalf("still connected after trickling %d header lines for %s", i, wait)
		case <-time.After(50 * time.Millisecond):
			fmt.Fprintf(c, "X-Slow-%d: 1\r\n", i)
		}
	}
}

func TestHugeHeadersRefused(t *testing.T) {
	srv := newServer(t)
	hook, _, _ := webhookBot(t, srv, newFakeAnswerer(), nil)
	req, _ := http.NewRequest(http.MethodPost, "http://"+hook+"/tg/hook", strings.NewReader("{}"))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hookSecret)
	req.Header.Set("X-Padding", strings.Repeat("a", 64<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KB of headers: %d, want 431", resp.StatusCode)
	}
}

// A request without the secret, to any path, gets 401 and its connection
// is closed.
func TestUnauthenticatedConnectionsClosed(t *testing.T) {
	srv := newServer(t)
	a := newFakeAnswerer()
	hook, _, _ := webhookBot(t, srv, a, func(o *bot.Options) { o.Listen.IdleTimeout = time.Hour })
	for _, req := range []string{
		"POST /tg/hook HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: wrong\r\nContent-Length: 2\r\n\r\n{}",
		"POST /tg/hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		c, err := net.Dial("tcp", hook)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(c, req)
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
			t.Errorf("%q: %d close=%v, want 401 and the connection closed", strings.SplitN(req, "\r\n", 2)[0], resp.StatusCode, resp.Close)
		}
		if !closedByServer(c) {
			t.Errorf("%q: connection still open", strings.SplitN(req, "\r\n", 2)[0])
		}
		c.Close()
	}
	if len(a.asked()) != 0 {
		t.Error("an unauthenticated update was processed")
	}
}

// Telegram refusing the webhook stops the bot at start, instead of a log
// line while nothing arrives.
func TestSetWebhookRefusedStopsRun(t *testing.T) {
	srv := newServer(t)
	srv.Fail("setWebhook", telegramtest.Failure{Code: 400, Description: "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := bot.Run(ctx, bot.Options{
		Token: token, APIURL: srv.URL(), DataDir: t.TempDir(), RetryBase: time.Millisecond,
		WebhookURL: "https://bot.example.org:8080/tg/hook", WebhookSecret: hookSecret, ListenAddr: freeAddr(t), MetricsAddr: freeAddr(t),
	}, newFakeAnswerer())
	if err == nil || !strings.Contains(err.Error(), "webhook") || !strings.Contains(err.Error(), "8443") {
		t.Errorf("Run = %v, want the refusal", err)
	}
	if ctx.Err() != nil {
		t.Error("Run did not return on its own")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// /healthz turns unhealthy when getUpdates keeps failing, and healthy again
// when it succeeds; the metrics say so and name the build.
func TestHealthzPolling(t *testing.T) {
	srv := newServer(t)
	metrics := freeAddr(t)
	start(t, srv, t.TempDir(), newFakeAnswerer(), func(o *bot.Options) {
		o.MetricsAddr = metrics
		o.PollTimeout = time.Second
		o.HealthWindow = 1500 * time.Millisecond
		o.Build = bot.BuildInfo{Version: "1.2.3", Commit: "abc123", Date: "2026-01-02T03:04:05Z", GoVersion: "go1.26.8"}
	})
	code, body := get(t, "http://"+metrics+"/metrics")
	for _, want := range []string{`qa_build_info{build_date="2026-01-02T03:04:05Z",commit="abc123",goversion="go1.26.8",version="1.2.3"} 1`, "qa_bot_healthy 1", "qa_bot_last_contact_timestamp_seconds"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	fails := make([]telegramtest.Failure, 50)
	for i := range fails {
		fails[i] = telegramtest.Failure{Code: 502, Description: "Bad Gateway"}
	}
	srv.Fail("getUpdates", fails...)
	if !eventually(func() bool {
		c, b := get(t, "http://"+metrics+"/healthz")
		return c == 503 && strings.Contains(b, "getUpdates")
	}) {
		t.Fatal("/healthz stayed ok while getUpdates failed")
	}
	if _, body := get(t, "http://"+metrics+"/metrics"); !strings.Contains(body, "qa_bot_healthy 0") {
		t.Error("qa_bot_healthy is not 0 while unhealthy")
	}
	if !eventually(func() bool { c, _ := get(t, "http://"+metrics+"/healthz"); return c == 200 }) {
		t.Fatal("/healthz did not recover once getUpdates succeeded")
	}
}

// In webhook mode a quiet bot is healthy while Telegram reports no delivery
// errors, unhealthy when it does, and healthy again when an update arrives.
func TestHealthzWebhook(t *testing.T) {
	srv := newServer(t)
	hook, metrics, _ := webhookBot(t, srv, newFakeAnswerer(), func(o *bot.Options) { o.HealthWindow = time.Second })
	if !eventually(func() bool { return len(srv.Requests("getWebhookInfo")) >= 2 }) {
		t.Fatal("getWebhookInfo is not asked")
	}
	if c, b := get(t, "http://"+metrics+"/healthz"); c != 200 {
		t.Errorf("quiet, registered webhook: %d %s", c, b)
	}
	if !eventually(func() bool {
		// Telegram keeps failing to deliver (its error dates are whole seconds).
		srv.SetWebhookInfo(models.WebhookInfo{LastErrorDate: int(time.Now().Unix()), LastErrorMessage: "Connection refused", PendingUpdateCount: 3})
		c, b := get(t, "http://"+metrics+"/healthz")
		return c == 503 && strings.Contains(b, "Connection refused")
	}) {
		t.Fatal("/healthz stayed ok while Telegram reported delivery errors")
	}
	if code := postUpdate(t, hook, srv.RawUpdate(models.Update{Message: srv.NewMessage(dm, member, "有助学金吗")})); code != 200 {
		t.Fatalf("POST: %d", code)
	}
	if c, b := get(t, "http://"+metrics+"/healthz"); c != 200 {
		t.Errorf("after an update arrived: %d %s", c, b)
	}
}
