package bot

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"
)

// decode parses a stored update.
func (r *runner) decode(raw json.RawMessage) (*models.Update, bool) {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		r.log.Warn("unreadable update skipped", "err", err)
		return nil, false
	}
	return &u, true
}

// accept decides, before an update is stored or queued, whether it is for
// the bot (group chatter not addressed to it is neither stored nor handled)
// and within its sender's limits: one member's flood is dropped here, so it
// never fills the queue that everyone else's questions go through. For the
// first message over the limit in a row it returns the notice to send
// instead. Staff are not limited.
func (r *runner) accept(u *models.Update, now time.Time) (keep bool, notice *outMessage) {
	switch {
	case u.Message != nil:
		if h := r.route.handoff; h.isStaffChat(u.Message.Chat.ID) {
			return h.wants(u.Message), nil // in the staff chat only staff replies and commands
		}
		m := u.Message
		it, _ := classify(m, r.me, r.route.commands)
		switch {
		case it == intentIgnore:
			return false, nil
		case it == intentJoined || it == intentMigrated || m.From == nil || r.route.staff.is(m.From):
			return true, nil
		}
		ok, notify := r.limits.allow(m.From.ID, now)
		if ok {
			return true, nil
		}
		r.metrics.questions.WithLabelValues(string(m.Chat.Type), outcomeRateLimited).Inc()
		if !notify {
			return false, nil
		}
		n := outMessage{chatID: m.Chat.ID, group: isGroup(m.Chat.Type), text: esc(textRateLimit)}
		if n.group {
			n.replyTo = m.ID
		}
		return false, &n
	case u.CallbackQuery != nil:
		if r.route.staff.is(&u.CallbackQuery.From) {
			return true, nil
		}
		ok, _ := r.buttonLimits.allow(u.CallbackQuery.From.ID, now)
		return ok, nil
	case u.MyChatMember != nil:
		return joinedGroup(u.MyChatMember), nil
	}
	return false, nil
}

// joinedGroup reports whether a my_chat_member update says the bot was just
// added to a group.
func joinedGroup(c *models.ChatMemberUpdated) bool {
	if !isGroup(c.Chat.Type) {
		return false
	}
	was := c.OldChatMember.Type
	now := c.NewChatMember.Type
	in := func(t models.ChatMemberType) bool {
		return t == models.ChatMemberTypeMember || t == models.ChatMemberTypeAdministrator || t == models.ChatMemberTypeRestricted
	}
	return in(now) && !in(was) && was != models.ChatMemberTypeOwner
}

