package telegramtest

import (
	"net/http"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// chatEntry is a chat the server knows, with the bot's status in it.
type chatEntry struct {
	chat      models.Chat
	botStatus models.ChatMemberType
	canSend   bool
}

// AddChat makes a chat known to getChat and getChatMember, with the bot's
// status in it (member, administrator, restricted, left, kicked);
// restricted means it may not send messages. A chat never added is "chat
// not found", as Telegram says of a group the bot is not in.
func (s *Server) AddChat(chat models.Chat, botStatus models.ChatMemberType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chats == nil {
		s.chats = map[int64]chatEntry{}
	}
	s.chats[chat.ID] = chatEntry{chat: chat, botStatus: botStatus, canSend: botStatus != models.ChatMemberTypeRestricted}
}

func (s *Server) chat(params map[string]string) (chatEntry, bool) {
	id, err := strconv.ParseInt(params["chat_id"], 10, 64)
	if err != nil {
		return chatEntry{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.chats[id]
	return e, ok
}

func (s *Server) getChat(w http.ResponseWriter, params map[string]string) {
	e, ok := s.chat(params)
	if !ok {
		writeError(w, Failure{Code: 400, Description: "Bad Request: chat not found"})
		return
	}
	writeOK(w, models.ChatFullInfo{ID: e.chat.ID, Type: e.chat.Type, Title: e.chat.Title})
}

func (s *Server) getChatMember(w http.ResponseWriter, params map[string]string) {
	e, ok := s.chat(params)
	if !ok {
		writeError(w, Failure{Code: 400, Description: "Bad Request: chat not found"})
		return
	}
	user, _ := strconv.ParseInt(params["user_id"], 10, 64)
	status := models.ChatMemberTypeMember
	if user == s.me.ID {
		status = e.botStatus
	}
	member := map[string]any{"status": status, "user": models.User{ID: user}}
	if status == models.ChatMemberTypeRestricted {
		member["is_member"] = true
		member["can_send_messages"] = e.canSend
	}
	writeOK(w, member)
}
