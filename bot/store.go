package bot

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket names in the bbolt file. Updates live in "inbox" from the moment
// they are taken until they are answered; "done" keeps only their IDs (no
// text, no names) so that a redelivered update is recognised.
var (
	bucketInbox     = []byte("inbox")
	bucketDone      = []byte("done")
	bucketMeta      = []byte("meta")
	bucketQuestions = []byte("questions")
	bucketGroups    = []byte("groups")
	bucketMessages  = []byte("messages")
	keyOffset       = []byte("offset")
)

// maxAttempts is how many times an update is started (across restarts)
// before it is given up as poison.
const maxAttempts = 3

// Store is the bot's durable state in one bbolt file: the inbox of updates
// taken but not yet answered, the polling offset, the question log with
// feedback, per-group facts, and which document the bot's messages to staff
// are about. It is safe for concurrent use.
type Store struct {
	db *bolt.DB
}

// PendingUpdate is an update taken from Telegram but not yet answered.
type PendingUpdate struct {
	ID       int64
	Raw      json.RawMessage
	Attempts int
}

type inboxRecord struct {
	Raw      json.RawMessage `json:"raw"`
	Attempts int             `json:"attempts"`
	Taken    time.Time       `json:"taken"`
}

// QuestionRecord is one question a member asked and what became of it. It
// holds no names or user IDs: only what the staff need to see which questions
// the documents do not answer.
type QuestionRecord struct {
	// UpdateID identifies the question; answer buttons refer to it.
	UpdateID int64     `json:"update_id"`
	Time     time.Time `json:"time"`
	// ChatType is "private", "group" or "supergroup".
	ChatType string `json:"chat_type"`
	Question string `json:"question"`
	// Abstained is true when the corpus did not answer the question.
	Abstained bool `json:"abstained"`
	// Failed is true when no answer could be made or sent.
	Failed bool `json:"failed,omitempty"`
	// PassageIDs are the cited passages, marker [n] is PassageIDs[n-1].
	PassageIDs []string `json:"passage_ids,omitempty"`
	// Saved is set when the answer cited a saved answer (工会答复), so
	// that a 👎 on it shows in /gaps as such.
	Saved bool `json:"saved,omitempty"`
	// Feedback is +1 for 👍, -1 for 👎 and 0 for none.
	Feedback int `json:"feedback,omitempty"`
	// FeedbackAt is when the latest feedback was given.
	FeedbackAt time.Time `json:"feedback_at,omitzero"`
}

// OpenStore opens (creating if needed) the store in dir.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, "bot.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open bot store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range append([][]byte{bucketInbox, bucketDone, bucketMeta, bucketQuestions, bucketGroups, bucketMessages}, ticketBuckets...) {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init bot store: %w", err)
	}
	// Answers finish concurrently from several workers; a short batch window
	// lets one fsync cover many of them without slowing a lone answer much.
	db.MaxBatchDelay = 2 * time.Millisecond
	return &Store{db: db}, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func idKey(id int64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, uint64(id))
	return k
}

