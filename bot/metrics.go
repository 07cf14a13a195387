package bot

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the bot's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg            *prometheus.Registry
	questions      *prometheus.CounterVec   // chat_type, outcome
	latency        *prometheus.HistogramVec // outcome
	telegramErrors *prometheus.CounterVec   // kind
	retries        *prometheus.CounterVec   // kind
	updates        *prometheus.CounterVec   // source
	panics         prometheus.Counter
	sent           prometheus.Counter
	inflight       prometheus.Gauge
	staff          *prometheus.CounterVec // action
	tickets        *prometheus.CounterVec // event
	firstAnswer    prometheus.Histogram
	saved          *prometheus.CounterVec // event
	outbox         *prometheus.CounterVec // result
	outboxPending  prometheus.Gauge
	storeRecovered prometheus.Counter
}

// counterSource is an Answerer that counts its generated answers
// (*rag.Engine does).
type counterSource interface {
	Counters() (generated, guardRejected, llmFailed int64)
}

// Outcomes of a question, for the questions_total metric.
const (
	outcomeAnswered    = "answered"
	outcomeAbstained   = "not_in_corpus"
	outcomeError       = "error"
	outcomeRateLimited = "rate_limited"
	outcomeSmallTalk   = "smalltalk" // greetings, thanks…: answered in kind, not a question
)

// newMetrics makes the bot's metrics; a's counters and corpus size are
// exported too.
func newMetrics(a Answerer) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qa_bot_questions_total",
			Help: "Questions received, by chat type and outcome (answered, not_in_corpus, smalltalk, error, rate_limited).",
		}, []string{"chat_type", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "qa_bot_answer_seconds",
			Help:    "Time from taking a question to the answer being sent.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"outcome"}),
		telegramErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qa_bot_telegram_errors_total",
			Help: "Failed Telegram API calls, by kind.",
		}, []string{"kind"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qa_bot_telegram_retries_total",
			Help: "Telegram API calls retried, by the kind of failure.",
		}, []string{"kind"}),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qa_bot_updates_total",
			Help: "Updates taken and stored, by source (poll, webhook, resume).",
		}, []string{"source"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "qa_bot_handler_panics_total",
			Help: "Handlers that panicked and were recovered.",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "qa_bot_messages_sent_total",
			Help: "Messages sent to Telegram.",
		}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "qa_bot_updates_pending",
			Help: "Updates queued or being handled.",
		}),
		staff: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qa_bot_staff_actions_total",
			Help: "Corpus management by staff, by action (upload_previewed, upload_refused, committed, cancelled, removed, reindexed, reloaded, refused, answer_saved).",
		}, []string{"action"}),
		tickets: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qa_bot_tickets_total",
			Help: "Questions handed to staff, by event: opened (by a member), opened_gap (by staff from /gaps), limited (over the daily limit), answered (first answer delivered), reply_delivered, reply_blocked, reply_gone, reply_failed, reply_none (a gap ticket's reply), closed.",
		}, []string{"event"}),
		firstAnswer: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "qa_bot_ticket_first_answer_seconds",
			Help:    "Time from a ticket being opened to its first staff answer being delivered.",
			Buckets: []float64{60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600},
		}),
		saved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qa_bot_saved_answers_total",
			Help: "Saved answers (Q&A entries), by event: saved (by staff), used (an answer cited one).",
		}, []string{"event"}),
	}
	m.reg.MustRegister(m.tickets, m.firstAnswer, m.saved)
	m.outbox = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "qa_bot_outbox_messages_total",
		Help: "Messages leaving the durable outbox, by result (delivered, refused: Telegram will never take it, expired: tried for a day).",
	}, []string{"result"})
	m.outboxPending = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "qa_bot_outbox_pending",
		Help: "Messages waiting in the durable outbox for Telegram to take them.",
	})
	m.storeRecovered = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "qa_bot_store_recoveries_total",
		Help: "Starts that found bot.db damaged, moved it aside and salvaged it into a fresh store (1 for this process when it did).",
	})
	m.reg.MustRegister(m.outbox, m.outboxPending, m.storeRecovered)
	m.reg.MustRegister(m.questions, m.latency, m.telegramErrors, m.retries, m.updates, m.panics, m.sent, m.inflight, m.staff,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if a == nil {
		return m
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qa_corpus_documents", Help: "Documents in the index."},
			func() float64 { return float64(len(a.Documents())) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qa_corpus_passages", Help: "Passages in the index."},
			func() float64 { return float64(a.PassageCount()) }),
	)
	if c, ok := a.(counterSource); ok {
		m.reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "qa_llm_generated_answers_total", Help: "Answers written by the language model that passed the check."},
				func() float64 { g, _, _ := c.Counters(); return float64(g) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "qa_llm_guard_rejections_total", Help: "Generated answers rejected by the grounding check (the extractive answer was sent)."},
				func() float64 { _, r, _ := c.Counters(); return float64(r) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "qa_llm_failures_total", Help: "Language model calls that failed or timed out (the extractive answer was sent)."},
				func() float64 { _, _, f := c.Counters(); return float64(f) }),
		)
	}
	return m
}

// handler serves /metrics and, from healthz, /healthz.
func (m *metrics) handler(healthz http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /healthz", healthz)
	return mux
}

// serveHTTP runs srv on l until ctx is cancelled, then shuts it down.
func serveHTTP(ctx context.Context, srv *http.Server, l net.Listener, log *slog.Logger, what string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(what+" server stopped", "err", err)
		}
	}()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	<-done
}
