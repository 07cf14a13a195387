package bot

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// callbackKind says which kind of inline button a callback comes from; it
// is the first field of the callback data.
type callbackKind string

// The kinds of inline button. The wire format of each (Telegram keeps a
// button's data for as long as the message exists, so it never changes):
//
//	p:<question>:<n>         原文 n under an answer
//	f:<question>:1|-1        👍 / 👎 under an answer
//	u:ok|no:<pending upload> 确认入库 / 取消 under an upload's preview
//	r:ok|no:<document key>   确认删除 / 取消 under /remove
//	q:<question text>        a suggested question (/start, small talk, a near miss): tapping asks it
//	h:<question>:0|1         转给工会工作人员 under an abstention (0) or after 👎 (1)
//	s:<ticket>:<reply>       存为问答 under the report of a staff reply (reply from 1)
//	c:<ticket>:1|0           关闭工单 / 重新打开
//
// A new kind of button gets a constant here, its fields in callback, a case
// in encode and parseCallback, and a case in router.callback.
const (
	cbPassage  callbackKind = "p"
	cbFeedback callbackKind = "f"
	cbUpload   callbackKind = "u"
	cbRemove   callbackKind = "r"
	cbAsk      callbackKind = "q"
	cbHandoff  callbackKind = "h"
	cbSave     callbackKind = "s"
	cbClose    callbackKind = "c"
)

// maxCallbackBytes is Telegram's limit on a button's callback data.
const maxCallbackBytes = 64

// staffOnly reports whether only union staff may press buttons of the kind.
func (k callbackKind) staffOnly() bool {
	return k == cbUpload || k == cbRemove || k == cbSave || k == cbClose
}

// needsLibrary reports whether buttons of the kind change CORPUS_DIR.
func (k callbackKind) needsLibrary() bool { return k == cbUpload || k == cbRemove || k == cbSave }

// callback is what a button press asks for, decoded from its callback data.
type callback struct {
	Kind callbackKind
	// Question is the update ID of the answered question (p, f, h): the
	// question log is keyed by it.
	Question int64
	// Ticket is the ticket's number (s, c).
	Ticket int64
	// N is the citation number, from 1 (p), the vote, +1 or -1 (f), where
	// the handoff button was, 0 or 1 (h), or the staff reply, from 1 (s).
	N int
	// OK is the confirm button, as opposed to 取消 (u, r), or 关闭工单 as
	// opposed to 重新打开 (c).
	OK bool
	// Key is the pending upload's ID (u) or the document's docKey (r).
	Key string
	// Text is the question to ask (q).
	Text string
}

func passageButton(question int64, n int) string {
	return callback{Kind: cbPassage, Question: question, N: n}.encode()
}

func feedbackButton(question int64, vote int) string {
	return callback{Kind: cbFeedback, Question: question, N: vote}.encode()
}

func uploadButton(ok bool, pendingID string) string {
	return callback{Kind: cbUpload, OK: ok, Key: pendingID}.encode()
}

func removeButton(ok bool, key string) string {
	return callback{Kind: cbRemove, OK: ok, Key: key}.encode()
}

// askButton is the data of a button that asks question; "" when the
// question does not fit Telegram's 64 bytes.
func askButton(question string) string {
	return callback{Kind: cbAsk, Text: question}.encode()
}

func handoffButton(question int64, origin int) string {
	return callback{Kind: cbHandoff, Question: question, N: origin}.encode()
}

func saveButton(ticket int64, reply int) string {
	return callback{Kind: cbSave, Ticket: ticket, N: reply}.encode()
}

func closeButton(ticket int64, closing bool) string {
	return callback{Kind: cbClose, Ticket: ticket, OK: closing}.encode()
}

// encode is the callback data of c. Keys are short IDs the bot made itself,
// so the result fits Telegram's 64 bytes.
func (c callback) encode() string {
	switch c.Kind {
	case cbPassage, cbFeedback, cbHandoff:
		return string(c.Kind) + ":" + strconv.FormatInt(c.Question, 10) + ":" + strconv.Itoa(c.N)
	case cbSave:
		return string(c.Kind) + ":" + strconv.FormatInt(c.Ticket, 10) + ":" + strconv.Itoa(c.N)
	case cbClose:
		open := "0"
		if c.OK {
			open = "1"
		}
		return string(c.Kind) + ":" + strconv.FormatInt(c.Ticket, 10) + ":" + open
	case cbUpload, cbRemove:
		action := "no"
		if c.OK {
			action = "ok"
		}
		return string(c.Kind) + ":" + action + ":" + c.Key
	case cbAsk:
		if d := string(c.Kind) + ":" + c.Text; validQuestion(c.Text) && len(d) <= maxCallbackBytes {
			return d
		}
	}
	return ""
}

// parseCallback decodes callback data. It accepts only what encode writes
// (canonical numbers, a vote of ±1, a non-empty key), so anything a client
// forges is refused here rather than deeper in.
func parseCallback(data string) (callback, bool) {
	kind, rest, ok := strings.Cut(data, ":")
	if !ok || len(data) > maxCallbackBytes {
		return callback{}, false
	}
	if callbackKind(kind) == cbAsk {
		c := callback{Kind: cbAsk, Text: rest}
		return c, c.encode() == data
	}
	first, second, ok := strings.Cut(rest, ":")
	if !ok {
		return callback{}, false
	}
	c := callback{Kind: callbackKind(kind)}
	switch c.Kind {
	case cbPassage, cbFeedback, cbHandoff:
		q, err1 := strconv.ParseInt(first, 10, 64)
		n, err2 := strconv.Atoi(second)
		if err1 != nil || err2 != nil {
			return callback{}, false
		}
		c.Question, c.N = q, n
		if c.Kind == cbPassage && n < 1 || c.Kind == cbFeedback && n != 1 && n != -1 || c.Kind == cbHandoff && n != 0 && n != 1 {
			return callback{}, false
		}
	case cbSave, cbClose:
		no, err1 := strconv.ParseInt(first, 10, 64)
		n, err2 := strconv.Atoi(second)
		if err1 != nil || err2 != nil || no < 1 || c.Kind == cbSave && n < 1 || c.Kind == cbClose && n != 0 && n != 1 {
			return callback{}, false
		}
		c.Ticket = no
		if c.Kind == cbSave {
			c.N = n
		} else {
			c.OK = n == 1
		}
	case cbUpload, cbRemove:
		if first != "ok" && first != "no" || second == "" {
			return callback{}, false
		}
		c.OK, c.Key = first == "ok", second
	default:
		return callback{}, false
	}
	if c.encode() != data { // "p:007:1", "f:+5:1": not ours
		return callback{}, false
	}
	return c, true
}

// validQuestion reports whether text may travel as a question button: not
// empty, valid UTF-8, no control characters, no space at either end.
func validQuestion(text string) bool {
	if text == "" || !utf8.ValidString(text) || strings.TrimSpace(text) != text {
		return false
	}
	return strings.IndexFunc(text, unicode.IsControl) < 0
}
