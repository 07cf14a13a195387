package config

import (
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
		c.RetentionDays != 90 || c.RateBurst != 5 || c.RateEvery != 10*time.Second {
		t.Errorf("defaults: %+v", c)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ADMIN_IDS": "1,x"}, "ADMIN_IDS"},
		{map[string]string{"LLM_TIMEOUT": "soon"}, "LLM_TIMEOUT"},
		{map[string]string{"RETENTION_DAYS": "-1"}, "RETENTION_DAYS"},
		{map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"LLM_MODEL": "qwen"}, "OPENAI_BASE_URL"},
	}
	for _, tt := range tests {
		if _, err := Load(getenv(tt.env)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%v) error = %v, want one naming %s", tt.env, err, tt.want)
		}
	}
}

func TestAdminsAndRedaction(t *testing.T) {
	c, err := Load(getenv(map[string]string{"ADMIN_IDS": " 11, 22;33", "TELEGRAM_BOT_TOKEN": "123:secret-token", "OPENAI_API_KEY": "sk-secret", "LLM_TIMEOUT": "45"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AdminIDs) != 3 || c.AdminIDs[1] != 22 || c.AdminIDs[2] != 33 || c.LLMTimeout != 45*time.Second {
		t.Errorf("config: %+v", c)
	}
	if s := c.String(); strings.Contains(s, "sk-secret") || strings.Contains(s, "secret-token") {
		t.Errorf("String() leaks a secret: %s", s)
	}
}
