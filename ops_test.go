package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// help and version work whatever the settings.
func TestHelpAndVersionIgnoreSettings(t *testing.T) {
	bad := env(t, "LLM_TIMEOUT", "abc", "OPENAI_BASE_URL", "not-a-url", "TELEGRAM_BOT_TOKEN_FILE", "/does/not/exist")
	out, _, err := runCmd(t, bad, "", "help")
	if err != nil || !strings.Contains(out, "serve") || !strings.Contains(out, "healthcheck") {
		t.Errorf("help with bad settings: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, bad, "", "version")
	if err != nil || !strings.HasPrefix(out, "gonghui-qa ") || !strings.Contains(out, "go1.") || !strings.Contains(out, "commit") {
		t.Errorf("version: %v %q", err, out)
	}
	// Any other command reports the first bad setting, naming it.
	_, _, err = runCmd(t, bad, "", "ask", "有助学金吗")
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(u.msg, "TELEGRAM_BOT_TOKEN_FILE") {
		t.Errorf("ask with bad settings: %v", err)
	}
}

func TestBadBaseURLFailsAtStart(t *testing.T) {
	_, _, err := runCmd(t, env(t, "OPENAI_BASE_URL", "not-a-url", "LLM_MODEL", "qwen"), "", "ask", "有助学金吗")
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(u.msg, "OPENAI_BASE_URL") {
		t.Errorf("error = %v, want a usage error naming OPENAI_BASE_URL", err)
	}
}

func TestWarningAndJSONLogs(t *testing.T) {
	out, logs, err := runCmd(t, env(t, "OPENAI_BASE_URL", "http://127.0.0.1:1/v1", "LOG_FORMAT", "json"), "", "ask", "孩子考上大学，工会有助学金吗？")
	if err != nil || !strings.Contains(out, "2000至5000元") {
		t.Fatalf("ask: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(logs))
	warned := false
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		warned = warned || (rec["level"] == "WARN" && strings.Contains(rec["msg"].(string), "LLM_MODEL"))
	}
	if !warned {
		t.Errorf("no warning that nothing uses OPENAI_BASE_URL:\n%s", logs)
	}
}

// Ctrl-C or SIGTERM while serve starts is a clean stop.
func TestServeCancelledDuringStartup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, logs strings.Builder
	getenv := env(t, "TELEGRAM_BOT_TOKEN", testToken, "TELEGRAM_API_URL", "http://127.0.0.1:1")
	if err := run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &out, &logs); err != nil {
		t.Fatalf("serve cancelled at start: %v", err)
	}
	if !strings.Contains(logs.String(), "stopped during start-up") {
		t.Errorf("logs:\n%s", logs.String())
	}
}

func TestHealthcheck(t *testing.T) {
	var unhealthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		if unhealthy.Load() {
			http.Error(w, "unhealthy: no getUpdates succeeded for 5m0s", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := strings.Cut(addr, ":")
	for _, metrics := range []string{addr, ":" + port, "0.0.0.0:" + port} {
		out, _, err := runCmd(t, env(t, "METRICS_ADDR", metrics), "", "healthcheck")
		if err != nil || strings.TrimSpace(out) != "ok" {
			t.Errorf("METRICS_ADDR=%s: %v %q", metrics, err, out)
		}
	}
	unhealthy.Store(true)
	_, _, err := runCmd(t, env(t, "METRICS_ADDR", addr), "", "healthcheck")
	var u usageError
	if err == nil || errors.As(err, &u) || !strings.Contains(err.Error(), "no getUpdates") {
		t.Errorf("unhealthy: %v, want exit 1 with the reason", err)
	}
	if _, _, err := runCmd(t, env(t), "", "healthcheck"); err == nil || errors.As(err, &u) || !strings.Contains(err.Error(), "METRICS_ADDR") {
		t.Errorf("without METRICS_ADDR: %v", err)
	}
	if _, _, err := runCmd(t, env(t, "METRICS_ADDR", "127.0.0.1:1"), "", "healthcheck", "-url", srv.URL+"/healthz"); err == nil {
		t.Error("unhealthy -url: no error")
	}
}
