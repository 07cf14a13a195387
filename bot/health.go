package bot

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/prometheus/client_golang/prometheus"
)

// BuildInfo describes the running binary, for the qa_build_info metric.
type BuildInfo struct {
	Version, Commit, Date, GoVersion string
}

// health says whether updates can reach the bot, for /healthz: in long
// polling, whether a getUpdates succeeded lately; in webhook mode, whether a
// POST arrived lately or, when members are just quiet, whether Telegram's
// getWebhookInfo reports the webhook registered and without recent errors.
// Until the first window has passed since start the bot counts as healthy.
type health struct {
	window  time.Duration
	webhook bool
	hookURL string
	now     func() time.Time

	mu      sync.Mutex
	start   time.Time
	contact time.Time // last getUpdates that succeeded, or last authenticated webhook POST
	infoAt  time.Time // last getWebhookInfo that succeeded
	info    models.WebhookInfo
}

func newHealth(window time.Duration, webhookURL string) *health {
	now := time.Now()
	return &health{window: window, webhook: webhookURL != "", hookURL: webhookURL, now: time.Now, start: now}
}

// reached records that Telegram reached the bot or answered its getUpdates.
func (h *health) reached() {
	h.mu.Lock()
	h.contact = h.now()
	h.mu.Unlock()
}

// webhookInfo records what getWebhookInfo reported.
func (h *health) webhookInfo(info models.WebhookInfo) {
	h.mu.Lock()
	h.infoAt, h.info = h.now(), info
	h.mu.Unlock()
}

// lastContact is when Telegram last reached the bot (zero: never).
func (h *health) lastContact() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.contact
}

// check reports whether the bot is healthy, and why not.
func (h *health) check() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	recent := func(t time.Time) bool { return now.Sub(t) < h.window }
	if recent(h.start) || recent(h.contact) {
		return true, ""
	}
	if !h.webhook {
		return false, fmt.Sprintf("no getUpdates succeeded for %s (Telegram unreachable, the token revoked, or another instance polling)", h.window)
	}
	switch {
	case !recent(h.infoAt):
		return false, fmt.Sprintf("no webhook update and no answer from getWebhookInfo for %s", h.window)
	case h.info.URL != h.hookURL:
		return false, "the webhook is not registered with Telegram (getWebhookInfo shows another URL or none)"
	case h.info.LastErrorDate > 0 && recent(time.Unix(int64(h.info.LastErrorDate), 0)):
		return false, fmt.Sprintf("no webhook update for %s and Telegram reports: %s", h.window, h.info.LastErrorMessage)
	}
	return true, "" // registered, no errors: members are just quiet
}

// ServeHTTP answers /healthz: 200 "ok", or 503 with the reason.
func (h *health) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if ok, why := h.check(); !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, "unhealthy: %s\n", why)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// collectors are the health and build metrics.
func (h *health) collectors(b BuildInfo) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qa_bot_healthy", Help: "1 when /healthz answers ok, else 0."},
			func() float64 {
				if ok, _ := h.check(); ok {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qa_bot_last_contact_timestamp_seconds",
			Help: "Unix time of the last getUpdates that succeeded or webhook update that arrived (0: none yet)."},
			func() float64 {
				if t := h.lastContact(); !t.IsZero() {
					return float64(t.UnixNano()) / 1e9
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qa_build_info", Help: "The running binary: always 1, described by its labels.",
			ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "build_date": b.Date, "goversion": b.GoVersion}},
			func() float64 { return 1 }),
	}
}

// watchWebhook asks Telegram for the webhook's state every interval, so
// that /healthz can tell a quiet bot from one Telegram cannot reach.
func (r *runner) watchWebhook(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		info, err := r.tg.GetWebhookInfo(ctx)
		switch {
		case err == nil && info != nil:
			r.health.webhookInfo(*info)
			if info.LastErrorDate > 0 && time.Since(time.Unix(int64(info.LastErrorDate), 0)) < every {
				r.log.Warn("Telegram cannot deliver to the webhook", "err", info.LastErrorMessage, "pending", info.PendingUpdateCount)
			}
		case ctx.Err() == nil:
			r.log.Warn("getWebhookInfo failed", "err", r.redact.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