// Offset is the next getUpdates offset: one past the highest update taken.
func (s *Store) Offset() (int64, error) {
	var off int64
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyOffset); len(v) == 8 {
			off = int64(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return off, err
}

// TakeUpdates stores, in one transaction, the updates to keep (a nil Raw
// means "skip": nothing is stored, but the offset moves past it) and advances
// the offset past all of them. It returns the updates that are new: those
// neither in the inbox nor answered before.
func (s *Store) TakeUpdates(updates []PendingUpdate) ([]PendingUpdate, error) {
	var fresh []PendingUpdate
	err := s.db.Update(func(tx *bolt.Tx) error {
		fresh = fresh[:0]
		inbox, done, meta := tx.Bucket(bucketInbox), tx.Bucket(bucketDone), tx.Bucket(bucketMeta)
		var off int64
		if v := meta.Get(keyOffset); len(v) == 8 {
			off = int64(binary.BigEndian.Uint64(v))
		}
		now := time.Now().UTC()
		for _, u := range updates {
			if u.ID+1 > off {
				off = u.ID + 1
			}
			if u.Raw == nil {
				continue
			}
			k := idKey(u.ID)
			if inbox.Get(k) != nil || done.Get(k) != nil {
				continue
			}
			v, err := json.Marshal(inboxRecord{Raw: u.Raw, Attempts: 1, Taken: now})
			if err != nil {
				return err
			}
			if err := inbox.Put(k, v); err != nil {
				return err
			}
			u.Attempts = 1
			fresh = append(fresh, u)
		}
		return meta.Put(keyOffset, idKey(off))
	})
	if err != nil {
		return nil, fmt.Errorf("store updates: %w", err)
	}
	return fresh, nil
}

// ResumePending returns the updates taken but not answered, oldest first,
// counting this start as one more attempt. Updates that have been started
// maxAttempts times already are given up (moved to done) and returned in
// dropped, so that a poison update cannot crash the bot forever.
func (s *Store) ResumePending() (resume, dropped []PendingUpdate, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		resume, dropped = nil, nil
		inbox, done := tx.Bucket(bucketInbox), tx.Bucket(bucketDone)
		c := inbox.Cursor()
		now := time.Now().UTC()
		var drop [][]byte
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var r inboxRecord
			if err := json.Unmarshal(v, &r); err != nil {
				drop = append(drop, append([]byte(nil), k...))
				continue
			}
			p := PendingUpdate{ID: int64(binary.BigEndian.Uint64(k)), Raw: r.Raw, Attempts: r.Attempts}
			if r.Attempts >= maxAttempts {
				drop = append(drop, append([]byte(nil), k...))
				dropped = append(dropped, p)
				continue
			}
			r.Attempts++
			p.Attempts = r.Attempts
			nv, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := inbox.Put(k, nv); err != nil {
				return err
			}
			resume = append(resume, p)
		}
		for _, k := range drop {
			if err := inbox.Delete(k); err != nil {
				return err
			}
			if err := done.Put(k, []byte(now.Format(time.RFC3339))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("resume pending updates: %w", err)
	}
	return resume, dropped, nil
}

// Finish marks an update answered (its text and names leave the inbox) and,
// when q is not nil, records the question in the same transaction. It is
// meant to be called concurrently: writes are batched.
func (s *Store) Finish(updateID int64, q *QuestionRecord) error {
	err := s.db.Batch(func(tx *bolt.Tx) error {
		k := idKey(updateID)
		if err := tx.Bucket(bucketInbox).Delete(k); err != nil {
			return err
		}
		if err := tx.Bucket(bucketDone).Put(k, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		if q == nil {
			return nil
		}
		v, err := json.Marshal(q)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketQuestions).Put(k, v)
	})
	if err != nil {
		return fmt.Errorf("finish update %d: %w", updateID, err)
	}
	return nil
}

// Question returns the recorded question with the given update ID.
func (s *Store) Question(updateID int64) (QuestionRecord, bool, error) {
	var q QuestionRecord
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketQuestions).Get(idKey(updateID))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &q)
	})
	if err != nil {
		return QuestionRecord{}, false, fmt.Errorf("read question %d: %w", updateID, err)
	}
	return q, ok, nil
}

// ErrNoQuestion is returned by SetFeedback for an unknown question.
var ErrNoQuestion = errors.New("no such question")

// SetFeedback stores 👍 (+1) or 👎 (-1) on a recorded question; the latest
// vote counts.
func (s *Store) SetFeedback(updateID int64, vote int) (QuestionRecord, error) {
	var q QuestionRecord
	err := s.db.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQuestions)
		k := idKey(updateID)
		v := b.Get(k)
		if v == nil {
			return ErrNoQuestion
		}
		if err := json.Unmarshal(v, &q); err != nil {
			return err
		}
		q.Feedback = vote
		q.FeedbackAt = time.Now().UTC()
		nv, err := json.Marshal(q)
		if err != nil {
			return err
		}
		return b.Put(k, nv)
	})
	if err != nil {
		return QuestionRecord{}, fmt.Errorf("store feedback for %d: %w", updateID, err)
	}
	return q, nil
}

