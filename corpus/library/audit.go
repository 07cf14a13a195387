package library

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/gonghui/qa/corpus"
)

// Actions recorded in the audit log.
const (
	ActionAdd     = "add"
	ActionReplace = "replace"
	ActionRemove  = "remove"
	ActionReindex = "reindex"
)

// AuditRecord is one line of DATA_DIR/audit.jsonl: who changed the corpus,
// how, and when.
type AuditRecord struct {
	Time time.Time `json:"time"`
	// Who is the actor as the caller names it, e.g. "tg:12345" or "cli:alice".
	Who string `json:"who"`
	// Action is ActionAdd, ActionReplace, ActionRemove or ActionReindex.
	Action string `json:"action"`
	DocID  string `json:"doc_id,omitempty"`
	Title  string `json:"title,omitempty"`
	// FileSHA256 is the hash of the uploaded original for add and replace,
	// and of the removed document's text file for remove.
	FileSHA256 string `json:"file_sha256,omitempty"`
	// Detail is a short note, e.g. the original file name or document count.
	Detail string `json:"detail,omitempty"`
	// Pending is the ID of the pending upload an add or replace stored, so
	// that 确认 pressed again can say it is done.
	Pending string `json:"pending,omitempty"`
	// Tx identifies the journaled step the record commits (see journal).
	Tx string `json:"tx,omitempty"`
}

// appendAudit writes rec as one line with O_APPEND and fsyncs it, so that a
// record is either wholly in the log or, after a crash mid-write, a torn last
// line that Audit skips. For a change, the record is its commit point.
func (l *Library) appendAudit(rec AuditRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode audit record: %w", err)
	}
	line = append(line, '\n')
	f, err := os.OpenFile(l.auditPath(), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open audit log: %w", err)
	}
	// After a torn write, start on a new line so this record stays readable.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("write audit log: %w", err)
	}
	if err := l.point("audit-written"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync audit log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close audit log: %w", err)
	}
	return nil
}

// Audit returns the audit log, oldest first. Lines that cannot be read (a
// write torn by a crash) are skipped; a missing log is an empty one.
func (l *Library) Audit() ([]AuditRecord, error) {
	f, err := os.Open(l.auditPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	defer f.Close()
	var out []AuditRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var rec AuditRecord
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Action != "" {
			out = append(out, rec)
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// Reindex records in the audit log that who rebuilt the index from the
// corpus, and returns the documents to index (as Docs does).
func (l *Library) Reindex(who string) ([]corpus.Document, []error, error) {
	docs, skipped, err := l.Docs()
	if err != nil {
		return nil, skipped, err
	}
	rec := AuditRecord{Time: l.now(), Who: who, Action: ActionReindex, Detail: fmt.Sprintf("%d documents", len(docs))}
	if err := l.appendAudit(rec); err != nil {
		return nil, skipped, err
	}
	return docs, skipped, nil
}
