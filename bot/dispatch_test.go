package bot

import (
	"sync"
	"testing"
	"time"
)

func TestDispatcherOrdersPerChatAndIsolatesSlowChats(t *testing.T) {
	var mu sync.Mutex
	seen := map[int64][]int64{}
	release := make(chan struct{})
	fastDone := make(chan struct{}, 100)
	d := newDispatcher(3, 1000, func(j job) {
		if j.chat == 1 && j.update.ID == 1 {
			<-release // chat 1's first answer is slow
		}
		mu.Lock()
		seen[j.chat] = append(seen[j.chat], j.update.ID)
		mu.Unlock()
		if j.chat == 2 {
			fastDone <- struct{}{}
		}
	})
	for i := int64(1); i <= 20; i++ {
		d.submit(job{update: PendingUpdate{ID: i}, chat: 1 + (i+1)%2})
	}
	// Chat 2 finishes all its jobs while chat 1 is stuck.
	for range 10 {
		select {
		case <-fastDone:
		case <-time.After(5 * time.Second):
			t.Fatal("a slow chat held up another chat")
		}
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(seen[1])
		mu.Unlock()
		if n == 10 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	<-d.stop()
	for chat, ids := range seen {
		for i := 1; i < len(ids); i++ {
			if ids[i] < ids[i-1] {
				t.Errorf("chat %d handled out of order: %v", chat, ids)
			}
		}
		if len(ids) != 10 {
			t.Errorf("chat %d: handled %d jobs, want 10", chat, len(ids))
		}
	}
}
