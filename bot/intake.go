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

// wanted reports whether an update is for the bot and must be stored.
// Group chatter not addressed to the bot is neither stored nor handled.
func (r *runner) wanted(u *models.Update) bool {
	switch {
	case u.Message != nil:
		if h := r.route.handoff; h.isStaffChat(u.Message.Chat.ID) {
			return h.wants(u.Message) // in the staff chat only staff replies and commands
		}
		it, _ := classify(u.Message, r.me, r.route.commands)
		return it != intentIgnore
	case u.CallbackQuery != nil:
		return true
	case u.MyChatMember != nil:
		return joinedGroup(u.MyChatMember)
	}
	return false
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
// the offset past it"), stores them in one transaction and hands the new
// ones to the workers.
func (r *runner) intake(raws []json.RawMessage, source string) error {
	batch := make([]PendingUpdate, 0, len(raws))
	chats := make(map[int64]int64, len(raws))
	for _, raw := range raws {
		var head struct {
			ID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			r.log.Warn("update without an update_id skipped", "err", err)
			continue
		}
		p := PendingUpdate{ID: head.ID}
		if u, ok := r.decode(raw); ok && r.wanted(u) {
			p.Raw = raw
			chats[head.ID] = chatKey(u)
		}
		batch = append(batch, p)
	}
	fresh, err := r.store.TakeUpdates(batch)
	if err != nil {
		return err
	}
	for _, p := range fresh {
		r.metrics.updates.WithLabelValues(source).Inc()
		r.metrics.inflight.Inc()
		if !r.disp.submit(job{update: p, chat: chats[p.ID]}) {
			return nil // stopping: the rest waits in the inbox for the next start
		}
	}
	return nil
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
// and each batch is stored before the next getUpdates acknowledges it.
func (r *runner) poll(ctx context.Context) {
	backoff := r.opts.RetryBase
	for ctx.Err() == nil {
		wait, err := r.pollOnce(ctx)
		if err == nil {
			r.health.reached()
			backoff = r.opts.RetryBase
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if wait == 0 {
			wait = backoff
			backoff = min(2*backoff, r.opts.RetryMax)
		}
		r.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// pollOnce makes one getUpdates call; on failure it returns how long
// Telegram asked to wait (0 when it did not say).
func (r *runner) pollOnce(ctx context.Context) (time.Duration, error) {
	off, err := r.store.Offset()
	if err != nil {
		return 0, err
	}
	body, _ := json.Marshal(map[string]any{
		"offset":          off,
		"timeout":         int(r.opts.PollTimeout / time.Second),
		"allowed_updates": allowedUpdates,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.opts.APIURL+"/bot"+r.opts.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return 0, r.redact.Error(fmt.Errorf("getUpdates request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		r.metrics.telegramErrors.WithLabelValues(string(kindNetwork)).Inc()
		return 0, r.redact.Error(fmt.Errorf("getUpdates: %w", err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		r.metrics.telegramErrors.WithLabelValues(string(kindNetwork)).Inc()
		return 0, r.redact.Error(fmt.Errorf("getUpdates: read: %w", err))
	}
	var ar apiResponse
	if err := json.Unmarshal(data, &ar); err != nil {
		r.metrics.telegramErrors.WithLabelValues(string(kindServer)).Inc()
		return 0, fmt.Errorf("getUpdates: HTTP %d, unreadable reply", resp.StatusCode)
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
		return wait, r.redact.Error(fmt.Errorf("getUpdates: %d %s", ar.ErrorCode, ar.Description))
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(ar.Result, &raws); err != nil {
		return 0, fmt.Errorf("getUpdates: result: %w", err)
	}
	if len(raws) == 0 {
		return 0, nil
	}
	return 0, r.intake(raws, "poll")
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
		if err := r.intake([]json.RawMessage{data}, "webhook"); err != nil {
			r.log.Error("cannot store webhook update", "err", err)
			http.Error(w, "cannot store update", http.StatusInternalServerError)
			return
		}
		r.health.reached()
		w.WriteHeader(http.StatusOK)
	})
}
