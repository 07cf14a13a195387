package bot_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/bot/telegramtest"
	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/extract"
	"github.com/gonghui/qa/corpus/extract/extracttest"
	"github.com/gonghui/qa/corpus/library"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/ragtest"
)

var (
	staff      = models.User{ID: 900, FirstName: "工会小张"}
	staff2     = models.User{ID: 901, FirstName: "工会小刘"}
	staffChat  = models.Chat{ID: 900, Type: models.ChatTypePrivate}
	staffChat2 = models.Chat{ID: 901, Type: models.ChatTypePrivate}
)

// testClock is the library's clock, to expire previews.
type testClock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.d) }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.d += d
	c.mu.Unlock()
}

// staffEnv is a bot with the real library over a temporary CORPUS_DIR and
// the real engine, as serve runs it.
type staffEnv struct {
	srv                *telegramtest.Server
	corpusDir, dataDir string
	clock              *testClock
	lib                *library.Library
	eng                *rag.Engine
	run                *running
	tweak              func(*bot.Options)
	seen               map[int64]int     // messages already returned by next, per chat
	builtin            []corpus.Document // built-in documents the library lists beside its own
}

func newStaffEnv(t *testing.T, files map[string]string, tweak func(*bot.Options)) *staffEnv {
	t.Helper()
	root := t.TempDir()
	e := &staffEnv{
		srv: newServer(t), corpusDir: filepath.Join(root, "corpus"), dataDir: filepath.Join(root, "data"),
		clock: &testClock{}, tweak: tweak, seen: map[int64]int{},
	}
	if err := os.MkdirAll(e.corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(e.corpusDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.start(t)
	return e
}

// start opens the library and the engine afresh and starts the bot.
func (e *staffEnv) start(t *testing.T) {
	t.Helper()
	lib, err := library.OpenWith(e.corpusDir, e.dataDir, library.Options{Now: e.clock.Now, Builtin: e.builtin})
	if err != nil {
		t.Fatal(err)
	}
	eng := ragtest.Engine(t, rag.Options{}, nil) // documents come from the watcher
	w := rag.NewWatcher(lib, eng)
	if _, _, err := w.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.lib, e.eng = lib, eng
	e.run = start(t, e.srv, e.dataDir, eng, func(o *bot.Options) {
		o.AdminIDs = []int64{staff.ID, staff2.ID}
		o.Library = lib
		o.Watcher = w
		o.WatchEvery = -1
		if e.tweak != nil {
			e.tweak(o)
		}
	})
}

// restart stops the bot and starts it again over the same folders.
func (e *staffEnv) restart(t *testing.T) {
	t.Helper()
	if err := e.run.stop(); err != nil {
		t.Fatal(err)
	}
	e.start(t)
}

// next waits for the next message the bot sends to chat.
func (e *staffEnv) next(t *testing.T, chat int64) telegramtest.Message {
	t.Helper()
	n := e.seen[chat]
	if !e.srv.Wait(wait, func() bool { return len(e.srv.SentTo(chat)) > n }) {
		t.Fatalf("no message %d to chat %d; sent: %+v", n+1, chat, e.srv.SentTo(chat))
	}
	e.seen[chat] = n + 1
	return e.srv.SentTo(chat)[n]
}

// ask sends a member's question and returns the answer.
func (e *staffEnv) ask(t *testing.T, q string) telegramtest.Message {
	t.Helper()
	e.srv.SendText(dm, member, q)
	return e.next(t, dm.ID)
}

// command sends a staff member's text and returns the reply.
func (e *staffEnv) command(t *testing.T, from models.User, chat models.Chat, text string) telegramtest.Message {
	t.Helper()
	e.srv.SendText(chat, from, text)
	return e.next(t, chat.ID)
}

// upload sends a file as a staff member and returns the reply.
func (e *staffEnv) upload(t *testing.T, from models.User, chat models.Chat, name string, data []byte, caption string) telegramtest.Message {
	t.Helper()
	e.srv.SendDocument(chat, from, fmt.Sprintf("f%d", time.Now().UnixNano()), name, data, caption)
	return e.next(t, chat.ID)
}

// press presses a button of a message the bot sent to chat and returns
// the bot's next message there.
func (e *staffEnv) press(t *testing.T, from models.User, chat models.Chat, msg telegramtest.Message, button string) telegramtest.Message {
	t.Helper()
	data := callbackData(msg, button)
	if data == "" {
		t.Fatalf("no button %q on %q", button, msg.Text)
	}
	pushCallback(e.srv, from, msg, chat, data)
	return e.next(t, chat.ID)
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// snapshot hashes every file below dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(p)
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = hex.EncodeToString(sum[:8])
		return nil
	})
	return out
}

