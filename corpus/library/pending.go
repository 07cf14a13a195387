package library

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/extract"
	"github.com/gonghui/qa/corpus/zh"
)

// Pending is an extracted upload waiting for 确认: what the preview shows.
type Pending struct {
	// ID is short and random, fit for callback data (8 hex digits).
	ID string `json:"id"`
	// Filename is the name the file was sent with.
	Filename string `json:"filename"`
	// Format is the detected format: txt, md, docx, pdf or html.
	Format   string `json:"format"`
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
	Source   string `json:"source,omitempty"`
	Date     string `json:"date,omitempty"`
	Author   string `json:"author,omitempty"`
	// PassageCount is how many passages the document will be cut into.
	PassageCount int `json:"passage_count"`
	// FirstLines are the first few lines of the text, shortened.
	FirstLines []string `json:"first_lines"`
	// Replaces is the ID of the document this upload will replace, or "".
	// It is decided again at Commit, against the corpus as it is then.
	Replaces      string `json:"replaces,omitempty"`
	ReplacesTitle string `json:"replaces_title,omitempty"`
	// ReplacesExplicitly is set when Meta.Replaces named the document.
	ReplacesExplicitly bool      `json:"replaces_explicitly,omitempty"`
	AddedBy            string    `json:"added_by"`
	Created            time.Time `json:"created"`
	Expires            time.Time `json:"expires"`
	// SHA256 and Size describe the original file.
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// Files of a pending upload in DATA_DIR/pending/<id>/.
const (
	pendingMeta = "meta.json"
	pendingText = "text.md"
	pendingOrig = "original"
)

// firstLinesN and firstLineRunes bound the preview's first lines.
const (
	firstLinesN    = 3
	firstLineRunes = 60
)

// Prepare extracts an uploaded file and stores it as a pending upload. meta
// (from ParseCaption, plus Replaces when the bot knows it) overrides the
// title, date and source found in the document. Extraction failures are
// extract's typed errors (show extract.UserMessage or UserMessage); nothing
// is stored then. Nothing is searchable until Commit.
func (l *Library) Prepare(filename string, data []byte, meta Meta, addedBy string) (Pending, error) {
	filename = path.Base(filepath.ToSlash(strings.TrimSpace(filename)))
	res, err := extract.Extract(filename, data, l.opt.Limits)
	if err != nil {
		return Pending{}, fmt.Errorf("prepare %s: %w", filename, err)
	}
	now := l.now()
	sum := sha256.Sum256(data)
	p := Pending{
		ID:       l.newPendingID(),
		Filename: filename,
		Format:   res.Format,
		Title:    firstNonEmpty(headerValue(meta.Title), headerValue(res.Title)),
		Subtitle: headerValue(meta.Subtitle),
		Source:   headerValue(meta.Source),
		Date:     firstNonEmpty(headerValue(NormalizeDate(meta.Date)), res.Date),
		Author:   headerValue(meta.Author),
		AddedBy:  headerValue(addedBy),
		Created:  now,
		Expires:  now.Add(l.opt.PendingTTL),
		SHA256:   hex.EncodeToString(sum[:]),
		Size:     len(data),
	}
	body := bodyWithoutTitle(res.Text, p.Title)
	if p.Title == "" {
		p.Title = headerValue(strings.TrimSuffix(filename, path.Ext(filename)))
	}
	// Parse what will be stored, so the preview counts the passages exactly
	// as the corpus will.
	doc, err := corpus.Parse("preview.md", []byte(render(p, body, "")), l.opt.Decode)
	if errors.Is(err, corpus.ErrNoText) {
		err = fmt.Errorf("%w: %v", extract.ErrEmpty, err)
	}
	if err != nil {
		return Pending{}, fmt.Errorf("prepare %s: %w", filename, err)
	}
	passages := corpus.Split(doc)
	if len(passages) == 0 {
		return Pending{}, fmt.Errorf("prepare %s: %w: no passages", filename, extract.ErrEmpty)
	}
	p.PassageCount = len(passages)
	p.FirstLines = firstLines(doc.Body)

	unlock, err := l.lock(false)
	if err != nil {
		return Pending{}, fmt.Errorf("prepare %s: %w", filename, err)
	}
	docs, _, err := l.load()
	unlock()
	if err != nil {
		return Pending{}, fmt.Errorf("prepare %s: %w", filename, err)
	}
	if id := strings.TrimSpace(meta.Replaces); id != "" {
		old, ok := find(docs, id)
		if !ok {
			return Pending{}, fmt.Errorf("prepare %s: document to replace %q: %w", filename, id, ErrNotFound)
		}
		p.Replaces, p.ReplacesTitle, p.ReplacesExplicitly = old.ID, old.Title, true
	} else if old, ok := sameTitle(docs, p.Title); ok {
		p.Replaces, p.ReplacesTitle = old.ID, old.Title
	}

	if err := l.sweepPending(); err != nil {
		return Pending{}, fmt.Errorf("prepare %s: %w", filename, err)
	}
	if err := l.savePending(p, data, body); err != nil {
		return Pending{}, fmt.Errorf("prepare %s: %w", filename, err)
	}
	return p, nil
}

// Get returns the pending upload id, e.g. to show its preview again after a
// restart. An expired one is ErrExpired.
func (l *Library) Get(id string) (Pending, error) {
	p, err := l.readPending(id)
	if err != nil {
		return Pending{}, err
	}
	if !l.now().Before(p.Expires) {
		return p, fmt.Errorf("pending %s: %w", id, ErrExpired)
	}
	return p, nil
}

// Cancel discards the pending upload id. Cancelling one that is gone is
// ErrNotFound, or a *DoneError when it was committed. It waits for a Commit
// in progress, so a cancel reported as done never races a commit of the same
// upload.
func (l *Library) Cancel(id string) error {
	dir, err := l.pendingPath(id)
	if err != nil {
		return err
	}
	unlock, err := l.lock(true)
	if err != nil {
		return fmt.Errorf("cancel %s: %w", id, err)
	}
	defer unlock()
	if err := l.committed(id); err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cancel %s: %w", id, ErrNotFound)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("cancel %s: %w", id, err)
	}
	return nil
}

