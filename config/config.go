// Package config reads the program's settings from the environment once,
// checks them, and logs them with secrets redacted. It is the one place a
// setting is parsed: a mistake is reported at start, naming the variable,
// instead of surfacing later at the first question.
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is every setting, with its default applied. Field comments name the
// environment variable; the README lists them all.
type Config struct {
	CorpusDir string // CORPUS_DIR: documents to use instead of the built-in report
	DataDir   string // DATA_DIR: persisted index and the bot's store
	// BuiltinLaws is BUILTIN_LAWS: the 17 national labour laws the program
	// carries are part of the corpus (default true), beside the built-in
	// report or CORPUS_DIR's documents; false leaves them out.
	BuiltinLaws bool
	// LexiconFile is LEXICON_FILE: a union's own additions to the built-in
	// lexicon of members' words (rag/lexicon's format), loaded at start.
	LexiconFile string

	TelegramToken  string  // TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE (secret)
	TelegramAPIURL string  // TELEGRAM_API_URL: a self-hosted Bot API server
	WebhookURL     string  // WEBHOOK_URL: webhook mode when set
	ListenAddr     string  // LISTEN_ADDR: webhook listener, default :8080
	WebhookSecret  string  // WEBHOOK_SECRET or WEBHOOK_SECRET_FILE (secret)
	MetricsAddr    string  // METRICS_ADDR: /metrics and /healthz when set
	SendPerSecond  float64 // SEND_PER_SECOND: messages sent per second overall, default 30

	OpenAIBaseURL  string        // OPENAI_BASE_URL
	OpenAIAPIKey   string        // OPENAI_API_KEY or OPENAI_API_KEY_FILE (secret)
	LLMModel       string        // LLM_MODEL: turns generated answers on
	EmbeddingModel string        // EMBEDDING_MODEL: turns server embeddings on
	LLMTimeout     time.Duration // LLM_TIMEOUT, default 20s

	AdminIDs       []int64       // ADMIN_IDS: comma-separated Telegram user IDs of staff
	StaffChatID    int64         // STAFF_CHAT_ID: the staff group questions are handed to (0: no handoff)
	HandoffsPerDay int           // HANDOFFS_PER_DAY: questions a member may hand to staff a day, default 3
	RetentionDays  int           // RETENTION_DAYS, default 90
	RateBurst      int           // RATE_BURST: questions a member may ask at once, default 5
	RateEvery      time.Duration // RATE_EVERY: one more question allowed per this, default 10s
	LogLevel       string        // LOG_LEVEL: debug, info (default), warn, error
	LogFormat      string        // LOG_FORMAT: text (default) or json

	// Warnings are settings that are accepted but probably not what the
	// operator meant (a server address no model uses); the caller logs them.
	Warnings []string
}

// Defaults of the bot's settings, in one place: Load applies them to what
// the environment leaves unset, and bot.Options applies the same to fields
// left zero, so the bot runs alike from serve and from a test.
const (
	DefaultListenAddr     = ":8080"
	DefaultSendPerSecond  = 30 // Telegram's limit
	DefaultRetentionDays  = 90
	DefaultRateBurst      = 5
	DefaultRateEvery      = 10 * time.Second
	DefaultHandoffsPerDay = 3
)

// Telegram's rules for a webhook: the secret_token of setWebhook, and the
// ports its servers post to (https://core.telegram.org/bots/api#setwebhook).
var (
	webhookSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	webhookPorts         = map[string]bool{"443": true, "80": true, "88": true, "8443": true}
)

// maxSecretFile bounds what is read from a *_FILE: a secret is a line.
const maxSecretFile = 64 << 10

