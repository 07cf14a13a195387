// Package library manages the documents in CORPUS_DIR for the staff who keep
// them current: an upload is extracted and previewed as a pending change
// (kept in DATA_DIR, so it survives a restart), then committed or cancelled;
// documents are listed and removed; every change is audited.
//
// Layout on disk:
//
//	CORPUS_DIR/<docid>.md                document text with its header (what corpus.Load reads)
//	CORPUS_DIR/originals/<docid>.<ext>   the file as uploaded (skipped by corpus.Load)
//	CORPUS_DIR/.lock                     cross-process lock (flock)
//	DATA_DIR/pending/<id>/               meta.json, original.<ext>, text.md of a pending upload
//	DATA_DIR/audit.jsonl                 one AuditRecord per line
//
//	CORPUS_DIR/.journal                  the change in progress (see journal in tx.go)
//
// A change (add, replace, remove) lands whole or not at all, also across a
// kill -9: it is one journaled step whose commit point is its audit record.
// Files are staged as fsynced temporary files, the intent is journaled
// (fsynced) before any file moves, old versions are renamed aside, the new
// ones renamed into place, the audit record appended, and only then the old
// versions deleted. A failure before the audit record restores CORPUS_DIR
// exactly; after a crash, the next process to take the lock finishes the
// step if its audit record is in the log and rolls it back otherwise.
// Changes hold an exclusive flock on CORPUS_DIR/.lock and reads a shared one,
// so several processes (the bot's serve and an operator's CLI) and
// goroutines can use the same folders safely.
package library

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/extract"
)

// Errors returned by the Library (wrapped); test with errors.Is. Extraction
// failures are extract's sentinel errors (extract.ErrTooLarge, ...).
var (
	// ErrNotFound: no pending upload or document with that ID.
	ErrNotFound = errors.New("library: not found")
	// ErrExpired: the pending upload is older than Options.PendingTTL.
	ErrExpired = errors.New("library: pending upload expired")
	// ErrBusy: another change held the lock for longer than Options.LockWait.
	ErrBusy = errors.New("library: corpus is busy")
	// ErrDone: the change asked for was already made (see DoneError).
	ErrDone = errors.New("library: already done")
)

// DoneError says that a commit, cancel or removal asked for again was
// already made (by this or an earlier process, possibly finished by crash
// recovery), as the audit log records it; errors.Is(err, ErrDone) holds.
// It lets staff pressing a button a second time be told the truth.
type DoneError struct {
	// Record is the audit record of the change.
	Record AuditRecord
	// Gone is set for an add or replace whose document has since left the
	// corpus (removed, or replaced under another ID).
	Gone bool
}

