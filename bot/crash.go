package bot

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
)

// crashFile is where the Go runtime writes the report of a crash of the
// process (an unrecovered panic in any goroutine, a fatal error such as a
// stack overflow), besides standard error. Its presence at the next start is
// how the bot tells a crash of its own, which an update in flight may have
// caused, from a kill from outside, which leaves nothing.
const crashFile = "crash.txt"

// readCrashReport reports whether the last run left a crash report in dir;
// the report is logged (its first lines) and kept as crash.prev.txt.
func readCrashReport(dir string, log *slog.Logger) bool {
	path := filepath.Join(dir, crashFile)
	data, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return false
	}
	head := data
	if lines := bytes.SplitN(head, []byte("\n"), 6); len(lines) > 5 {
		head = bytes.Join(lines[:5], []byte("\n"))
	}
	log.Error("the last run crashed; the updates it was handling are handled one at a time", "report", filepath.Join(dir, "crash.prev.txt"), "head", string(head))
	_ = os.Rename(path, filepath.Join(dir, "crash.prev.txt"))
	return true
}

// writeCrashReport makes the runtime write a crash of this process to dir's
// crash file, and returns a function that stops it (at a clean stop).
func writeCrashReport(dir string, log *slog.Logger) (stop func()) {
	path := filepath.Join(dir, crashFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		log.Warn("cannot keep crash reports; an update that crashes the bot cannot be told from a kill", "err", err)
		return func() {}
	}
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		log.Warn("cannot keep crash reports", "err", err)
	}
	f.Close() // the runtime keeps its own descriptor
	return func() {
		_ = debug.SetCrashOutput(nil, debug.CrashOptions{})
		_ = os.Remove(path)
	}
}
