package bot

import (
	"context"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/rag"
)

// exampler is an Answerer that suggests questions the documents answer
// (*rag.Engine does); without one, /start shows no example buttons.
type exampler interface {
	Examples(n int) []string
}

// examples returns up to n example questions the documents answer.
func (mb *members) examples(n int) []string {
	if ex, ok := mb.answerer.(exampler); ok {
		return ex.Examples(n)
	}
	return nil
}

// askButtons are one button per question, each on its own row; tapping
// one asks it. Questions too long for a button's data are left out; nil
// when none is left.
func askButtons(questions []string) *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	for _, q := range questions {
		if data := askButton(q); data != "" {
			rows = append(rows, []models.InlineKeyboardButton{{Text: q, CallbackData: data}})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// replySmallTalk sends the warm reply to small talk: in a group its first
// line only, as a reply; in a private chat all of it, with the suggested
// questions as buttons.
func (mb *members) replySmallTalk(ctx context.Context, m *models.Message, ans rag.Answer) {
	text := strings.TrimSpace(ans.Text())
	if isGroup(m.Chat.Type) {
		text, _, _ = strings.Cut(text, "\n")
		mb.out.reply(ctx, m, esc(text), nil)
		return
	}
	var markup models.ReplyMarkup
	if b := askButtons(ans.Suggestions); b != nil {
		markup = b
	}
	mb.out.reply(ctx, m, esc(text), markup)
}

// askTapped answers a question button (an example, a suggestion) as if the
// member who tapped it had typed the question in that chat; the answer
// repeats the question, since the chat does not show it.
func (mb *members) askTapped(ctx context.Context, id int64, cq *models.CallbackQuery, c callback) (done bool, rec *QuestionRecord) {
	mb.out.ack(ctx, cq, "")
	var m *models.Message
	from := cq.From
	switch msg, old := cq.Message.Message, cq.Message.InaccessibleMessage; {
	case msg != nil:
		m = &models.Message{ID: msg.ID, From: &from, Chat: msg.Chat, Text: c.Text}
	case old != nil: // too old for Telegram to show; the chat is known
		m = &models.Message{ID: old.MessageID, From: &from, Chat: old.Chat, Text: c.Text}
	default:
		return true, nil
	}
	return mb.answerAs(ctx, id, m, c.Text, true)
}
