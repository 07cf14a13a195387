package bot

import (
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot/telegramtest"
)

func TestClassify(t *testing.T) {
	me := identity{ID: 42, Username: "qa_test_bot"}
	private := models.Chat{ID: 7, Type: models.ChatTypePrivate}
	group := models.Chat{ID: -100, Type: models.ChatTypeSupergroup}
	member := &models.User{ID: 7, FirstName: "王"}
	botMsg := &models.Message{ID: 1, From: &models.User{ID: 42, IsBot: true}, Chat: group, Text: "答案"}
	otherMsg := &models.Message{ID: 2, From: &models.User{ID: 8}, Chat: group, Text: "别人"}

	msg := func(chat models.Chat, text string) *models.Message {
		return &models.Message{ID: 10, From: member, Chat: chat, Text: text, Entities: telegramtest.Entities(text)}
	}
	withReply := func(m *models.Message, to *models.Message) *models.Message { m.ReplyToMessage = to; return m }
	textMention := func(text string, offset, length int, user int64) *models.Message {
		m := msg(group, text)
		m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeTextMention, Offset: offset, Length: length, User: &models.User{ID: user}}}
		return m
	}

	tests := []struct {
		name   string
		m      *models.Message
		intent intent
		q      string
	}{
		{"private text is a question", msg(private, "农民工被拖欠工资怎么办？"), intentQuestion, "农民工被拖欠工资怎么办？"},
		{"private start", msg(private, "/start"), intentCommand, "start"},
		{"private help", msg(private, "/help"), intentCommand, "help"},
		{"private ask", msg(private, "/ask 有助学金吗"), intentQuestion, "有助学金吗"},
		{"private unknown command shows help", msg(private, "/foo"), intentCommand, "help"},
		{"private sticker", &models.Message{From: member, Chat: private, Sticker: &models.Sticker{}}, intentNonText, ""},
		{"private photo", &models.Message{From: member, Chat: private, Photo: []models.PhotoSize{{}}}, intentNonText, ""},
		{"group chatter", msg(group, "今天中午吃什么"), intentIgnore, ""},
		{"group sticker", &models.Message{From: member, Chat: group, Sticker: &models.Sticker{}}, intentIgnore, ""},
		{"group ask", msg(group, "/ask 有助学金吗"), intentQuestion, "有助学金吗"},
		{"group ask@me", msg(group, "/ask@qa_test_bot 有助学金吗"), intentQuestion, "有助学金吗"},
		{"group ask@Me any case", msg(group, "/ask@QA_Test_Bot 有助学金吗"), intentQuestion, "有助学金吗"},
		{"group ask@other", msg(group, "/ask@other_bot 有助学金吗"), intentIgnore, ""},
		{"group start@other", msg(group, "/start@other_bot"), intentIgnore, ""},
		{"group other command", msg(group, "/weather 兰州"), intentIgnore, ""},
		{"group empty ask", msg(group, "/ask@qa_test_bot"), intentEmptyAsk, ""},
		{"group help@me", msg(group, "/help@qa_test_bot"), intentCommand, "help"},
		{"group mention first", msg(group, "@qa_test_bot 有助学金吗"), intentQuestion, "有助学金吗"},
		{"group mention after Chinese", msg(group, "请问@qa_test_bot 送外卖累了哪里能歇脚？"), intentQuestion, "请问 送外卖累了哪里能歇脚？"},
		{"group mention after emoji", msg(group, "👷‍♂️🙏 @qa_test_bot 工资被拖欠怎么办"), intentQuestion, "👷‍♂️🙏 工资被拖欠怎么办"},
		{"group mention at end", msg(group, "孩子考上大学有补助吗 @qa_test_bot"), intentQuestion, "孩子考上大学有补助吗"},
		{"group mention of another", msg(group, "请问@someone_else 在吗"), intentIgnore, ""},
		{"group mention only", msg(group, "@qa_test_bot"), intentEmptyAsk, ""},
		{"group text_mention of me", textMention("工会助手 有助学金吗", 0, 4, 42), intentQuestion, "有助学金吗"},
		{"group text_mention of another", textMention("小王 有助学金吗", 0, 2, 9), intentIgnore, ""},
		{"group reply to me", withReply(msg(group, "那怎么申请？"), botMsg), intentQuestion, "那怎么申请？"},
		{"group reply to another", withReply(msg(group, "那怎么申请？"), otherMsg), intentIgnore, ""},
		{"bot sender ignored", &models.Message{From: &models.User{ID: 9, IsBot: true}, Chat: group, Text: "@qa_test_bot hi", Entities: telegramtest.Entities("@qa_test_bot hi")}, intentIgnore, ""},
		{"added to group", &models.Message{Chat: group, NewChatMembers: []models.User{{ID: 42}}}, intentJoined, ""},
		{"someone else added", &models.Message{Chat: group, NewChatMembers: []models.User{{ID: 5}}}, intentIgnore, ""},
		{"migrated", &models.Message{Chat: models.Chat{ID: -5, Type: models.ChatTypeGroup}, MigrateToChatID: -1005}, intentMigrated, ""},
		{"channel post", msg(models.Chat{ID: -9, Type: models.ChatTypeChannel}, "公告"), intentIgnore, ""},
		{"private file", &models.Message{From: member, Chat: private, Document: &models.Document{FileID: "f"}, Caption: "标题：通知"}, intentUpload, ""},
		{"group file", &models.Message{From: member, Chat: group, Document: &models.Document{FileID: "f"}}, intentIgnore, ""},
		{"private staff command", msg(private, "/remove 20240501-3fa9"), intentCommand, "remove 20240501-3fa9"},
		{"private staff command any case", msg(private, "/Docs"), intentCommand, "docs"},
		{"private staff command@me", msg(private, "/gaps@qa_test_bot 30"), intentCommand, "gaps 30"},
		{"group staff command@me", msg(group, "/stats@qa_test_bot"), intentCommand, "stats"},
		{"group bare staff command", msg(group, "/stats"), intentIgnore, ""},
		{"group staff command@other", msg(group, "/stats@other_bot"), intentIgnore, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, q := classify(tt.m, me, commandTable())
			if it != tt.intent || q != tt.q {
				t.Errorf("classify(%q) = %v, %q; want %v, %q", tt.m.Text, it, q, tt.intent, tt.q)
			}
		})
	}
}