// committed returns a *DoneError when the audit log records that the
// pending upload id was stored, and nil when it does not.
func (l *Library) committed(id string) error {
	rec, ok, err := scanAudit(l.auditPath(), []byte(`"pending":"`+id+`"`), func(r AuditRecord) bool {
		return r.Pending == id && (r.Action == ActionAdd || r.Action == ActionReplace)
	})
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	done := &DoneError{Record: rec, Gone: true}
	if last, ok, _ := l.lastChange(rec.DocID); ok && last.Tx == rec.Tx {
		done.Gone = false
	}
	return done
}

// Commit stores the pending upload id in the corpus, as done by by: its
// text as CORPUS_DIR/<docid>.md and the original as originals/<docid>.<ext>.
// It replaces the document named by Meta.Replaces, else one with the same
// title (checked again now, so two staff uploading the same notice end up
// with one document); a replacement keeps the replaced document's ID and
// file, so earlier citations still resolve. The change is one journaled,
// audited step. On any failure the corpus is left exactly as it was and the
// upload stays pending (the error wraps ErrIncomplete once the step began).
// Committing an upload that was already stored returns that document (as
// it is now, if still there) and a *DoneError. The caller then updates the
// index (Docs, Engine.Update).
func (l *Library) Commit(id, by string) (corpus.Document, error) {
	return l.commit(id, by, "")
}

