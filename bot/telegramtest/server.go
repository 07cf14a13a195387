// Package telegramtest is a fake Telegram Bot API server for tests: it
// speaks the real wire protocol (multipart, form, query or JSON parameters;
// getUpdates with offsets and long polling; getFile and file download;
// sendPhoto with the file uploaded), keeps what the bot sent, checks messages
// the way Telegram does (length in UTF-16 units, HTML entities) and can be
// told to fail: one call at a time (Fail: 429 with retry_after, 5xx, a
// dropped connection), every call for a while (Outage), every message to one
// chat (Refuse: 403 blocked, chat not found), or by handing out malformed
// updates (PushRaw).
package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// Request is one Bot API call the server received.
type Request struct {
	Method string
	Params map[string]string
	// Files are uploaded files by field name.
	Files map[string][]byte
	Time  time.Time
}

// Message is a message the bot sent (sendMessage that succeeded).
type Message struct {
	ID        int
	ChatID    int64
	Text      string
	ParseMode string
	// ReplyTo is the message this one replies to, 0 for none.
	ReplyTo int
	// Buttons are the inline keyboard buttons, row by row.
	Buttons [][]models.InlineKeyboardButton
	// Keyboard are the reply keyboard buttons' texts.
	Keyboard []string
	// Time is when the server accepted the message.
	Time time.Time
}

// Photo is a photo the bot sent (sendPhoto that succeeded, the file
// uploaded as multipart/form-data).
type Photo struct {
	ID        int
	ChatID    int64
	Data      []byte // the uploaded file, as received
	Caption   string
	ParseMode string
	ReplyTo   int
}

// Failure makes a call fail the way Telegram does, or, with Drop, the way a
// network does: the connection is closed before any answer.
type Failure struct {
	Code        int
	Description string
	RetryAfter  int
	MigrateTo   int64
	Drop        bool
}

// Server is a fake Bot API. Create it with NewServer.
type Server struct {
	token string
	me    models.User
	srv   *httptest.Server

	mu        sync.Mutex
	updates   []json.RawMessage
	ids       []int64
	nextID    int64
	nextMsg   int
	offset    int64 // highest offset confirmed by getUpdates
	requests  []Request
	sent      []Message
	photos    []Photo
	failures  map[string][]Failure
	files     map[string]fileEntry
	chats     map[int64]chatEntry
	changed   chan struct{} // closed and replaced whenever state changes
	webhook   string
	hookInfo  models.WebhookInfo // getWebhookInfo's answer, URL aside
	pollCount int
	closed    bool
	outage    Failure   // every call fails so until outageEnd
	outageEnd time.Time // zero: no outage
	outageOf  []string  // the methods that fail (none: all)
	refused   map[int64]Failure
}

type fileEntry struct {
	path string
	data []byte
	// broken downloads send only the first cut bytes of data (with the full
	// Content-Length) and then drop the connection; with cut 0 the
	// connection is dropped before the response starts.
	broken bool
	cut    int
}

// NewServer starts a fake Bot API for token; the bot is @qa_test_bot.
func NewServer(token string) *Server {
	s := &Server{
		token:    token,
		me:       models.User{ID: botIDFromToken(token), IsBot: true, FirstName: "工会问答", Username: "qa_test_bot"},
		nextID:   1,
		nextMsg:  1000,
		failures: map[string][]Failure{},
		files:    map[string]fileEntry{},
		refused:  map[int64]Failure{},
		changed:  make(chan struct{}),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func botIDFromToken(token string) int64 {
	id, _ := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if id == 0 {
		id = 4242
	}
	return id
}

// URL is the server's base URL, for TELEGRAM_API_URL.
func (s *Server) URL() string { return s.srv.URL }

// Close ends pending long polls and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.notify()
	s.mu.Unlock()
	s.srv.Close()
}

// Bot is the bot's own user, as getMe returns it.
func (s *Server) Bot() models.User { return s.me }

// notify wakes long polls and waiters; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// PushUpdate queues an update for getUpdates; an update_id of 0 is assigned.
// It returns the update's ID.
func (s *Server) PushUpdate(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		u.ID = s.nextID
	}
	if u.ID >= s.nextID {
		s.nextID = u.ID + 1
	}
	raw, err := json.Marshal(&u)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: marshal update: %v", err))
	}
	s.updates = append(s.updates, raw)
	s.ids = append(s.ids, u.ID)
	s.notify()
	return u.ID
}

