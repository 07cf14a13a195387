// Package config reads the program's settings from the environment once,
// checks them, and prints them with secrets redacted.
package config

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting, with its default applied. Field comments name the
// environment variable; the README lists them all.
type Config struct {
	CorpusDir string // CORPUS_DIR: documents to use instead of the built-in report
	DataDir   string // DATA_DIR: persisted index and the bot's store

	TelegramToken  string // TELEGRAM_BOT_TOKEN (secret)
	TelegramAPIURL string // TELEGRAM_API_URL: a self-hosted Bot API server
	WebhookURL     string // WEBHOOK_URL: webhook mode when set
	ListenAddr     string // LISTEN_ADDR: webhook listener, default :8080
	WebhookSecret  string // WEBHOOK_SECRET (secret)
	MetricsAddr    string // METRICS_ADDR: /metrics and /healthz when set

	OpenAIBaseURL  string        // OPENAI_BASE_URL
	OpenAIAPIKey   string        // OPENAI_API_KEY (secret)
	LLMModel       string        // LLM_MODEL: turns generated answers on
	EmbeddingModel string        // EMBEDDING_MODEL: turns server embeddings on
	LLMTimeout     time.Duration // LLM_TIMEOUT, default 20s

	AdminIDs      []int64       // ADMIN_IDS: comma-separated Telegram user IDs of staff
	RetentionDays int           // RETENTION_DAYS, default 90
	RateBurst     int           // RATE_BURST: questions a member may ask at once, default 5
	RateEvery     time.Duration // RATE_EVERY: one more question allowed per this, default 10s
	LogLevel      string        // LOG_LEVEL: debug, info (default), warn, error
}

// Load reads the configuration from getenv and checks it. Errors name the
// variable and what is wrong with it, never a secret's value.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		CorpusDir:      strings.TrimSpace(getenv("CORPUS_DIR")),
		DataDir:        strings.TrimSpace(getenv("DATA_DIR")),
		TelegramToken:  strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		TelegramAPIURL: strings.TrimRight(strings.TrimSpace(getenv("TELEGRAM_API_URL")), "/"),
		WebhookURL:     strings.TrimSpace(getenv("WEBHOOK_URL")),
		ListenAddr:     strings.TrimSpace(getenv("LISTEN_ADDR")),
		WebhookSecret:  getenv("WEBHOOK_SECRET"),
		MetricsAddr:    strings.TrimSpace(getenv("METRICS_ADDR")),
		OpenAIBaseURL:  strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		OpenAIAPIKey:   strings.TrimSpace(getenv("OPENAI_API_KEY")),
		LLMModel:       strings.TrimSpace(getenv("LLM_MODEL")),
		EmbeddingModel: strings.TrimSpace(getenv("EMBEDDING_MODEL")),
		LogLevel:       strings.ToLower(strings.TrimSpace(getenv("LOG_LEVEL"))),
	}
	if c.DataDir == "" {
		c.DataDir = defaultDataDir(getenv)
	}
	if c.ListenAddr == "" {
		c.ListenAddr = ":8080"
	}
	var err error
	if c.LLMTimeout, err = duration(getenv, "LLM_TIMEOUT", 20*time.Second); err != nil {
		return c, err
	}
	if c.RateEvery, err = duration(getenv, "RATE_EVERY", 10*time.Second); err != nil {
		return c, err
	}
	if c.RetentionDays, err = positive(getenv, "RETENTION_DAYS", 90); err != nil {
		return c, err
	}
	if c.RateBurst, err = positive(getenv, "RATE_BURST", 5); err != nil {
		return c, err
	}
	for _, f := range strings.FieldsFunc(getenv("ADMIN_IDS"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return c, fmt.Errorf("ADMIN_IDS: %q is not a Telegram user ID (want numbers separated by commas)", f)
		}
		c.AdminIDs = append(c.AdminIDs, id)
	}
	switch c.LogLevel {
	case "", "info", "debug", "warn", "error":
	default:
		return c, fmt.Errorf("LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	if (c.LLMModel != "" || c.EmbeddingModel != "") && c.OpenAIBaseURL == "" && c.OpenAIAPIKey == "" {
		return c, fmt.Errorf("LLM_MODEL or EMBEDDING_MODEL is set but neither OPENAI_BASE_URL nor OPENAI_API_KEY is: set OPENAI_BASE_URL to your server's /v1 address")
	}
	return c, nil
}

// defaultDataDir is a per-user data folder: $XDG_DATA_HOME/gonghui-qa, else
// ~/.local/share/gonghui-qa, else a folder in the temporary directory.
func defaultDataDir(getenv func(string) string) string {
	if x := getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "gonghui-qa")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "gonghui-qa")
	}
	return filepath.Join(filepathTemp(getenv), "gonghui-qa")
}

func filepathTemp(getenv func(string) string) string {
	if t := getenv("TMPDIR"); t != "" {
		return t
	}
	return "/tmp"
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if n, nerr := strconv.Atoi(v); nerr == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive duration such as 20s or 1m", name, v)
	}
	return d, nil
}

func positive(getenv func(string) string, name string, def int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive whole number", name, v)
	}
	return n, nil
}

// String prints the configuration with secrets redacted, for a start-up log.
func (c Config) String() string {
	red := func(s string) string {
		if s == "" {
			return ""
		}
		return "[set]"
	}
	return fmt.Sprintf("corpus=%q data=%q telegram_api=%q token=%s webhook=%q listen=%q webhook_secret=%s metrics=%q openai_base=%q openai_key=%s llm_model=%q embedding_model=%q llm_timeout=%s admins=%d retention_days=%d rate=%d/%s",
		c.CorpusDir, c.DataDir, c.TelegramAPIURL, red(c.TelegramToken), c.WebhookURL, c.ListenAddr, red(c.WebhookSecret),
		c.MetricsAddr, c.OpenAIBaseURL, red(c.OpenAIAPIKey), c.LLMModel, c.EmbeddingModel, c.LLMTimeout, len(c.AdminIDs), c.RetentionDays, c.RateBurst, c.RateEvery)
}