// commit is Commit that also removes the file consume (a hand-copied
// upload being imported) as part of the same change.
func (l *Library) commit(id, by, consume string) (corpus.Document, error) {
	unlock, err := l.lock(true)
	if err != nil {
		return corpus.Document{}, fmt.Errorf("commit %s: %w", id, err)
	}
	defer unlock()
	if _, err := l.pendingPath(id); err != nil {
		return corpus.Document{}, fmt.Errorf("commit: %w", err)
	}
	if err := l.committed(id); err != nil {
		var done *DoneError
		if !errors.As(err, &done) {
			return corpus.Document{}, fmt.Errorf("commit %s: %w", id, err)
		}
		doc := corpus.Document{ID: done.Record.DocID, Title: done.Record.Title}
		if docs, _, err := l.load(); err == nil && !done.Gone {
			if d, ok := find(docs, doc.ID); ok {
				doc = d
			}
		}
		return doc, fmt.Errorf("commit %s: %w", id, err)
	}
	p, err := l.Get(id)
	if err != nil {
		return corpus.Document{}, fmt.Errorf("commit: %w", err)
	}
	dir, _ := l.pendingPath(id)
	orig, err := os.ReadFile(filepath.Join(dir, pendingOrig+extOf(p.Filename)))
	if err != nil {
		return corpus.Document{}, fmt.Errorf("commit %s: read original: %w", id, err)
	}
	if sum := sha256.Sum256(orig); hex.EncodeToString(sum[:]) != p.SHA256 {
		return corpus.Document{}, fmt.Errorf("commit %s: %w: stored original does not match its hash", id, extract.ErrCorrupt)
	}
	body, err := os.ReadFile(filepath.Join(dir, pendingText))
	if err != nil {
		return corpus.Document{}, fmt.Errorf("commit %s: read text: %w", id, err)
	}
	docs, _, err := l.load()
	if err != nil {
		return corpus.Document{}, fmt.Errorf("commit %s: %w", id, err)
	}

	// Decide, against the corpus as it is now, what the upload becomes.
	var old corpus.Document
	replacing := false
	if p.ReplacesExplicitly {
		if old, replacing = find(docs, p.Replaces); !replacing {
			return corpus.Document{}, fmt.Errorf("commit %s: document to replace %q: %w", id, p.Replaces, ErrNotFound)
		}
	} else {
		old, replacing = sameTitle(docs, p.Title)
	}
	var docID, textPath string
	if replacing {
		docID, textPath = old.ID, filepath.Join(l.corpusDir, filepath.FromSlash(old.Path))
	} else {
		docID = l.newDocID(docs, p)
		textPath = filepath.Join(l.corpusDir, docID+".md")
	}
	now := l.now()
	content := []byte(render(p, string(body), now.Format(time.RFC3339)))
	rel, _ := filepath.Rel(l.corpusDir, textPath)
	doc, err := corpus.Parse(filepath.ToSlash(rel), content, l.opt.Decode)
	if err != nil {
		return corpus.Document{}, fmt.Errorf("commit %s: %w", id, err)
	}
	if doc.ID != docID {
		return corpus.Document{}, fmt.Errorf("commit %s: file %s would get ID %q, not %q", id, rel, doc.ID, docID)
	}

	action := ActionAdd
	if replacing {
		action = ActionReplace
	}
	c := l.newChange(AuditRecord{Time: now, Who: by, Action: action, DocID: docID, Title: p.Title,
		FileSHA256: p.SHA256, Detail: p.Filename, Pending: id}, dir)
	if err := l.stageCommit(c, textPath, content, orig, docID+extOf(p.Filename), consume); err != nil {
		for _, t := range c.temps {
			os.Remove(t)
		}
		return corpus.Document{}, fmt.Errorf("commit %s: %w: %w", id, ErrIncomplete, err)
	}
	if err := c.run(); err != nil {
		return corpus.Document{}, fmt.Errorf("commit %s: %w", id, err)
	}
	return doc, nil
}

