package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"
)

// errKind names a class of Telegram call failure, for retry decisions and
// the telegram_errors_total metric.
type errKind string

const (
	kindTooMany    errKind = "too_many_requests"
	kindMigrated   errKind = "migrated"
	kindForbidden  errKind = "forbidden"
	kindBadRequest errKind = "bad_request"
	kindAuth       errKind = "unauthorized"
	kindNetwork    errKind = "network"
	kindServer     errKind = "server"
	kindCanceled   errKind = "canceled"
	kindMalformed  errKind = "malformed_update" // a getUpdates item or webhook body that is not an update
)

// classifyErr sorts an error from the go-telegram/bot client. Anything that
// is not a definite answer from Telegram (4xx) counts as a server or network
// problem and is retried.
func classifyErr(err error) errKind {
	var tooMany *tg.TooManyRequestsError
	var migrate *tg.MigrateError
	var netErr net.Error
	var urlErr *url.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return kindCanceled
	case errors.As(err, &tooMany):
		return kindTooMany
	case errors.As(err, &migrate):
		return kindMigrated
	case errors.Is(err, tg.ErrorForbidden):
		return kindForbidden
	case errors.Is(err, tg.ErrorUnauthorized):
		return kindAuth
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorNotFound), errors.Is(err, tg.ErrorConflict):
		return kindBadRequest
	case errors.As(err, &urlErr), errors.As(err, &netErr):
		return kindNetwork
	}
	return kindServer
}

// redactor removes the bot token from text bound for logs and errors: the
// client's errors can carry the request URL, which contains it.
type redactor struct{ token string }

// String returns s with the token replaced by <token>.
func (r redactor) String(s string) string {
	if r.token == "" {
		return s
	}
	return strings.ReplaceAll(s, r.token, "<token>")
}

// redactedError keeps an error's chain for errors.As while printing
// without the token.
type redactedError struct {
	msg string
	err error
}

// Error describes the failure for logs; it never holds a secret.
func (e *redactedError) Error() string { return e.msg }

// Unwrap gives the underlying error, for errors.Is and errors.As.
func (e *redactedError) Unwrap() error { return e.err }

// Error wraps err so that its message has no token in it.
func (r redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: r.String(err.Error()), err: err}
}

// sender makes outgoing Telegram calls, paced under Telegram's limits
// (overall and per group). Messages go through the durable outbox (send,
// delivered by out); other calls (button acknowledgements, menus, the
// webhook) are made at once with call: retried on 429 after retry_after, on
// 5xx and network errors with capped exponential back-off, and following a
// group's migration to a supergroup.
type sender struct {
	b         *tg.Bot
	log       *slog.Logger
	metrics   *metrics
	redact    redactor
	store     *Store
	out       *deliverer
	global    *rate.Limiter
	groupRate rate.Limit
	groupMax  int
	retries   int
	backoff   time.Duration
	maxWait   time.Duration

	mu     sync.Mutex
	groups map[int64]*rate.Limiter
}

// call runs one Telegram call for chatID with pacing and retries. fn gets
// the chat ID to use (it changes when the group has migrated). group says
// whether the chat is a group (paced at groupRate).
func (s *sender) call(ctx context.Context, method string, chatID int64, group bool, fn func(ctx context.Context, chatID int64) error) error {
	if to := s.migrated(chatID); to != 0 {
		chatID = to
	}
	backoff := s.backoff
	var err error
	for attempt := 0; attempt <= s.retries; attempt++ {
		if werr := s.pace(ctx, chatID, group); werr != nil {
			return werr
		}
		err = fn(ctx, chatID)
		if err == nil {
			return nil
		}
		kind := classifyErr(err)
		s.metrics.telegramErrors.WithLabelValues(string(kind)).Inc()
		var wait time.Duration
		switch kind {
		case kindTooMany:
			var tooMany *tg.TooManyRequestsError
			errors.As(err, &tooMany)
			wait = time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		case kindMigrated:
			var migrate *tg.MigrateError
			errors.As(err, &migrate)
			to := int64(migrate.MigrateToChatID)
			if s.store != nil {
				if serr := s.store.SetMigrated(chatID, to); serr != nil {
					s.log.Warn("cannot record group migration", "chat", chatID, "err", serr)
				}
			}
			chatID = to
		case kindNetwork, kindServer:
			wait = backoff
			backoff = min(backoff*2, s.maxWait)
		default:
			return s.redact.Error(fmt.Errorf("%s to chat %d: %w", method, chatID, err))
		}
		if attempt == s.retries {
			break
		}
		s.metrics.retries.WithLabelValues(string(kind)).Inc()
		if wait > s.maxWait && kind != kindTooMany {
			wait = s.maxWait
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return s.redact.Error(fmt.Errorf("%s to chat %d: %w (after %v)", method, chatID, ctx.Err(), err))
			case <-t.C:
			}
		}
	}
	return s.redact.Error(fmt.Errorf("%s to chat %d: giving up after %d attempts: %w", method, chatID, s.retries+1, err))
}

func (s *sender) migrated(chatID int64) int64 {
	if s.store == nil || chatID > 0 {
		return 0
	}
	return s.store.MigratedTo(chatID)
}

// pace waits for the overall and the group's sending budget.
func (s *sender) pace(ctx context.Context, chatID int64, group bool) error {
	if group && s.groupRate > 0 {
		s.mu.Lock()
		l, ok := s.groups[chatID]
		if !ok {
			if len(s.groups) > 10000 {
				clear(s.groups) // forget idle groups; limits restart generously
			}
			l = rate.NewLimiter(s.groupRate, s.groupMax)
			s.groups[chatID] = l
		}
		s.mu.Unlock()
		if err := l.Wait(ctx); err != nil {
			return fmt.Errorf("pacing group %d: %w", chatID, err)
		}
	}
	if s.global != nil {
		if err := s.global.Wait(ctx); err != nil {
			return fmt.Errorf("pacing: %w", err)
		}
	}
	return nil
}

