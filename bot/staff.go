package bot

import (
	"context"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// What the bot says to staff, and to others who try staff things.
const (
	textStaffOnly    = "抱歉，这个命令只对工会工作人员开放。有问题直接用文字问我就行 🙂"
	textStaffPrivate = "这个命令请在和我的私聊里使用。"
	textUploadRefuse = "谢谢！不过我只能看懂文字问题，文件只有工会工作人员可以上传。有问题请直接用文字问我 🙂"
	textNoLibrary    = "现在用的是内置资料，没有设置文档目录（CORPUS_DIR），所以不能在这里添加或删除文档。请联系管理员设置后再试。"
	textButtonStaff  = "只有工会工作人员可以操作。"
)

// staffGate knows who the union staff are (ADMIN_IDS) and keeps everyone
// else out of staff operations, with a polite refusal. The runner asks it
// before any staff command, upload or button is carried out, so the
// operations themselves need not check.
type staffGate struct {
	admins  map[int64]bool
	out     *replier
	metrics *metrics
}

func newStaffGate(ids []int64, out *replier, m *metrics) *staffGate {
	g := &staffGate{admins: map[int64]bool{}, out: out, metrics: m}
	for _, id := range ids {
		g.admins[id] = true
	}
	return g
}

// is reports whether a user is one of the staff.
func (g *staffGate) is(u *models.User) bool {
	return u != nil && g.admins[u.ID]
}

// allowCommand reports whether m may run a staff command: staff, in a
// private chat. Otherwise it replies why not.
func (g *staffGate) allowCommand(ctx context.Context, m *models.Message) bool {
	switch {
	case !g.is(m.From):
		g.metrics.staff.WithLabelValues("refused").Inc()
		g.out.reply(ctx, m, esc(textStaffOnly), nil)
		return false
	case m.Chat.Type != models.ChatTypePrivate:
		g.out.reply(ctx, m, esc(textStaffPrivate), nil)
		return false
	}
	return true
}

// allowUpload reports whether a file sent in a private chat comes from
// staff; anyone else gets a friendly refusal and nothing is downloaded.
func (g *staffGate) allowUpload(ctx context.Context, m *models.Message) bool {
	if g.is(m.From) {
		return true
	}
	g.metrics.staff.WithLabelValues("refused").Inc()
	g.out.reply(ctx, m, esc(textUploadRefuse), nil)
	return false
}

// allowButton reports whether a staff button was pressed by staff.
func (g *staffGate) allowButton(ctx context.Context, cq *models.CallbackQuery) bool {
	if g.is(&cq.From) {
		return true
	}
	g.out.ack(ctx, cq, textButtonStaff)
	return false
}

// actor names a staff member in the audit log.
func actor(u *models.User) string {
	if u == nil {
		return "tg:unknown"
	}
	return "tg:" + strconv.FormatInt(u.ID, 10)
}

// sayUnder sends text as a reply to the message whose button was pressed.
func sayUnder(ctx context.Context, out *replier, msg *models.Message, text, about string) {
	o := outMessage{chatID: msg.Chat.ID, text: text, replyTo: msg.ID, about: about}
	if err := out.send.send(ctx, o); err != nil {
		out.log.Error("message not queued", "chat", msg.Chat.ID, "reason", err)
	}
}