// Questions returns the recorded questions asked at or after since, oldest
// first. Staff reports (/gaps, /stats) read from here.
func (s *Store) Questions(since time.Time) ([]QuestionRecord, error) {
	var out []QuestionRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQuestions).ForEach(func(_, v []byte) error {
			var q QuestionRecord
			if err := json.Unmarshal(v, &q); err != nil {
				return nil // an unreadable record is skipped, not fatal
			}
			if !q.Time.Before(since) {
				out = append(out, q)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// Prune deletes question records, answered-update IDs, message records and
// tickets older than before (the retention period), and handoff offers
// older than a week. Updates still in the inbox are kept.
func (s *Store) Prune(before time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		qb := tx.Bucket(bucketQuestions)
		var del [][]byte
		_ = qb.ForEach(func(k, v []byte) error {
			var q QuestionRecord
			if json.Unmarshal(v, &q) != nil || q.Time.Before(before) {
				del = append(del, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range del {
			if err := qb.Delete(k); err != nil {
				return err
			}
		}
		n = len(del)
		db := tx.Bucket(bucketDone)
		del = del[:0]
		_ = db.ForEach(func(k, v []byte) error {
			t, err := time.Parse(time.RFC3339, string(v))
			if err != nil || t.Before(before) {
				del = append(del, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range del {
			if err := db.Delete(k); err != nil {
				return err
			}
		}
		if err := pruneMessageDocs(tx, before); err != nil {
			return err
		}
		return pruneTickets(tx, before)
	})
	if err != nil {
		return 0, fmt.Errorf("prune store: %w", err)
	}
	return n, nil
}

// groupRecord is what the bot remembers about a group chat.
type groupRecord struct {
	Greeted    bool  `json:"greeted,omitempty"`
	MigratedTo int64 `json:"migrated_to,omitempty"`
}

func (s *Store) updateGroup(chatID int64, f func(*groupRecord) bool) (bool, error) {
	changed := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketGroups)
		k := []byte(strconv.FormatInt(chatID, 10))
		var g groupRecord
		if v := b.Get(k); v != nil {
			if err := json.Unmarshal(v, &g); err != nil {
				return err
			}
		}
		if changed = f(&g); !changed {
			return nil
		}
		v, err := json.Marshal(g)
		if err != nil {
			return err
		}
		return b.Put(k, v)
	})
	return changed, err
}

// MarkGreeted records that the bot said hello in chatID; it returns false
// when it had already.
func (s *Store) MarkGreeted(chatID int64) (bool, error) {
	first, err := s.updateGroup(chatID, func(g *groupRecord) bool {
		if g.Greeted {
			return false
		}
		g.Greeted = true
		return true
	})
	if err != nil {
		return false, fmt.Errorf("mark group %d greeted: %w", chatID, err)
	}
	return first, nil
}

// SetMigrated records that group from became supergroup to; the new chat
// inherits the old one's facts.
func (s *Store) SetMigrated(from, to int64) error {
	var greeted bool
	if _, err := s.updateGroup(from, func(g *groupRecord) bool {
		greeted = g.Greeted
		g.MigratedTo = to
		return true
	}); err != nil {
		return fmt.Errorf("record migration %d→%d: %w", from, to, err)
	}
	if _, err := s.updateGroup(to, func(g *groupRecord) bool {
		if greeted && !g.Greeted {
			g.Greeted = true
			return true
		}
		return false
	}); err != nil {
		return fmt.Errorf("record migration %d→%d: %w", from, to, err)
	}
	return nil
}

// MigratedTo returns the supergroup that chatID became, or 0.
func (s *Store) MigratedTo(chatID int64) int64 {
	var to int64
	_ = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketGroups).Get([]byte(strconv.FormatInt(chatID, 10))); v != nil {
			var g groupRecord
			if json.Unmarshal(v, &g) == nil {
				to = g.MigratedTo
			}
		}
		return nil
	})
	return to
}
