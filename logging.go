package main

import (
	"io"
	"log/slog"
)

// newLogger logs to stderr; the one-shot commands only warn, so that their
// output stays the answer.
func newLogger(w io.Writer, level, cmd string) *slog.Logger {
	lv := slog.LevelInfo
	if cmd == "ask" || cmd == "chat" || cmd == "eval" {
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
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv}))
}