func (e *DoneError) Error() string {
	return fmt.Sprintf("library: already done: %s %s by %s at %s", e.Record.Action, e.Record.DocID, e.Record.Who,
		e.Record.Time.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrDone) hold.
func (e *DoneError) Is(target error) bool { return target == ErrDone }

// DefaultPendingTTL is how long a previewed upload waits for 确认: a day, so
// that a restart or an evening in between does not lose it, while a
// forgotten preview does not linger. Expired previews are refused with
// ErrExpired, and deleted by an Open or Prepare one more TTL later (until
// then 确认 says "expired" rather than "not found").
const DefaultPendingTTL = 24 * time.Hour

// Options tune a Library; the zero value of each field means its default.
type Options struct {
	// Decode reads document files' bytes as text (extract.DecodeText when nil).
	Decode corpus.Decoder
	// Limits bound extraction of uploads (extract.DefaultLimits when zero).
	Limits extract.Limits
	// PendingTTL is how long a pending upload may be committed (DefaultPendingTTL).
	PendingTTL time.Duration
	// LockWait is how long a change waits for another to finish (10 s).
	LockWait time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
	// Builtin are documents the program carries (corpus.BuiltinLaws): Docs
	// and List include them beside the folder's own, marked Builtin; Remove
	// refuses them with ErrBuiltin. A document of the folder with the same ID
	// hides the built-in one.
	Builtin []corpus.Document

	// fault, when set (in tests), is called at each named point of a change
	// and of its recovery (see Library.point) and fails it with the error it
	// returns; crash tests kill the process from it instead.
	fault func(point string) error
}

// Library manages the documents of one corpus folder. It is safe for
// concurrent use, also across processes sharing the folders.
type Library struct {
	corpusDir string
	dataDir   string
	opt       Options
	mu        sync.RWMutex // orders this process's goroutines; flock orders processes
}

// Open returns a Library for corpusDir (created if missing: an empty corpus
// is a valid start) that keeps pending uploads and the audit log in dataDir.
// decode reads stored documents (extract.DecodeText when nil).
func Open(corpusDir, dataDir string, decode corpus.Decoder) (*Library, error) {
	return OpenWith(corpusDir, dataDir, Options{Decode: decode})
}

// OpenWith is Open with options.
func OpenWith(corpusDir, dataDir string, opt Options) (*Library, error) {
	if corpusDir == "" || dataDir == "" {
		return nil, errors.New("open library: CORPUS_DIR and DATA_DIR must both be set")
	}
	if opt.Decode == nil {
		opt.Decode = extract.DecodeText
	}
	if opt.Limits == (extract.Limits{}) {
		opt.Limits = extract.DefaultLimits()
	}
	if opt.PendingTTL <= 0 {
		opt.PendingTTL = DefaultPendingTTL
	}
	if opt.LockWait <= 0 {
		opt.LockWait = 10 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	l := &Library{corpusDir: filepath.Clean(corpusDir), dataDir: filepath.Clean(dataDir), opt: opt}
	for _, dir := range []string{l.corpusDir, l.originalsDir(), l.pendingDir()} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open library: %w", err)
		}
	}
	// A step a crash interrupted is finished or rolled back now, before
	// anything is read. Without a journal this only tidies up leftovers,
	// when no one else holds the lock and the folder is writable.
	if l.exists(journalName) {
		unlock, err := l.lock(true)
		if err != nil {
			return nil, fmt.Errorf("open library: %w", err)
		}
		unlock()
	} else if unlock, err := l.flock(true, 0); err == nil {
		unlock()
	}
	if err := l.sweepPending(); err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	return l, nil
}

// CorpusDir is the folder of the documents.
func (l *Library) CorpusDir() string { return l.corpusDir }

func (l *Library) originalsDir() string { return filepath.Join(l.corpusDir, "originals") }
func (l *Library) pendingDir() string   { return filepath.Join(l.dataDir, "pending") }
func (l *Library) auditPath() string    { return filepath.Join(l.dataDir, "audit.jsonl") }
func (l *Library) lockPath() string     { return filepath.Join(l.corpusDir, ".lock") }
func (l *Library) now() time.Time       { return l.opt.Now() }

// lock takes the process-local and the cross-process lock, shared or
// exclusive, waiting at most Options.LockWait. An exclusive lock also
// recovers what a crashed change left behind; a shared one that finds the
// journal of a crashed change (no change runs while it is held) takes the
// exclusive lock once to recover it first, so readers never see half a step.
func (l *Library) lock(exclusive bool) (unlock func(), err error) {
	unlock, err = l.flock(exclusive, l.opt.LockWait)
	if err != nil || exclusive || !l.exists(journalName) {
		return unlock, err
	}
	unlock()
	if unlock, err = l.flock(true, l.opt.LockWait); err != nil {
		return nil, err
	}
	unlock()
	return l.flock(false, l.opt.LockWait)
}

