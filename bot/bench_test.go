package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
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

// BenchmarkFloodOthersLatency measures what one member's flood costs
// everyone else: while member A sends 2,000 messages as fast as the fake Bot
// API takes them, 20 other members ask one question each, one every 25 ms;
// reported are the 50th and 95th percentile and the worst of their waits,
// from the question reaching the Bot API to the answer being accepted by it.
// Telegram's pacing (30 messages a second) is kept: it is what members see.
//
//	go test ./bot -run '^$' -bench FloodOthersLatency -benchtime 3x
func BenchmarkFloodOthersLatency(b *testing.B) {
	var waits []time.Duration
	for range b.N {
		waits = append(waits, floodOnce(b, 2000, 20)...)
	}
	slices.Sort(waits)
	pct := func(p float64) float64 {
		return float64(waits[min(len(waits)-1, int(p*float64(len(waits))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(float64(waits[len(waits)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(0, "ns/op")
}

// floodOnce runs one flood of n messages from one member with others
// members asking meanwhile, and returns the others' waits.
func floodOnce(b testing.TB, n, others int) []time.Duration {
	srv := telegramtest.NewServer(token)
	defer srv.Close()
	ready := make(chan *bot.Store, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	dir, err := os.MkdirTemp("", "flood")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	go func() {
		done <- bot.Run(ctx, bot.Options{
			Token: token, APIURL: srv.URL(), DataDir: dir, PollTimeout: 5 * time.Second,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: func(s *bot.Store) { ready <- s },
		}, instantAnswerer{})
	}()
	<-ready
	defer func() { cancel(); <-done }()

	flooder := models.Chat{ID: 900001, Type: models.ChatTypePrivate}
	go func() {
		for i := range n {
			srv.SendText(flooder, models.User{ID: flooder.ID, FirstName: "刷屏"}, fmt.Sprintf("刷屏%d：有助学金吗？", i))
		}
	}()
	asked := map[int64]time.Time{}
	for i := range others {
		id := int64(800000 + i)
		asked[id] = time.Now()
		srv.SendText(models.Chat{ID: id, Type: models.ChatTypePrivate}, models.User{ID: id, FirstName: "职工"}, "孩子考上大学有助学金吗？")
		time.Sleep(25 * time.Millisecond)
	}
	answered := func() map[int64]time.Time {
		got := map[int64]time.Time{}
		for _, m := range srv.Sent() {
			if _, ok := asked[m.ChatID]; ok {
				if _, seen := got[m.ChatID]; !seen {
					got[m.ChatID] = m.Time
				}
			}
		}
		return got
	}
	if !srv.Wait(60*time.Second, func() bool { return len(answered()) == others }) {
		b.Fatalf("%d of %d other members answered", len(answered()), others)
	}
	var waits []time.Duration
	for id, at := range answered() {
		waits = append(waits, at.Sub(asked[id]))
	}
	return waits
}