// Load reads the configuration from getenv and checks it. Errors name the
// variable and what is wrong with it, never a secret's value. Secrets may
// instead be read from the file that VAR_FILE names (Docker and Kubernetes
// secrets); surrounding white space, the final newline included, is dropped.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		CorpusDir:      strings.TrimSpace(getenv("CORPUS_DIR")),
		LexiconFile:    strings.TrimSpace(getenv("LEXICON_FILE")),
		DataDir:        strings.TrimSpace(getenv("DATA_DIR")),
		TelegramAPIURL: strings.TrimRight(strings.TrimSpace(getenv("TELEGRAM_API_URL")), "/"),
		WebhookURL:     strings.TrimSpace(getenv("WEBHOOK_URL")),
		ListenAddr:     strings.TrimSpace(getenv("LISTEN_ADDR")),
		MetricsAddr:    strings.TrimSpace(getenv("METRICS_ADDR")),
		OpenAIBaseURL:  strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		LLMModel:       strings.TrimSpace(getenv("LLM_MODEL")),
		EmbeddingModel: strings.TrimSpace(getenv("EMBEDDING_MODEL")),
		LogLevel:       strings.ToLower(strings.TrimSpace(getenv("LOG_LEVEL"))),
		LogFormat:      strings.ToLower(strings.TrimSpace(getenv("LOG_FORMAT"))),
	}
	var err error
	if c.TelegramToken, err = secret(getenv, "TELEGRAM_BOT_TOKEN", strings.TrimSpace); err != nil {
		return c, err
	}
	// WEBHOOK_SECRET is taken as written (spaces are not allowed in it, and
	// the check below says so); from a file, the final newline is dropped.
	if c.WebhookSecret, err = secret(getenv, "WEBHOOK_SECRET", func(s string) string { return s }); err != nil {
		return c, err
	}
	if c.OpenAIAPIKey, err = secret(getenv, "OPENAI_API_KEY", strings.TrimSpace); err != nil {
		return c, err
	}
	if c.DataDir == "" {
		c.DataDir = defaultDataDir(getenv)
	}
	if c.BuiltinLaws, err = boolean(getenv, "BUILTIN_LAWS", true); err != nil {
		return c, err
	}
	if c.ListenAddr == "" {
		c.ListenAddr = DefaultListenAddr
	}
	if c.LLMTimeout, err = duration(getenv, "LLM_TIMEOUT", 20*time.Second); err != nil {
		return c, err
	}
	if c.RateEvery, err = duration(getenv, "RATE_EVERY", DefaultRateEvery); err != nil {
		return c, err
	}
	if c.RetentionDays, err = positive(getenv, "RETENTION_DAYS", DefaultRetentionDays); err != nil {
		return c, err
	}
	if c.RateBurst, err = positive(getenv, "RATE_BURST", DefaultRateBurst); err != nil {
		return c, err
	}
	if c.SendPerSecond, err = positiveFloat(getenv, "SEND_PER_SECOND", DefaultSendPerSecond); err != nil {
		return c, err
	}
	for _, f := range strings.FieldsFunc(getenv("ADMIN_IDS"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return c, fmt.Errorf("ADMIN_IDS: %q is not a Telegram user ID (want numbers separated by commas; each staff member sees theirs by sending /whoami to the bot)", f)
		}
		c.AdminIDs = append(c.AdminIDs, id)
	}
	if v := strings.TrimSpace(getenv("STAFF_CHAT_ID")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id == 0 {
			return c, fmt.Errorf("STAFF_CHAT_ID: %q is not a Telegram chat ID (a group's is negative, e.g. -1001234567890; add the bot to the staff group and send /whoami there to see it)", v)
		}
		c.StaffChatID = id
	}
	if c.HandoffsPerDay, err = positive(getenv, "HANDOFFS_PER_DAY", DefaultHandoffsPerDay); err != nil {
		return c, err
	}
	switch c.LogLevel {
	case "", "info", "debug", "warn", "error":
	default:
		return c, fmt.Errorf("LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "text"
	case "text", "json":
	default:
		return c, fmt.Errorf("LOG_FORMAT: %q is not text or json", c.LogFormat)
	}
	for _, a := range []struct{ name, addr string }{{"LISTEN_ADDR", c.ListenAddr}, {"METRICS_ADDR", c.MetricsAddr}} {
		if a.addr == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(a.addr); err != nil || port == "" {
			return c, fmt.Errorf("%s: %q is not host:port or :port, e.g. 127.0.0.1:9090", a.name, a.addr)
		}
	}
	if err := c.checkTelegram(); err != nil {
		return c, err
	}
	if err := c.checkLLM(); err != nil {
		return c, err
	}
	return c, nil
}

// checkTelegram checks the Bot API address and the webhook against what
// Telegram accepts, so that setWebhook does not fail after start-up.
func (c *Config) checkTelegram() error {
	if c.TelegramAPIURL != "" && !httpURL(c.TelegramAPIURL) {
		return errors.New("TELEGRAM_API_URL: want an http(s) URL such as http://localhost:8081")
	}
	if c.WebhookSecret != "" && !webhookSecretPattern.MatchString(c.WebhookSecret) {
		// The value is not echoed: it is a secret.
		return errors.New("WEBHOOK_SECRET: Telegram accepts 1 to 256 characters A-Z, a-z, 0-9, _ and - only (e.g. the output of openssl rand -hex 32)")
	}
	if c.WebhookURL == "" {
		return nil
	}
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("WEBHOOK_URL: want the public https:// address Telegram posts to, e.g. https://bot.example.org/tg/hook")
	}
	if c.TelegramAPIURL != "" {
		return nil // a self-hosted Bot API server accepts http and any port
	}
	if u.Scheme != "https" {
		return errors.New("WEBHOOK_URL: Telegram posts only to https:// addresses (a self-hosted TELEGRAM_API_URL allows http)")
	}
	if port := u.Port(); port != "" && !webhookPorts[port] {
		return fmt.Errorf("WEBHOOK_URL: Telegram posts only to ports 443, 80, 88 and 8443, not %s: let the reverse proxy listen on one of them", port)
	}
	return nil
}

