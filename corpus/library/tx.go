package library

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Names of the files a change leaves around while it runs. All start with
// '.', so corpus.Load and Version never read them.
const (
	tmpPrefix    = ".tmp~"
	backupPrefix = ".bak~"
	// journalName is the journal of the change in progress, in CORPUS_DIR.
	journalName = ".journal"
)

// A change (an add, a replace, a remove) is one journaled step:
//
//  1. new files are staged as fsynced temporary files next to their
//     destinations;
//  2. the journal (CORPUS_DIR/.journal: every move, the audit record, the
//     audit log's path) is written to a temporary file, fsynced and renamed
//     into place; this is the intent, before any file moves;
//  3. each file to replace or remove is renamed aside (.bak~name) and each
//     staged file renamed into place; the folders are fsynced;
//  4. the audit record, which carries the change's ID, is appended to the
//     audit log and fsynced: this is the commit point;
//  5. the set-aside copies, the pending upload and the journal are deleted.
//
// Recovery (under the exclusive lock, at Open and before any other change or
// read) finds the journal of a step that a crash interrupted and decides
// from one fact: whether the audit log holds the step's record. If it does,
// the step is finished (step 3 completed where needed, then step 5); if not,
// it is rolled back (every file put back as it was, the staged files
// deleted, the pending upload kept so that 确认 can be pressed again). Both
// are idempotent, so a crash during recovery is recovered the same way. So
// after any kill the files, the documents Docs returns, the audit log and
// the answer to pressing the button again (ErrDone or a fresh commit) agree.
type journal struct {
	// Tx identifies the step; the audit record carries it too.
	Tx string `json:"tx"`
	// Moves are applied in order and undone in reverse order.
	Moves []move `json:"moves"`
	// Audit is the record that commits the step, appended to AuditLog.
	Audit    AuditRecord `json:"audit"`
	AuditLog string      `json:"audit_log"`
	// Pending is the folder of the pending upload the step consumes, or "".
	Pending string `json:"pending,omitempty"`
}

// move is one file of a step; paths are relative to CORPUS_DIR.
type move struct {
	// Path is the file to write or delete.
	Path string `json:"path"`
	// New is the staged file whose content Path gets; "" deletes Path.
	New string `json:"new,omitempty"`
	// Backup is where Path's current content is set aside; "" when Path
	// did not exist when the step began.
	Backup string `json:"backup,omitempty"`
}

// ErrIncomplete wraps the failure of a change that was rolled back: nothing
// in the corpus changed and a pending upload stays pending.
var ErrIncomplete = errors.New("library: change not made")

// change builds one journaled step: stage files, plan moves, then run.
type change struct {
	l     *Library
	j     journal
	temps []string // absolute paths of staged files
}

func (l *Library) newChange(rec AuditRecord, pendingDir string) *change {
	tx := randomID(8)
	rec.Tx = tx
	return &change{l: l, j: journal{Tx: tx, Audit: rec, AuditLog: l.auditPath(), Pending: pendingDir}}
}

