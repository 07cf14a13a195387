package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket names in the bbolt file. Updates live in "inbox" from the moment
// they are taken until they are answered; "done" keeps only their IDs (no
// text, no names) so that a redelivered update is recognised; "outbox" holds
// the messages the answers became until Telegram accepts or refuses them.
var (
	bucketInbox     = []byte("inbox")
	bucketDone      = []byte("done")
	bucketMeta      = []byte("meta")
	bucketQuestions = []byte("questions")
	bucketGroups    = []byte("groups")
	bucketMessages  = []byte("messages")
	bucketOutbox    = []byte("outbox")
	keyOffset       = []byte("offset")
	keyRun          = []byte("run")
	keySalt         = []byte("salt")
	keyMe           = []byte("me")
)

// allBuckets are the store's buckets, in the order a damaged store's are
// salvaged: what members are waiting for first.
var allBuckets = slices.Concat([][]byte{bucketInbox, bucketOutbox}, ticketBuckets,
	[][]byte{bucketMeta, bucketQuestions, bucketDone, bucketGroups, bucketMessages})

// quarantineCrashes is how many times an update may be the only one in
// flight when the process crashed on its own (a runtime crash report was
// left) before it is given up as poison. Restarts, clean stops and kills from
// outside never count.
const quarantineCrashes = 2

// Store is the bot's durable state in one bbolt file: the inbox of updates
// taken but not yet answered, the outbox of answers not yet delivered, the
// polling offset, the question log with feedback, per-group facts, and which
// document the bot's messages to staff are about. It is safe for concurrent
// use.
type Store struct {
	db   *bolt.DB
	path string
	salt []byte
	// run numbers this process's use of the store (StartRun); updates it
	// starts handling are marked with it until they are finished.
	run int64
	// recovery says what was done about a damaged file at open, nil when it
	// was sound.
	recovery *Recovery
	// inflight names the updates being handled, cheaply (see inflight).
	inflight *inflight

	recentMu sync.Mutex
	recent   map[string]string // messages about a document, until recorded (noteMessageDoc)
}

// PendingUpdate is an update taken from Telegram but not yet answered.
type PendingUpdate struct {
	ID  int64
	Raw json.RawMessage
	// Attempts is how often handling it began and was cut short by the
	// process dying (kill -9, a crash, a power cut); clean stops and
	// restarts do not count.
	Attempts int
	// Suspect is set when the process crashed on its own while it was being
	// handled: it is then handled alone, before anything else.
	Suspect bool
}

type inboxRecord struct {
	Raw   json.RawMessage `json:"raw"`
	Taken time.Time       `json:"taken"`
	// Running is the run that began handling the update and has not
	// finished it; 0 when no handler is on it. (Usually the in-flight file
	// says this instead, without a transaction: see Begin.)
	Running int64 `json:"running,omitempty"`
	// Attempts: handling began and the process died before it finished.
	Attempts int `json:"attempts,omitempty"`
	// Crashes: of those, deaths with a runtime crash report; Alone: crashes
	// while it was the only update being handled.
	Crashes int `json:"crashes,omitempty"`
	Alone   int `json:"alone,omitempty"`
}

// QuestionRecord is one question a member asked and what became of it. It
// holds no names or user IDs: only what the staff need to see which questions
// the documents do not answer, and a keyed hash of the asker's ID so that
// only the asker's 👍/👎 counts as theirs.
type QuestionRecord struct {
	// UpdateID identifies the question; answer buttons refer to it.
	UpdateID int64     `json:"update_id"`
	Time     time.Time `json:"time"`
	// ChatType is "private", "group" or "supergroup".
	ChatType string `json:"chat_type"`
	Question string `json:"question"`
	// Abstained is true when the corpus did not answer the question.
	Abstained bool `json:"abstained"`
	// Failed is true when no answer could be made or delivered.
	Failed bool `json:"failed,omitempty"`
	// PassageIDs are the cited passages, marker [n] is PassageIDs[n-1].
	PassageIDs []string `json:"passage_ids,omitempty"`
	// Saved is set when the answer cited a saved answer (工会答复), so
	// that a 👎 on it shows in /gaps as such.
	Saved bool `json:"saved,omitempty"`
	// Feedback is the asker's vote: +1 for 👍, -1 for 👎 and 0 for none.
	Feedback int `json:"feedback,omitempty"`
	// FeedbackAt is when the asker's latest vote was given.
	FeedbackAt time.Time `json:"feedback_at,omitzero"`
	// OthersUp and OthersDown count the 👍 and 👎 of other members of a
	// group, one vote each (their latest).
	OthersUp   int `json:"others_up,omitempty"`
	OthersDown int `json:"others_down,omitempty"`
	// Asker is a keyed hash of the asker's user ID ("" when unknown).
	Asker string `json:"asker,omitempty"`
	// Voters holds each other member's vote by a keyed hash of their ID.
	Voters map[string]int `json:"voters,omitempty"`
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

// SetOffset moves the getUpdates offset forward to off (never back).
func (s *Store) SetOffset(off int64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyOffset); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= off {
			return nil
		}
		return meta.Put(keyOffset, idKey(off))
	})
}

