//go:build faults

package library

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestFaultKillStaffChanges kills every kind of staff change at every one of
// its crash points, and for each of those kills the recovery at every one of
// its points too, checking after each trial that the files, Docs, the audit
// log and the answer to pressing the button again agree (see crash_test.go).
//
//	go test -tags faults ./corpus/library -run Fault -v
func TestFaultKillStaffChanges(t *testing.T) {
	start := time.Now()
	r := newKillRig(t)
	for _, sc := range scenarios() {
		r.run(sc, nil, true)
	}
	st := r.stats
	var per []string
	for _, sc := range scenarios() {
		per = append(per, fmt.Sprintf("%s %d", sc.name, st.points[sc.name]))
	}
	t.Logf("FIGURE staff-change kill trials (kill -9 at every crash point, and again during recovery): %d", st.trials)
	t.Logf("FIGURE staff-change kill trials consistent (files, Docs, audit log, answer on pressing again): %d/%d", st.consistent, st.trials)
	t.Logf("FIGURE staff-change kills finished at restart / rolled back: %d / %d", st.landed, st.rolledBack)
	t.Logf("FIGURE staff-change kills during recovery: %d", st.recoveryKills)
	t.Logf("FIGURE staff-change crash points per step: %s", strings.Join(per, ", "))
	t.Logf("FIGURE staff-change kill suite seconds: %.1f", time.Since(start).Seconds())
}