// PushRaw queues raw as one item of getUpdates' result, exactly as given:
// an item with no update_id, one that is not an update, or not even an
// object. It is queued under its update_id when it has a numeric one, else
// under the next ID (returned), and forgotten, as any update, once the bot
// confirms an offset past that ID.
func (s *Server) PushRaw(raw json.RawMessage) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var head struct {
		ID *int64 `json:"update_id"`
	}
	id := s.nextID
	if json.Unmarshal(raw, &head) == nil && head.ID != nil {
		id = *head.ID
	}
	if id >= s.nextID {
		s.nextID = id + 1
	}
	s.updates = append(s.updates, raw)
	s.ids = append(s.ids, id)
	s.notify()
	return id
}

// Outage makes every call (getUpdates included), or only the calls of the
// methods named, fail as f says for d from now: a 429 with RetryAfter, a
// 5xx, or with f.Drop a connection closed before any answer. An outage
// replaces the one before; d 0 ends it.
func (s *Server) Outage(d time.Duration, f Failure, methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage, s.outageEnd, s.outageOf = f, time.Now().Add(d), methods
	s.notify()
}

// inOutage reports whether method fails now; s.mu must be held.
func (s *Server) inOutage(method string) bool {
	return time.Now().Before(s.outageEnd) && (len(s.outageOf) == 0 || slices.Contains(s.outageOf, method))
}

// Refuse makes every sendMessage to chatID fail with f from now on, as
// Telegram does for a member who blocked the bot (403) or a chat that is
// gone (400 chat not found).
func (s *Server) Refuse(chatID int64, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[chatID] = f
}

// RawUpdate returns the JSON of an update as the server would deliver it, for
// posting to a webhook; an update_id of 0 is assigned.
func (s *Server) RawUpdate(u models.Update) []byte {
	s.mu.Lock()
	if u.ID == 0 {
		u.ID = s.nextID
		s.nextID++
	}
	s.mu.Unlock()
	raw, _ := json.Marshal(&u)
	return raw
}

// NewMessage builds a message from a user in a chat, with the entities
// Telegram would detect: a bot command at the start and @mentions (offsets
// in UTF-16 units).
func (s *Server) NewMessage(chat models.Chat, from models.User, text string) *models.Message {
	s.mu.Lock()
	s.nextMsg++
	id := s.nextMsg
	s.mu.Unlock()
	return &models.Message{ID: id, From: &from, Chat: chat, Date: int(time.Now().Unix()), Text: text, Entities: Entities(text)}
}

// SendText pushes a text message from a user in a chat and returns it.
func (s *Server) SendText(chat models.Chat, from models.User, text string) *models.Message {
	m := s.NewMessage(chat, from, text)
	s.PushUpdate(models.Update{Message: m})
	return m
}

var (
	commandRe = regexp.MustCompile(`^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?`)
	mentionRe = regexp.MustCompile(`@[A-Za-z0-9_]{5,32}`)
)

// Entities finds bot_command (at the start) and mention entities in text as
// Telegram does, with offsets and lengths in UTF-16 units.
func Entities(text string) []models.MessageEntity {
	var out []models.MessageEntity
	if loc := commandRe.FindStringIndex(text); loc != nil {
		out = append(out, models.MessageEntity{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: UTF16Len(text[:loc[1]])})
	}
	for _, loc := range mentionRe.FindAllStringIndex(text, -1) {
		if loc[0] > 0 && text[loc[0]-1] != ' ' && text[loc[0]-1] < 0x80 {
			continue // part of a word or a command
		}
		out = append(out, models.MessageEntity{Type: models.MessageEntityTypeMention, Offset: UTF16Len(text[:loc[0]]), Length: UTF16Len(text[loc[0]:loc[1]])})
	}
	return out
}

