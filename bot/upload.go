package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/extract"
	"github.com/gonghui/qa/corpus/library"
	"github.com/gonghui/qa/rag"
)

// What the bot says about uploads.
const (
	textDownloadCut  = "文件没有下载完整（传输中断了），这次什么都没有改动。请再发一次。"
	textDownloadFail = "暂时下载不了这个文件，这次什么都没有改动。请稍后再发一次。"
	textCommitting   = "正在入库…"
	textCancelled    = "好的，已取消，这份文件没有入库。"
	textIndexFailed  = "文档已经保存，但更新检索索引时出了问题，会员暂时还查不到。请稍后发 /reindex 重试。"
)

// pendingUploads is what uploads need of the library: previews that wait
// for 确认 (they survive restarts), then commit or cancel.
type pendingUploads interface {
	Prepare(filename string, data []byte, meta library.Meta, addedBy string) (library.Pending, error)
	Get(id string) (library.Pending, error)
	Commit(id, by string) (corpus.Document, error)
	Cancel(id string) error
}

// corpusWatcher keeps the index in step with CORPUS_DIR; *rag.Watcher is
// one. Staff changes go through Change, so that the index is swapped right
// after them; Watch notices changes made outside the bot.
type corpusWatcher interface {
	Change(ctx context.Context, change func() error) (rag.Reload, error)
	Watch(ctx context.Context, every time.Duration, report func(rag.Reload, error))
}

// uploads turns a file a staff member sends into a document: download, a
// preview with 确认入库 / 取消, then commit and swap the index, or cancel.
// Nothing is stored before 确认.
type uploads struct {
	out     *replier
	files   *downloader
	lib     pendingUploads
	corpus  corpusWatcher
	indexed func() []corpus.Document // what members are answered from now
	// store says which document a message the upload replies to is about;
	// botID tells the bot's messages from others'.
	store   *Store
	botID   int64
	metrics *metrics
	log     *slog.Logger
	tz      *time.Location
}

// receive handles a file staff sent in a private chat: it is downloaded,
// extracted and previewed.
func (up *uploads) receive(ctx context.Context, m *models.Message) {
	d := m.Document
	log := up.log.With("user", m.From.ID, "file", d.FileName, "size", d.FileSize)
	if d.FileSize > up.files.max {
		log.Info("upload refused: too large to download")
		up.metrics.staff.WithLabelValues("upload_refused").Inc()
		up.out.reply(ctx, m, esc(extract.UserMessage(extract.ErrTooLarge)), nil)
		return
	}
	stopTyping := up.out.keepTyping(ctx, m.Chat.ID)
	data, err := up.files.download(ctx, d)
	if err != nil {
		stopTyping()
		log.Warn("upload not downloaded", "err", err)
		up.metrics.staff.WithLabelValues("upload_refused").Inc()
		switch {
		case errors.Is(err, extract.ErrTooLarge):
			up.out.reply(ctx, m, esc(extract.UserMessage(err)), nil)
		case errors.Is(err, errCutShort):
			up.out.reply(ctx, m, esc(textDownloadCut), nil)
		default:
			up.out.reply(ctx, m, esc(textDownloadFail), nil)
		}
		return
	}
	meta := library.ParseCaption(m.Caption)
	if meta.Replaces == "" {
		meta.Replaces = up.repliedDoc(m)
	}
	name := d.FileName
	if name == "" {
		name = "upload"
	}
	p, err := up.lib.Prepare(name, data, meta, actor(m.From))
	stopTyping()
	if err != nil {
		log.Info("upload refused", "reason", err)
		up.metrics.staff.WithLabelValues("upload_refused").Inc()
		up.out.reply(ctx, m, esc(library.UserMessage(err)), nil)
		return
	}
	log.Info("upload previewed", "pending", p.ID, "title", p.Title, "passages", p.PassageCount, "replaces", p.Replaces)
	up.metrics.staff.WithLabelValues("upload_previewed").Inc()
	up.out.replyAbout(ctx, m, renderPreview(p, up.tz), &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: "确认入库", CallbackData: uploadButton(true, p.ID)},
		{Text: "取消", CallbackData: uploadButton(false, p.ID)},
	}}}, p.Replaces)
}

// repliedDoc is the document a file replaces when it is sent as a reply to
// the bot's message about one document; "" otherwise.
func (up *uploads) repliedDoc(m *models.Message) string {
	rt := m.ReplyToMessage
	if rt == nil || rt.From == nil || rt.From.ID != up.botID {
		return ""
	}
	doc, ok, err := up.store.MessageDoc(m.Chat.ID, rt.ID)
	if err != nil {
		up.log.Warn("cannot tell which document the message replied to is about", "err", err)
	}
	if !ok {
		return ""
	}
	return doc
}