// corpusState is what a refused upload must leave as it was: the corpus
// folder, pending uploads and the audit log.
func (e *staffEnv) corpusState(t *testing.T) string {
	t.Helper()
	s := fmt.Sprint(snapshot(t, e.corpusDir), snapshot(t, filepath.Join(e.dataDir, "pending")))
	if data, err := os.ReadFile(filepath.Join(e.dataDir, "audit.jsonl")); err == nil {
		s += string(data)
	}
	return s
}

const notice = "关于组织2024年职工疗休养的通知\n\n2024年5月1日\n\n各基层工会：\n\n" +
	"今年职工疗休养报名截止日期为2024年6月30日，每人补助1800元，请各单位按时报送名单。\n\n市总工会\n"

const lanzhou = "---\ntitle: 兰州市总工会工作综述\ndate: 2020-07-02\n---\n\n" +
	"金秋助学活动为考上大学的困难职工子女每人发放助学金3000元。\n"

func TestStaffAddsGB18030NoticeAndMembersAreAnsweredFromIt(t *testing.T) {
	e := newStaffEnv(t, nil, nil) // a new, empty CORPUS_DIR
	const q = "职工疗休养每人补助多少钱？"

	// No documents yet: the member is told so, and the question counts for /gaps.
	mustContain(t, "answer with no documents", e.ask(t, q).Text, "还没有文件")

	data := extracttest.GB18030(t, notice)
	if bytes.Contains(data, []byte("疗休养")) {
		t.Fatal("the fixture is not GB18030")
	}
	preview := e.upload(t, staff, staffChat, "疗休养通知.txt", data, "来源：市总工会")
	mustContain(t, "preview", preview.Text, "预览", "《关于组织2024年职工疗休养的通知》", "2024-05-01", "来源：市总工会", "共 4 段", "各基层工会")
	if got := strings.Join(buttons(preview), " "); got != "确认入库 取消" {
		t.Fatalf("preview buttons = %q", got)
	}
	for _, b := range preview.Buttons[0] {
		if len(b.CallbackData) > 64 {
			t.Errorf("callback data %q is over 64 bytes", b.CallbackData)
		}
	}

	// Nothing is searchable before 确认.
	mustContain(t, "answer before 确认", e.ask(t, q).Text, "还没有文件")

	done := e.press(t, staff, staffChat, preview, "确认入库")
	mustContain(t, "confirmation", done.Text, "已入库", "《关于组织2024年职工疗休养的通知》", "文档 ID")
	if edits := e.srv.Requests("editMessageReplyMarkup"); len(edits) == 0 {
		t.Error("the preview's buttons were not removed")
	}

	ans := e.ask(t, q)
	mustContain(t, "answer after 确认", ans.Text, "1800", "关于组织2024年职工疗休养的通知")

	// /docs lists it with who added it.
	docs := e.command(t, staff, staffChat, "/docs")
	mustContain(t, "/docs", docs.Text, "关于组织2024年职工疗休养的通知", "2024-05-01", "· 4 段", "tg:900 添加于")

	// The original and the audit record are stored.
	if got, _ := filepath.Glob(filepath.Join(e.corpusDir, "originals", "*.txt")); len(got) != 1 {
		t.Errorf("originals = %v", got)
	}
	audit, _ := e.lib.Audit()
	if len(audit) != 1 || audit[0].Who != "tg:900" || audit[0].Action != library.ActionAdd || audit[0].FileSHA256 == "" {
		t.Errorf("audit = %+v", audit)
	}

	// /gaps has the two unanswered questions, grouped; /stats counts all three.
	waitQuestions(t, e.run.store, 3)
	gaps := e.command(t, staff, staffChat, "/gaps")
	mustContain(t, "/gaps", gaps.Text, "近 7 天没答上的问题", q, "2 次")
	stats := e.command(t, staff, staffChat, "/stats")
	mustContain(t, "/stats", stats.Text, "共 3 问", "答上 1（33%）", "资料里没有 2（67%）", "👍 0", "最忙的时段")

	// Staff commands appear in each admin's menu only.
	var scopes []string
	for _, r := range e.srv.Requests("setMyCommands") {
		scopes = append(scopes, r.Params["scope"])
		if strings.Contains(r.Params["commands"], "reindex") != strings.Contains(r.Params["scope"], `"chat"`) {
			t.Errorf("menu %s in scope %q", r.Params["commands"], r.Params["scope"])
		}
	}
	if !slices.ContainsFunc(scopes, func(s string) bool { return strings.Contains(s, "900") }) {
		t.Errorf("no staff menu for admin 900: scopes %q", scopes)
	}
}