// stageCommit stages a commit's text and original and plans its moves.
func (l *Library) stageCommit(c *change, textPath string, content, orig []byte, origName, consume string) error {
	tmpText, err := c.stage(filepath.Dir(textPath), content)
	if err != nil {
		return err
	}
	tmpOrig, err := c.stage(l.originalsDir(), orig)
	if err != nil {
		return err
	}
	origPath := filepath.Join(l.originalsDir(), origName)
	c.put(origPath, tmpOrig)
	// Exactly one original per document: drop the replaced one, whatever
	// its extension.
	for _, o := range l.originalsFor(strings.TrimSuffix(origName, filepath.Ext(origName))) {
		if o != origPath {
			c.drop(o)
		}
	}
	c.put(textPath, tmpText)
	if consume != "" {
		c.drop(consume)
	}
	return nil
}

// Add prepares and commits a file in one step, for operators on the command
// line (who see no preview).
func (l *Library) Add(filename string, data []byte, meta Meta, by string) (corpus.Document, Pending, error) {
	p, err := l.Prepare(filename, data, meta, by)
	if err != nil {
		return corpus.Document{}, p, err
	}
	doc, err := l.Commit(p.ID, by)
	if err != nil {
		l.Cancel(p.ID)
		return corpus.Document{}, p, err
	}
	return doc, p, nil
}

// render is the document file: a header the corpus reads, then the body.
func render(p Pending, body, addedAt string) string {
	var b strings.Builder
	b.WriteString("---\n")
	for _, kv := range [][2]string{
		{"title", p.Title}, {"subtitle", p.Subtitle}, {"source", p.Source}, {"date", p.Date},
		{"author", p.Author}, {"added_by", p.AddedBy}, {"added_at", addedAt},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
		}
	}
	b.WriteString("---\n\n")
	b.WriteString(strings.TrimSpace(body))
	b.WriteString("\n")
	return b.String()
}

// headerValue makes s fit on one header line.
func headerValue(s string) string {
	s = cleanValue(strings.ToValidUTF8(s, ""))
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200])
	}
	return s
}

// bodyWithoutTitle drops the first line of text when it is the title, which
// the header now carries.
func bodyWithoutTitle(text, title string) string {
	text = strings.TrimSpace(text)
	first, rest, _ := strings.Cut(text, "\n")
	if title != "" && headerValue(strings.TrimLeft(first, "# ")) == title && strings.TrimSpace(rest) != "" {
		return strings.TrimSpace(rest)
	}
	return text
}

// firstLines are the first lines of a body for the preview, shortened.
func firstLines(body string) []string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(line, "#"))
		if line == "" {
			continue
		}
		if r := []rune(line); len(r) > firstLineRunes {
			line = string(r[:firstLineRunes]) + "…"
		}
		out = append(out, line)
		if len(out) == firstLinesN {
			break
		}
	}
	return out
}

// sameTitle finds the document whose title is title, ignoring width and
// spacing differences.
func sameTitle(docs []corpus.Document, title string) (corpus.Document, bool) {
	want := titleKey(title)
	if want == "" {
		return corpus.Document{}, false
	}
	for _, d := range docs {
		if titleKey(d.Title) == want {
			return d, true
		}
	}
	return corpus.Document{}, false
}