// UTF16Len is the length of s in UTF-16 code units.
func UTF16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// SetWebhookInfo sets what getWebhookInfo reports besides the URL, which is
// the one setWebhook registered: e.g. a LastErrorDate and LastErrorMessage
// as when Telegram cannot reach the webhook.
func (s *Server) SetWebhookInfo(info models.WebhookInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hookInfo = info
	s.notify()
}

// Fail makes the next calls of method fail, one failure per call, in order.
func (s *Server) Fail(method string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], fs...)
}

// AddFile makes a file available through getFile and the download URL.
func (s *Server) AddFile(fileID, path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = fileEntry{path: path, data: data}
}

// AddBrokenFile is AddFile for a file whose downloads fail half-way: the
// server announces the full length, sends the first cut bytes and drops the
// connection (with cut 0, before any response).
func (s *Server) AddBrokenFile(fileID, path string, data []byte, cut int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = fileEntry{path: path, data: data, broken: true, cut: max(cut, 0)}
}

// SendDocument makes a file available (as AddFile does, under fileID) and
// pushes a message carrying it as a document, with an optional caption. It
// returns the message, whose ReplyToMessage may be set before it is pushed
// by using NewDocument instead.
func (s *Server) SendDocument(chat models.Chat, from models.User, fileID, name string, data []byte, caption string) *models.Message {
	m := s.NewDocument(chat, from, fileID, name, data, caption)
	s.PushUpdate(models.Update{Message: m})
	return m
}

// NewDocument is SendDocument without pushing the update.
func (s *Server) NewDocument(chat models.Chat, from models.User, fileID, name string, data []byte, caption string) *models.Message {
	s.AddFile(fileID, "documents/"+fileID+"_"+name, data)
	m := s.NewMessage(chat, from, "")
	m.Entities = nil
	m.Caption = caption
	m.Document = &models.Document{FileID: fileID, FileUniqueID: "u" + fileID, FileName: name, FileSize: int64(len(data))}
	return m
}

// Requests returns the calls received for method ("" for all).
func (s *Server) Requests(method string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if method == "" || r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// Sent returns the messages the bot sent, in order.
func (s *Server) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

// SentTo returns the messages sent to one chat.
func (s *Server) SentTo(chatID int64) []Message {
	var out []Message
	for _, m := range s.Sent() {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// Offset is the highest getUpdates offset the bot has confirmed.
func (s *Server) Offset() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offset
}

// Wait blocks until cond (called with no lock held) is true or timeout
// passes; it reports whether cond became true.
func (s *Server) Wait(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return cond()
		}
	}
}

