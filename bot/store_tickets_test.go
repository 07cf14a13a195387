package bot

import (
	"errors"
	"testing"
	"time"
)

func TestTicketStore(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC()
	day := now.Add(-time.Hour)
	open := func(question int64, user int64) (Ticket, bool, error) {
		return s.OpenTicket(Ticket{Opened: now, Origin: originAbstained, Question: "问题", QuestionID: question, UserID: user}, 2, day)
	}
	a, existing, err := open(10, 501)
	if err != nil || existing || a.No != 1 {
		t.Fatalf("first ticket: %+v %v %v", a, existing, err)
	}
	if again, existing, err := open(10, 501); err != nil || !existing || again.No != 1 {
		t.Fatalf("the same question again: %+v %v %v", again, existing, err)
	}
	if b, _, err := open(11, 501); err != nil || b.No != 2 {
		t.Fatalf("second ticket: %+v %v", b, err)
	}
	if _, _, err := open(12, 501); !errors.Is(err, ErrHandoffLimit) {
		t.Fatalf("third ticket of the day: %v", err)
	}
	if c, _, err := open(13, 502); err != nil || c.No != 3 {
		t.Fatalf("another member's ticket: %+v %v", c, err)
	}
	if g, _, err := s.OpenTicket(Ticket{Opened: now, Origin: originGap, Question: "gap"}, 0, time.Time{}); err != nil || g.No != 4 {
		t.Fatalf("gap ticket: %+v %v", g, err)
	}

	if err := s.MapTicketMessage(-100900, 55, 1); err != nil {
		t.Fatal(err)
	}
	if no, _ := s.TicketOf(-100900, 55); no != 1 {
		t.Errorf("TicketOf = %d", no)
	}
	if err := s.SetOffer(10, handoffOffer{Time: now, Question: "问题", UserID: 501}); err != nil {
		t.Fatal(err)
	}
	if first, _ := s.MarkDownOffered(10); !first {
		t.Error("first 👎 offer not recorded")
	}
	if again, _ := s.MarkDownOffered(10); again {
		t.Error("👎 offer made twice")
	}

	// After the retention period the ticket, its messages and the offer go:
	// a staff reply to the ticket's message then finds nothing.
	if _, err := s.Prune(now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ticket(1); !errors.Is(err, ErrNoTicket) {
		t.Errorf("ticket kept past retention: %v", err)
	}
	if no, _ := s.TicketOf(-100900, 55); no != 0 {
		t.Errorf("ticket message kept past retention: %d", no)
	}
	if _, ok, _ := s.Offer(10); ok {
		t.Error("offer kept past retention")
	}
	// Numbers are never reused.
	if d, _, err := open(20, 503); err != nil || d.No != 5 {
		t.Errorf("after pruning: %+v %v", d, err)
	}
}