// checkLLM checks the language model settings: an address that is not a URL
// is an error now rather than at every question, and settings that nothing
// will use are warnings.
func (c *Config) checkLLM() error {
	models := c.LLMModel != "" || c.EmbeddingModel != ""
	if c.OpenAIBaseURL != "" && !httpURL(c.OpenAIBaseURL) {
		// The URL is not echoed: it may carry credentials.
		return errors.New("OPENAI_BASE_URL: want an http(s) URL such as http://localhost:11434/v1")
	}
	if models && c.OpenAIBaseURL == "" && c.OpenAIAPIKey == "" {
		return errors.New("LLM_MODEL or EMBEDDING_MODEL is set but neither OPENAI_BASE_URL nor OPENAI_API_KEY is: set OPENAI_BASE_URL to your server's /v1 address")
	}
	if !models && (c.OpenAIBaseURL != "" || c.OpenAIAPIKey != "") {
		c.Warnings = append(c.Warnings, "OPENAI_BASE_URL or OPENAI_API_KEY is set but neither LLM_MODEL nor EMBEDDING_MODEL is: "+
			"nothing will use the server (answers quote the documents, embeddings are computed offline); set LLM_MODEL to generate answers")
	}
	return nil
}

// httpURL reports whether s is an absolute http or https URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// secret reads the secret NAME from the environment or from the file that
// NAME_FILE names, not both.
func secret(getenv func(string) string, name string, clean func(string) string) (string, error) {
	v, file := getenv(name), strings.TrimSpace(getenv(name+"_FILE"))
	if file == "" {
		return clean(v), nil
	}
	if v != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set: keep one", name, name)
	}
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("%s_FILE: read %s: %w", name, file, err)
	}
	if len(data) > maxSecretFile {
		return "", fmt.Errorf("%s_FILE: %s is larger than a secret can be (%d KB)", name, file, maxSecretFile>>10)
	}
	s := clean(strings.TrimRight(string(data), "\r\n"))
	if s == "" {
		return "", fmt.Errorf("%s_FILE: %s is empty", name, file)
	}
	return s, nil
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

func positiveFloat(getenv func(string) string, name string, def float64) (float64, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || f > 1e6 {
		return 0, fmt.Errorf("%s: %q is not a positive number such as 30", name, v)
	}
	return f, nil
}

// boolean reads an on/off setting: true, 1, yes, on or false, 0, no, off.
func boolean(getenv func(string) string, name string, def bool) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(name))); v {
	case "":
		return def, nil
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	default:
		return def, fmt.Errorf("%s: %q is not true or false", name, v)
	}
}

// LogValue logs the configuration at start-up with secrets shown only as
// set or not.
func (c Config) LogValue() slog.Value {
	set := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return "(set)"
	}
	return slog.GroupValue(
		slog.String("corpus_dir", c.CorpusDir),
		slog.Bool("builtin_laws", c.BuiltinLaws),
		slog.String("lexicon_file", c.LexiconFile),
		slog.String("data_dir", c.DataDir),
		slog.String("telegram_api_url", c.TelegramAPIURL),
		slog.String("telegram_bot_token", set(c.TelegramToken)),
		slog.String("webhook_url", safeURL(c.WebhookURL)),
		slog.String("listen_addr", c.ListenAddr),
		slog.String("webhook_secret", set(c.WebhookSecret)),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.Float64("send_per_second", c.SendPerSecond),
		slog.String("openai_base_url", safeURL(c.OpenAIBaseURL)),
		slog.String("openai_api_key", set(c.OpenAIAPIKey)),
		slog.String("llm_model", c.LLMModel),
		slog.String("embedding_model", c.EmbeddingModel),
		slog.Duration("llm_timeout", c.LLMTimeout),
		slog.Int("admins", len(c.AdminIDs)),
		slog.Int64("staff_chat_id", c.StaffChatID),
		slog.Int("handoffs_per_day", c.HandoffsPerDay),
		slog.Int("retention_days", c.RetentionDays),
		slog.Int("rate_burst", c.RateBurst),
		slog.Duration("rate_every", c.RateEvery),
	)
}

// safeURL keeps a URL's scheme, host and path: user information and query
// may carry credentials.
func safeURL(raw string) string {
	if raw == "" {
		return ""
	}
	if u, err := url.Parse(raw); err == nil {
		return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	}
	return "(invalid URL)"
}
