package main

import (
	"io"
	"log/slog"
)

// newLogger logs to stderr, as text or (LOG_FORMAT=json) one JSON object a
// line for log collectors; the one-shot commands only warn, so that their
// output stays the answer.
func newLogger(w io.Writer, level, format, cmd string) *slog.Logger {
	lv := slog.LevelInfo
	if cmd == "ask" || cmd == "chat" || cmd == "eval" || cmd == "healthcheck" {
		lv = slog.LevelWarn
	}
	switch level {
	case "debug":
		lv = slog.LevelDebug
	case "info":
		lv = slog.LevelInfo
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