// flock is lock without the journal check of a shared lock, waiting at most
// wait (0: trying once).
func (l *Library) flock(exclusive bool, wait time.Duration) (unlock func(), err error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
		l.mu.Lock()
	} else {
		l.mu.RLock()
	}
	release := func() {
		if exclusive {
			l.mu.Unlock()
		} else {
			l.mu.RUnlock()
		}
	}
	f, err := os.OpenFile(l.lockPath(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil && !exclusive {
		// A read-only corpus can still be read; no one can change it either.
		if f, err = os.Open(l.lockPath()); err != nil {
			return release, nil
		}
	}
	if err != nil {
		release()
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			release()
			return nil, fmt.Errorf("lock %s: %w", l.lockPath(), err)
		}
		if !time.Now().Before(deadline) {
			f.Close()
			release()
			return nil, fmt.Errorf("lock %s: %w", l.lockPath(), ErrBusy)
		}
		time.Sleep(20 * time.Millisecond)
	}
	unlock = func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
		release()
	}
	if exclusive {
		if err := l.recoverJournal(); err != nil {
			unlock()
			return nil, fmt.Errorf("recover interrupted change: %w", err)
		}
		if err := recoverDir(l.corpusDir); err != nil {
			unlock()
			return nil, fmt.Errorf("recover corpus folder: %w", err)
		}
	}
	return unlock, nil
}

// Entry is a document as listed for staff.
type Entry struct {
	corpus.Document
	// Passages is how many passages the document is cut into.
	Passages int `json:"passages"`
	// Original is the uploaded file's path relative to the corpus folder,
	// or "" for a document an operator copied in by hand.
	Original string `json:"original,omitempty"`
}

// List returns the documents in the corpus, ordered by ID (new uploads' IDs
// start with their date), with who added each and when (from the header),
// its passage count and original file, and the built-in documents (marked
// Builtin). Unreadable files are left out (see Docs for the reasons).
func (l *Library) List() ([]Entry, error) {
	unlock, err := l.lock(false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	docs, _, err := l.load()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(docs))
	for i, d := range docs {
		out[i] = Entry{Document: d, Passages: len(corpus.Split(d)), Original: l.originalOf(d.ID)}
		out[i].Body = ""
	}
	return l.builtinEntries(out), nil
}

// Docs returns the documents to index (for rag's Engine.Update), read under
// the shared lock so that a change in progress is never half seen, with the
// built-in documents (Options.Builtin). skipped explains files that could
// not be used.
func (l *Library) Docs() (docs []corpus.Document, skipped []error, err error) {
	unlock, err := l.lock(false)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	docs, skipped, err = l.load()
	if err != nil {
		return nil, skipped, err
	}
	docs, skipped = l.withBuiltin(docs, skipped)
	return docs, skipped, nil
}

func (l *Library) load() ([]corpus.Document, []error, error) {
	return corpus.Load(os.DirFS(l.corpusDir), l.opt.Decode)
}

// find returns the document with the given ID.
func find(docs []corpus.Document, id string) (corpus.Document, bool) {
	for _, d := range docs {
		if d.ID == id {
			return d, true
		}
	}
	return corpus.Document{}, false
}

// originalOf returns the path, relative to the corpus folder, of the
// original uploaded for docID, or "".
func (l *Library) originalOf(docID string) string {
	if all := l.originalsFor(docID); len(all) > 0 {
		rel, err := filepath.Rel(l.corpusDir, all[0])
		if err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return ""
}

// originalsFor lists the files in originals/ stored for docID (normally one).
func (l *Library) originalsFor(docID string) []string {
	entries, err := os.ReadDir(l.originalsDir())
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && strings.TrimSuffix(name, filepath.Ext(name)) == docID {
			out = append(out, filepath.Join(l.originalsDir(), name))
		}
	}
	return out
}

