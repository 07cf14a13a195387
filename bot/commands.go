package bot

import (
	"context"
	"log/slog"
	"strings"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// command is one slash command of the bot.
type command struct {
	// name is what follows the slash, in lower case.
	name string
	// menu describes the command in Telegram's command menu.
	menu string
	// usage is how /help writes the command when it takes an argument
	// ("" means /name), and help what /help says it does ("" means menu).
	usage, help string
	// staff commands are for union staff only, in a private chat; in a
	// group they are answered (with a refusal) only when they name the bot,
	// since a bare /stats there may be for another bot.
	staff bool
	// question commands take the rest of the message as a question (/ask).
	question bool
	// library commands change or list CORPUS_DIR; without one staff are told
	// to set it.
	library bool
	// staffChat commands also run in the staff chat (STAFF_CHAT_ID), bare
	// or addressed to the bot, for staff only.
	staffChat bool
	// run carries the command out, after the checks above; arg is the text
	// after the command. Question commands have none: the question is
	// answered as any other.
	run func(r *router, ctx context.Context, m *models.Message, arg string)
}

// commandTable is every command the bot knows. It is the one place a
// command is declared: classify recognises commands from it, the command
// menus and both sections of /help are made from it, and runCommand runs
// them. (A function, not a variable: the handlers render /help from it.)
func commandTable() commandSet {
	return commandSet{
		{name: "start", menu: "开始使用，看看可以问什么", run: func(r *router, ctx context.Context, m *models.Message, _ string) {
			if r.staff.is(m.From) && !isGroup(m.Chat.Type) {
				r.menus.forStaff(ctx, m.From.ID) // refused before the admin's first /start
			}
			r.members.start(ctx, m)
		}},
		{name: "help", menu: "我知道哪些资料", run: func(r *router, ctx context.Context, m *models.Message, _ string) {
			r.members.help(ctx, m, r.staff.is(m.From))
		}},
		{name: "ask", menu: "提问（在群里用：/ask 你的问题）", usage: "/ask 问题", help: "提问（私聊里直接发文字就行）", question: true},
		{name: "whoami", menu: "查看我的 Telegram 用户 ID（工作人员登记用）", help: "查看您的用户 ID",
			run: func(r *router, ctx context.Context, m *models.Message, _ string) {
				text := whoami(m.From, r.staff.is(m.From))
				if isGroup(m.Chat.Type) && r.staff.is(m.From) {
					text += staffChatHint(m.Chat.ID)
				}
				r.out.reply(ctx, m, text, nil)
			}},

		{name: "docs", menu: "文档列表（ID、标题、日期、段数）", help: "文档列表", staff: true, library: true,
			run: func(r *router, ctx context.Context, m *models.Message, _ string) { r.documents.list(ctx, m) }},
		{name: "remove", menu: "删除文档：/remove 文档ID", usage: "/remove 文档ID", help: "删除文档", staff: true, library: true,
			run: func(r *router, ctx context.Context, m *models.Message, arg string) {
				r.documents.askRemove(ctx, m, arg)
			}},
		{name: "reindex", menu: "从文档目录重建索引", help: "重建索引", staff: true, library: true,
			run: func(r *router, ctx context.Context, m *models.Message, _ string) { r.documents.reindex(ctx, m) }},
		{name: "gaps", menu: "近 7 天没答上的问题", usage: "/gaps [天数]", help: "近 7 天（或所写天数）没答上的问题", staff: true,
			run: func(r *router, ctx context.Context, m *models.Message, arg string) {
				segs, groups := r.reports.gaps(arg, r.handoff.gapMarks)
				r.handoff.rememberGaps(m.From.ID, groups)
				r.out.replyAll(ctx, m, segs)
			}},
		{name: "answer", menu: "直接答复 /gaps 里的一类问题：/answer 编号", usage: "/answer 编号", help: "直接答复 /gaps 里的一类问题，存为问答",
			staff: true, library: true,
			run: func(r *router, ctx context.Context, m *models.Message, arg string) { r.handoff.answerGap(ctx, m, arg) }},
		{name: "tickets", menu: "未处理的工单（会员转人工的问题）", help: "未处理的工单（在工作人员群里也能用）", staff: true, staffChat: true,
			run: func(r *router, ctx context.Context, m *models.Message, _ string) { r.handoff.list(ctx, m) }},
		{name: "close", menu: "关闭工单：/close 工单号", usage: "/close 工单号", help: "关闭工单", staff: true, staffChat: true,
			run: func(r *router, ctx context.Context, m *models.Message, arg string) {
				r.handoff.closeCommand(ctx, m, arg)
			}},
		{name: "stats", menu: "提问统计", usage: "/stats [天数]", staff: true,
			run: func(r *router, ctx context.Context, m *models.Message, arg string) {
				st := r.reports.stats(arg)
				if st.chart != nil {
					r.out.photo(ctx, m, st.chart, st.caption)
				}
				r.out.replyAll(ctx, m, append(st.text, r.handoff.ticketStats(r.reports.since(arg))...))
			}},
	}
}

// commandSet is the command table.
type commandSet []command

// find returns the command called name (lower case).
func (cs commandSet) find(name string) (command, bool) {
	for _, c := range cs {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// menu is the command menu for members (staff false) or staff, who see
// every command.
func (cs commandSet) menu(staff bool) []models.BotCommand {
	var out []models.BotCommand
	for _, c := range cs {
		if !c.staff || staff {
			out = append(out, models.BotCommand{Command: c.name, Description: c.menu})
		}
	}
	return out
}

// textStaffUpload is the part of staff /help that is not a command.
const textStaffUpload = "• 直接发文件（.txt .md .docx .pdf .html）：预览后确认入库；说明栏可写「标题：… 日期：… 来源：…」；回复我关于某份文档的消息再发文件，就是替换它。"

// helpSection lists the members' commands (staff false) or the staff's,
// in HTML, for /help.
func (cs commandSet) helpSection(staff bool) string {
	var b strings.Builder
	if staff {
		b.WriteString("<b>工作人员</b>\n" + textStaffUpload)
	} else {
		b.WriteString("<b>命令</b>")
	}
	for _, c := range cs {
		if c.staff != staff {
			continue
		}
		usage := c.usage
		if usage == "" {
			usage = "/" + c.name
		}
		help := c.help
		if help == "" {
			help = c.menu
		}
		b.WriteString("\n• " + esc(usage) + " " + esc(help))
	}
	return b.String()
}

// menus registers the command menus with Telegram: the members' for
// everyone, and the staff's in each admin's private chat.
type menus struct {
	send     *sender
	tg       *tg.Bot
	log      *slog.Logger
	commands commandSet
}

// register sets the menu for everyone and for each admin.
func (mm *menus) register(ctx context.Context, admins []int64) {
	cmds := mm.commands.menu(false)
	err := mm.send.call(ctx, "setMyCommands", 0, false, func(ctx context.Context, _ int64) error {
		_, err := mm.tg.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds})
		return err
	})
	if err != nil {
		mm.log.Warn("cannot register the command menu", "err", err)
	}
	for _, id := range admins {
		mm.forStaff(ctx, id)
	}
}

// forStaff shows the staff commands in one admin's private chat. Telegram
// refuses it until the admin has started a chat with the bot, so it is tried
// again on their /start.
func (mm *menus) forStaff(ctx context.Context, adminID int64) {
	cmds := mm.commands.menu(true)
	err := mm.send.call(ctx, "setMyCommands", 0, false, func(ctx context.Context, _ int64) error {
		_, err := mm.tg.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeChat{ChatID: adminID}})
		return err
	})
	if err != nil {
		mm.log.Info("staff command menu not set (the admin may not have started the bot yet)", "admin", adminID, "err", err)
	}
}
