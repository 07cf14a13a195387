package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
)

// deliverer sends the outbox to Telegram. Messages of one chat go one at a
// time, in order; different chats go in parallel on a few workers, paced
// under Telegram's limits (sender.pace). Each message is tried until
// Telegram accepts it or says it never will (403: blocked or kicked; 400:
// chat not found, a bad message), or until it is maxAge old: a 429 holds its
// chat back for retry_after, while a network failure, a 5xx or a 401 holds
// every chat back with a capped exponential back-off (one probe at a time,
// not one per waiting message). Nothing is counted per message: a long
// outage costs no answer younger than maxAge.
type deliverer struct {
	send    *sender
	store   *Store
	log     *slog.Logger
	metrics *metrics
	maxAge  time.Duration
	base    time.Duration // first back-off after a network or server failure
	maxWait time.Duration // longest back-off
	now     func() time.Time

	ctx    context.Context // delivery calls; cancelled by stop
	cancel context.CancelFunc

	mu       sync.Mutex
	cond     *sync.Cond
	chats    map[int64]*chatOutbox
	pending  int
	paused   time.Time // nothing is sent before this
	backoff  time.Duration
	outage   time.Time // when the current outage began (zero: none)
	probing  bool      // during an outage, one message is in flight to see whether it is over
	timer    *time.Timer
	timerAt  time.Time
	stopping bool
	wg       sync.WaitGroup

	// records carries delivered messages to recordLoop, which removes them
	// from the store's outbox in batches, so that no delivery waits for an
	// fsync: a kill can then resend only what was delivered in the last
	// batch window (a few ms) besides what was in flight.
	records  chan deliveredMessage
	recorded chan struct{}
}

// deliveredMessage is a message Telegram took: its entry, and where it went.
type deliveredMessage struct {
	e     outboxEntry
	chat  int64
	msgID int
}

// chatOutbox is one chat's messages waiting, oldest first.
type chatOutbox struct {
	queue     []outboxEntry
	busy      bool      // its head is being sent
	notBefore time.Time // after a 429 for this chat
}

func newDeliverer(s *sender, store *Store, log *slog.Logger, m *metrics, workers int, maxAge, base, maxWait time.Duration) *deliverer {
	ctx, cancel := context.WithCancel(context.Background())
	d := &deliverer{
		send: s, store: store, log: log, metrics: m, maxAge: maxAge, base: base, maxWait: maxWait,
		now: time.Now, ctx: ctx, cancel: cancel, chats: map[int64]*chatOutbox{}, backoff: base,
		records: make(chan deliveredMessage, 4096), recorded: make(chan struct{}),
	}
	d.cond = sync.NewCond(&d.mu)
	go d.recordLoop()
	d.wg.Add(workers)
	for range workers {
		go d.work()
	}
	return d
}

// add queues entries (already in the store's outbox, or seq 0 for ones
// that could not be stored) behind what their chats already wait for.
func (d *deliverer) add(entries []outboxEntry) {
	if len(entries) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range entries {
		c := d.chats[e.msg.chatID]
		if c == nil {
			c = &chatOutbox{}
			d.chats[e.msg.chatID] = c
		}
		c.queue = append(c.queue, e)
		d.pending++
	}
	d.metrics.outboxPending.Set(float64(d.pending))
	d.cond.Broadcast()
}

// waiting is the number of messages not yet delivered.
func (d *deliverer) waiting() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pending
}

// stop lets the outbox drain for up to drain (not at all while Telegram is
// failing: waiting would only delay the restart), then cancels what is in
// flight and returns once the workers have; what is left stays in the
// store's outbox for the next start.
func (d *deliverer) stop(drain time.Duration) {
	deadline := time.Now().Add(drain)
	d.mu.Lock()
	for d.pending > 0 && d.outage.IsZero() && time.Now().Before(deadline) {
		d.wakeAt(deadline)
		d.cond.Wait()
	}
	d.stopping = true
	d.cond.Broadcast()
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	close(d.records)
	<-d.recorded
}