func idKey(id int64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, uint64(id))
	return k
}

// TakeUpdates stores, in one transaction, the updates to keep (a nil Raw
// means "skip": nothing is stored, but the offset moves past it), the
// notices to send (e.g. to a member over the rate limit, whose update is
// skipped) and advances the offset past all of them. It returns the updates
// that are new, those neither in the inbox nor answered before, and the
// notices as queued in the outbox.
func (s *Store) TakeUpdates(updates []PendingUpdate, notices []outMessage) ([]PendingUpdate, []outboxEntry, error) {
	var fresh []PendingUpdate
	var queued []outboxEntry
	err := s.db.Update(func(tx *bolt.Tx) error {
		fresh, queued = fresh[:0], queued[:0]
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
			v, err := json.Marshal(inboxRecord{Raw: u.Raw, Taken: now})
			if err != nil {
				return err
			}
			if err := inbox.Put(k, v); err != nil {
				return err
			}
			fresh = append(fresh, u)
		}
		var err error
		if queued, err = putOutbox(tx, notices, now); err != nil {
			return err
		}
		return meta.Put(keyOffset, idKey(off))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store updates: %w", err)
	}
	return fresh, queued, nil
}

// runRecord is this store's last run: its number and whether it ended with
// a clean stop.
type runRecord struct {
	ID    int64 `json:"id"`
	Clean bool  `json:"clean"`
}

// StartRun begins a new run of the bot on the store and returns the updates
// taken but not answered, oldest first, with the accounting of the last run
// done: updates that were being handled when it ended without a clean stop
// count one attempt more, and, when crashed says the process crashed on its
// own (a runtime crash report was left), they are suspects, to be handled
// one at a time; an update that was the only one in flight at
// quarantineCrashes such crashes is given up (moved to done) and returned in
// quarantined, so that one poison update cannot crash the bot forever.
func (s *Store) StartRun(crashed bool) (resume, quarantined []PendingUpdate, err error) {
	fileRun, fileIDs := s.inflight.read()
	err = s.db.Update(func(tx *bolt.Tx) error {
		resume, quarantined = nil, nil
		inbox, done, meta := tx.Bucket(bucketInbox), tx.Bucket(bucketDone), tx.Bucket(bucketMeta)
		var last runRecord
		if v := meta.Get(keyRun); v != nil {
			_ = json.Unmarshal(v, &last)
		}
		// The updates the last run left in flight: all of them were being
		// handled at the moment the process died. A clean stop leaves none.
		running := map[int64]bool{}
		if fileRun == last.ID && !last.Clean {
			for _, id := range fileIDs {
				if inbox.Get(idKey(id)) != nil {
					running[id] = true
				}
			}
		}
		_ = inbox.ForEach(func(k, v []byte) error {
			var r inboxRecord
			if json.Unmarshal(v, &r) == nil && r.Running != 0 {
				running[int64(binary.BigEndian.Uint64(k))] = true
			}
			return nil
		})
		inFlight := len(running)
		now := time.Now().UTC()
		var drop [][]byte
		type change struct{ k, v []byte }
		var changes []change
		c := inbox.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var r inboxRecord
			if err := json.Unmarshal(v, &r); err != nil {
				drop = append(drop, append([]byte(nil), k...))
				continue
			}
			p := PendingUpdate{ID: int64(binary.BigEndian.Uint64(k)), Raw: r.Raw}
			if running[p.ID] {
				r.Running = 0
				r.Attempts++
				if crashed {
					r.Crashes++
					p.Suspect = true
					if inFlight == 1 {
						r.Alone++
					}
				}
				nv, err := json.Marshal(r)
				if err != nil {
					return err
				}
				changes = append(changes, change{append([]byte(nil), k...), nv})
			}
			p.Attempts = r.Attempts
			if r.Alone >= quarantineCrashes {
				drop = append(drop, append([]byte(nil), k...))
				quarantined = append(quarantined, p)
				continue
			}
			resume = append(resume, p)
		}
		for _, ch := range changes {
			if err := inbox.Put(ch.k, ch.v); err != nil {
				return err
			}
		}
		for _, k := range drop {
			if err := inbox.Delete(k); err != nil {
				return err
			}
			if err := done.Put(k, []byte(now.Format(time.RFC3339))); err != nil {
				return err
			}
		}
		s.run = last.ID + 1
		v, err := json.Marshal(runRecord{ID: s.run})
		if err != nil {
			return err
		}
		return meta.Put(keyRun, v)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("resume pending updates: %w", err)
	}
	if err := s.inflight.reset(s.run); err != nil {
		return nil, nil, fmt.Errorf("reset in-flight file: %w", err)
	}
	return resume, quarantined, nil
}