func TestNonStaffCannotUploadOrManage(t *testing.T) {
	// A member trying six staff commands in a row is not a flood: the
	// rate limit (applied to every message) is lifted.
	e := newStaffEnv(t, map[string]string{"lanzhou.md": lanzhou}, func(o *bot.Options) { o.RateBurst = 20 })
	before := e.corpusState(t)

	reply := e.upload(t, member, dm, "通知.txt", []byte(notice), "")
	mustContain(t, "refusal", reply.Text, "文字", "工作人员")
	if len(e.srv.Requests("getFile")) != 0 {
		t.Error("a member's file was downloaded")
	}
	for _, cmd := range []string{"/docs", "/remove lanzhou", "/reindex", "/gaps", "/stats"} {
		mustContain(t, cmd, e.command(t, member, dm, cmd).Text, "只对工会工作人员开放")
	}
	// Staff commands in a group: refused when addressed to the bot, else ignored.
	e.srv.SendText(grp, staff, "/docs")
	mustContain(t, "/docs@bot in a group", e.command(t, staff, grp, "/docs@qa_test_bot").Text, "私聊")

	if e.corpusState(t) != before || len(e.eng.Documents()) != 1 {
		t.Error("a member's upload or command changed the corpus")
	}

	// A forged confirm button from a member does nothing.
	p, err := e.lib.Prepare("notice.txt", []byte(notice), library.Meta{}, "tg:900")
	if err != nil {
		t.Fatal(err)
	}
	before = e.corpusState(t)
	pushCallback(e.srv, member, telegramtest.Message{ID: 1, ChatID: dm.ID, Text: "x"}, dm, "u:ok:"+p.ID)
	if !e.srv.Wait(wait, func() bool {
		for _, r := range e.srv.Requests("answerCallbackQuery") {
			if strings.Contains(r.Params["text"], "只有工会工作人员") {
				return true
			}
		}
		return false
	}) {
		t.Error("a member's button press was not refused")
	}
	if e.corpusState(t) != before || len(e.eng.Documents()) != 1 {
		t.Error("a member changed the corpus")
	}
}