// SentCount is the number of messages sent so far.
func (s *Server) SentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// WaitSent waits until at least n messages were sent and returns them all.
func (s *Server) WaitSent(n int, timeout time.Duration) ([]Message, bool) {
	ok := s.Wait(timeout, func() bool { return s.SentCount() >= n })
	return s.Sent(), ok
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		http.NotFound(w, r)
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || token != s.token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	params, files, err := parseParams(r)
	if err != nil {
		writeError(w, Failure{Code: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: method, Params: params, Files: files, Time: time.Now()})
	var fail *Failure
	if s.inOutage(method) {
		f := s.outage
		fail = &f
	} else if fs := s.failures[method]; len(fs) > 0 {
		fail = &fs[0]
		s.failures[method] = fs[1:]
	} else if method == "sendMessage" {
		chatID, _ := strconv.ParseInt(params["chat_id"], 10, 64)
		if f, ok := s.refused[chatID]; ok {
			fail = &f
		}
	}
	s.notify()
	s.mu.Unlock()
	if fail != nil {
		if fail.Drop {
			panic(http.ErrAbortHandler) // close the connection without an answer
		}
		writeError(w, *fail)
		return
	}

	switch method {
	case "getMe":
		writeOK(w, s.me)
	case "getUpdates":
		s.getUpdates(w, r.Context(), params)
	case "sendMessage":
		s.sendMessage(w, params)
	case "sendPhoto":
		s.sendPhoto(w, params, files)
	case "getFile":
		s.mu.Lock()
		f, ok := s.files[params["file_id"]]
		s.mu.Unlock()
		if !ok {
			writeError(w, Failure{Code: 400, Description: "Bad Request: invalid file_id"})
			return
		}
		writeOK(w, models.File{FileID: params["file_id"], FileUniqueID: "u" + params["file_id"], FileSize: int64(len(f.data)), FilePath: f.path})
	case "setWebhook":
		s.mu.Lock()
		s.webhook = params["url"]
		s.mu.Unlock()
		writeOK(w, true)
	case "getWebhookInfo":
		s.mu.Lock()
		info := s.hookInfo
		info.URL = s.webhook
		s.mu.Unlock()
		writeOK(w, info)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook = ""
		s.mu.Unlock()
		writeOK(w, true)
	case "editMessageReplyMarkup":
		// Telegram returns the edited message (true only for inline messages).
		chatID, _ := strconv.ParseInt(params["chat_id"], 10, 64)
		id, _ := strconv.Atoi(params["message_id"])
		writeOK(w, models.Message{ID: id, From: &s.me, Chat: models.Chat{ID: chatID, Type: models.ChatTypePrivate}, Date: int(time.Now().Unix())})
	case "getChat":
		s.getChat(w, params)
	case "getChatMember":
		s.getChatMember(w, params)
	case "sendChatAction", "answerCallbackQuery", "setMyCommands", "deleteMyCommands", "setMyDescription":
		writeOK(w, true)
	default:
		writeError(w, Failure{Code: 404, Description: "Not Found: method " + method})
	}
}

func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, path, ok := strings.Cut(rest, "/")
	if !ok || token != s.token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	var found *fileEntry
	for _, f := range s.files {
		if f.path == path {
			found = &f
			break
		}
	}
	s.mu.Unlock()
	if found == nil {
		http.NotFound(w, nil)
		return
	}
	if found.broken && found.cut == 0 {
		panic(http.ErrAbortHandler) // drop the connection before answering
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(found.data)))
	if found.broken && found.cut < len(found.data) {
		_, _ = w.Write(found.data[:found.cut])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // drop the connection mid-body
	}
	_, _ = w.Write(found.data)
}