// point is a named point in a change or its recovery where tests may inject
// a failure (the returned error) or a crash; a no-op unless Options.fault is
// set.
func (l *Library) point(name string) error {
	if l.opt.fault == nil {
		return nil
	}
	if err := l.opt.fault(name); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// rel is path relative to the corpus folder, with slashes.
func (l *Library) rel(path string) string {
	r, err := filepath.Rel(l.corpusDir, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}

func (l *Library) abs(rel string) string {
	return filepath.Join(l.corpusDir, filepath.FromSlash(rel))
}

// stage writes data to a fsynced temporary file in dir and returns its path.
func (c *change) stage(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("create temporary file: %w", err)
	}
	name := f.Name()
	c.temps = append(c.temps, name)
	if err := c.l.point("stage-created"); err != nil {
		f.Close()
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("sync %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		return "", fmt.Errorf("chmod %s: %w", name, err)
	}
	return name, c.l.point("staged")
}

// put plans dst to get the content of the staged file tmp.
func (c *change) put(dst, tmp string) {
	c.j.Moves = append(c.j.Moves, move{Path: c.l.rel(dst), New: c.l.rel(tmp), Backup: backupOf(c.l, dst)})
}

// drop plans path to be deleted; a missing path is not an error.
func (c *change) drop(path string) {
	if b := backupOf(c.l, path); b != "" {
		c.j.Moves = append(c.j.Moves, move{Path: c.l.rel(path), Backup: b})
	}
}

// backupOf is where path is set aside, or "" when it does not exist.
func backupOf(l *Library, path string) string {
	if _, err := os.Lstat(path); err != nil {
		return ""
	}
	dir, base := filepath.Split(path)
	return l.rel(filepath.Join(dir, backupPrefix+base))
}

// run carries out the planned step. An error wraps ErrIncomplete when the
// step was rolled back (or will be, at the next lock, if even that failed);
// once the audit record is durable the step has happened and run succeeds,
// whatever the clean-up meets.
func (c *change) run() error {
	l := c.l
	if err := l.writeJournal(&c.j); err != nil {
		for _, t := range c.temps {
			os.Remove(t)
		}
		os.Remove(filepath.Join(l.corpusDir, journalName))
		return fmt.Errorf("%w: %w", ErrIncomplete, err)
	}
	err := func() error {
		for _, m := range c.j.Moves {
			if err := l.forward(m); err != nil {
				return err
			}
		}
		if err := l.syncMoved(c.j.Moves); err != nil {
			return err
		}
		if err := l.point("synced"); err != nil {
			return err
		}
		return l.appendAudit(c.j.Audit)
	}()
	if err != nil {
		// A record that reached the log commits the step, even if the
		// append then reported an error (a failed fsync, say).
		if has, herr := auditHas(c.j.AuditLog, c.j.Tx); herr != nil || !has {
			if rerr := l.rollback(&c.j); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return fmt.Errorf("%w: %w", ErrIncomplete, err)
		}
	}
	if err := l.point("audited"); err != nil {
		return nil // committed; the clean-up is left to recovery
	}
	l.finish(&c.j)
	return nil
}

// writeJournal writes j to CORPUS_DIR/.journal durably: a fsynced temporary
// file renamed into place, then the folder fsynced.
func (l *Library) writeJournal(j *journal) error {
	data, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("encode journal: %w", err)
	}
	f, err := os.CreateTemp(l.corpusDir, tmpPrefix+"journal*")
	if err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	name := f.Name()
	defer os.Remove(name) // fails once renamed, as it should
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write journal: %w", err)
	}
	if err := l.point("journal-written"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close journal: %w", err)
	}
	if err := os.Rename(name, filepath.Join(l.corpusDir, journalName)); err != nil {
		return fmt.Errorf("place journal: %w", err)
	}
	if err := l.point("journal-placed"); err != nil {
		return err
	}
	if err := syncDir(l.corpusDir); err != nil {
		return err
	}
	return l.point("journal-synced")
}

// readJournal returns the journal of an interrupted step, if there is one.
// A journal that cannot be decoded (it is only ever renamed into place
// whole, so only damage or a hand edit makes one) is moved aside and
// ignored.
func (l *Library) readJournal() (*journal, error) {
	path := filepath.Join(l.corpusDir, journalName)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	var j journal
	if err := json.Unmarshal(raw, &j); err != nil || j.Tx == "" || j.AuditLog == "" {
		if rerr := os.Rename(path, path+".damaged-"+randomID(4)); rerr != nil {
			return nil, fmt.Errorf("move damaged journal aside: %w", rerr)
		}
		return nil, nil
	}
	return &j, nil
}

// recoverJournal finishes or rolls back the step a crash interrupted (see
// journal). It runs under the exclusive lock.
func (l *Library) recoverJournal() error {
	j, err := l.readJournal()
	if err != nil || j == nil {
		return err
	}
	if err := l.point("recover-begin"); err != nil {
		return err
	}
	// The audit log the step committed to; also this library's, should
	// DATA_DIR have been mounted elsewhere since.
	committed := false
	for _, log := range []string{j.AuditLog, l.auditPath()} {
		has, err := auditHas(log, j.Tx)
		if err != nil {
			return fmt.Errorf("recover step %s: %w", j.Tx, err)
		}
		committed = committed || has
	}
	if !committed {
		if err := l.rollback(j); err != nil {
			return fmt.Errorf("roll back step %s: %w", j.Tx, err)
		}
		return nil
	}
	for _, m := range j.Moves {
		if err := l.forward(m); err != nil {
			return fmt.Errorf("finish step %s: %w", j.Tx, err)
		}
	}
	if err := l.syncMoved(j.Moves); err != nil {
		return fmt.Errorf("finish step %s: %w", j.Tx, err)
	}
	if err := l.point("recover-forward"); err != nil {
		return err
	}
	l.finish(j)
	return nil
}

// exists reports whether the corpus-relative path rel exists.
func (l *Library) exists(rel string) bool {
	if rel == "" {
		return false
	}
	_, err := os.Lstat(l.abs(rel))
	return err == nil
}

// forward applies a move, or what of it is left: Path is set aside unless
// that was done, then the staged file renamed onto Path unless that was
// done (the staged file is gone once renamed).
func (l *Library) forward(m move) error {
	path := l.abs(m.Path)
	placing := m.New != "" && l.exists(m.New)
	if m.Backup != "" && !l.exists(m.Backup) && l.exists(m.Path) && (m.New == "" || placing) {
		if err := os.Rename(path, l.abs(m.Backup)); err != nil {
			return fmt.Errorf("set aside %s: %w", m.Path, err)
		}
		if err := l.point("set-aside"); err != nil {
			return err
		}
	}
	if placing {
		if err := os.Rename(l.abs(m.New), path); err != nil {
			return fmt.Errorf("rename into %s: %w", m.Path, err)
		}
		if err := l.point("placed"); err != nil {
			return err
		}
	}
	return nil
}

