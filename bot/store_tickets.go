package bot

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The handoff's buckets: tickets by number, the bot's messages about a
// ticket (so that a staff reply to any of them finds it), and the
// handoff offers made under answers. Offers and tickets are the only
// records of the store that name a member (their user ID and first name),
// which relaying an answer needs; offers go after offerTTL, tickets after
// the retention period.
var (
	bucketTickets    = []byte("tickets")
	bucketTicketMsgs = []byte("ticket_messages")
	bucketOffers     = []byte("handoff_offers")
	keyTicketSeq     = []byte("ticket_seq")
	ticketBuckets    = [][]byte{bucketTickets, bucketTicketMsgs, bucketOffers}
)

// offerTTL is how long 转给工会工作人员 works under an answer.
const offerTTL = 7 * 24 * time.Hour

// Where a ticket comes from (Ticket.Origin).
const (
	originAbstained = "abstained" // the documents did not answer
	originDisliked  = "disliked"  // the member pressed 👎 under the answer
	originGap       = "gap"       // staff chose a /gaps group: no member waits
)

// Outcomes of relaying a staff reply (TicketReply.Outcome).
const (
	outcomeDelivered = "delivered"
	outcomeBlocked   = "blocked" // the member blocked the bot
	outcomeGone      = "gone"    // the group is gone, or the bot is no longer in it
	outcomeFailed    = "failed"  // Telegram kept failing
	outcomeNoMember  = "none"    // a gap ticket: nobody to relay to
)