// TestStaffSeesBuiltinLawsButCannotRemoveThem: /docs marks the built-in
// laws, and /remove of one is refused at once, naming the setting.
func TestStaffSeesBuiltinLawsButCannotRemoveThem(t *testing.T) {
	e := newStaffEnv(t, map[string]string{"lanzhou.md": lanzhou}, nil)
	law, err := corpus.Parse("builtin/laws/测试法(2012-12-28).md", []byte("# 中华人民共和国测试法\n\n2012年12月28日 第十一届全国人民代表大会常务委员会第三十次会议修正\n\n<!-- INFO END -->\n\n第一条 职工带薪年休假每年不少于五天。\n\n第二条 本法自公布之日起施行。\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	law.ID, law.Builtin = "law-test", true
	e.builtin = []corpus.Document{law}
	e.restart(t)
	mustContain(t, "/docs", e.command(t, staff, staffChat, "/docs").Text, "中华人民共和国测试法", "law-test", "2012年修正", "内置")
	mustContain(t, "/remove of a built-in law", e.command(t, staff, staffChat, "/remove law-test").Text, "内置", "不能删除", "BUILTIN_LAWS=false")
	ans := e.ask(t, "年休假有几天？")
	mustContain(t, "answer from the built-in law", ans.Text, "《测试法》第一条（2012年修正）")
}

func TestStaffReplacesAndRemovesDocuments(t *testing.T) {
	e := newStaffEnv(t, map[string]string{"lanzhou.md": lanzhou, "liaoxiuyang.md": notice}, nil)
	const q = "职工疗休养每人补助多少钱？"
	mustContain(t, "answer from the hand-copied notice", e.ask(t, q).Text, "1800")

	// The same title as a .docx replaces it.
	v2 := strings.Replace(notice, "1800元", "2000元", 1)
	preview := e.upload(t, staff, staffChat, "疗休养通知（修订）.docx", extracttest.DOCX(t, v2), "")
	mustContain(t, "preview", preview.Text, "将替换《关于组织2024年职工疗休养的通知》", "liaoxiuyang")
	done := e.press(t, staff, staffChat, preview, "确认入库")
	mustContain(t, "confirmation", done.Text, "已替换", "ID：<code>liaoxiuyang</code>")
	ans := e.ask(t, q)
	mustContain(t, "answer after the replacement", ans.Text, "2000")
	if strings.Contains(ans.Text, "1800") {
		t.Errorf("the replaced passage is still answered from:\n%s", ans.Text)
	}

	// A file sent as a reply to the bot's message about a document replaces
	// that document, whatever its title.
	v3 := "疗休养安排调整\n\n2024年5月20日\n\n今年职工疗休养每人补助2500元，报名截止日期不变。\n"
	m := e.srv.NewDocument(staffChat, staff, "f-v3", "调整.txt", []byte(v3), "")
	m.ReplyToMessage = e.srv.BotMessage(done, staffChat)
	e.srv.PushUpdate(models.Update{Message: m})
	preview = e.next(t, staffChat.ID)
	mustContain(t, "preview of a reply", preview.Text, "《疗休养安排调整》", "将替换《关于组织2024年职工疗休养的通知》")
	mustContain(t, "confirmation", e.press(t, staff, staffChat, preview, "确认入库").Text, "已替换《疗休养安排调整》")
	mustContain(t, "answer after the second replacement", e.ask(t, q).Text, "2500")
	if n := len(e.eng.Documents()); n != 2 {
		t.Errorf("%d documents after two replacements, want 2", n)
	}

	// /remove asks first; 取消 keeps it, 确认删除 removes it from answers.
	ask := e.command(t, staff, staffChat, "/remove liaoxiuyang")
	mustContain(t, "/remove", ask.Text, "确定要删除《疗休养安排调整》")
	mustContain(t, "取消", e.press(t, staff, staffChat, ask, "取消").Text, "没有删除")
	ask = e.command(t, staff, staffChat, "/remove liaoxiuyang")
	mustContain(t, "removal", e.press(t, staff, staffChat, ask, "确认删除").Text, "已删除《疗休养安排调整》")
	if ans := e.ask(t, q); strings.Contains(ans.Text, "2500") || len(ans.Buttons) > 1 {
		t.Errorf("the removed document still answers:\n%s", ans.Text)
	}
	if docs := e.eng.Documents(); len(docs) != 1 || docs[0].ID != "lanzhou" {
		t.Errorf("documents after removal = %+v", docs)
	}
	mustContain(t, "/remove unknown", e.command(t, staff, staffChat, "/remove nosuch").Text, "没有找到")
	mustContain(t, "/remove", e.command(t, staff, staffChat, "/remove").Text, "/remove 20240501-3fa9")

	audit, _ := e.lib.Audit()
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action+":"+a.Who)
	}
	if got := strings.Join(actions, " "); got != "replace:tg:900 replace:tg:900 remove:tg:900" {
		t.Errorf("audit = %s", got)
	}
}

