package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/library"
)

// What the bot says about the documents.
const (
	textNotRemoved  = "好的，没有删除。"
	textRemoveUsage = "请在 /remove 后面写上文档 ID，比如：/remove 20240501-3fa9。文档 ID 可以用 /docs 查看。"
	textNoDocs      = "资料库里还没有文档。直接把文件（.txt、.md、.docx、.pdf、.html）发给我，就能添加。"
)

// shelf is what the documents desk needs of the library.
type shelf interface {
	// List describes the documents; Remove deletes one (audited).
	List() ([]library.Entry, error)
	Remove(docID, by string) error
	// Import converts files an operator copied into CORPUS_DIR by hand;
	// Reindex audits a rebuild.
	Import(by string) ([]library.Imported, error)
	Reindex(who string) ([]corpus.Document, []error, error)
	// Audit is the log of changes, to recognise a document no longer listed.
	Audit() ([]library.AuditRecord, error)
}

// documents is the staff's desk for the documents in CORPUS_DIR: /docs,
// /remove with its confirm button, and /reindex.
type documents struct {
	out      *replier
	lib      shelf
	corpus   corpusWatcher
	passages func() int // passages indexed now, for /reindex's reply
	metrics  *metrics
	log      *slog.Logger
	tz       *time.Location
}

// list answers /docs.
func (dd *documents) list(ctx context.Context, m *models.Message) {
	entries, err := dd.lib.List()
	if err != nil {
		dd.log.Error("cannot list documents", "err", err)
		dd.out.reply(ctx, m, esc(library.UserMessage(err)), nil)
		return
	}
	if len(entries) == 0 {
		dd.out.reply(ctx, m, esc(textNoDocs), nil)
		return
	}
	segs := []string{fmt.Sprintf("<b>资料库里的 %d 份文档</b>", len(entries))}
	for _, e := range entries {
		segs = append(segs, "\n\n"+renderEntry(e, dd.tz))
	}
	segs = append(segs, "\n\n删除：/remove 文档ID。替换：回复我关于那份文档的消息再发新文件，或发同标题的文件。")
	if texts := pack(segs, maxMessageUnits); len(entries) == 1 && len(texts) == 1 {
		dd.out.replyAbout(ctx, m, texts[0], nil, entries[0].ID) // the list is about one document
		return
	}
	dd.out.replyAll(ctx, m, segs)
}

// renderEntry is one document in /docs.
func renderEntry(e library.Entry, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "• 《%s》\n  ID：<code>%s</code>", esc(e.Title), esc(e.ID))
	if e.Date != "" {
		b.WriteString(" · " + esc(e.Date))
	} else if e.VersionLabel != "" {
		b.WriteString(" · " + esc(e.VersionLabel))
	}
	fmt.Fprintf(&b, " · %d 段", e.Passages)
	switch {
	case e.Builtin:
		b.WriteString("\n  内置（国家法律法规），不能删除")
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

// docKey is a short, fixed-size key for a document ID in callback data
// (IDs of hand-copied files can be long Chinese file names).
func docKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}

// findEntry finds the document whose docKey is key.
func (dd *documents) findEntry(key string) (library.Entry, bool, error) {
	entries, err := dd.lib.List()
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

// audited finds, in the audit log, the last document changed whose docKey
// is key, for a button pressed after the document left the list.
func (dd *documents) audited(key string) (library.Entry, bool) {
	recs, err := dd.lib.Audit()
	if err != nil {
		dd.log.Warn("cannot read the audit log", "err", err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if r := recs[i]; r.DocID != "" && docKey(r.DocID) == key {
			return library.Entry{Document: corpus.Document{ID: r.DocID, Title: r.Title}}, true
		}
	}
	return library.Entry{}, false
}

// askRemove answers /remove ID with a confirm button.
func (dd *documents) askRemove(ctx context.Context, m *models.Message, id string) {
	if id == "" {
		dd.out.reply(ctx, m, esc(textRemoveUsage), nil)
		return
	}
	entry, ok, err := dd.findEntry(docKey(id))
	if err != nil {
		dd.out.reply(ctx, m, esc(library.UserMessage(err)), nil)
		return
	}
	if !ok {
		dd.out.reply(ctx, m, esc(library.UserMessage(library.ErrNotFound)), nil)
		return
	}
	if entry.Builtin {
		dd.out.reply(ctx, m, esc(library.UserMessage(library.ErrBuiltin)), nil)
		return
	}
	text := fmt.Sprintf("确定要删除《%s》吗？\n文档 ID：<code>%s</code> · 共 %d 段\n删除后会员就查不到这份文档了。", esc(entry.Title), esc(entry.ID), entry.Passages)
	key := docKey(entry.ID)
	dd.out.replyAbout(ctx, m, text, &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: "确认删除", CallbackData: removeButton(true, key)},
		{Text: "取消", CallbackData: removeButton(false, key)},
	}}}, entry.ID)
}

