package bot

import (
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestStoreInboxLifecycle(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.StartRun(false); err != nil {
		t.Fatal(err)
	}
	raw := json.RawMessage(`{"update_id":5}`)
	fresh, _, err := s.TakeUpdates([]PendingUpdate{{ID: 4}, {ID: 5, Raw: raw}, {ID: 6, Raw: raw}}, nil)
	if err != nil || len(fresh) != 2 {
		t.Fatalf("fresh = %v, %v", fresh, err)
	}
	if off, _ := s.Offset(); off != 7 {
		t.Errorf("offset = %d, want 7", off)
	}
	if fresh, _, _ := s.TakeUpdates([]PendingUpdate{{ID: 5, Raw: raw}}, nil); len(fresh) != 0 {
		t.Error("a redelivered update was taken twice")
	}
	if _, err := s.Finish(5, &QuestionRecord{UpdateID: 5, Time: time.Now(), ChatType: "private", Question: "问"}, nil); err != nil {
		t.Fatal(err)
	}
	if fresh, _, _ := s.TakeUpdates([]PendingUpdate{{ID: 5, Raw: raw}}, nil); len(fresh) != 0 {
		t.Error("an answered update was taken again")
	}
	s.Close()

	// Update 6 was never begun: restarts are not attempts, however many.
	for range 5 {
		s = reopen(t, dir)
		resume, quarantined, err := s.StartRun(false)
		if err != nil || len(resume) != 1 || resume[0].ID != 6 || resume[0].Attempts != 0 || len(quarantined) != 0 {
			t.Fatalf("resume %+v quarantined %+v (%v); want update 6 with no attempt", resume, quarantined, err)
		}
		s.Close()
	}
	// Begun, then a clean stop: still no attempt.
	s = reopen(t, dir)
	_, _, _ = s.StartRun(false)
	_ = s.Begin(6)
	_ = s.EndRun()
	s.Close()
	s = reopen(t, dir)
	if resume, _, _ := s.StartRun(false); len(resume) != 1 || resume[0].Attempts != 0 {
		t.Fatalf("after a clean stop mid-answer: %+v", resume)
	}
	// Begun, then killed (no EndRun), many times: an attempt each time, but
	// never given up without a crash report.
	for kill := 1; kill <= 5; kill++ {
		_ = s.Begin(6)
		s.Close()
		s = reopen(t, dir)
		resume, quarantined, _ := s.StartRun(false)
		if len(resume) != 1 || resume[0].Attempts != kill || resume[0].Suspect || len(quarantined) != 0 {
			t.Fatalf("kill %d: resume %+v quarantined %+v", kill, resume, quarantined)
		}
	}
	s.Close()
}

// Only an update that crashed the process while it was the only one in
// flight, quarantineCrashes times, is given up; crashes with others in flight
// only make it a suspect.
func TestStoreQuarantinesOnlyAnUpdateThatCrashesAlone(t *testing.T) {
	dir := t.TempDir()
	s := reopen(t, dir)
	_, _, _ = s.StartRun(false)
	raw := json.RawMessage(`{"update_id":1}`)
	_, _, _ = s.TakeUpdates([]PendingUpdate{{ID: 1, Raw: raw}, {ID: 2, Raw: raw}, {ID: 3, Raw: raw}}, nil)
	for _, id := range []int64{1, 2, 3} {
		_ = s.Begin(id)
	}
	s.Close()
	s = reopen(t, dir)
	resume, quarantined, _ := s.StartRun(true) // crashed with three in flight
	if len(resume) != 3 || len(quarantined) != 0 {
		t.Fatalf("resume %+v quarantined %+v", resume, quarantined)
	}
	for _, p := range resume {
		if !p.Suspect {
			t.Errorf("update %d in flight at a crash is not a suspect", p.ID)
		}
	}
	// Update 2 is handled alone and crashes the process, twice.
	for crash := 1; crash <= quarantineCrashes; crash++ {
		_ = s.Begin(2)
		s.Close()
		s = reopen(t, dir)
		resume, quarantined, _ = s.StartRun(true)
		if crash < quarantineCrashes && (len(quarantined) != 0 || len(resume) != 3) {
			t.Fatalf("crash %d: given up too early: resume %+v quarantined %+v", crash, resume, quarantined)
		}
	}
	if len(quarantined) != 1 || quarantined[0].ID != 2 || len(resume) != 2 {
		t.Fatalf("resume %+v quarantined %+v; want update 2 given up", resume, quarantined)
	}
	for _, p := range resume {
		if p.Suspect {
			t.Errorf("update %d was not in flight at the last crash but is a suspect", p.ID)
		}
	}
	s.Close()
}

func reopen(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreFeedbackAndPrune(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := time.Now().Add(-100 * 24 * time.Hour)
	_, _ = s.Finish(1, &QuestionRecord{UpdateID: 1, Time: old, Question: "旧"}, nil)
	_, _ = s.Finish(2, &QuestionRecord{UpdateID: 2, Time: time.Now(), Question: "新", Abstained: true, ChatType: "private", Asker: s.userKey(7)}, nil)
	if _, err := s.SetFeedback(2, 7, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetFeedback(2, 8, 1); !errors.Is(err, ErrNotAsker) {
		t.Errorf("a stranger's vote in a private chat: %v", err)
	}
	if _, err := s.SetFeedback(99, 7, 1); err == nil {
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

// damagedStoreTemplate writes a store with history to dir and returns its
// bytes: pending updates, undelivered messages and many questions, so that
// its buckets span several pages.
func damagedStoreTemplate(t testing.TB, dir string) []byte {
	t.Helper()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _ = s.StartRun(false)
	var batch []PendingUpdate
	for id := int64(1); id <= 400; id++ {
		batch = append(batch, PendingUpdate{ID: id, Raw: json.RawMessage(`{"update_id":` + strconv.FormatInt(id, 10) + `}`)})
	}
	if _, _, err := s.TakeUpdates(batch, []outMessage{{chatID: 1, text: "待发送的回答"}}); err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error { // Finish for 380 of them, in one transaction
		for id := int64(1); id <= 380; id++ {
			v, _ := json.Marshal(QuestionRecord{UpdateID: id, Time: time.Now(), ChatType: "private", Question: strings.Repeat("孩子考上大学有助学金吗", 5)})
			_ = tx.Bucket(bucketInbox).Delete(idKey(id))
			_ = tx.Bucket(bucketDone).Put(idKey(id), []byte(time.Now().Format(time.RFC3339)))
			if err := tx.Bucket(bucketQuestions).Put(idKey(id), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	data, err := os.ReadFile(filepath.Join(dir, "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// storeDamage is one way a bot.db is damaged: a page overwritten with
// random bytes, a torn or emptied file, or noise.
func storeDamage(data []byte, trial int, rnd *rand.Rand) []byte {
	out := append([]byte(nil), data...)
	pages := len(out) / 4096
	switch trial {
	case 0: // both meta pages
		for i := range 8192 {
			out[i] = byte(rnd.Intn(256))
		}
	case 1: // torn in the middle
		return out[:len(out)/2+100]
	case 2: // zeroed
		return make([]byte, len(out))
	case 3: // noise
		for i := range out {
			out[i] = byte(rnd.Intn(256))
		}
	default: // one page, not the meta pages
		page := 2 + rnd.Intn(pages-2)
		for i := page * 4096; i < (page+1)*4096; i++ {
			out[i] = byte(rnd.Intn(256))
		}
	}
	return out
}

// A damaged bot.db never stops the bot: OpenStore always gives a working
// store, moving a damaged file aside and salvaging what can be read. (Before,
// bbolt panicked at open or at the first read of a bad page.)
func TestOpenStoreSurvivesDamage(t *testing.T) {
	data := damagedStoreTemplate(t, t.TempDir())
	const trials = 16 // 4 kinds of damage, then random pages; the fault suite runs more
	rnd := rand.New(rand.NewSource(1))
	recovered, pendingSalvaged := 0, 0
	for trial := range trials {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "bot.db"), storeDamage(data, trial, rnd), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := OpenStore(dir)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if rec := s.Recovery(); rec != nil {
			recovered++
			if _, err := os.Stat(rec.Aside); err != nil {
				t.Errorf("trial %d: damaged file not kept aside: %v", trial, err)
			}
			pendingSalvaged += rec.Salvaged[string(bucketInbox)]
		}
		// The store works: it takes an update and gives it back.
		_, _, _ = s.StartRun(false)
		if _, _, err := s.TakeUpdates([]PendingUpdate{{ID: 10000, Raw: json.RawMessage(`{"update_id":10000}`)}}, nil); err != nil {
			t.Errorf("trial %d: the store does not take updates: %v", trial, err)
		}
		s.Close()
		s = reopen(t, dir)
		if s.Recovery() != nil {
			t.Errorf("trial %d: the fresh store is damaged too", trial)
		}
		resume, _, _ := s.StartRun(false)
		if !slices.ContainsFunc(resume, func(p PendingUpdate) bool { return p.ID == 10000 }) {
			t.Errorf("trial %d: update taken after recovery is lost", trial)
		}
		s.Close()
	}
	if recovered < 6 {
		t.Errorf("only %d of %d damaged files were noticed", recovered, trials)
	}
	t.Logf("%d of %d damaged files recovered, %d pending updates salvaged (of 20 each)", recovered, trials, pendingSalvaged)
}
