//go:build faults

package llm_test

import "testing"

// TestFaultHostileModelAnswers counts, for the figures, the hostile model
// answers stopped and the honest ones let through, end to end (real engine,
// real client, fake OpenAI server, a hostile upload among the documents).
//
//	go test -tags faults -run Fault -v ./rag/llm
func TestFaultHostileModelAnswers(t *testing.T) {
	stopped, sent := 0, 0
	for _, h := range hostileAnswers {
		if a, _ := hostileRun(t, h.text); !a.Generated {
			stopped++
		}
	}
	for _, h := range honestAnswers {
		if a, _ := hostileRun(t, h.text); a.Generated {
			sent++
		}
	}
	t.Logf("FIGURE hostile model answers stopped (links, phone, e-mail, denials, off-topic, HTML, codes, an injected upload among the documents): %d/%d", stopped, len(hostileAnswers))
	t.Logf("FIGURE honest model answers sent: %d/%d", sent, len(honestAnswers))
}