// Ticket is a question handed to union staff: a member's, after a tap of
// 转给工会工作人员, or a /gaps group a staff member chose to answer.
type Ticket struct {
	// No is the short ticket number staff and the member see (#12).
	No     int64     `json:"no"`
	Opened time.Time `json:"opened"`
	Origin string    `json:"origin"`
	// Question is what the member asked; Standalone how the bot understood
	// it when it was a follow-up (the previous question and this one).
	Question   string `json:"question"`
	Standalone string `json:"standalone,omitempty"`
	// QuestionID is the update ID of the member's question (0 for a gap):
	// the question log and its buttons are keyed by it.
	QuestionID int64 `json:"question_id,omitempty"`
	// Where the member asked: the chat, its type and a group's title, and
	// the question's message (the staff answer replies to it).
	ChatID    int64  `json:"chat_id,omitempty"`
	ChatType  string `json:"chat_type,omitempty"`
	ChatTitle string `json:"chat_title,omitempty"`
	MessageID int    `json:"message_id,omitempty"`
	// UserID tells the asker's tap from others' and is never shown; staff
	// see the FirstName only.
	UserID    int64  `json:"user_id,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	// PostedChat and PostedMsg are the ticket's message to staff (0 until
	// it is posted).
	PostedChat int64         `json:"posted_chat,omitempty"`
	PostedMsg  int           `json:"posted_msg,omitempty"`
	Replies    []TicketReply `json:"replies,omitempty"`
	ClosedAt   time.Time     `json:"closed_at,omitzero"`
	ClosedBy   string        `json:"closed_by,omitempty"`
}

// TicketReply is one staff reply to a ticket and what became of it.
type TicketReply struct {
	// StaffChat and StaffMsg are the staff member's message; a reply is
	// relayed once per message, also when its update is handled again
	// after a crash.
	StaffChat int64     `json:"staff_chat"`
	StaffMsg  int       `json:"staff_msg"`
	By        string    `json:"by"`
	ByName    string    `json:"by_name,omitempty"`
	Text      string    `json:"text"`
	Time      time.Time `json:"time"`
	// Outcome is "" until the relay was tried (see the outcome constants).
	Outcome   string    `json:"outcome,omitempty"`
	Delivered time.Time `json:"delivered,omitzero"`
	// ReportMsg is the bot's report under the staff reply (0 until sent).
	ReportMsg int `json:"report_msg,omitempty"`
	// SavedDoc is the Q&A entry saved from the reply, "" for none.
	SavedDoc string `json:"saved_doc,omitempty"`
}

// closed reports whether staff closed the ticket.
func (t Ticket) closed() bool { return !t.ClosedAt.IsZero() }

// answered reports whether a staff reply reached the member (or, for a gap
// ticket, was given at all), and when the first did.
func (t Ticket) answered() (time.Time, bool) {
	for _, r := range t.Replies {
		if r.Outcome == outcomeDelivered || r.Outcome == outcomeNoMember {
			return r.Time, true
		}
	}
	return time.Time{}, false
}

// firstDelivered is when the first staff answer reached the member.
func (t Ticket) firstDelivered() (time.Time, bool) {
	for _, r := range t.Replies {
		if r.Outcome == outcomeDelivered {
			return r.Delivered, true
		}
	}
	return time.Time{}, false
}

// question is the ticket's question as a saved answer should match it.
func (t Ticket) question() string { return cmp.Or(t.Standalone, t.Question) }

// handoffOffer is what a tap of 转给工会工作人员 under an answer hands over:
// the question and where it was asked, recorded when the answer is sent.
type handoffOffer struct {
	Time       time.Time `json:"time"`
	Question   string    `json:"question"`
	Standalone string    `json:"standalone,omitempty"`
	ChatID     int64     `json:"chat_id"`
	ChatType   string    `json:"chat_type"`
	ChatTitle  string    `json:"chat_title,omitempty"`
	MessageID  int       `json:"message_id"`
	UserID     int64     `json:"user_id"`
	FirstName  string    `json:"first_name,omitempty"`
	// Abstained is set when the documents did not answer; DownOffered once
	// the button was offered after a 👎.
	Abstained   bool `json:"abstained,omitempty"`
	DownOffered bool `json:"down_offered,omitempty"`
}

// ErrHandoffLimit is returned by OpenTicket when the member handed over
// their daily number of questions.
var ErrHandoffLimit = errors.New("daily handoff limit reached")

// ErrNoTicket is returned for a ticket number the store does not hold
// (never opened, or pruned after the retention period).
var ErrNoTicket = errors.New("no such ticket")

// SetOffer records the handoff offer under the answer to question updateID.
func (s *Store) SetOffer(updateID int64, o handoffOffer) error {
	v, err := json.Marshal(o)
	if err != nil {
		return err
	}
	err = s.db.Batch(func(tx *bolt.Tx) error { return tx.Bucket(bucketOffers).Put(idKey(updateID), v) })
	if err != nil {
		return fmt.Errorf("record handoff offer %d: %w", updateID, err)
	}
	return nil
}

// Offer returns the handoff offer under the answer to question updateID.
func (s *Store) Offer(updateID int64) (handoffOffer, bool, error) {
	var o handoffOffer
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketOffers).Get(idKey(updateID))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &o)
	})
	if err != nil {
		return handoffOffer{}, false, fmt.Errorf("read handoff offer %d: %w", updateID, err)
	}
	return o, ok, nil
}

// MarkDownOffered records that the button was offered after a 👎 on the
// answer to updateID; it returns false when it had been already.
func (s *Store) MarkDownOffered(updateID int64) (bool, error) {
	first := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOffers)
		v := b.Get(idKey(updateID))
		if v == nil {
			return nil
		}
		var o handoffOffer
		if err := json.Unmarshal(v, &o); err != nil {
			return err
		}
		if o.DownOffered {
			return nil
		}
		o.DownOffered, first = true, true
		nv, err := json.Marshal(o)
		if err != nil {
			return err
		}
		return b.Put(idKey(updateID), nv)
	})
	if err != nil {
		return false, fmt.Errorf("record handoff offer %d: %w", updateID, err)
	}
	return first, nil
}

// OpenTicket opens a ticket for t's question, numbered next, in one
// transaction. A question that has a ticket already gets that one back
// (existing true), so a tap pressed twice or handled again after a
// restart opens one ticket. A member with perDay tickets opened since
// dayStart gets ErrHandoffLimit (perDay 0: no limit; gap tickets never
// count).
func (s *Store) OpenTicket(t Ticket, perDay int, dayStart time.Time) (Ticket, bool, error) {
	var out Ticket
	existing := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTickets)
		today := 0
		found := false
		err := b.ForEach(func(_, v []byte) error {
			var old Ticket
			if json.Unmarshal(v, &old) != nil {
				return nil
			}
			if t.QuestionID != 0 && old.QuestionID == t.QuestionID {
				out, found = old, true
			}
			if t.UserID != 0 && old.UserID == t.UserID && old.Origin != originGap && !old.Opened.Before(dayStart) {
				today++
			}
			return nil
		})
		if err != nil || found {
			existing = found
			return err
		}
		if perDay > 0 && t.Origin != originGap && today >= perDay {
			return ErrHandoffLimit
		}
		meta := tx.Bucket(bucketMeta)
		var seq int64
		if v := meta.Get(keyTicketSeq); len(v) == 8 {
			seq = int64(binary.BigEndian.Uint64(v))
		}
		seq++
		if err := meta.Put(keyTicketSeq, idKey(seq)); err != nil {
			return err
		}
		t.No = seq
		out = t
		v, err := json.Marshal(t)
		if err != nil {
			return err
		}
		return b.Put(idKey(seq), v)
	})
	if errors.Is(err, ErrHandoffLimit) {
		return Ticket{}, false, err
	}
	if err != nil {
		return Ticket{}, false, fmt.Errorf("open ticket: %w", err)
	}
	return out, existing, nil
}

// Ticket returns ticket no.
func (s *Store) Ticket(no int64) (Ticket, error) {
	var t Ticket
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTickets).Get(idKey(no))
		if v == nil {
			return ErrNoTicket
		}
		return json.Unmarshal(v, &t)
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket %d: %w", no, err)
	}
	return t, nil
}

// UpdateTicket changes ticket no with change in one transaction; an error
// from change leaves it as it was and is returned.
func (s *Store) UpdateTicket(no int64, change func(*Ticket) error) (Ticket, error) {
	var t Ticket
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTickets)
		v := b.Get(idKey(no))
		if v == nil {
			return ErrNoTicket
		}
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if err := change(&t); err != nil {
			return err
		}
		nv, err := json.Marshal(t)
		if err != nil {
			return err
		}
		return b.Put(idKey(no), nv)
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket %d: %w", no, err)
	}
	return t, nil
}

// DeleteTicket forgets a ticket that could not be posted to staff, so that
// the member can hand the question over again.
func (s *Store) DeleteTicket(no int64) error {
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTickets).Delete(idKey(no)) })
	if err != nil {
		return fmt.Errorf("delete ticket %d: %w", no, err)
	}
	return nil
}

// MapTicketMessage records that the bot's message msgID in chatID is about
// ticket no: a staff reply to it is a reply to the ticket.
func (s *Store) MapTicketMessage(chatID int64, msgID int, no int64) error {
	err := s.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTicketMsgs).Put(messageKey(chatID, msgID), idKey(no))
	})
	if err != nil {
		return fmt.Errorf("record ticket message %d:%d: %w", chatID, msgID, err)
	}
	return nil
}

// TicketOf returns the number of the ticket the bot's message msgID in
// chatID is about, 0 for none.
func (s *Store) TicketOf(chatID int64, msgID int) (int64, error) {
	var no int64
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketTicketMsgs).Get(messageKey(chatID, msgID)); len(v) == 8 {
			no = int64(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read ticket message %d:%d: %w", chatID, msgID, err)
	}
	return no, nil
}

// Tickets returns the tickets opened at or after since, oldest first.
func (s *Store) Tickets(since time.Time) ([]Ticket, error) {
	var out []Ticket
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTickets).ForEach(func(_, v []byte) error {
			var t Ticket
			if json.Unmarshal(v, &t) == nil && !t.Opened.Before(since) {
				out = append(out, t)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read tickets: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].No < out[j].No })
	return out, nil
}

// pruneTickets deletes tickets opened before before, with the records of
// the bot's messages about them, and offers older than offerTTL (or
// before, whichever is later).
func pruneTickets(tx *bolt.Tx, before time.Time) error {
	gone := map[int64]bool{}
	tb := tx.Bucket(bucketTickets)
	var del [][]byte
	_ = tb.ForEach(func(k, v []byte) error {
		var t Ticket
		if json.Unmarshal(v, &t) != nil || t.Opened.Before(before) {
			del = append(del, append([]byte(nil), k...))
			gone[int64(binary.BigEndian.Uint64(k))] = true
		}
		return nil
	})
	for _, k := range del {
		if err := tb.Delete(k); err != nil {
			return err
		}
	}
	mb := tx.Bucket(bucketTicketMsgs)
	del = del[:0]
	_ = mb.ForEach(func(k, v []byte) error {
		if len(v) != 8 || gone[int64(binary.BigEndian.Uint64(v))] {
			del = append(del, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range del {
		if err := mb.Delete(k); err != nil {
			return err
		}
	}
	offersBefore := time.Now().Add(-offerTTL)
	if before.After(offersBefore) {
		offersBefore = before
	}
	ob := tx.Bucket(bucketOffers)
	del = del[:0]
	_ = ob.ForEach(func(k, v []byte) error {
		var o handoffOffer
		if json.Unmarshal(v, &o) != nil || o.Time.Before(offersBefore) {
			del = append(del, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range del {
		if err := ob.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