func titleKey(s string) string {
	return strings.ReplaceAll(zh.Normalize(s), " ", "")
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// newDocID is the ID of a new upload: its date (or today's) and a short
// hash of its title, e.g. 20240501-3fa9, lengthened in the rare case that
// it is taken. The same title on the same date gives the same ID.
func (l *Library) newDocID(docs []corpus.Document, p Pending) string {
	date := l.now().Format("20060102")
	if isoDate.MatchString(p.Date) {
		date = strings.ReplaceAll(p.Date, "-", "")
	}
	sum := sha256.Sum256([]byte(titleKey(p.Title)))
	h := hex.EncodeToString(sum[:])
	for n := 4; ; n += 2 {
		id := date + "-" + h[:min(n, len(h))]
		if n > len(h) {
			id = date + "-" + randomID(6)
		}
		if _, taken := find(docs, id); taken {
			continue
		}
		if _, err := os.Lstat(filepath.Join(l.corpusDir, id+".md")); err == nil {
			continue
		}
		if len(l.originalsFor(id)) > 0 {
			continue
		}
		return id
	}
}

// extOf is the lower-case extension of a file name (".txt"), or ".bin".
func extOf(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ext == "" || len(ext) > 10 || strings.ContainsAny(ext, `/\`) {
		return ".bin"
	}
	return ext
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

var pendingIDRe = regexp.MustCompile(`^[0-9a-f]{8}$`)

// newPendingID is a random ID for a pending upload that no other pending
// upload has and the audit log does not name, so that a commit of it is
// never mistaken for an earlier one (see committed).
func (l *Library) newPendingID() string {
	for i := 0; ; i++ {
		id := randomID(4)
		dir, _ := l.pendingPath(id)
		if _, err := os.Lstat(dir); err == nil && i < 100 {
			continue
		}
		if errors.Is(l.committed(id), ErrDone) && i < 100 {
			continue
		}
		return id
	}
}

// pendingPath is the folder of a pending upload; id is checked, as it may
// come from callback data.
func (l *Library) pendingPath(id string) (string, error) {
	if !pendingIDRe.MatchString(id) {
		return "", fmt.Errorf("pending %q: %w", id, ErrNotFound)
	}
	return filepath.Join(l.pendingDir(), id), nil
}

// savePending writes the pending upload into a temporary folder, fsynced,
// and renames it into place, so a crash leaves it whole or absent.
func (l *Library) savePending(p Pending, orig []byte, body string) error {
	dir, err := l.pendingPath(p.ID)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(l.pendingDir(), tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("save pending: %w", err)
	}
	meta, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("save pending: %w", err)
	}
	for name, data := range map[string][]byte{
		pendingMeta:                     meta,
		pendingText:                     []byte(body),
		pendingOrig + extOf(p.Filename): orig,
	} {
		if err := writeSynced(filepath.Join(tmp, name), data); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("save pending: %w", err)
		}
	}
	if err := syncDir(tmp); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("save pending: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("save pending: %w", err)
	}
	if err := syncDir(l.pendingDir()); err != nil {
		return fmt.Errorf("save pending: %w", err)
	}
	return nil
}

func writeSynced(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readPending reads a pending upload's meta.json.
func (l *Library) readPending(id string) (Pending, error) {
	dir, err := l.pendingPath(id)
	if err != nil {
		return Pending{}, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, pendingMeta))
	if errors.Is(err, fs.ErrNotExist) {
		return Pending{}, fmt.Errorf("pending %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Pending{}, fmt.Errorf("pending %s: %w", id, err)
	}
	var p Pending
	if err := json.Unmarshal(raw, &p); err != nil {
		return Pending{}, fmt.Errorf("pending %s: %w: %v", id, ErrNotFound, err)
	}
	return p, nil
}

// sweepPending deletes pending uploads that expired more than a TTL ago and
// leftovers of crashed saves. Unreadable ones go once older than the TTL.
func (l *Library) sweepPending() error {
	entries, err := os.ReadDir(l.pendingDir())
	if err != nil {
		return fmt.Errorf("sweep pending uploads: %w", err)
	}
	now := l.now()
	for _, e := range entries {
		full := filepath.Join(l.pendingDir(), e.Name())
		info, err := e.Info()
		if err != nil {
			continue
		}
		old := now.Sub(info.ModTime()) > l.opt.PendingTTL
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if now.Sub(info.ModTime()) > time.Hour {
				os.RemoveAll(full)
			}
			continue
		}
		p, err := l.readPending(e.Name())
		// An expired upload is kept for one more TTL, so that pressing 确认
		// late says "expired" rather than "not found".
		if (err != nil && old) || (err == nil && !now.Before(p.Expires.Add(l.opt.PendingTTL))) {
			os.RemoveAll(full)
		}
	}
	return nil
}
