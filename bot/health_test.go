package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

func TestHealthCheck(t *testing.T) {
	const hook = "https://bot.example.org/tg/hook"
	t0 := time.Unix(1_700_000_000, 0)
	type event func(h *health, now time.Time)
	reached := func(h *health, now time.Time) { h.contact = now }
	info := func(i models.WebhookInfo) event {
		return func(h *health, now time.Time) { h.infoAt, h.info = now, i }
	}
	tests := []struct {
		name    string
		webhook string
		events  map[time.Duration]event // at start + offset
		at      time.Duration
		ok      bool
		reason  string
	}{
		{"polling, just started", "", nil, time.Minute, true, ""},
		{"polling, never succeeded", "", nil, 4 * time.Minute, false, "getUpdates"},
		{"polling, succeeded lately", "", map[time.Duration]event{3 * time.Minute: reached}, 4 * time.Minute, true, ""},
		{"polling, succeeded long ago", "", map[time.Duration]event{time.Minute: reached}, 5 * time.Minute, false, "getUpdates"},
		{"webhook, update lately", hook, map[time.Duration]event{3 * time.Minute: reached}, 4 * time.Minute, true, ""},
		{"webhook, quiet and registered", hook, map[time.Duration]event{4 * time.Minute: info(models.WebhookInfo{URL: hook})}, 5 * time.Minute, true, ""},
		{"webhook, quiet, Telegram unreachable", hook, nil, 5 * time.Minute, false, "getWebhookInfo"},
		{"webhook, another URL registered", hook, map[time.Duration]event{4 * time.Minute: info(models.WebhookInfo{URL: ""})}, 5 * time.Minute, false, "not registered"},
		{"webhook, delivery failing", hook, map[time.Duration]event{4 * time.Minute: info(models.WebhookInfo{URL: hook,
			LastErrorDate: int(t0.Add(4 * time.Minute).Unix()), LastErrorMessage: "Connection refused"})}, 5 * time.Minute, false, "Connection refused"},
		{"webhook, an old delivery error", hook, map[time.Duration]event{4 * time.Minute: info(models.WebhookInfo{URL: hook,
			LastErrorDate: int(t0.Unix()) - 3600, LastErrorMessage: "Connection refused"})}, 5 * time.Minute, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHealth(3*time.Minute, tt.webhook)
			h.start = t0
			for at, ev := range tt.events {
				ev(h, t0.Add(at))
			}
			h.now = func() time.Time { return t0.Add(tt.at) }
			ok, why := h.check()
			if ok != tt.ok || !strings.Contains(why, tt.reason) {
				t.Errorf("check = %v %q, want %v with %q", ok, why, tt.ok, tt.reason)
			}
		})
	}
}