func (s *Server) getUpdates(w http.ResponseWriter, ctx context.Context, params map[string]string) {
	offset, _ := strconv.ParseInt(params["offset"], 10, 64)
	limit, _ := strconv.Atoi(params["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(params["timeout"])
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if s.inOutage("getUpdates") { // a long poll in progress breaks too
			f := s.outage
			s.mu.Unlock()
			if f.Drop {
				panic(http.ErrAbortHandler)
			}
			writeError(w, f)
			return
		}
		if offset > s.offset {
			s.offset = offset
			// Confirmed updates are forgotten, as Telegram does.
			keep := 0
			for i, id := range s.ids {
				if id >= offset {
					s.ids[keep], s.updates[keep] = id, s.updates[i]
					keep++
				}
			}
			s.ids, s.updates = s.ids[:keep], s.updates[:keep]
		}
		var out []json.RawMessage
		for i, id := range s.ids {
			if id >= offset && len(out) < limit {
				out = append(out, s.updates[i])
			}
		}
		ch := s.changed
		s.pollCount++
		closed := s.closed
		s.mu.Unlock()
		if len(out) > 0 || timeout == 0 || closed {
			if out == nil {
				out = []json.RawMessage{}
			}
			writeOK(w, out)
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			timeout = 0
		case <-ctx.Done():
			return
		}
	}
}

func (s *Server) sendMessage(w http.ResponseWriter, params map[string]string) {
	chatID, err := strconv.ParseInt(params["chat_id"], 10, 64)
	if err != nil {
		writeError(w, Failure{Code: 400, Description: "Bad Request: chat not found"})
		return
	}
	text := params["text"]
	visible := text
	if strings.EqualFold(params["parse_mode"], "HTML") {
		if visible, err = checkHTML(text); err != nil {
			writeError(w, Failure{Code: 400, Description: "Bad Request: can't parse entities: " + err.Error()})
			return
		}
	}
	if n := UTF16Len(visible); n > 4096 {
		writeError(w, Failure{Code: 400, Description: "Bad Request: message is too long"})
		return
	} else if strings.TrimSpace(visible) == "" {
		writeError(w, Failure{Code: 400, Description: "Bad Request: message text is empty"})
		return
	}
	m := Message{ChatID: chatID, Text: text, ParseMode: params["parse_mode"]}
	if rp := params["reply_parameters"]; rp != "" {
		var p models.ReplyParameters
		if err := json.Unmarshal([]byte(rp), &p); err != nil {
			writeError(w, Failure{Code: 400, Description: "Bad Request: bad reply_parameters"})
			return
		}
		m.ReplyTo = p.MessageID
	}
	if rm := params["reply_markup"]; rm != "" {
		var mk struct {
			Inline   [][]models.InlineKeyboardButton `json:"inline_keyboard"`
			Keyboard [][]models.KeyboardButton       `json:"keyboard"`
		}
		if err := json.Unmarshal([]byte(rm), &mk); err != nil {
			writeError(w, Failure{Code: 400, Description: "Bad Request: bad reply_markup"})
			return
		}
		for _, row := range mk.Inline {
			for _, b := range row {
				if len(b.CallbackData) > 64 {
					writeError(w, Failure{Code: 400, Description: "Bad Request: BUTTON_DATA_INVALID"})
					return
				}
			}
		}
		m.Buttons = mk.Inline
		for _, row := range mk.Keyboard {
			for _, b := range row {
				m.Keyboard = append(m.Keyboard, b.Text)
			}
		}
	}
	s.mu.Lock()
	s.nextMsg++
	m.ID = s.nextMsg
	m.Time = time.Now()
	s.sent = append(s.sent, m)
	s.notify()
	s.mu.Unlock()
	chatType := models.ChatTypePrivate
	if chatID < 0 {
		chatType = models.ChatTypeSupergroup
	}
	writeOK(w, models.Message{ID: m.ID, From: &s.me, Chat: models.Chat{ID: chatID, Type: chatType}, Date: int(time.Now().Unix()), Text: visible})
}

// maxCaptionUnits is Telegram's limit on a caption's visible text.
const maxCaptionUnits = 1024

// sendPhoto takes an uploaded photo as Telegram does: the file in the
// "photo" part (a file_id or URL in the field is not supported here), a
// caption of at most 1024 visible UTF-16 units, valid HTML if so parsed.
func (s *Server) sendPhoto(w http.ResponseWriter, params map[string]string, files map[string][]byte) {
	chatID, err := strconv.ParseInt(params["chat_id"], 10, 64)
	if err != nil {
		writeError(w, Failure{Code: 400, Description: "Bad Request: chat not found"})
		return
	}
	data := files["photo"]
	if len(data) == 0 {
		writeError(w, Failure{Code: 400, Description: "Bad Request: there is no photo in the request"})
		return
	}
	caption := params["caption"]
	visible := caption
	if strings.EqualFold(params["parse_mode"], "HTML") {
		if visible, err = checkHTML(caption); err != nil {
			writeError(w, Failure{Code: 400, Description: "Bad Request: can't parse entities: " + err.Error()})
			return
		}
	}
	if UTF16Len(visible) > maxCaptionUnits {
		writeError(w, Failure{Code: 400, Description: "Bad Request: message caption is too long"})
		return
	}
	p := Photo{ChatID: chatID, Data: data, Caption: caption, ParseMode: params["parse_mode"]}
	if rp := params["reply_parameters"]; rp != "" {
		var r models.ReplyParameters
		if err := json.Unmarshal([]byte(rp), &r); err != nil {
			writeError(w, Failure{Code: 400, Description: "Bad Request: bad reply_parameters"})
			return
		}
		p.ReplyTo = r.MessageID
	}
	s.mu.Lock()
	s.nextMsg++
	p.ID = s.nextMsg
	s.photos = append(s.photos, p)
	s.notify()
	s.mu.Unlock()
	writeOK(w, models.Message{ID: p.ID, From: &s.me, Chat: models.Chat{ID: chatID, Type: models.ChatTypePrivate}, Date: int(time.Now().Unix()),
		Caption: visible, Photo: []models.PhotoSize{{FileID: fmt.Sprintf("photo%d", p.ID), FileUniqueID: fmt.Sprintf("up%d", p.ID), FileSize: len(data)}}})
}

// Photos returns the photos the bot sent, in order (Sent holds the text
// messages).
func (s *Server) Photos() []Photo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Photo(nil), s.photos...)
}

