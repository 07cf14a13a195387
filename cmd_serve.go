package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus/library"
)

// serve runs the Telegram bot until ctx is cancelled. A cancellation while it
// is still starting (Ctrl-C, SIGTERM) is a clean stop, not an error.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	err := startAndServe(ctx, cfg, log)
	if err != nil && ctx.Err() != nil {
		var u usageError
		if !errors.As(err, &u) {
			log.Info("stopped during start-up")
			return nil
		}
	}
	return err
}

func startAndServe(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.TelegramToken == "" {
		return usageError{"serve: TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and set its token (see README.md)"}
	}
	if !bot.ValidToken(cfg.TelegramToken) {
		return usageError{"serve: TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then 30 or more letters, digits, - or _)"}
	}
	if cfg.WebhookURL != "" && cfg.WebhookSecret == "" {
		return usageError{"serve: WEBHOOK_URL is set but WEBHOOK_SECRET is not: choose a random secret so that only Telegram can post updates"}
	}
	b := buildInfo()
	log.Info("gonghui-qa starting", "version", b.Version, "commit", b.Commit, "built", b.Date, "go", b.GoVersion,
		"config", cfg) // config.Config.LogValue shows secrets only as set or not
	// The bot's store first: a second serve on the same DATA_DIR is told at
	// once that another instance holds it, before any index work.
	store, err := bot.OpenStore(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	started := false
	defer func() {
		if !started {
			store.Close()
		}
	}()
	var lib *library.Library // nil without CORPUS_DIR: the built-in report is read-only
	if cfg.CorpusDir != "" {
		// Creates the folder (a new, empty one is a valid start: staff fill
		// it) and, under its lock, cleans up after a change a crash cut short.
		l, err := openLibrary(cfg)
		if err != nil {
			return err
		}
		lib = l
	}
	src, name, err := openSource(cfg, log, lib)
	if err != nil {
		return err
	}
	e, w, _, err := openIndex(ctx, cfg, log, src, name)
	if err != nil {
		return err
	}
	// Example questions are checked by asking them: do it now, not on the
	// first member's /start; stopped and waited for when serve returns, so
	// that nothing of it outlives run (nor logs after it).
	warmCtx, stopWarm := context.WithCancel(ctx)
	var warm sync.WaitGroup
	warm.Go(func() { e.WarmExamples(warmCtx) })
	defer func() { stopWarm(); warm.Wait() }()
	started = true // Run closes the store
	return bot.Run(ctx, bot.Options{
		Token: cfg.TelegramToken, APIURL: cfg.TelegramAPIURL,
		WebhookURL: cfg.WebhookURL, ListenAddr: cfg.ListenAddr, WebhookSecret: cfg.WebhookSecret,
		MetricsAddr: cfg.MetricsAddr, DataDir: cfg.DataDir, Store: store, Corpus: name,
		RateBurst: cfg.RateBurst, RateEvery: cfg.RateEvery, SendPerSecond: cfg.SendPerSecond,
		Retention:   time.Duration(cfg.RetentionDays) * 24 * time.Hour,
		AdminIDs:    cfg.AdminIDs,
		StaffChatID: cfg.StaffChatID, HandoffsPerDay: cfg.HandoffsPerDay,
		Library: lib,
		Watcher: w,
		Logger:  log,
		Build:   bot.BuildInfo{Version: b.Version, Commit: b.Commit, Date: b.Date, GoVersion: b.GoVersion},
	}, e)
}
