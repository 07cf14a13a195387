package bot

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// messageDoc records that one of the bot's messages is about a document (a
// preview that replaces it, a confirmation, a removal question), so that a
// file a staff member sends as a reply to that message replaces the document.
type messageDoc struct {
	Doc  string    `json:"doc"`
	Time time.Time `json:"time"`
}

func messageKey(chatID int64, msgID int) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(chatID))
	binary.BigEndian.PutUint64(k[8:], uint64(msgID))
	return k
}

// SetMessageDoc records that the bot's message msgID in chatID is about the
// document docID.
func (s *Store) SetMessageDoc(chatID int64, msgID int, docID string) error {
	v, err := json.Marshal(messageDoc{Doc: docID, Time: time.Now().UTC()})
	if err != nil {
		return err
	}
	err = s.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMessages).Put(messageKey(chatID, msgID), v)
	})
	if err != nil {
		return fmt.Errorf("record message %d:%d: %w", chatID, msgID, err)
	}
	return nil
}

// noteMessageDoc remembers, in memory, that the bot's message msgID in
// chatID is about the document docID, from the moment Telegram took it
// until Delivered has recorded it.
func (s *Store) noteMessageDoc(chatID int64, msgID int, docID string) {
	s.recentMu.Lock()
	defer s.recentMu.Unlock()
	if s.recent == nil {
		s.recent = map[string]string{}
	}
	s.recent[string(messageKey(chatID, msgID))] = docID
}

func (s *Store) forgetMessageDoc(key []byte) {
	s.recentMu.Lock()
	defer s.recentMu.Unlock()
	delete(s.recent, string(key))
}

// MessageDoc returns the document the bot's message msgID in chatID is
// about, and false when it is about none (or was sent before retention).
func (s *Store) MessageDoc(chatID int64, msgID int) (string, bool, error) {
	s.recentMu.Lock()
	doc, noted := s.recent[string(messageKey(chatID, msgID))]
	s.recentMu.Unlock()
	if noted {
		return doc, true, nil
	}
	var rec messageDoc
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMessages).Get(messageKey(chatID, msgID))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &rec)
	})
	if err != nil {
		return "", false, fmt.Errorf("read message %d:%d: %w", chatID, msgID, err)
	}
	return rec.Doc, ok && rec.Doc != "", nil
}

// pruneMessageDocs deletes the message records older than before.
func pruneMessageDocs(tx *bolt.Tx, before time.Time) error {
	b := tx.Bucket(bucketMessages)
	var del [][]byte
	_ = b.ForEach(func(k, v []byte) error {
		var rec messageDoc
		if json.Unmarshal(v, &rec) != nil || rec.Time.Before(before) {
			del = append(del, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range del {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