// outMessage is one message to send.
type outMessage struct {
	chatID  int64
	group   bool
	text    string // HTML
	replyTo int    // message to reply to, 0 for none
	markup  models.ReplyMarkup
	// about is the document the message is about, "" for none; it is
	// recorded once the message is delivered (Store.SetMessageDoc).
	about string
	// question is the update ID of the question the message answers, 0
	// for none: the question is recorded as failed if Telegram refuses it.
	question int64
}

// params is the sendMessage request for m, to chatID (m's chat, or the
// supergroup it migrated to): HTML, no link previews, a reply that still
// goes out when the replied-to message is gone.
func (m outMessage) params(chatID int64) *tg.SendMessageParams {
	p := &tg.SendMessageParams{
		ChatID:             chatID,
		Text:               m.text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
		ReplyMarkup:        m.markup,
	}
	if m.replyTo != 0 {
		p.ReplyParameters = &models.ReplyParameters{MessageID: m.replyTo, AllowSendingWithoutReply: true}
	}
	return p
}

// replies collects the messages a handler sends while it handles one
// update: they are queued in the outbox in the same transaction that marks
// the update answered (runner.finish), so that a crash either loses the
// answer and the update is answered again, or keeps both.
type replies struct {
	mu   sync.Mutex
	msgs []outMessage
}

type repliesKey struct{}

// withReplies returns a context whose sends are collected in the returned
// replies instead of being queued at once.
func withReplies(ctx context.Context) (context.Context, *replies) {
	r := &replies{}
	return context.WithValue(ctx, repliesKey{}, r), r
}

// take returns the collected messages and forgets them.
func (r *replies) take() []outMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.msgs
	r.msgs = nil
	return m
}

// send hands a message to the outbox, which delivers it in order for its
// chat, durably: it is tried until Telegram takes or refuses it (see
// deliverer). Within a handler (a context from withReplies) it is sent once
// the update is finished; otherwise it is queued at once. The error is only
// about storing it; delivery failures are logged by the deliverer.
func (s *sender) send(ctx context.Context, m outMessage) error {
	if r, ok := ctx.Value(repliesKey{}).(*replies); ok {
		r.mu.Lock()
		r.msgs = append(r.msgs, m)
		r.mu.Unlock()
		return nil
	}
	return s.queue([]outMessage{m})
}

// queue puts messages in the outbox now. When the store cannot take them
// (a full disk) they are delivered from memory: they would be lost in a
// crash, but a member waiting now still gets them.
func (s *sender) queue(msgs []outMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	entries, err := s.store.Queue(msgs)
	if err != nil {
		s.out.add(memoryEntries(msgs))
		return err
	}
	s.out.add(entries)
	return nil
}

// sendNow sends one HTML message at once, outside the outbox, and returns
// the sent message's ID: for a message whose ID is needed right away or
// whose failure the caller reports (a ticket posted to the staff chat, whose
// ID maps replies to it; a staff answer relayed to a member, whose outcome
// staff are told). It is retried as call is, within its budget, and not
// kept across a restart: everything else goes through send.
func (s *sender) sendNow(ctx context.Context, m outMessage) (int, error) {
	var id int
	var sentTo int64 // the chat, after a migration the supergroup
	err := s.call(ctx, "sendMessage", m.chatID, m.group, func(ctx context.Context, chatID int64) error {
		msg, err := s.b.SendMessage(ctx, m.params(chatID))
		if err != nil {
			return err
		}
		id, sentTo = msg.ID, chatID
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.metrics.sent.Inc()
	if m.about != "" && s.store != nil {
		if err := s.store.SetMessageDoc(sentTo, id, m.about); err != nil {
			s.log.Warn("cannot record which document a message is about; a reply to it will not replace the document", "chat", m.chatID, "err", err)
		}
	}
	return id, nil
}

// memoryEntries are outbox entries for messages that are not in the store.
func memoryEntries(msgs []outMessage) []outboxEntry {
	now := time.Now()
	out := make([]outboxEntry, len(msgs))
	for i, m := range msgs {
		out[i] = outboxEntry{msg: m, queued: now}
	}
	return out
}

// typing shows the typing indicator once; failures are only counted.
func (s *sender) typing(ctx context.Context, chatID int64) {
	_, err := s.b.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: chatID, Action: models.ChatActionTyping})
	if err != nil {
		s.metrics.telegramErrors.WithLabelValues(string(classifyErr(err))).Inc()
	}
}

// answerCallback acknowledges a button press, with an optional short notice.
func (s *sender) answerCallback(ctx context.Context, id, text string) {
	err := s.call(ctx, "answerCallbackQuery", 0, false, func(ctx context.Context, _ int64) error {
		_, err := s.b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text})
		return err
	})
	if err != nil {
		s.log.Warn("cannot answer button press", "err", err)
	}
}

// dropButtons removes a message's inline buttons so they are not pressed
// twice; a failure only costs that.
func (s *sender) dropButtons(ctx context.Context, msg *models.Message) {
	_, err := s.b.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: msg.Chat.ID, MessageID: msg.ID})
	if err != nil {
		s.log.Debug("cannot remove buttons", "chat", msg.Chat.ID, "err", s.redact.Error(err))
	}
}
