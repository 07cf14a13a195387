package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/extract"
	"github.com/gonghui/qa/corpus/library"
	"github.com/gonghui/qa/rag"
)

// Library is what the bot needs from the staff-managed corpus in CORPUS_DIR;
// *library.Library satisfies it. Changes are audited by the library.
type Library interface {
	// Prepare extracts an upload and keeps it pending (it survives restarts).
	Prepare(filename string, data []byte, meta library.Meta, addedBy string) (library.Pending, error)
	// Get returns a pending upload (library.ErrExpired once expired).
	Get(id string) (library.Pending, error)
	// Commit stores a pending upload in the corpus; Cancel discards it.
	Commit(id, by string) (corpus.Document, error)
	Cancel(id string) error
	// List describes the documents for /docs; Remove deletes one.
	List() ([]library.Entry, error)
	Remove(docID, by string) error
	// Import converts files an operator copied into CORPUS_DIR by hand;
	// Reindex audits a rebuild and returns the documents to index.
	Import(by string) ([]library.Imported, error)
	Reindex(who string) ([]corpus.Document, []error, error)
	// Docs returns the documents to index.
	Docs() ([]corpus.Document, []error, error)
	// Version changes whenever the documents may have changed, also by
	// another process (an operator's CLI); it is polled.
	Version() (string, error)
}

// Updater swaps the index to a new set of documents, embedding only new
// passages; *rag.Engine satisfies it.
type Updater interface {
	Update(ctx context.Context, docs []corpus.Document) (rag.Stats, error)
}

// What the bot says to staff, and to others who try staff things.
const (
	textStaffOnly    = "抱歉，这个命令只对工会工作人员开放。有问题直接用文字问我就行 🙂"
	textStaffPrivate = "这个命令请在和我的私聊里使用。"
	textUploadRefuse = "谢谢！不过我只能看懂文字问题，文件只有工会工作人员可以上传。有问题请直接用文字问我 🙂"
	textNoLibrary    = "现在用的是内置资料，没有设置文档目录（CORPUS_DIR），所以不能在这里添加或删除文档。请联系管理员设置后再试。"
	textDownloadCut  = "文件没有下载完整（传输中断了），这次什么都没有改动。请再发一次。"
	textDownloadFail = "暂时下载不了这个文件，这次什么都没有改动。请稍后再发一次。"
	textCommitting   = "正在入库…"
	textCancelled    = "好的，已取消，这份文件没有入库。"
	textNotRemoved   = "好的，没有删除。"
	textRemoveUsage  = "请在 /remove 后面写上文档 ID，比如：/remove 20240501-3fa9。文档 ID 可以用 /docs 查看。"
	textNoDocs       = "资料库里还没有文档。直接把文件（.txt、.md、.docx、.pdf、.html）发给我，就能添加。"
	textIndexFailed  = "文档已经保存，但更新检索索引时出了问题，会员暂时还查不到。请稍后发 /reindex 重试。"
	textButtonStaff  = "只有工会工作人员可以操作。"
	textStaffHelp    = "\n\n<b>工作人员</b>\n• 直接发文件（.txt .md .docx .pdf .html）：预览后确认入库；说明栏可写「标题：… 日期：… 来源：…」；回复我关于某份文档的消息再发文件，就是替换它。\n" +
		"• /docs 文档列表 · /remove ID 删除 · /reindex 重建索引\n• /gaps 近 7 天没答上的问题 · /stats 提问统计"
)

// isStaff reports whether a user is one of AdminIDs.
func (r *runner) isStaff(u *models.User) bool {
	return u != nil && r.admins[u.ID]
}

// actor names a staff member in the audit log.
func actor(u *models.User) string {
	if u == nil {
		return "tg:unknown"
	}
	return "tg:" + strconv.FormatInt(u.ID, 10)
}