func TestReplyReplacesOnlyTheDocumentTheMessageIsAbout(t *testing.T) {
	e := newStaffEnv(t, map[string]string{"lanzhou.md": lanzhou, "liaoxiuyang.md": notice}, nil)
	v2 := "疗休养安排调整\n\n2024年5月20日\n\n今年职工疗休养每人补助2500元。\n"
	replyWith := func(to telegramtest.Message) telegramtest.Message {
		t.Helper()
		m := e.srv.NewDocument(staffChat, staff, fmt.Sprintf("f%d", time.Now().UnixNano()), "调整.txt", []byte(v2), "")
		m.ReplyToMessage = e.srv.BotMessage(to, staffChat)
		e.srv.PushUpdate(models.Update{Message: m})
		return e.next(t, staffChat.ID)
	}

	// /remove's question is about one document: a file sent as a reply to
	// it replaces that document.
	ask := e.command(t, staff, staffChat, "/remove liaoxiuyang")
	preview := replyWith(ask)
	mustContain(t, "preview of a reply to /remove", preview.Text, "将替换《关于组织2024年职工疗休养的通知》", "liaoxiuyang")
	mustContain(t, "cancel", e.press(t, staff, staffChat, preview, "取消").Text, "已取消")

	// The list of two documents, or a message about none, names no document:
	// the file is a new one, whatever the text of the message says.
	for _, to := range []telegramtest.Message{
		e.command(t, staff, staffChat, "/docs"),
		e.command(t, staff, staffChat, "/remove"),
		{ID: ask.ID + 1000, ChatID: staffChat.ID, Text: "文档 ID：<code>liaoxiuyang</code>"}, // never sent by the bot
	} {
		preview := replyWith(to)
		if strings.Contains(preview.Text, "将替换") {
			t.Errorf("a reply to %q replaces a document:\n%s", to.Text, preview.Text)
		}
		e.press(t, staff, staffChat, preview, "取消")
	}
}

func TestHostileUploadsAreRefusedAndChangeNothing(t *testing.T) {
	e := newStaffEnv(t, map[string]string{"lanzhou.md": lanzhou}, nil)
	before := e.corpusState(t)
	bomb := extracttest.Zip(t, "word/document.xml", strings.Repeat("<w:p><w:r><w:t>工会工会工会</w:t></w:r></w:p>", 200_000))
	ole := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), bytes.Repeat([]byte{0}, 512)...)
	binary := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 100)...)

	for _, tc := range []struct {
		name string
		send func() // sends the file
		want string
	}{
		{"over 20 MB by its size", func() {
			m := e.srv.NewMessage(staffChat, staff, "")
			m.Entities = nil
			m.Document = &models.Document{FileID: "huge", FileName: "全年汇编.pdf", FileSize: 25 << 20}
			e.srv.PushUpdate(models.Update{Message: m})
		}, extract.UserMessage(extract.ErrTooLarge)},
		{"over 20 MB by getFile", func() {
			e.srv.Fail("getFile", telegramtest.Failure{Code: 400, Description: "Bad Request: file is too big"})
			m := e.srv.NewMessage(staffChat, staff, "")
			m.Entities = nil
			m.Document = &models.Document{FileID: "huge2", FileName: "汇编.docx"}
			e.srv.PushUpdate(models.Update{Message: m})
		}, extract.UserMessage(extract.ErrTooLarge)},
		{"zip bomb docx", func() { e.srv.SendDocument(staffChat, staff, "bomb", "bomb.docx", bomb, "") }, extract.UserMessage(extract.ErrZipBomb)},
		{"scanned pdf", func() { e.srv.SendDocument(staffChat, staff, "scan", "扫描件.pdf", extracttest.ScannedPDF(), "") }, extract.UserMessage(extract.ErrNoTextLayer)},
		{"encrypted docx", func() { e.srv.SendDocument(staffChat, staff, "ole", "加密.docx", ole, "") }, extract.UserMessage(extract.ErrEncrypted)},
		{"binary renamed .txt", func() { e.srv.SendDocument(staffChat, staff, "png", "photo.txt", binary, "") }, extract.UserMessage(extract.ErrBinary)},
		{"empty file", func() { e.srv.SendDocument(staffChat, staff, "empty", "空白.txt", nil, "") }, extract.UserMessage(extract.ErrEmpty)},
		{"unknown format", func() {
			e.srv.SendDocument(staffChat, staff, "xlsx", "名单.xlsx", []byte("PK\x03\x04 not really"), "")
		}, extract.UserMessage(extract.ErrUnknownFormat)},
		{"download cut half-way", func() {
			m := e.srv.NewDocument(staffChat, staff, "cut", "通知.txt", []byte(notice), "")
			e.srv.AddBrokenFile("cut", "documents/cut_通知.txt", []byte(notice), 40)
			e.srv.PushUpdate(models.Update{Message: m})
		}, "没有下载完整"},
		{"download dropped before it starts", func() {
			m := e.srv.NewDocument(staffChat, staff, "drop", "通知.txt", []byte(notice), "")
			e.srv.AddBrokenFile("drop", "documents/drop_通知.txt", []byte(notice), 0)
			e.srv.PushUpdate(models.Update{Message: m})
		}, "没有改动"},
	} {
		tc.send()
		reply := e.next(t, staffChat.ID)
		if !strings.Contains(reply.Text, tc.want) || len(reply.Buttons) > 0 {
			t.Errorf("%s: reply %q, want %q and no buttons", tc.name, reply.Text, tc.want)
		}
	}
	for _, r := range e.srv.Requests("getFile") {
		if r.Params["file_id"] == "huge" {
			t.Error("a file over the limit by its size was downloaded")
		}
	}
	if e.corpusState(t) != before {
		t.Error("a refused upload changed the corpus, the pending uploads or the audit log")
	}
	if n := len(e.eng.Documents()); n != 1 {
		t.Errorf("%d documents indexed, want 1", n)
	}
}