// EndRun records a clean stop: updates still being handled (their answers
// cut short by the stop) are no longer in flight, so the next start does not
// count an attempt for them.
func (s *Store) EndRun() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		inbox := tx.Bucket(bucketInbox)
		type change struct{ k, v []byte }
		var changes []change
		_ = inbox.ForEach(func(k, v []byte) error {
			var r inboxRecord
			if json.Unmarshal(v, &r) == nil && r.Running != 0 {
				r.Running = 0
				if nv, err := json.Marshal(r); err == nil {
					changes = append(changes, change{append([]byte(nil), k...), nv})
				}
			}
			return nil
		})
		for _, ch := range changes {
			if err := inbox.Put(ch.k, ch.v); err != nil {
				return err
			}
		}
		v, err := json.Marshal(runRecord{ID: s.run, Clean: true})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyRun, v)
	})
	if err != nil {
		return fmt.Errorf("record clean stop: %w", err)
	}
	return s.inflight.reset(s.run)
}

// Begin marks an update as being handled by this run, before its handler
// runs: if the process dies before Finish, the next start counts the attempt.
// The mark goes to the in-flight file (a pwrite); only when that is full or
// fails, to the inbox record (a transaction).
func (s *Store) Begin(updateID int64) error {
	if s.inflight.begin(updateID) {
		return nil
	}
	run := s.run
	err := s.db.Batch(func(tx *bolt.Tx) error {
		inbox := tx.Bucket(bucketInbox)
		k := idKey(updateID)
		v := inbox.Get(k)
		if v == nil {
			return nil
		}
		var r inboxRecord
		if err := json.Unmarshal(v, &r); err != nil || r.Running == run {
			return nil
		}
		r.Running = run
		nv, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return inbox.Put(k, nv)
	})
	if err != nil {
		return fmt.Errorf("mark update %d begun: %w", updateID, err)
	}
	return nil
}

// Finish marks an update answered (its text and names leave the inbox) and,
// in the same transaction, records the question (when q is not nil) and
// queues the messages the answer became in the outbox, which it returns.
// It is meant to be called concurrently: writes are batched.
func (s *Store) Finish(updateID int64, q *QuestionRecord, msgs []outMessage) ([]outboxEntry, error) {
	var queued []outboxEntry
	err := s.db.Batch(func(tx *bolt.Tx) error {
		k := idKey(updateID)
		if err := tx.Bucket(bucketInbox).Delete(k); err != nil {
			return err
		}
		now := time.Now().UTC()
		if err := tx.Bucket(bucketDone).Put(k, []byte(now.Format(time.RFC3339))); err != nil {
			return err
		}
		var err error
		if queued, err = putOutbox(tx, msgs, now); err != nil {
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
		return nil, fmt.Errorf("finish update %d: %w", updateID, err)
	}
	s.inflight.end(updateID)
	return queued, nil
}

// Abandon records that the handler of an update stopped without finishing
// it (the bot is stopping): it is no longer in flight and stays in the inbox.
func (s *Store) Abandon(updateID int64) { s.inflight.end(updateID) }

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

// ErrNotAsker is returned by SetFeedback for a vote in a private chat by
// someone other than the asker: it is not counted.
var ErrNotAsker = errors.New("only the asker's vote counts in a private chat")

// SetFeedback records a press of 👍 (+1) or 👎 (-1) by voter on a recorded
// question. The asker's vote is the question's Feedback; in a group another
// member's vote is their own view (OthersUp, OthersDown), never the asker's;
// every user has one vote, their latest. In a private chat only the asker
// votes. Questions recorded before askers were (Asker "") take a private
// chat's vote as the asker's and a group's as another member's.
func (s *Store) SetFeedback(updateID, voter int64, vote int) (QuestionRecord, error) {
	var q QuestionRecord
	who := s.userKey(voter)
	err := s.db.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQuestions)
		k := idKey(updateID)
		v := b.Get(k)
		if v == nil {
			return ErrNoQuestion
		}
		q = QuestionRecord{}
		if err := json.Unmarshal(v, &q); err != nil {
			return err
		}
		group := q.ChatType == "group" || q.ChatType == "supergroup"
		switch {
		case q.Asker == who || (q.Asker == "" && !group):
			q.Feedback = vote
			q.FeedbackAt = time.Now().UTC()
		case !group:
			return ErrNotAsker
		default:
			if q.Voters == nil {
				q.Voters = map[string]int{}
			}
			q.Voters[who] = vote
			q.OthersUp, q.OthersDown = 0, 0
			for _, v := range q.Voters {
				if v > 0 {
					q.OthersUp++
				} else if v < 0 {
					q.OthersDown++
				}
			}
		}
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

// userKey is a keyed hash of a Telegram user ID: it tells whether two votes
// or a vote and a question come from the same user without storing who.
func (s *Store) userKey(userID int64) string {
	if userID == 0 {
		return ""
	}
	m := hmac.New(sha256.New, s.salt)
	m.Write(idKey(userID))
	return hex.EncodeToString(m.Sum(nil)[:12])
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