// onStaff runs a staff command: text is its name and arguments.
func (r *runner) onStaff(ctx context.Context, m *models.Message, text string) {
	switch {
	case !r.isStaff(m.From):
		r.metrics.staff.WithLabelValues("refused").Inc()
		r.reply(ctx, m, esc(textStaffOnly), nil)
		return
	case m.Chat.Type != models.ChatTypePrivate:
		r.reply(ctx, m, esc(textStaffPrivate), nil)
		return
	}
	cmd, arg, _ := strings.Cut(text, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "gaps":
		r.replyAll(ctx, m, r.gapsReport(arg))
		return
	case "stats":
		r.replyAll(ctx, m, r.statsReport(arg))
		return
	}
	if r.lib == nil {
		r.reply(ctx, m, esc(textNoLibrary), nil)
		return
	}
	switch cmd {
	case "docs":
		r.listDocs(ctx, m)
	case "remove":
		r.askRemove(ctx, m, arg)
	case "reindex":
		r.reindex(ctx, m)
	}
}

// replyAll sends HTML segments packed into as few messages as fit.
func (r *runner) replyAll(ctx context.Context, m *models.Message, segs []string) {
	for _, t := range pack(segs, maxMessageUnits) {
		r.reply(ctx, m, t, nil)
	}
}

// onUpload handles a file sent in a private chat: staff get a preview with
// 确认入库 / 取消; anyone else a friendly refusal. Nothing is stored before
// 确认.
func (r *runner) onUpload(ctx context.Context, m *models.Message) {
	if !r.isStaff(m.From) {
		r.metrics.staff.WithLabelValues("refused").Inc()
		r.reply(ctx, m, esc(textUploadRefuse), nil)
		return
	}
	if r.lib == nil {
		r.reply(ctx, m, esc(textNoLibrary), nil)
		return
	}
	d := m.Document
	log := r.log.With("user", m.From.ID, "file", d.FileName, "size", d.FileSize)
	if d.FileSize > r.opts.MaxUploadBytes {
		log.Info("upload refused: too large to download")
		r.metrics.staff.WithLabelValues("upload_refused").Inc()
		r.reply(ctx, m, esc(extract.UserMessage(extract.ErrTooLarge)), nil)
		return
	}
	stopTyping := r.keepTyping(ctx, m.Chat.ID)
	data, err := r.download(ctx, d)
	if err != nil {
		stopTyping()
		log.Warn("upload not downloaded", "err", err)
		r.metrics.staff.WithLabelValues("upload_refused").Inc()
		switch {
		case errors.Is(err, extract.ErrTooLarge):
			r.reply(ctx, m, esc(extract.UserMessage(err)), nil)
		case errors.Is(err, errCutShort):
			r.reply(ctx, m, esc(textDownloadCut), nil)
		default:
			r.reply(ctx, m, esc(textDownloadFail), nil)
		}
		return
	}
	meta := library.ParseCaption(m.Caption)
	if meta.Replaces == "" {
		meta.Replaces = r.repliedDocID(m)
	}
	name := d.FileName
	if name == "" {
		name = "upload"
	}
	p, err := r.lib.Prepare(name, data, meta, actor(m.From))
	stopTyping()
	if err != nil {
		log.Info("upload refused", "reason", err)
		r.metrics.staff.WithLabelValues("upload_refused").Inc()
		r.reply(ctx, m, esc(library.UserMessage(err)), nil)
		return
	}
	log.Info("upload previewed", "pending", p.ID, "title", p.Title, "passages", p.PassageCount, "replaces", p.Replaces)
	r.metrics.staff.WithLabelValues("upload_previewed").Inc()
	r.reply(ctx, m, renderPreview(p, r.opts.TimeZone), &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: "确认入库", CallbackData: "u:ok:" + p.ID},
		{Text: "取消", CallbackData: "u:no:" + p.ID},
	}}})
}

// errCutShort is a download that ended before the whole file arrived.
var errCutShort = errors.New("download cut short")