// decide handles 确认入库 and 取消 under a preview; the caller has checked
// that staff pressed it.
func (up *uploads) decide(ctx context.Context, cq *models.CallbackQuery, c callback) {
	msg := cq.Message.Message
	log := up.log.With("user", cq.From.ID)
	if !c.OK {
		up.out.ack(ctx, cq, "")
		up.out.send.dropButtons(ctx, msg)
		if err := up.lib.Cancel(c.Key); err != nil && !errors.Is(err, library.ErrNotFound) {
			text := library.UserMessage(err)
			if done := (*library.DoneError)(nil); errors.As(err, &done) {
				text = "没有取消：" + text + "不需要它的话，可以用 /remove " + done.Record.DocID + " 删除。"
			}
			sayUnder(ctx, up.out, msg, esc(text), "")
			return
		}
		up.metrics.staff.WithLabelValues("cancelled").Inc()
		sayUnder(ctx, up.out, msg, esc(textCancelled), "")
		return
	}
	up.out.ack(ctx, cq, textCommitting)
	var (
		doc       corpus.Document
		passages  int
		replaced  bool
		commitErr error
	)
	re, err := up.corpus.Change(ctx, func() error {
		// No other change or reload runs now, so the index holds every change
		// committed so far: whether the document is in it tells an addition
		// from a replacement.
		before := up.indexed()
		// Commit also answers a press after the upload was stored (perhaps
		// finished by recovery after a crash): a *library.DoneError.
		p, _ := up.lib.Get(c.Key)
		passages = p.PassageCount
		doc, commitErr = up.lib.Commit(c.Key, actor(&cq.From))
		if !errors.Is(commitErr, library.ErrBusy) {
			up.out.send.dropButtons(ctx, msg) // done, or never possible: but busy may be pressed again
		}
		replaced = slices.ContainsFunc(before, func(d corpus.Document) bool { return d.ID == doc.ID })
		return commitErr
	})
	if commitErr != nil {
		log.Info("upload not committed", "pending", c.Key, "reason", commitErr)
		sayUnder(ctx, up.out, msg, esc(library.UserMessage(commitErr)), "")
		return
	}
	log.Info("document committed", "doc", doc.ID, "title", doc.Title, "replaced", replaced,
		"documents", re.Documents, "embedded", re.Embedded)
	up.metrics.staff.WithLabelValues("committed").Inc()
	if err != nil {
		log.Error("index not updated after commit", "err", err)
		sayUnder(ctx, up.out, msg, esc(textIndexFailed), "")
		return
	}
	sayUnder(ctx, up.out, msg, renderCommitted(doc, passages, replaced), doc.ID)
}

// renderPreview shows what an upload will become.
func renderPreview(p library.Pending, loc *time.Location) string {
	var b strings.Builder
	b.WriteString("📄 <b>文件预览</b>（还没有入库）\n")
	fmt.Fprintf(&b, "标题：《%s》\n", esc(p.Title))
	if p.Date != "" {
		fmt.Fprintf(&b, "日期：%s\n", esc(p.Date))
	} else {
		b.WriteString("日期：没有识别到（可在说明栏写「日期：2024年5月1日」）\n")
	}
	if p.Source != "" {
		fmt.Fprintf(&b, "来源：%s\n", esc(p.Source))
	}
	fmt.Fprintf(&b, "共 %d 段 · %s 格式\n", p.PassageCount, esc(p.Format))
	if len(p.FirstLines) > 0 {
		b.WriteString("开头：\n")
		for _, l := range p.FirstLines {
			b.WriteString("<i>" + esc(l) + "</i>\n")
		}
	}
	if p.Replaces != "" {
		fmt.Fprintf(&b, "\n⚠️ 将替换《%s》（ID：<code>%s</code>），确认后旧版本的内容不再用于回答。\n", esc(p.ReplacesTitle), esc(p.Replaces))
	}
	fmt.Fprintf(&b, "\n请核对后点「确认入库」。预览在 %s 前有效。", p.Expires.In(loc).Format("01-02 15:04"))
	return b.String()
}

// renderCommitted confirms a stored document.
func renderCommitted(doc corpus.Document, passages int, replaced bool) string {
	verb := "已入库"
	if replaced {
		verb = "已替换"
	}
	s := fmt.Sprintf("✅ %s《%s》\n文档 ID：<code>%s</code> · 共 %d 段", verb, esc(doc.Title), esc(doc.ID), passages)
	if doc.Date != "" {
		s += " · " + esc(doc.Date)
	}
	s += "\n会员现在提问就能查到它的内容了。"
	if replaced {
		s += "旧版本的内容不再用于回答。"
	}
	return s
}

// errCutShort is a download that ended before the whole file arrived.
var errCutShort = errors.New("download cut short")

// downloader fetches the files staff send, within the Bot API's limit.
type downloader struct {
	send   *sender
	tg     *tg.Bot
	http   *http.Client
	redact redactor
	// max is the largest file taken, in bytes.
	max int64
}

// download fetches a document through getFile and the file URL, which
// carries the token: every error is redacted. At most max bytes are read;
// a longer file is extract.ErrTooLarge.
func (dl *downloader) download(ctx context.Context, d *models.Document) ([]byte, error) {
	var f *models.File
	err := dl.send.call(ctx, "getFile", 0, false, func(ctx context.Context, _ int64) error {
		var err error
		f, err = dl.tg.GetFile(ctx, &tg.GetFileParams{FileID: d.FileID})
		return err
	})
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "too big") {
			return nil, fmt.Errorf("getFile: %w: %v", extract.ErrTooLarge, err)
		}
		return nil, err
	}
	if f.FileSize > dl.max {
		return nil, fmt.Errorf("getFile: %w: %d bytes", extract.ErrTooLarge, f.FileSize)
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(dctx, http.MethodGet, dl.tg.FileDownloadLink(f), nil)
	if err != nil {
		return nil, dl.redact.Error(fmt.Errorf("download request: %w", err))
	}
	resp, err := dl.http.Do(req)
	if err != nil {
		return nil, dl.redact.Error(fmt.Errorf("download: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, dl.max+1))
	switch {
	case err != nil:
		return nil, dl.redact.Error(fmt.Errorf("download: %w: after %d bytes: %w", errCutShort, len(data), err))
	case int64(len(data)) > dl.max:
		return nil, fmt.Errorf("download: %w: over %d bytes", extract.ErrTooLarge, dl.max)
	case f.FileSize > 0 && int64(len(data)) != f.FileSize:
		return nil, fmt.Errorf("download: %w: %d of %d bytes", errCutShort, len(data), f.FileSize)
	}
	return data, nil
}