// recordLoop removes delivered messages from the store's outbox, as many
// per transaction as have arrived.
func (d *deliverer) recordLoop() {
	defer close(d.recorded)
	for first := range d.records {
		batch := []deliveredMessage{first}
	more:
		for len(batch) < 1024 {
			select {
			case m, ok := <-d.records:
				if !ok {
					break more
				}
				batch = append(batch, m)
			default:
				break more
			}
		}
		if err := d.store.Delivered(batch); err != nil {
			d.log.Warn("messages delivered but not recorded; they may be sent again after a restart", "count", len(batch), "err", err)
		}
	}
}

func (d *deliverer) work() {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		var chat int64
		var c *chatOutbox
		for {
			if d.stopping {
				d.mu.Unlock()
				return
			}
			if chat, c = d.next(); c != nil {
				break
			}
			d.cond.Wait()
		}
		c.busy = true
		probe := !d.outage.IsZero()
		d.probing = probe
		e := c.queue[0]
		d.mu.Unlock()

		res, wait, err := d.deliver(e)

		d.mu.Lock()
		c.busy = false
		if probe {
			d.probing = false
		}
		now := d.now()
		switch res {
		case sent, gaveUp:
			c.queue = c.queue[1:]
			d.pending--
			if len(c.queue) == 0 {
				delete(d.chats, chat)
			}
			if res == sent && !d.outage.IsZero() {
				d.log.Info("Telegram takes messages again; delivering the outbox", "after", now.Sub(d.outage).Round(time.Second), "waiting", d.pending)
				d.outage = time.Time{}
			}
			if res == sent {
				d.backoff = d.base
			}
		case retryChat:
			c.notBefore = now.Add(wait)
		case retryAll:
			if d.outage.IsZero() {
				d.outage = now
				d.log.Warn("Telegram does not take messages; answers wait in the outbox", "err", d.send.redact.Error(err), "waiting", d.pending)
			}
			d.paused = now.Add(d.backoff)
			d.backoff = min(2*d.backoff, d.maxWait)
		}
		d.metrics.outboxPending.Set(float64(d.pending))
		d.cond.Broadcast()
		d.mu.Unlock()
	}
}

// next picks the chat whose head message is due and oldest, or arranges to
// be woken when one will be; d.mu is held.
func (d *deliverer) next() (int64, *chatOutbox) {
	now := d.now()
	if now.Before(d.paused) {
		d.wakeAt(d.paused)
		return 0, nil
	}
	if d.probing {
		return 0, nil // woken when the probe comes back
	}
	var best *chatOutbox
	var bestChat int64
	var soonest time.Time
	for chat, c := range d.chats {
		if c.busy || len(c.queue) == 0 {
			continue
		}
		if now.Before(c.notBefore) {
			if soonest.IsZero() || c.notBefore.Before(soonest) {
				soonest = c.notBefore
			}
			continue
		}
		if best == nil || older(c.queue[0], best.queue[0]) {
			best, bestChat = c, chat
		}
	}
	if best == nil && !soonest.IsZero() {
		d.wakeAt(soonest)
	}
	return bestChat, best
}

func older(a, b outboxEntry) bool {
	if a.seq != 0 && b.seq != 0 {
		return a.seq < b.seq
	}
	return a.queued.Before(b.queued)
}

// wakeAt makes sure the workers are woken at t; d.mu is held.
func (d *deliverer) wakeAt(t time.Time) {
	if !d.timerAt.IsZero() && !t.Before(d.timerAt) {
		return
	}
	if d.timer != nil {
		d.timer.Stop()
	}
	d.timerAt = t
	d.timer = time.AfterFunc(time.Until(t), func() {
		d.mu.Lock()
		d.timerAt = time.Time{}
		d.cond.Broadcast()
		d.mu.Unlock()
	})
}