// download fetches a document through getFile and the file URL, which
// carries the token: every error is redacted. At most MaxUploadBytes are
// read; a longer file is extract.ErrTooLarge.
func (r *runner) download(ctx context.Context, d *models.Document) ([]byte, error) {
	var f *models.File
	err := r.send.call(ctx, "getFile", 0, false, func(ctx context.Context, _ int64) error {
		var err error
		f, err = r.tg.GetFile(ctx, &tg.GetFileParams{FileID: d.FileID})
		return err
	})
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "too big") {
			return nil, fmt.Errorf("getFile: %w: %v", extract.ErrTooLarge, err)
		}
		return nil, err
	}
	if f.FileSize > r.opts.MaxUploadBytes {
		return nil, fmt.Errorf("getFile: %w: %d bytes", extract.ErrTooLarge, f.FileSize)
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(dctx, http.MethodGet, r.tg.FileDownloadLink(f), nil)
	if err != nil {
		return nil, r.redact.Error(fmt.Errorf("download request: %w", err))
	}
	resp, err := r.dl.Do(req)
	if err != nil {
		return nil, r.redact.Error(fmt.Errorf("download: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, r.opts.MaxUploadBytes+1))
	switch {
	case err != nil:
		return nil, r.redact.Error(fmt.Errorf("download: %w: after %d bytes: %w", errCutShort, len(data), err))
	case int64(len(data)) > r.opts.MaxUploadBytes:
		return nil, fmt.Errorf("download: %w: over %d bytes", extract.ErrTooLarge, r.opts.MaxUploadBytes)
	case f.FileSize > 0 && int64(len(data)) != f.FileSize:
		return nil, fmt.Errorf("download: %w: %d of %d bytes", errCutShort, len(data), f.FileSize)
	}
	return data, nil
}

// docIDRe finds the document IDs the bot writes into its messages about a
// document ("文档 ID：20240501-3fa9"), with or without the HTML around.
var docIDRe = regexp.MustCompile(`ID[：:]\s*(?:<code>)?([^\s<（）()，,]+)`)

// repliedDocID is the document a file replaces when it is sent as a reply
// to the bot's message about exactly one document; "" otherwise.
func (r *runner) repliedDocID(m *models.Message) string {
	rt := m.ReplyToMessage
	if rt == nil || rt.From == nil || rt.From.ID != r.me.ID {
		return ""
	}
	var ids []string
	for _, sm := range docIDRe.FindAllStringSubmatch(rt.Text, -1) {
		if !slices.Contains(ids, sm[1]) {
			ids = append(ids, sm[1])
		}
	}
	if len(ids) != 1 {
		return ""
	}
	return ids[0]
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

// onStaffCallback handles the staff buttons: u:ok|no:<pending id> for an
// upload, r:ok|no:<document key> for a removal.
func (r *runner) onStaffCallback(ctx context.Context, cq *models.CallbackQuery, kind, rest string) {
	if !r.isStaff(&cq.From) {
		r.send.answerCallback(ctx, cq.ID, textButtonStaff)
		return
	}
	if r.lib == nil {
		r.send.answerCallback(ctx, cq.ID, textNoLibrary)
		return
	}
	msg := cq.Message.Message
	if msg == nil {
		r.send.answerCallback(ctx, cq.ID, "")
		return
	}
	action, id, _ := strings.Cut(rest, ":")
	by := actor(&cq.From)
	say := func(text string) {
		out := outMessage{chatID: msg.Chat.ID, text: text, replyTo: msg.ID}
		if _, err := r.send.send(ctx, out); err != nil {
			r.log.Error("message not sent", "chat", msg.Chat.ID, "reason", err)
		}
	}
	log := r.log.With("user", cq.From.ID)
	switch kind + ":" + action {
	case "u:ok":
		r.send.answerCallback(ctx, cq.ID, textCommitting)
		r.refreshMu.Lock()
		// Under refreshMu the index holds every change committed here so far:
		// whether the document was in it tells an addition from a replacement.
		before := r.a.Documents()
		doc, err := r.lib.Commit(id, by)
		if !errors.Is(err, library.ErrBusy) {
			r.dropButtons(ctx, msg) // done, or never possible: but busy may be pressed again
		}
		if err != nil {
			r.refreshMu.Unlock()
			log.Info("upload not committed", "pending", id, "reason", err)
			say(esc(library.UserMessage(err)))
			return
		}
		n, st, err := r.refreshLocked(ctx, r.lib.Docs)
		r.refreshMu.Unlock()
		replaced := slices.ContainsFunc(before, func(d corpus.Document) bool { return d.ID == doc.ID })
		log.Info("document committed", "doc", doc.ID, "title", doc.Title, "replaced", replaced,
			"documents", n, "embedded", st.Embedded)
		r.metrics.staff.WithLabelValues("committed").Inc()
		if err != nil {
			log.Error("index not updated after commit", "err", err)
			say(esc(textIndexFailed))
			return
		}
		say(renderCommitted(doc, len(corpus.Split(doc)), replaced))
	case "u:no":
		r.send.answerCallback(ctx, cq.ID, "")
		r.dropButtons(ctx, msg)
		if err := r.lib.Cancel(id); err != nil && !errors.Is(err, library.ErrNotFound) {
			say(esc(library.UserMessage(err)))
			return
		}
		r.metrics.staff.WithLabelValues("cancelled").Inc()
		say(esc(textCancelled))
	case "r:ok":
		r.send.answerCallback(ctx, cq.ID, "")
		entry, ok, err := r.findEntry(id)
		if err != nil {
			say(esc(library.UserMessage(err)))
			return
		}
		if !ok {
			say(esc(library.UserMessage(library.ErrNotFound)))
			return
		}
		r.refreshMu.Lock()
		err = r.lib.Remove(entry.ID, by)
		if !errors.Is(err, library.ErrBusy) {
			r.dropButtons(ctx, msg)
		}
		if err != nil {
			r.refreshMu.Unlock()
			log.Info("document not removed", "doc", entry.ID, "reason", err)
			say(esc(library.UserMessage(err)))
			return
		}
		_, _, err = r.refreshLocked(ctx, r.lib.Docs)
		r.refreshMu.Unlock()
		log.Info("document removed", "doc", entry.ID, "title", entry.Title)
		r.metrics.staff.WithLabelValues("removed").Inc()
		if err != nil {
			log.Error("index not updated after removal", "err", err)
			say(esc(textIndexFailed))
			return
		}
		say(fmt.Sprintf("🗑 已删除《%s》（ID：<code>%s</code>）。会员提问不会再引用它。", esc(entry.Title), esc(entry.ID)))
	case "r:no":
		r.send.answerCallback(ctx, cq.ID, "")
		r.dropButtons(ctx, msg)
		say(esc(textNotRemoved))
	default:
		r.send.answerCallback(ctx, cq.ID, "")
	}
}

// dropButtons removes a message's inline buttons so they are not pressed
// twice; a failure only costs that.
func (r *runner) dropButtons(ctx context.Context, msg *models.Message) {
	_, err := r.tg.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: msg.Chat.ID, MessageID: msg.ID})
	if err != nil {
		r.log.Debug("cannot remove buttons", "chat", msg.Chat.ID, "err", r.redact.Error(err))
	}
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

// docKey is a short, fixed-size key for a document ID in callback data
// (IDs of hand-copied files can be long Chinese file names).
func docKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}

// findEntry finds the document whose docKey is key.
func (r *runner) findEntry(key string) (library.Entry, bool, error) {
	entries, err := r.lib.List()
	if err != nil {
		return library.Entry{}, false, err
	}
	for _, e := range entries {
		if docKey(e.ID) == key {
			return e, true, nil
		}
	}
	return library.Entry{}, false, nil
}

// listDocs answers /docs.
func (r *runner) listDocs(ctx context.Context, m *models.Message) {
	entries, err := r.lib.List()
	if err != nil {
		r.log.Error("cannot list documents", "err", err)
		r.reply(ctx, m, esc(library.UserMessage(err)), nil)
		return
	}
	if len(entries) == 0 {
		r.reply(ctx, m, esc(textNoDocs), nil)
		return
	}
	segs := []string{fmt.Sprintf("<b>资料库里的 %d 份文档</b>", len(entries))}
	for _, e := range entries {
		segs = append(segs, "\n\n"+renderEntry(e, r.opts.TimeZone))
	}
	segs = append(segs, "\n\n删除：/remove 文档ID。替换：回复我关于那份文档的消息再发新文件，或发同标题的文件。")
	r.replyAll(ctx, m, segs)
}

// renderEntry is one document in /docs.
func renderEntry(e library.Entry, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "• 《%s》\n  ID：<code>%s</code>", esc(e.Title), esc(e.ID))
	if e.Date != "" {
		b.WriteString(" · " + esc(e.Date))
	}
	fmt.Fprintf(&b, " · %d 段", e.Passages)
	switch {
	case e.AddedBy != "":
		b.WriteString("\n  " + esc(e.AddedBy) + " 添加")
		if t, err := time.Parse(time.RFC3339, e.AddedAt); err == nil {
			b.WriteString("于 " + t.In(loc).Format("2006-01-02 15:04"))
		}
	default:
		b.WriteString("\n  手动放入文档目录")
	}
	return b.String()
}

// askRemove answers /remove ID with a confirm button.
func (r *runner) askRemove(ctx context.Context, m *models.Message, id string) {
	if id == "" {
		r.reply(ctx, m, esc(textRemoveUsage), nil)
		return
	}
	entry, ok, err := r.findEntry(docKey(id))
	if err != nil {
		r.reply(ctx, m, esc(library.UserMessage(err)), nil)
		return
	}
	if !ok {
		r.reply(ctx, m, esc(library.UserMessage(library.ErrNotFound)), nil)
		return
	}
	text := fmt.Sprintf("确定要删除《%s》吗？\n文档 ID：<code>%s</code> · 共 %d 段\n删除后会员就查不到这份文档了。", esc(entry.Title), esc(entry.ID), entry.Passages)
	key := docKey(entry.ID)
	r.reply(ctx, m, text, &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: "确认删除", CallbackData: "r:ok:" + key},
		{Text: "取消", CallbackData: "r:no:" + key},
	}}})
}