func TestPreviewSurvivesRestartExpiresAndTwoStaffConfirmAtOnce(t *testing.T) {
	e := newStaffEnv(t, nil, nil)
	p1 := e.upload(t, staff, staffChat, "疗休养.txt", []byte(notice), "")
	other := "关于2024年金秋助学的通知\n\n2024年6月20日\n\n考入本科的困难职工子女每人资助5000元，申请截止8月31日。\n"
	p2 := e.upload(t, staff2, staffChat2, "助学.md", []byte(other), "")
	stale := e.upload(t, staff, staffChat, "热线.txt", []byte("职工服务热线变更\n\n职工服务热线改为 12351，24 小时有人接听。\n"), "")

	// A restart between preview and 确认: the previews are kept.
	e.restart(t)

	// Both staff confirm at once.
	pushCallback(e.srv, staff, p1, staffChat, callbackData(p1, "确认入库"))
	pushCallback(e.srv, staff2, p2, staffChat2, callbackData(p2, "确认入库"))
	mustContain(t, "first confirmation", e.next(t, staffChat.ID).Text, "已入库")
	mustContain(t, "second confirmation", e.next(t, staffChat2.ID).Text, "已入库")
	if n := len(e.eng.Documents()); n != 2 {
		t.Fatalf("%d documents indexed after two confirmations, want 2", n)
	}
	mustContain(t, "answer from the first", e.ask(t, "职工疗休养每人补助多少钱？").Text, "1800")
	mustContain(t, "answer from the second", e.ask(t, "考上本科的困难职工子女助学资助多少钱？").Text, "5000")

	// A second press of the same button changes nothing.
	mustContain(t, "second press", e.press(t, staff, staffChat, p1, "确认入库").Text, "已经入库了", "《关于组织2024年职工疗休养的通知》")

	// A preview older than a day has expired.
	e.clock.Add(25 * time.Hour)
	mustContain(t, "expired preview", e.press(t, staff, staffChat, stale, "确认入库").Text, "过期", "重新发送")
	if n := len(e.eng.Documents()); n != 2 {
		t.Errorf("%d documents after an expired 确认, want 2", n)
	}
	// 取消 of a preview.
	p4 := e.upload(t, staff, staffChat, "热线.txt", []byte("职工服务热线变更\n\n职工服务热线改为 12351。\n"), "")
	mustContain(t, "cancel", e.press(t, staff, staffChat, p4, "取消").Text, "已取消")
	if entries, _ := os.ReadDir(filepath.Join(e.dataDir, "pending")); len(entries) != 1 { // the expired one waits for its sweep
		t.Errorf("pending uploads left: %v", entries)
	}
}

