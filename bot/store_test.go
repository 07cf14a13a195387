package bot

import (
	"encoding/json"
	"testing"
	"time"
)

func TestStoreInboxLifecycle(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	raw := json.RawMessage(`{"update_id":5}`)
	fresh, err := s.TakeUpdates([]PendingUpdate{{ID: 4}, {ID: 5, Raw: raw}, {ID: 6, Raw: raw}})
	if err != nil || len(fresh) != 2 {
		t.Fatalf("fresh = %v, %v", fresh, err)
	}
	if off, _ := s.Offset(); off != 7 {
		t.Errorf("offset = %d, want 7", off)
	}
	if fresh, _ := s.TakeUpdates([]PendingUpdate{{ID: 5, Raw: raw}}); len(fresh) != 0 {
		t.Error("a redelivered update was taken twice")
	}
	if err := s.Finish(5, &QuestionRecord{UpdateID: 5, Time: time.Now(), ChatType: "private", Question: "问"}); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := s.TakeUpdates([]PendingUpdate{{ID: 5, Raw: raw}}); len(fresh) != 0 {
		t.Error("an answered update was taken again")
	}
	s.Close()

	// Update 6 was never finished: each start retries it, until maxAttempts.
	for start := 2; ; start++ {
		s, err = OpenStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		resume, dropped, err := s.ResumePending()
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if start <= maxAttempts {
			if len(resume) != 1 || resume[0].ID != 6 || resume[0].Attempts != start {
				t.Fatalf("start %d: resume = %+v", start, resume)
			}
			continue
		}
		if len(resume) != 0 || len(dropped) != 1 {
			t.Fatalf("start %d: resume %+v dropped %+v; want the poison update dropped", start, resume, dropped)
		}
		break
	}
}

func TestStoreFeedbackAndPrune(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := time.Now().Add(-100 * 24 * time.Hour)
	_ = s.Finish(1, &QuestionRecord{UpdateID: 1, Time: old, Question: "旧"})
	_ = s.Finish(2, &QuestionRecord{UpdateID: 2, Time: time.Now(), Question: "新", Abstained: true})
	if _, err := s.SetFeedback(2, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetFeedback(99, 1); err == nil {
		t.Error("feedback on an unknown question accepted")
	}
	if n, err := s.Prune(time.Now().Add(-90 * 24 * time.Hour)); err != nil || n != 1 {
		t.Errorf("pruned %d, %v", n, err)
	}
	qs, _ := s.Questions(time.Time{})
	if len(qs) != 1 || qs[0].Question != "新" || qs[0].Feedback != -1 || !qs[0].Abstained {
		t.Errorf("questions = %+v", qs)
	}
}

func TestStoreRemembersWhichDocumentAMessageIsAbout(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetMessageDoc(900, 41, "liaoxiuyang"); err != nil {
		t.Fatal(err)
	}
	if doc, ok, err := s.MessageDoc(900, 41); err != nil || !ok || doc != "liaoxiuyang" {
		t.Errorf("MessageDoc(900, 41) = %q, %v, %v", doc, ok, err)
	}
	for _, k := range [][2]int64{{900, 42}, {901, 41}, {-900, 41}} {
		if doc, ok, _ := s.MessageDoc(k[0], int(k[1])); ok {
			t.Errorf("MessageDoc(%d, %d) = %q, want none", k[0], k[1], doc)
		}
	}
	if _, err := s.Prune(time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.MessageDoc(900, 41); ok {
		t.Error("a message record outlived retention")
	}
}
