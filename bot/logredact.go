package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// redactHandler is a slog.Handler that removes the bot token from every
// message and attribute before passing the record on.
type redactHandler struct {
	next slog.Handler
	r    redactor
}

func newRedactingLogger(l *slog.Logger, r redactor) *slog.Logger {
	return slog.New(&redactHandler{next: l.Handler(), r: r})
}

// Enabled reports whether the wrapped handler takes records at level.
func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle redacts the token from the record, then passes it on.
func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs returns a redacting handler with the attributes added.
func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(clean), r: h.r}
}

// WithGroup returns a redacting handler for the named group.
func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), r: h.r}
}

func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		s := fmt.Sprint(v.Any())
		if h.r.token != "" && strings.Contains(s, h.r.token) {
			return slog.String(a.Key, h.r.String(s))
		}
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, err.Error())
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
