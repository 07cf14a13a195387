package bot

import (
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// intent is what a message asks of the bot.
type intent int

const (
	intentIgnore   intent = iota // not for the bot: drop without storing
	intentQuestion               // answer the question
	intentCommand                // a command of the command table (other than a question one)
	intentEmptyAsk               // addressed, but with no question in it
	intentNonText                // a sticker, photo, voice… sent to the bot
	intentJoined                 // the bot was added to a group
	intentMigrated               // the group became a supergroup
	intentUpload                 // a file sent in a private chat (staff add documents so)
)

// identity is who the bot is, from getMe.
type identity struct {
	ID       int64  `json:"id"`
	Username string `json:"username"` // without "@"
}

// isGroup reports whether a chat type is a group chat.
func isGroup(t models.ChatType) bool {
	return t == models.ChatTypeGroup || t == models.ChatTypeSupergroup
}

// classify decides what a message asks of the bot and, for a question, the
// question text with the bot's mention or command removed (for a command of
// cmds: its name and arguments, "remove 20240501-3fa9"). In a private chat
// every text is a question; in a group only messages addressed to the bot
// count: a mention of its username, a text_mention of its user, a reply to
// one of its messages, or /ask (/ask@its_username). Entity offsets are in
// UTF-16 code units.
func classify(m *models.Message, me identity, cmds commandSet) (intent, string) {
	if m == nil {
		return intentIgnore, ""
	}
	if m.MigrateToChatID != 0 {
		return intentMigrated, ""
	}
	for _, u := range m.NewChatMembers {
		if u.ID == me.ID {
			return intentJoined, ""
		}
	}
	group := isGroup(m.Chat.Type)
	if !group && m.Chat.Type != models.ChatTypePrivate {
		return intentIgnore, "" // channels
	}
	if m.From != nil && m.From.IsBot {
		return intentIgnore, ""
	}
	text, entities := m.Text, m.Entities
	if text == "" {
		if !group && m.Document != nil {
			return intentUpload, ""
		}
		if !group && hasContent(m) {
			return intentNonText, ""
		}
		return intentIgnore, ""
	}
	units := utf16.Encode([]rune(text))

	// A command at the very start of the message.
	if len(entities) > 0 && entities[0].Type == models.MessageEntityTypeBotCommand && entities[0].Offset == 0 {
		e := entities[0]
		cmd := utf16Slice(units, e.Offset, e.Length)
		name, target, _ := strings.Cut(strings.TrimPrefix(cmd, "/"), "@")
		if target != "" && !strings.EqualFold(target, me.Username) {
			return intentIgnore, "" // another bot's command
		}
		rest := strings.TrimSpace(utf16Slice(units, e.Offset+e.Length, len(units)))
		c, known := cmds.find(strings.ToLower(name))
		switch {
		case known && c.question:
			if rest == "" {
				return intentEmptyAsk, ""
			}
			return intentQuestion, rest
		case known && (!c.staff || !group || target != ""):
			return intentCommand, strings.TrimSpace(c.name + " " + rest)
		case group:
			return intentIgnore, ""
		}
		return intentCommand, "help" // an unknown command in private: show help
	}
	if !group {
		return intentQuestion, strings.TrimSpace(text)
	}

	// Group: addressed by mention, text_mention or reply.
	addressed := false
	var cut [][2]int // UTF-16 ranges to remove
	for _, e := range entities {
		switch e.Type {
		case models.MessageEntityTypeMention:
			if me.Username != "" && strings.EqualFold(utf16Slice(units, e.Offset, e.Length), "@"+me.Username) {
				addressed = true
				cut = append(cut, [2]int{e.Offset, e.Offset + e.Length})
			}
		case models.MessageEntityTypeTextMention:
			if e.User != nil && e.User.ID == me.ID {
				addressed = true
				cut = append(cut, [2]int{e.Offset, e.Offset + e.Length})
			}
		}
	}
	if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID == me.ID {
		addressed = true
	}
	if !addressed {
		return intentIgnore, ""
	}
	q := strings.Join(strings.Fields(removeRanges(units, cut)), " ")
	q = strings.TrimLeft(q, ",，:：、 ")
	if q == "" {
		return intentEmptyAsk, ""
	}
	return intentQuestion, q
}

// hasContent reports whether a message carries something a member sent on
// purpose (as opposed to a service message).
func hasContent(m *models.Message) bool {
	return m.Sticker != nil || len(m.Photo) > 0 || m.Voice != nil || m.Audio != nil ||
		m.Document != nil || m.Video != nil || m.VideoNote != nil || m.Animation != nil ||
		m.Location != nil || m.Venue != nil || m.Contact != nil || m.Poll != nil || m.Dice != nil
}

// utf16Slice returns units[off:off+n] as a string, clamped to the text.
func utf16Slice(units []uint16, off, n int) string {
	if off < 0 {
		off = 0
	}
	end := off + n
	if end > len(units) {
		end = len(units)
	}
	if off >= end {
		return ""
	}
	return string(utf16.Decode(units[off:end]))
}

// removeRanges returns the text with the given UTF-16 ranges replaced by a space.
func removeRanges(units []uint16, cut [][2]int) string {
	if len(cut) == 0 {
		return string(utf16.Decode(units))
	}
	var b strings.Builder
	pos := 0
	for _, c := range cut {
		if c[0] < pos || c[0] > len(units) {
			continue
		}
		b.WriteString(string(utf16.Decode(units[pos:c[0]])))
		b.WriteByte(' ')
		pos = min(c[1], len(units))
	}
	b.WriteString(string(utf16.Decode(units[pos:])))
	return b.String()
}
