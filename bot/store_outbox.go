package bot

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// outboxRecord is one message waiting in the outbox for Telegram to take it,
// as stored: the message (the bot's own text, no names) and when it was
// queued, which bounds how long it is tried.
type outboxRecord struct {
	Chat    int64           `json:"chat"`
	Group   bool            `json:"group,omitempty"`
	Text    string          `json:"text"`
	ReplyTo int             `json:"reply_to,omitempty"`
	Markup  json.RawMessage `json:"markup,omitempty"`
	About   string          `json:"about,omitempty"`
	// Question is the update ID of the question the message answers (0:
	// none): it is marked failed when Telegram refuses the message.
	Question int64     `json:"question,omitempty"`
	Queued   time.Time `json:"queued"`
}

// outboxEntry is a message of the outbox: seq orders it (0 for one that
// could not be stored and is delivered from memory only).
type outboxEntry struct {
	seq    uint64
	msg    outMessage
	queued time.Time
}

func seqKey(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

func (m outMessage) record(now time.Time) (outboxRecord, error) {
	r := outboxRecord{Chat: m.chatID, Group: m.group, Text: m.text, ReplyTo: m.replyTo, About: m.about, Question: m.question, Queued: now}
	if m.markup != nil {
		raw, err := json.Marshal(m.markup)
		if err != nil {
			return r, fmt.Errorf("encode reply markup: %w", err)
		}
		r.Markup = raw
	}
	return r, nil
}

func (r outboxRecord) entry(seq uint64) outboxEntry {
	m := outMessage{chatID: r.Chat, group: r.Group, text: r.Text, replyTo: r.ReplyTo, about: r.About, question: r.Question}
	if len(r.Markup) > 0 {
		m.markup = r.Markup // sent as it was encoded
	}
	return outboxEntry{seq: seq, msg: m, queued: r.Queued}
}

// putOutbox queues msgs in the outbox within tx, in order.
func putOutbox(tx *bolt.Tx, msgs []outMessage, now time.Time) ([]outboxEntry, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	b := tx.Bucket(bucketOutbox)
	out := make([]outboxEntry, 0, len(msgs))
	for _, m := range msgs {
		r, err := m.record(now)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return nil, err
		}
		if err := b.Put(seqKey(seq), v); err != nil {
			return nil, err
		}
		out = append(out, r.entry(seq))
	}
	return out, nil
}

// Queue puts messages in the outbox on their own, for messages that answer
// no update (a notice, an apology for a question given up).
func (s *Store) Queue(msgs []outMessage) ([]outboxEntry, error) {
	var queued []outboxEntry
	err := s.db.Batch(func(tx *bolt.Tx) (err error) {
		queued, err = putOutbox(tx, msgs, time.Now().UTC())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("queue messages: %w", err)
	}
	return queued, nil
}

// Outbox returns every message waiting in the outbox, oldest first.
func (s *Store) Outbox() ([]outboxEntry, error) {
	var out []outboxEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var r outboxRecord
			if len(k) != 8 || json.Unmarshal(v, &r) != nil {
				return nil // unreadable: dropped at the next delivery pass
			}
			out = append(out, r.entry(binary.BigEndian.Uint64(k)))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// Delivered removes messages Telegram accepted from the outbox and, for a
// message about a document, records which (see SetMessageDoc), in one
// transaction.
func (s *Store) Delivered(msgs []deliveredMessage) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		out, docs := tx.Bucket(bucketOutbox), tx.Bucket(bucketMessages)
		now := time.Now().UTC()
		for _, m := range msgs {
			if m.e.seq != 0 {
				if err := out.Delete(seqKey(m.e.seq)); err != nil {
					return err
				}
			}
			if m.e.msg.about == "" {
				continue
			}
			v, err := json.Marshal(messageDoc{Doc: m.e.msg.about, Time: now})
			if err != nil {
				return err
			}
			if err := docs.Put(messageKey(m.chat, m.msgID), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record %d messages delivered: %w", len(msgs), err)
	}
	for _, m := range msgs {
		if m.e.msg.about != "" {
			s.forgetMessageDoc(messageKey(m.chat, m.msgID))
		}
	}
	return nil
}

// Undeliverable removes a message Telegram will never take (or that is too
// old to send) from the outbox and marks the question it answers failed.
func (s *Store) Undeliverable(e outboxEntry) error {
	err := s.db.Batch(func(tx *bolt.Tx) error {
		if e.seq != 0 {
			if err := tx.Bucket(bucketOutbox).Delete(seqKey(e.seq)); err != nil {
				return err
			}
		}
		if e.msg.question == 0 {
			return nil
		}
		qb := tx.Bucket(bucketQuestions)
		k := idKey(e.msg.question)
		v := qb.Get(k)
		if v == nil {
			return nil
		}
		var q QuestionRecord
		if json.Unmarshal(v, &q) != nil || q.Failed {
			return nil
		}
		q.Failed = true
		nv, err := json.Marshal(q)
		if err != nil {
			return err
		}
		return qb.Put(k, nv)
	})
	if err != nil {
		return fmt.Errorf("drop undeliverable message %d: %w", e.seq, err)
	}
	return nil
}

// SetIdentity keeps the bot's identity for a start while Telegram is down.
func (s *Store) SetIdentity(me identity) error {
	v, err := json.Marshal(me)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyMe, v) })
}

// Identity returns the identity SetIdentity kept, if any.
func (s *Store) Identity() (identity, bool) {
	var me identity
	_ = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyMe); v != nil {
			_ = json.Unmarshal(v, &me)
		}
		return nil
	})
	return me, me.ID != 0
}

// unfinished are updates that were answered while the store could not
// record it (Finish failed, e.g. on a full disk): their answers went out
// from memory, and recording them is retried, so that a restart does not
// answer them again once the disk has room.
type unfinished struct {
	mu sync.Mutex
	m  map[int64]*QuestionRecord
}

func (u *unfinished) add(id int64, q *QuestionRecord) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[int64]*QuestionRecord{}
	}
	u.m[id] = q
}

// retry tries to record each again; what the store takes is forgotten.
func (u *unfinished) retry(s *Store, log *slog.Logger) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for id, q := range u.m {
		if _, err := s.Finish(id, q, nil); err != nil {
			return // still full: try the rest next time
		}
		delete(u.m, id)
		log.Info("an answer sent while the store was full is recorded now", "update_id", id)
	}
}