// reindex answers /reindex: hand-copied files are imported, then the index
// is rebuilt from CORPUS_DIR.
func (r *runner) reindex(ctx context.Context, m *models.Message) {
	by := actor(m.From)
	stopTyping := r.keepTyping(ctx, m.Chat.ID)
	r.refreshMu.Lock()
	imported, ierr := r.lib.Import(by)
	var skipped []error
	n, st, err := r.refreshLocked(ctx, func() ([]corpus.Document, []error, error) {
		docs, sk, err := r.lib.Reindex(by)
		skipped = sk
		return docs, sk, err
	})
	r.refreshMu.Unlock()
	stopTyping()
	if err != nil {
		r.log.Error("reindex failed", "err", err)
		r.reply(ctx, m, esc("重建索引没有成功，会员仍按原来的文档得到回答。"+library.UserMessage(err)), nil)
		return
	}
	r.log.Info("reindexed", "user", m.From.ID, "documents", n, "passages", r.a.PassageCount(), "embedded", st.Embedded)
	r.metrics.staff.WithLabelValues("reindexed").Inc()
	segs := []string{fmt.Sprintf("🔄 已重建索引：%d 份文档，%d 段（新处理 %d 段，沿用 %d 段）。", n, r.a.PassageCount(), st.Embedded, st.Reused)}
	if d := len(st.Added) + len(st.Changed) + len(st.Removed); d > 0 {
		segs = append(segs, fmt.Sprintf("\n新增 %d 份、更新 %d 份、移除 %d 份。", len(st.Added), len(st.Changed), len(st.Removed)))
	}
	if ierr != nil {
		r.log.Warn("cannot look for hand-copied files", "err", ierr)
	}
	var ok, bad []library.Imported
	for _, im := range imported {
		if im.Err == nil {
			ok = append(ok, im)
		} else {
			bad = append(bad, im)
		}
	}
	if len(ok) > 0 {
		segs = append(segs, fmt.Sprintf("\n导入了 %d 个手动放入的文件：", len(ok)))
		for _, im := range ok {
			segs = append(segs, "\n• "+esc(im.File)+" → 《"+esc(im.Doc.Title)+"》")
		}
	}
	if len(bad) > 0 {
		segs = append(segs, fmt.Sprintf("\n有 %d 个文件读不了，留在原处：", len(bad)))
		for _, im := range bad {
			segs = append(segs, "\n• "+esc(im.File)+"："+esc(library.UserMessage(im.Err)))
		}
	}
	if len(skipped) > 0 {
		segs = append(segs, fmt.Sprintf("\n另有 %d 个文件被跳过（空文件或不是文字），详情见服务器日志。", len(skipped)))
		for _, s := range skipped {
			r.log.Warn("document skipped", "err", s)
		}
	}
	r.replyAll(ctx, m, segs)
}