// rollback undoes a step's moves in reverse order, deletes its staged files
// and then its journal; the pending upload is kept. Each undo is decided
// from what exists, so rollback can be repeated after a crash.
func (l *Library) rollback(j *journal) error {
	var first error
	for i := len(j.Moves) - 1; i >= 0; i-- {
		m := j.Moves[i]
		path := l.abs(m.Path)
		placed := m.New != "" && !l.exists(m.New)
		var err error
		switch {
		case m.Backup != "" && l.exists(m.Backup):
			// Set aside: bring it back over whatever took its place.
			err = os.Rename(l.abs(m.Backup), path)
		case placed && m.Backup == "":
			// A new file where there was none.
			if err = os.Remove(path); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		}
		if err == nil {
			err = l.point("rolled-back")
		}
		if err != nil && first == nil {
			first = fmt.Errorf("roll back %s: %w", m.Path, err)
		}
	}
	if first != nil {
		return first // the journal stays: the next lock tries again
	}
	for _, m := range j.Moves {
		if m.New != "" {
			os.Remove(l.abs(m.New))
		}
	}
	if err := l.syncMoved(j.Moves); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(l.corpusDir, journalName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove journal: %w", err)
	}
	return l.point("rollback-done")
}

// finish cleans up after a committed step: the set-aside copies, the
// staged files (normally all placed), the pending upload, then the journal.
// Failures leave hidden files that the next recovery deletes.
func (l *Library) finish(j *journal) {
	for _, m := range j.Moves {
		if m.Backup != "" {
			os.Remove(l.abs(m.Backup))
		}
		if m.New != "" {
			os.Remove(l.abs(m.New))
		}
	}
	if l.point("backups-deleted") != nil {
		return
	}
	if j.Pending != "" {
		// Renamed first, so a crash midway never leaves half a pending
		// upload under its ID; sweepPending deletes the leftover.
		gone := filepath.Join(filepath.Dir(j.Pending), tmpPrefix+"done-"+filepath.Base(j.Pending))
		os.Rename(j.Pending, gone)
		if l.point("pending-renamed") != nil {
			return
		}
		os.RemoveAll(gone)
	}
	if l.point("pending-removed") != nil {
		return
	}
	os.Remove(filepath.Join(l.corpusDir, journalName))
	l.point("journal-removed")
}

// syncMoved fsyncs the folders whose entries a step changed.
func (l *Library) syncMoved(moves []move) error {
	dirs := map[string]bool{}
	for _, m := range moves {
		dirs[filepath.Dir(l.abs(m.Path))] = true
	}
	for dir := range dirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

// auditHas reports whether the audit log at path holds a record of step tx.
func auditHas(path, tx string) (bool, error) {
	_, ok, err := scanAudit(path, []byte(`"tx":"`+tx+`"`), func(r AuditRecord) bool { return r.Tx == tx })
	return ok, err
}

// scanAudit returns the last record in the audit log at path that match
// accepts; only lines containing hint are decoded.
func scanAudit(path string, hint []byte, match func(AuditRecord) bool) (AuditRecord, bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return AuditRecord{}, false, nil
	}
	if err != nil {
		return AuditRecord{}, false, fmt.Errorf("open audit log: %w", err)
	}
	defer f.Close()
	var last AuditRecord
	found := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if !bytes.Contains(sc.Bytes(), hint) {
			continue
		}
		var rec AuditRecord
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Action != "" && match(rec) {
			last, found = rec, true
		}
	}
	if err := sc.Err(); err != nil {
		return last, found, fmt.Errorf("read audit log: %w", err)
	}
	return last, found, nil
}

// syncDir fsyncs a directory.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// recoverDir deletes what a change left in the corpus outside any journal:
// temporary files of steps that never wrote their journal. A set-aside copy
// with no journal (left by a version of this program before the journal)
// is put back when nothing took its place and deleted otherwise. It runs
// under the exclusive lock after recoverJournal, so no step is in progress.
func recoverDir(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && name != "originals" && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasPrefix(name, tmpPrefix):
			os.Remove(p)
		case strings.HasPrefix(name, backupPrefix):
			orig := filepath.Join(filepath.Dir(p), strings.TrimPrefix(name, backupPrefix))
			if _, err := os.Lstat(orig); errors.Is(err, fs.ErrNotExist) {
				os.Rename(p, orig)
			} else {
				os.Remove(p)
			}
		}
		return nil
	})
}

// randomID is n random bytes in hex.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead on broken systems)
	return hex.EncodeToString(b)
}