// What became of one delivery try.
type delivery int

const (
	sent      delivery = iota // Telegram took it
	gaveUp                    // Telegram will never take it, or it is too old
	retryChat                 // try this chat again after the wait (429)
	retryAll                  // Telegram or the network failed: everyone waits
	stopped                   // shutting down: it stays in the outbox
)

// deliver tries to send one message once (following a group's migration to
// a supergroup) and says what to do next: for retryChat after how long, for
// retryAll because of which error.
func (d *deliverer) deliver(e outboxEntry) (delivery, time.Duration, error) {
	m := e.msg
	if age := d.now().Sub(e.queued); d.maxAge > 0 && age > d.maxAge {
		d.log.Error("message not delivered: too old", "chat", m.chatID, "age", age.Round(time.Minute))
		d.metrics.outbox.WithLabelValues("expired").Inc()
		d.drop(e)
		return gaveUp, 0, nil
	}
	chatID := m.chatID
	if to := d.send.migrated(chatID); to != 0 {
		chatID = to
	}
	for range 3 { // a group may migrate once; more is not Telegram
		if err := d.send.pace(d.ctx, chatID, m.group); err != nil {
			return stopped, 0, nil
		}
		msg, err := d.send.b.SendMessage(d.ctx, m.params(chatID))
		if err == nil {
			d.metrics.sent.Inc()
			d.metrics.outbox.WithLabelValues("delivered").Inc()
			dm := deliveredMessage{e: e, chat: chatID, msgID: msg.ID}
			if m.about == "" {
				d.records <- dm
				return sent, 0, nil
			}
			// A message about a document is known as such at once, in memory,
			// and recorded before anything else is sent: a staff member's
			// reply to it must find what it is about, even when it is handled
			// while the record is still being written.
			d.store.noteMessageDoc(chatID, msg.ID, m.about)
			if err := d.store.Delivered([]deliveredMessage{dm}); err != nil {
				d.log.Warn("message delivered but not recorded; a reply to it will not replace its document", "chat", m.chatID, "err", err)
			}
			return sent, 0, nil
		}
		kind := classifyErr(err)
		if d.ctx.Err() != nil {
			return stopped, 0, nil
		}
		d.metrics.telegramErrors.WithLabelValues(string(kind)).Inc()
		switch kind {
		case kindMigrated:
			var migrate *tg.MigrateError
			errors.As(err, &migrate)
			to := int64(migrate.MigrateToChatID)
			if serr := d.store.SetMigrated(chatID, to); serr != nil {
				d.log.Warn("cannot record group migration", "chat", chatID, "err", serr)
			}
			chatID = to
			continue
		case kindTooMany:
			var tooMany *tg.TooManyRequestsError
			errors.As(err, &tooMany)
			d.metrics.retries.WithLabelValues(string(kind)).Inc()
			d.log.Debug("Telegram asks to wait before the next message", "chat", chatID, "retry_after", tooMany.RetryAfter)
			return retryChat, time.Duration(max(tooMany.RetryAfter, 1)) * time.Second, nil
		case kindForbidden, kindBadRequest:
			d.log.Error("message not delivered", "chat", m.chatID, "reason", d.send.redact.Error(err))
			d.metrics.outbox.WithLabelValues("refused").Inc()
			d.drop(e)
			return gaveUp, 0, nil
		default: // network, 5xx, 401, a timeout
			d.metrics.retries.WithLabelValues(string(kind)).Inc()
			return retryAll, 0, err
		}
	}
	d.log.Error("message not delivered: the group keeps moving", "chat", m.chatID)
	d.drop(e)
	return gaveUp, 0, nil
}

func (d *deliverer) drop(e outboxEntry) {
	if err := d.store.Undeliverable(e); err != nil {
		d.log.Warn("cannot drop an undeliverable message from the outbox", "chat", e.msg.chatID, "err", err)
	}
}