// chatKey is the ordering key of an update: its chat.
func chatKey(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := u.CallbackQuery.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// intake turns raw updates into what to store (Raw nil for "skip but move
// the offset past it"), stores them with any rate-limit notices in one
// transaction and hands the new ones to the workers. Items that are not
// updates (no update_id, not an object, an update that does not decode)
// are skipped and counted in malformed. off is the offset the items were
// fetched with (polling; -1 for a webhook): Telegram sends updates in order
// of their IDs, so when the first item has no readable ID, no update was
// skipped before it and moving the offset one past off skips at most that
// item.
func (r *runner) intake(raws []json.RawMessage, source string, off int64) (malformed int, err error) {
	batch := make([]PendingUpdate, 0, len(raws)+1)
	chats := make(map[int64]int64, len(raws))
	var notices []outMessage
	now := time.Now()
	for i, raw := range raws {
		var head struct {
			ID *int64 `json:"update_id"`
		}
		if json.Unmarshal(raw, &head) != nil || head.ID == nil {
			malformed++
			if i == 0 && off >= 0 {
				batch = append(batch, PendingUpdate{ID: off})
			}
			continue
		}
		p := PendingUpdate{ID: *head.ID}
		var u models.Update
		if json.Unmarshal(raw, &u) != nil {
			malformed++
		} else if keep, notice := r.accept(&u, now); keep {
			p.Raw = raw
			chats[p.ID] = chatKey(&u)
		} else if notice != nil {
			notices = append(notices, *notice)
		}
		batch = append(batch, p)
	}
	if len(batch) == 0 && len(notices) == 0 {
		return malformed, nil
	}
	fresh, queued, err := r.store.TakeUpdates(batch, notices)
	if err != nil {
		return malformed, err
	}
	r.send.out.add(queued)
	for _, p := range fresh {
		r.metrics.updates.WithLabelValues(source).Inc()
		r.metrics.inflight.Inc()
		if !r.disp.submit(job{update: p, chat: chats[p.ID]}) {
			r.metrics.inflight.Dec()
			return malformed, nil // stopping: the rest waits in the inbox for the next start
		}
	}
	return malformed, nil
}

// skipped logs items that were not updates, at most once a minute, so that
// a server sending them cannot flood the log.
func (r *runner) skipped(n int, source string) {
	if n == 0 {
		return
	}
	r.metrics.telegramErrors.WithLabelValues(string(kindMalformed)).Add(float64(n))
	r.skipMu.Lock()
	r.skippedN += n
	if time.Since(r.skipLogged) < time.Minute {
		r.skipMu.Unlock()
		return
	}
	total := r.skippedN
	r.skippedN, r.skipLogged = 0, time.Now()
	r.skipMu.Unlock()
	r.log.Warn("items that are not updates skipped (logged at most once a minute)", "source", source, "count", total)
}

// apiResponse is the Bot API's reply envelope.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// poll is the durable long-polling loop: the offset comes from the store,
// and each batch is stored before the next getUpdates acknowledges it. A
// failed call, and a batch with items that are not updates, are followed by
// a capped exponential back-off (Telegram's retry_after when it gives one),
// so that a server in trouble is never polled in a hot loop.
func (r *runner) poll(ctx context.Context) {
	backoff := r.opts.RetryBase
	for ctx.Err() == nil {
		wait, malformed, err := r.pollOnce(ctx)
		if err == nil {
			r.health.reached()
			r.skipped(malformed, "poll")
			if malformed == 0 {
				backoff = r.opts.RetryBase
				continue
			}
		}
		if ctx.Err() != nil {
			return
		}
		if wait == 0 {
			wait = backoff
			backoff = min(2*backoff, r.opts.RetryMax)
		}
		if err != nil {
			r.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// pollOnce makes one getUpdates call and takes what it returns; it returns
// how many items were not updates and, on failure, how long Telegram asked
// to wait (0 when it did not say).
func (r *runner) pollOnce(ctx context.Context) (time.Duration, int, error) {
	off, err := r.store.Offset()
	if err != nil {
		return 0, 0, err
	}
	body, _ := json.Marshal(map[string]any{
		"offset":          off,
		"timeout":         int(r.opts.PollTimeout / time.Second),
		"allowed_updates": allowedUpdates,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.opts.APIURL+"/bot"+r.opts.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return 0, 0, r.redact.Error(fmt.Errorf("getUpdates request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		r.metrics.telegramErrors.WithLabelValues(string(kindNetwork)).Inc()
		return 0, 0, r.redact.Error(fmt.Errorf("getUpdates: %w", err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		r.metrics.telegramErrors.WithLabelValues(string(kindNetwork)).Inc()
		return 0, 0, r.redact.Error(fmt.Errorf("getUpdates: read: %w", err))
	}
	var ar apiResponse
	if err := json.Unmarshal(data, &ar); err != nil {
		r.metrics.telegramErrors.WithLabelValues(string(kindServer)).Inc()
		return 0, 0, fmt.Errorf("getUpdates: HTTP %d, unreadable reply", resp.StatusCode)
	}
	if !ar.OK {
		kind := kindServer
		switch {
		case ar.ErrorCode == http.StatusTooManyRequests:
			kind = kindTooMany
		case ar.ErrorCode == http.StatusUnauthorized:
			kind = kindAuth
		case ar.ErrorCode == http.StatusConflict:
			kind = kindBadRequest // a webhook is set or another instance polls
		}
		r.metrics.telegramErrors.WithLabelValues(string(kind)).Inc()
		wait := time.Duration(ar.Parameters.RetryAfter) * time.Second
		return wait, 0, r.redact.Error(fmt.Errorf("getUpdates: %d %s", ar.ErrorCode, ar.Description))
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(ar.Result, &raws); err != nil {
		return 0, 0, fmt.Errorf("getUpdates: result: %w", err)
	}
	if len(raws) == 0 {
		return 0, 0, nil
	}
	malformed, err := r.intake(raws, "poll", off)
	return 0, malformed, err
}

// webhookHandler takes updates posted by Telegram: the secret token is
// checked in constant time (401 and nothing processed on mismatch), and 200
// is answered only once the update is stored, so Telegram redelivers it
// otherwise.
func (r *runner) webhookHandler() http.Handler {
	secret := []byte(r.opts.WebhookSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got := []byte(req.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if subtle.ConstantTimeCompare(got, secret) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		data, err := io.ReadAll(io.LimitReader(req.Body, 8<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		if !json.Valid(data) {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		malformed, err := r.intake([]json.RawMessage{data}, "webhook", -1)
		if err != nil {
			r.log.Error("cannot store webhook update", "err", err)
			http.Error(w, "cannot store update", http.StatusInternalServerError)
			return
		}
		r.skipped(malformed, "webhook") // answered 200: Telegram must not send it again
		r.health.reached()
		w.WriteHeader(http.StatusOK)
	})
}
