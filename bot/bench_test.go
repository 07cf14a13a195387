package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/bot/telegramtest"
	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/ragtest"
)

// instantAnswerer returns a fixed cited answer at once, like the offline
// extractive core on a small corpus.
type instantAnswerer struct{}

func (instantAnswerer) Answer(_ context.Context, _, q string) (rag.Answer, error) {
	return rag.Answer{Question: q, Sentences: rag.ParseSentences("考上大学的困难职工子女可领助学金3000元[1]，申请带录取通知书[2]。"),
		Citations: []rag.Citation{cite(1, "p1"), cite(2, "p2")}}, nil
}
func (instantAnswerer) Passage(id string) (rag.Citation, bool) { c, ok := passages[id]; return c, ok }
func (instantAnswerer) Documents() []corpus.Document           { return nil }
func (instantAnswerer) PassageCount() int                      { return 2 }

// BenchmarkThroughput measures questions answered per second end to end:
// getUpdates from a loopback fake Bot API, the durable inbox (bbolt, fsync),
// workers, typing indicator, rendering, sendMessage with buttons, and marking
// answered. Telegram's own pacing (30 msg/s) is lifted: it is Telegram's
// limit, not the bot's. Each question comes from a different private chat,
// as load from many members does. "instant" isolates the bot's own cost;
// "offline-engine" answers with the real engine over the built-in report.
func BenchmarkThroughput(b *testing.B) {
	b.Run("instant", func(b *testing.B) { benchThroughput(b, instantAnswerer{}) })
	b.Run("offline-engine", func(b *testing.B) { benchThroughput(b, offlineEngine(b)) })
}

// offlineEngine is the real engine over the built-in report with the
// offline embedding: what a deployment without a model answers with.
func offlineEngine(b *testing.B) *rag.Engine {
	b.Helper()
	return ragtest.Engine(b, rag.Options{}, ragtest.DefaultDocs(b))
}

func benchThroughput(b *testing.B, answerer bot.Answerer) {
	srv := telegramtest.NewServer(token)
	defer srv.Close()
	ready := make(chan *bot.Store, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- bot.Run(ctx, bot.Options{
			Token: token, APIURL: srv.URL(), DataDir: b.TempDir(),
			SendPerSecond: 1e6, RateBurst: 1 << 20, PollTimeout: 5 * time.Second,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: func(s *bot.Store) { ready <- s },
		}, answerer)
	}()
	<-ready
	defer func() { cancel(); <-done }()

	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		id := int64(100000 + i%5000)
		srv.SendText(models.Chat{ID: id, Type: models.ChatTypePrivate}, models.User{ID: id, FirstName: "职工"}, fmt.Sprintf("问题%d：孩子考上大学有助学金吗？", i))
	}
	if _, ok := srv.WaitSent(b.N, time.Duration(b.N)*50*time.Millisecond+10*time.Second); !ok {
		b.Fatalf("answered %d of %d", srv.SentCount(), b.N)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "questions/s")
}
