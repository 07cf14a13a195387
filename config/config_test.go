package config

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func getenv(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(getenv(map[string]string{"HOME": "/home/u"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/home/u/.local/share/gonghui-qa" || c.ListenAddr != ":8080" || c.LLMTimeout != 20*time.Second ||
		c.RetentionDays != 90 || c.RateBurst != 5 || c.RateEvery != 10*time.Second || c.SendPerSecond != 30 ||
		c.LogFormat != "text" || len(c.Warnings) != 0 || !c.BuiltinLaws || c.StaffChatID != 0 || c.HandoffsPerDay != 3 {
		t.Errorf("defaults: %+v", c)
	}
}

func TestBuiltinLaws(t *testing.T) {
	for v, want := range map[string]bool{"false": false, "0": false, "Off": false, "no": false, "true": true, "1": true, " yes ": true} {
		c, err := Load(getenv(map[string]string{"BUILTIN_LAWS": v, "CORPUS_DIR": "/srv/docs"}))
		if err != nil || c.BuiltinLaws != want {
			t.Errorf("BUILTIN_LAWS=%q: %v %v, want %v", v, c.BuiltinLaws, err, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	const key = "sk-do-not-print-me"
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ADMIN_IDS": "1,x"}, "ADMIN_IDS"},
		{map[string]string{"STAFF_CHAT_ID": "staff"}, "STAFF_CHAT_ID"},
		{map[string]string{"STAFF_CHAT_ID": "0"}, "STAFF_CHAT_ID"},
		{map[string]string{"HANDOFFS_PER_DAY": "0"}, "HANDOFFS_PER_DAY"},
		{map[string]string{"LLM_TIMEOUT": "soon"}, "LLM_TIMEOUT"},
		{map[string]string{"LLM_TIMEOUT": "-1s"}, "LLM_TIMEOUT"},
		{map[string]string{"RETENTION_DAYS": "-1"}, "RETENTION_DAYS"},
		{map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{map[string]string{"BUILTIN_LAWS": "maybe"}, "BUILTIN_LAWS"},
		{map[string]string{"SEND_PER_SECOND": "0"}, "SEND_PER_SECOND"},
		{map[string]string{"SEND_PER_SECOND": "fast"}, "SEND_PER_SECOND"},
		{map[string]string{"SEND_PER_SECOND": "NaN"}, "SEND_PER_SECOND"},
		{map[string]string{"LLM_MODEL": "qwen"}, "OPENAI_BASE_URL"},
		{map[string]string{"OPENAI_BASE_URL": "not-a-url", "LLM_MODEL": "qwen"}, "OPENAI_BASE_URL"},
		{map[string]string{"OPENAI_BASE_URL": "localhost:11434"}, "OPENAI_BASE_URL"},
		{map[string]string{"OPENAI_BASE_URL": "ftp://" + key + "@x/v1"}, "OPENAI_BASE_URL"},
		{map[string]string{"TELEGRAM_API_URL": "api.telegram.org"}, "TELEGRAM_API_URL"},
		{map[string]string{"METRICS_ADDR": "9090"}, "METRICS_ADDR"},
		{map[string]string{"LISTEN_ADDR": "localhost"}, "LISTEN_ADDR"},
		{map[string]string{"WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"},
		{map[string]string{"WEBHOOK_SECRET": "punctuation!" + key}, "WEBHOOK_SECRET"},
		{map[string]string{"WEBHOOK_SECRET": strings.Repeat("a", 257)}, "WEBHOOK_SECRET"},
		{map[string]string{"WEBHOOK_URL": "bot.example.org/hook", "WEBHOOK_SECRET": "s"}, "WEBHOOK_URL"},
		{map[string]string{"WEBHOOK_URL": "http://bot.example.org/hook", "WEBHOOK_SECRET": "s"}, "https"},
		{map[string]string{"WEBHOOK_URL": "https://bot.example.org:8080/hook", "WEBHOOK_SECRET": "s"}, "8443"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_BOT_TOKEN_FILE": "/dev/null"}, "both"},
		{map[string]string{"TELEGRAM_BOT_TOKEN_FILE": "/does/not/exist"}, "TELEGRAM_BOT_TOKEN_FILE"},
		{map[string]string{"OPENAI_API_KEY_FILE": "/dev/null"}, "empty"},
	}
	for _, tt := range tests {
		_, err := Load(getenv(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%v) error = %v, want one naming %s", tt.env, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("Load(%v) error shows a secret: %v", tt.env, err)
		}
	}
}

func TestWebhookAccepted(t *testing.T) {
	for _, env := range []map[string]string{
		{"WEBHOOK_URL": "https://bot.example.org/tg/hook", "WEBHOOK_SECRET": "Az09_-"},
		{"WEBHOOK_URL": "https://bot.example.org:8443/tg/hook", "WEBHOOK_SECRET": strings.Repeat("x", 256)},
		// A self-hosted Bot API server posts over plain http to any port.
		{"WEBHOOK_URL": "http://10.0.0.2:8080/hook", "WEBHOOK_SECRET": "s", "TELEGRAM_API_URL": "http://localhost:8081"},
	} {
		if _, err := Load(getenv(env)); err != nil {
			t.Errorf("Load(%v): %v", env, err)
		}
	}
}

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := Load(getenv(map[string]string{
		"TELEGRAM_BOT_TOKEN_FILE": write("token", "123:tok\n"),
		"OPENAI_API_KEY_FILE":     write("key", "  sk-key\r\n"),
		"WEBHOOK_SECRET_FILE":     write("secret", "s3cret_-\n"),
		"LLM_MODEL":               "qwen",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramToken != "123:tok" || c.OpenAIAPIKey != "sk-key" || c.WebhookSecret != "s3cret_-" {
		t.Errorf("secrets from files: %q %q %q", c.TelegramToken, c.OpenAIAPIKey, c.WebhookSecret)
	}
	big := write("big", strings.Repeat("x", maxSecretFile+1))
	if _, err := Load(getenv(map[string]string{"WEBHOOK_SECRET_FILE": big})); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("a huge secret file: %v", err)
	}
}

func TestWarnings(t *testing.T) {
	c, err := Load(getenv(map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "LLM_MODEL") {
		t.Errorf("base URL without a model: warnings %q", c.Warnings)
	}
	c, err = Load(getenv(map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1", "EMBEDDING_MODEL": "bge-m3"}))
	if err != nil || len(c.Warnings) != 0 {
		t.Errorf("base URL with a model: %v, warnings %q", err, c.Warnings)
	}
}

func TestAdminsAndRedaction(t *testing.T) {
	c, err := Load(getenv(map[string]string{"ADMIN_IDS": " 11, 22;33", "STAFF_CHAT_ID": " -1001234567890 ", "HANDOFFS_PER_DAY": "5", "TELEGRAM_BOT_TOKEN": "123:secret-token", "OPENAI_API_KEY": "sk-secret",
		"LLM_TIMEOUT": "45", "WEBHOOK_SECRET": "hook-secret", "OPENAI_BASE_URL": "https://user:pw-secret@example.org/v1?key=q-secret", "LLM_MODEL": "m"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AdminIDs) != 3 || c.AdminIDs[1] != 22 || c.AdminIDs[2] != 33 || c.LLMTimeout != 45*time.Second ||
		c.StaffChatID != -1001234567890 || c.HandoffsPerDay != 5 {
		t.Errorf("config: %+v", c)
	}
	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, nil)).Info("configuration", "config", c)
	for _, s := range []string{"sk-secret", "secret-token", "hook-secret", "pw-secret", "q-secret"} {
		if strings.Contains(b.String(), s) {
			t.Errorf("the log shows %s: %s", s, b.String())
		}
	}
	if !strings.Contains(b.String(), `"admins":3`) || !strings.Contains(b.String(), `"staff_chat_id":-1001234567890`) {
		t.Errorf("log: %s", b.String())
	}
}
