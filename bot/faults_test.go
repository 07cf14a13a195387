//go:build faults

package bot_test

import (
	"slices"
	"testing"
	"time"
)

// TestFaultFloodLatencyForOthers: one member sends 2,000 messages as fast
// as the Bot API takes them while 20 others ask one question each, five
// times; the others' waits (question at the Bot API to answer accepted by
// it, Telegram's 30 messages/s pacing kept) are the figures.
//
//	go test -tags faults -run Fault -v ./bot
func TestFaultFloodLatencyForOthers(t *testing.T) {
	var waits []time.Duration
	for range 5 {
		waits = append(waits, floodOnce(t, 2000, 20)...)
	}
	slices.Sort(waits)
	at := func(p float64) time.Duration { return waits[min(len(waits)-1, int(p*float64(len(waits))))] }
	t.Logf("FIGURE other members' answer latency under a 2,000-message flood (%d answers): p50 %d ms, p95 %d ms, max %d ms",
		len(waits), at(0.5).Milliseconds(), at(0.95).Milliseconds(), waits[len(waits)-1].Milliseconds())
}
