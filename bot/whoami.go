package bot

import (
	"fmt"

	"github.com/go-telegram/bot/models"
)

// whoami tells a user their numeric Telegram ID, which an operator puts in
// ADMIN_IDS to make them staff; nothing else in Telegram shows it.
func whoami(u *models.User, staff bool) string {
	if u == nil {
		return esc("看不到您的用户 ID：请在和我的私聊里发 /whoami。")
	}
	role := "工会工作人员要管理文档，请把这个数字发给管理员，填进 ADMIN_IDS（多人用逗号分隔），重启后生效。"
	if staff {
		role = "您已经是工作人员，可以在私聊里管理文档（/help 看工作人员命令）。"
	}
	return fmt.Sprintf("您的 Telegram 用户 ID 是 <code>%d</code>。\n%s", u.ID, esc(role))
}