// Remove deletes a document's text and original, audited as done by by, as
// one journaled step. Its passages disappear from answers once the caller
// updates the index. Removing a document that is gone because it was
// removed is a *DoneError; one that never was is ErrNotFound.
func (l *Library) Remove(docID, by string) error {
	docID = strings.TrimSpace(docID)
	unlock, err := l.lock(true)
	if err != nil {
		return fmt.Errorf("remove %s: %w", docID, err)
	}
	defer unlock()
	docs, _, err := l.load()
	if err != nil {
		return fmt.Errorf("remove %s: %w", docID, err)
	}
	doc, ok := find(docs, docID)
	if !ok {
		if _, builtin := l.builtin(docID); builtin {
			return fmt.Errorf("remove %s: %w", docID, ErrBuiltin)
		}
		if rec, ok, _ := l.lastChange(docID); ok && rec.Action == ActionRemove {
			return fmt.Errorf("remove %q: %w", docID, &DoneError{Record: rec})
		}
		return fmt.Errorf("remove %q: %w", docID, ErrNotFound)
	}
	c := l.newChange(AuditRecord{Time: l.now(), Who: by, Action: ActionRemove, DocID: doc.ID, Title: doc.Title, FileSHA256: doc.Hash}, "")
	c.drop(filepath.Join(l.corpusDir, filepath.FromSlash(doc.Path)))
	for _, p := range l.originalsFor(docID) {
		c.drop(p)
	}
	if err := c.run(); err != nil {
		return fmt.Errorf("remove %s: %w", docID, err)
	}
	return nil
}

// lastChange is the last audit record of an add, replace or remove of docID.
func (l *Library) lastChange(docID string) (AuditRecord, bool, error) {
	hint, _ := json.Marshal(docID)
	return scanAudit(l.auditPath(), append([]byte(`"doc_id":`), hint...), func(r AuditRecord) bool {
		return r.DocID == docID && r.Action != ActionReindex
	})
}

// UserMessage explains an error from the Library to a staff member in short
// Simplified Chinese; extraction errors get extract.UserMessage.
func UserMessage(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrExpired):
		return "这份预览已经过期了，请重新发送文件，我再给您预览一次。"
	case errors.Is(err, ErrDone):
		var done *DoneError
		if errors.As(err, &done) {
			return done.message()
		}
		return "这项更改之前已经完成了。请用 /docs 看看当前的文档。"
	case errors.Is(err, fs.ErrPermission):
		return "文档目录没有写入权限，这次没有做任何改动。请联系管理员检查服务器设置。"
	case errors.Is(err, syscall.ENOSPC):
		return "服务器磁盘满了，这次没有做任何改动。请联系管理员清理空间后再试。"
	case errors.Is(err, ErrIncomplete):
		return "这次更改没有完成，文档库保持原样。请稍后再点一次按钮；如果还是不行，请联系管理员。"
	case errors.Is(err, ErrNotFound):
		return "没有找到这份文档或待确认的上传（可能已经取消或过期）。请用 /docs 看看当前的文档，需要的话请重新上传。"
	case errors.Is(err, ErrEmptyAnswer):
		return fmt.Sprintf("问题或答复是空的，或者答复太长（最多 %d 字），没有保存。", MaxAnswerRunes)
	case errors.Is(err, ErrBusy):
		return "有其他同事正在更新文档，请稍等片刻再试一次。"
	case errors.Is(err, ErrBuiltin):
		return textBuiltin
	}
	return extract.UserMessage(err)
}

// message tells staff, in Chinese, what was already done.
func (e *DoneError) message() string {
	r := e.Record
	what := fmt.Sprintf("《%s》（文档 ID：%s）", r.Title, r.DocID)
	switch {
	case r.Action == ActionRemove:
		return what + "已经删除了，会员提问不会再引用它。"
	case e.Gone:
		return what + "之前已经入库，后来又被删除或替换了。请用 /docs 看看当前的文档。"
	case r.Action == ActionReplace:
		return what + "已经替换好了，旧版本的内容不再用于回答。"
	}
	return what + "已经入库了，会员现在提问就能查到它的内容。"
}