// decideRemove handles 确认删除 and 取消 under /remove; the caller has
// checked that staff pressed it.
func (dd *documents) decideRemove(ctx context.Context, cq *models.CallbackQuery, c callback) {
	msg := cq.Message.Message
	dd.out.ack(ctx, cq, "")
	if !c.OK {
		dd.out.send.dropButtons(ctx, msg)
		sayUnder(ctx, dd.out, msg, esc(textNotRemoved), "")
		return
	}
	entry, ok, err := dd.findEntry(c.Key)
	if err != nil {
		sayUnder(ctx, dd.out, msg, esc(library.UserMessage(err)), "")
		return
	}
	if !ok {
		// Removed already (perhaps just before a crash, the removal then
		// finished at start-up)? Remove says so, from the audit log.
		if entry, ok = dd.audited(c.Key); !ok {
			sayUnder(ctx, dd.out, msg, esc(library.UserMessage(library.ErrNotFound)), "")
			return
		}
	}
	log := dd.log.With("user", cq.From.ID)
	var removeErr error
	_, err = dd.corpus.Change(ctx, func() error {
		removeErr = dd.lib.Remove(entry.ID, actor(&cq.From))
		if !errors.Is(removeErr, library.ErrBusy) {
			dd.out.send.dropButtons(ctx, msg)
		}
		return removeErr
	})
	if removeErr != nil {
		log.Info("document not removed", "doc", entry.ID, "reason", removeErr)
		sayUnder(ctx, dd.out, msg, esc(library.UserMessage(removeErr)), "")
		return
	}
	log.Info("document removed", "doc", entry.ID, "title", entry.Title)
	dd.metrics.staff.WithLabelValues("removed").Inc()
	if err != nil {
		log.Error("index not updated after removal", "err", err)
		sayUnder(ctx, dd.out, msg, esc(textIndexFailed), "")
		return
	}
	sayUnder(ctx, dd.out, msg, fmt.Sprintf("🗑 已删除《%s》（ID：<code>%s</code>）。会员提问不会再引用它。", esc(entry.Title), esc(entry.ID)), entry.ID)
}

// reindex answers /reindex: hand-copied files are imported, then the index
// is rebuilt from CORPUS_DIR.
func (dd *documents) reindex(ctx context.Context, m *models.Message) {
	by := actor(m.From)
	stopTyping := dd.out.keepTyping(ctx, m.Chat.ID)
	var (
		imported []library.Imported
		ierr     error
	)
	re, err := dd.corpus.Change(ctx, func() error {
		imported, ierr = dd.lib.Import(by)
		_, _, err := dd.lib.Reindex(by) // audits the rebuild; Change reloads the documents
		return err
	})
	stopTyping()
	if err != nil {
		dd.log.Error("reindex failed", "err", err)
		dd.out.reply(ctx, m, esc("重建索引没有成功，会员仍按原来的文档得到回答。"+library.UserMessage(err)), nil)
		return
	}
	n, st, passages := re.Documents, re.Stats, dd.passages()
	dd.log.Info("reindexed", "user", m.From.ID, "documents", n, "passages", passages, "embedded", st.Embedded)
	dd.metrics.staff.WithLabelValues("reindexed").Inc()
	segs := []string{fmt.Sprintf("🔄 已重建索引：%d 份文档，%d 段（新处理 %d 段，沿用 %d 段）。", n, passages, st.Embedded, st.Reused)}
	if d := len(st.Added) + len(st.Changed) + len(st.Removed); d > 0 {
		segs = append(segs, fmt.Sprintf("\n新增 %d 份、更新 %d 份、移除 %d 份。", len(st.Added), len(st.Changed), len(st.Removed)))
	}
	if ierr != nil {
		dd.log.Warn("cannot look for hand-copied files", "err", ierr)
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
	if len(re.Skipped) > 0 {
		segs = append(segs, fmt.Sprintf("\n另有 %d 个文件被跳过（空文件或不是文字），详情见服务器日志。", len(re.Skipped)))
		for _, s := range re.Skipped {
			dd.log.Warn("document skipped", "err", s)
		}
	}
	dd.out.replyAll(ctx, m, segs)
}