// refreshLocked loads the documents with load and swaps the index to them;
// r.refreshMu must be held, so that a later refresh always sees every
// change committed before it. It returns the number of documents.
func (r *runner) refreshLocked(ctx context.Context, load func() ([]corpus.Document, []error, error)) (int, rag.Stats, error) {
	v, verr := r.lib.Version()
	docs, _, err := load()
	if err != nil {
		return 0, rag.Stats{}, fmt.Errorf("load documents: %w", err)
	}
	st, err := r.upd.Update(ctx, docs)
	if err != nil {
		return len(docs), st, fmt.Errorf("update index: %w", err)
	}
	if verr == nil {
		r.version = v
	}
	return len(docs), st, nil
}

// watchCorpus polls the library's Version and reloads the documents when
// they changed outside the bot (an operator's CLI, a file copied by hand).
func (r *runner) watchCorpus(ctx context.Context) {
	t := time.NewTicker(r.opts.WatchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.checkCorpus(ctx)
		}
	}
}

// checkCorpus reloads the documents if the library's Version changed.
func (r *runner) checkCorpus(ctx context.Context) {
	v, err := r.lib.Version()
	if err != nil {
		r.log.Warn("cannot check the corpus for changes", "err", err)
		return
	}
	r.refreshMu.Lock()
	defer r.refreshMu.Unlock()
	if v == r.version {
		return
	}
	n, st, err := r.refreshLocked(ctx, r.lib.Docs)
	if err != nil {
		r.log.Error("corpus changed outside the bot but the index was not updated", "err", err)
		return
	}
	r.metrics.staff.WithLabelValues("reloaded").Inc()
	r.log.Info("corpus changed outside the bot; index updated", "documents", n, "passages", r.a.PassageCount(),
		"added", len(st.Added), "changed", len(st.Changed), "removed", len(st.Removed), "embedded", st.Embedded)
}

// staffMenu is the command menu admins see in their private chat.
var staffMenu = []models.BotCommand{
	{Command: "docs", Description: "文档列表（ID、标题、日期、段数）"},
	{Command: "remove", Description: "删除文档：/remove 文档ID"},
	{Command: "reindex", Description: "从文档目录重建索引"},
	{Command: "gaps", Description: "近 7 天没答上的问题"},
	{Command: "stats", Description: "提问统计"},
}

// setStaffCommands shows the staff commands in one admin's private chat.
// Telegram refuses it until the admin has started a chat with the bot, so
// it is tried again on their /start.
func (r *runner) setStaffCommands(ctx context.Context, adminID int64) {
	cmds := append(slices.Clone(publicMenu), staffMenu...)
	err := r.send.call(ctx, "setMyCommands", 0, false, func(ctx context.Context, _ int64) error {
		_, err := r.tg.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeChat{ChatID: adminID}})
		return err
	})
	if err != nil {
		r.log.Info("staff command menu not set (the admin may not have started the bot yet)", "admin", adminID, "err", err)
	}
}