func TestTwoStaffUploadTheSameNoticeAtOnce(t *testing.T) {
	e := newStaffEnv(t, nil, nil)
	p1 := e.upload(t, staff, staffChat, "疗休养.txt", []byte(notice), "")
	p2 := e.upload(t, staff2, staffChat2, "疗休养通知.docx", extracttest.DOCX(t, strings.Replace(notice, "1800元", "2000元", 1)), "")
	pushCallback(e.srv, staff, p1, staffChat, callbackData(p1, "确认入库"))
	pushCallback(e.srv, staff2, p2, staffChat2, callbackData(p2, "确认入库"))
	got := []string{e.next(t, staffChat.ID).Text, e.next(t, staffChat2.ID).Text}
	added, replaced := 0, 0
	for _, text := range got {
		added += strings.Count(text, "已入库")
		replaced += strings.Count(text, "已替换")
	}
	if added != 1 || replaced != 1 {
		t.Errorf("confirmations = %q; want one addition and one replacement", got)
	}
	if n := len(e.eng.Documents()); n != 1 {
		t.Errorf("%d documents, want 1: the same notice twice is one document", n)
	}
}

func TestServeNoticesCLIChangesAndReindex(t *testing.T) {
	metricsAddr := freeAddr(t)
	e := newStaffEnv(t, map[string]string{"lanzhou.md": lanzhou}, func(o *bot.Options) {
		o.WatchEvery = 20 * time.Millisecond
		o.MetricsAddr = metricsAddr
	})

	// An operator adds a document from the command line while serve runs.
	cli, err := library.Open(e.corpusDir, e.dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cli.Add("notice.txt", []byte(notice), library.Meta{}, "cli:op"); err != nil {
		t.Fatal(err)
	}
	if !eventually(func() bool { return len(e.eng.Documents()) == 2 }) {
		t.Fatal("serve did not pick up the document added from the CLI")
	}
	if !eventually(func() bool { return strings.Contains(e.run.logs.String(), "corpus changed outside the bot") }) {
		t.Error("no log line for the reload")
	}
	mustContain(t, "answer", e.ask(t, "职工疗休养每人补助多少钱？").Text, "1800")

	// An operator copies a Word file in by hand; /reindex imports it.
	e.run.stop() // no watcher racing the import
	e.tweak = func(o *bot.Options) { o.WatchEvery = -1 }
	if err := os.WriteFile(filepath.Join(e.corpusDir, "助学通知.docx"),
		extracttest.DOCX(t, "关于2024年金秋助学的通知\n考入本科的困难职工子女每人资助5000元。"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.corpusDir, "坏文件.pdf"), []byte("%PDF-1.4 broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.start(t)
	reply := e.command(t, staff, staffChat, "/reindex")
	mustContain(t, "/reindex", reply.Text, "已重建索引：3 份文档", "导入了 1 个", "助学通知.docx", "有 1 个文件读不了", "坏文件.pdf")
	if n := len(e.eng.Documents()); n != 3 {
		t.Errorf("%d documents after /reindex, want 3", n)
	}
	audit, _ := e.lib.Audit()
	if last := audit[len(audit)-1]; last.Action != library.ActionReindex || last.Who != "tg:900" {
		t.Errorf("last audit record = %+v", last)
	}
}

func TestMetricsExportEngineCounters(t *testing.T) {
	metricsAddr := freeAddr(t)
	newStaffEnv(t, map[string]string{"lanzhou.md": lanzhou}, func(o *bot.Options) { o.MetricsAddr = metricsAddr })
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"qa_llm_generated_answers_total 0", "qa_llm_guard_rejections_total 0", "qa_llm_failures_total 0", "qa_corpus_documents 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestWithoutLibraryStaffAreToldToSetCorpusDir(t *testing.T) {
	srv := newServer(t)
	var none *library.Library // CORPUS_DIR unset; a nil pointer must work as no library
	start(t, srv, t.TempDir(), newFakeAnswerer(), func(o *bot.Options) {
		o.AdminIDs = []int64{staff.ID}
		o.Library = none
	})
	srv.SendDocument(staffChat, staff, "f1", "通知.txt", []byte(notice), "")
	srv.SendText(staffChat, staff, "/docs")
	srv.SendText(staffChat, staff, "/gaps")
	srv.SendText(staffChat, staff, "/help")
	srv.SendText(dm, member, "/help")
	waitSent(t, srv, 5)
	sent := srv.SentTo(staffChat.ID)
	mustContain(t, "staff /help", sent[3].Text, "工作人员", "/docs", "/gaps")
	if help := srv.SentTo(dm.ID)[0].Text; strings.Contains(help, "/docs") {
		t.Errorf("a member's /help shows the staff commands:\n%s", help)
	}
	mustContain(t, "upload without a library", sent[0].Text, "CORPUS_DIR")
	mustContain(t, "/docs without a library", sent[1].Text, "CORPUS_DIR")
	mustContain(t, "/gaps without a library", sent[2].Text, "近 7 天没有答不上的问题")
	if len(srv.Requests("getFile")) != 0 {
		t.Error("a file was downloaded with nowhere to store it")
	}
}

// TestButtonsPressedAgainAfterACrashTellTheTruth: a bot killed after a change
// landed (or after start-up recovery finished it, see corpus/library's kill
// tests) never told staff the outcome; the buttons are still there after the
// restart, and pressing them must say what really happened.
func TestButtonsPressedAgainAfterACrashTellTheTruth(t *testing.T) {
	e := newStaffEnv(t, map[string]string{"lanzhou.md": lanzhou}, nil)
	pendingID := func(preview telegramtest.Message) string {
		data := callbackData(preview, "确认入库")
		return data[strings.LastIndex(data, ":")+1:]
	}
	landed := e.upload(t, staff, staffChat, "疗休养.txt", []byte(notice), "")
	cancelled := e.upload(t, staff, staffChat, "热线.txt", []byte("职工服务热线变更\n\n职工服务热线改为12351，全天有人接听。\n"), "")
	rolledBack := e.upload(t, staff, staffChat, "助学.md", []byte("关于2024年金秋助学的通知\n\n考入本科的困难职工子女每人资助5000元。\n"), "")
	ask := e.command(t, staff, staffChat, "/remove lanzhou")
	// What the killed process got done before it could reply.
	for _, p := range []telegramtest.Message{landed, cancelled} {
		if _, err := e.lib.Commit(pendingID(p), "tg:900"); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.lib.Remove("lanzhou", "tg:900"); err != nil {
		t.Fatal(err)
	}
	e.restart(t)

	mustContain(t, "确认入库 again", e.press(t, staff, staffChat, landed, "确认入库").Text,
		"《关于组织2024年职工疗休养的通知》", "已经入库了")
	mustContain(t, "取消 after it landed", e.press(t, staff, staffChat, cancelled, "取消").Text,
		"没有取消", "《职工服务热线变更》", "已经入库了", "/remove")
	mustContain(t, "确认入库 of a step rolled back", e.press(t, staff, staffChat, rolledBack, "确认入库").Text,
		"已入库《关于2024年金秋助学的通知》")
	mustContain(t, "确认删除 again", e.press(t, staff, staffChat, ask, "确认删除").Text,
		"《兰州市总工会工作综述》", "已经删除了")

	// The index agrees: the landed documents answer, the removed one does not.
	mustContain(t, "answer from the landed notice", e.ask(t, "职工疗休养每人补助多少钱？").Text, "1800")
	mustContain(t, "answer from the hotline notice", e.ask(t, "职工服务热线是多少？").Text, "12351")
	if ans := e.ask(t, "金秋助学给考上大学的职工子女发多少助学金？"); strings.Contains(ans.Text, "3000") {
		t.Errorf("the removed document still answers:\n%s", ans.Text)
	}
	// And the audit log has each change once.
	audit, _ := e.lib.Audit()
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	if got := strings.Join(actions, " "); got != "add add remove add" {
		t.Errorf("audit = %s", got)
	}
}