// Bot message for tests that reply to the bot: a message the bot sent,
// as it appears in reply_to_message.
func (s *Server) BotMessage(m Message, chat models.Chat) *models.Message {
	return &models.Message{ID: m.ID, From: &s.me, Chat: chat, Date: int(time.Now().Unix()), Text: m.Text}
}

var allowedTags = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true, "tg-spoiler": true,
	"blockquote": true, "span": true}

// checkHTML parses text as Telegram's HTML parse mode does and returns the
// visible text, or an error for an unknown tag, an unclosed or mismatched
// tag, or a bare '<' or '&'.
func checkHTML(text string) (string, error) {
	var vis strings.Builder
	var stack []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			closing := strings.HasPrefix(tag, "/")
			name := strings.TrimPrefix(tag, "/")
			if sp := strings.IndexAny(name, " \t\n"); sp >= 0 {
				name = name[:sp]
			}
			if !allowedTags[name] {
				return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			if closing {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("unmatched end tag %q at byte offset %d", name, i)
				}
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, name)
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(text[i:], ';')
			if end < 0 || end > 10 {
				return "", fmt.Errorf("bare '&' at byte offset %d", i)
			}
			ent := text[i+1 : i+end]
			switch {
			case ent == "lt":
				vis.WriteByte('<')
			case ent == "gt":
				vis.WriteByte('>')
			case ent == "amp":
				vis.WriteByte('&')
			case ent == "quot":
				vis.WriteByte('"')
			case strings.HasPrefix(ent, "#"):
				num, base := strings.TrimPrefix(ent, "#"), 10
				if h, ok := strings.CutPrefix(num, "x"); ok {
					num, base = h, 16
				}
				n, err := strconv.ParseInt(num, base, 32)
				if err != nil {
					return "", fmt.Errorf("bad entity &%s;", ent)
				}
				vis.WriteRune(rune(n))
			default:
				return "", fmt.Errorf("unknown entity &%s;", ent)
			}
			i += end + 1
		default:
			vis.WriteByte(text[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("unclosed tag %q", stack[len(stack)-1])
	}
	return vis.String(), nil
}

func parseParams(r *http.Request) (map[string]string, map[string][]byte, error) {
	params := map[string]string{}
	files := map[string][]byte{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
			return nil, nil, err
		}
		for k, v := range body {
			var s string
			if json.Unmarshal(v, &s) == nil {
				params[k] = s
			} else {
				params[k] = string(v)
			}
		}
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, nil, err
		}
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) || (errors.Is(err, io.ErrUnexpectedEOF) && len(params)+len(files) == 0) {
				break // the go-telegram client sends an empty body for calls without parameters
			}
			if err != nil {
				return nil, nil, err
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return nil, nil, err
			}
			if p.FileName() != "" {
				files[p.FormName()] = data
			} else {
				params[p.FormName()] = string(data)
			}
		}
	case "application/x-www-form-urlencoded":
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, err
		}
		vals, err := url.ParseQuery(string(data))
		if err != nil {
			return nil, nil, err
		}
		for k, v := range vals {
			params[k] = v[0]
		}
	}
	return params, files, nil
}

func writeOK(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func writeError(w http.ResponseWriter, f Failure) {
	body := map[string]any{"ok": false, "error_code": f.Code, "description": f.Description}
	params := map[string]any{}
	if f.RetryAfter > 0 {
		params["retry_after"] = f.RetryAfter
	}
	if f.MigrateTo != 0 {
		params["migrate_to_chat_id"] = f.MigrateTo
	}
	if len(params) > 0 {
		body["parameters"] = params
	}
	code := f.Code
	if code == 0 {
		code = http.StatusInternalServerError
	}
	writeJSON(w, code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
