package bot

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync"
)

// inflightSlots is how many updates the in-flight file tracks at once;
// more (a larger Workers) are tracked in the bbolt inbox instead, at the
// cost of an fsync each.
const inflightSlots = 256

// inflight records which updates are being handled right now, in a small
// file of fixed slots (a header with the run number, then one update ID per
// slot), written in place without fsync. A write that has returned is in the
// kernel's page cache, which outlives the process: after kill -9 or a crash
// the next start reads exactly which updates were in flight, at the cost of
// a pwrite instead of a bbolt transaction per answer. Only a power cut can
// lose it, and then attempts are under-counted, which quarantines nothing.
type inflight struct {
	mu    sync.Mutex
	f     *os.File
	slots map[int64]int // update ID -> slot
	free  []int
}

func openInflight(path string) (*inflight, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open in-flight file: %w", err)
	}
	in := &inflight{f: f, slots: map[int64]int{}}
	for i := inflightSlots - 1; i >= 0; i-- {
		in.free = append(in.free, i)
	}
	return in, nil
}

// read returns the run number written at the last reset and the updates
// that were in flight when that run ended (none after a clean stop).
func (in *inflight) read() (run int64, ids []int64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	data, err := io.ReadAll(io.NewSectionReader(in.f, 0, 8*(inflightSlots+1)))
	if err != nil || len(data) < 8 {
		return 0, nil
	}
	run = int64(binary.BigEndian.Uint64(data))
	for off := 8; off+8 <= len(data); off += 8 {
		if id := int64(binary.BigEndian.Uint64(data[off:])); id != 0 {
			ids = append(ids, id)
		}
	}
	return run, ids
}

// reset empties every slot and writes run in the header.
func (in *inflight) reset(run int64) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := in.f.Truncate(0); err != nil {
		return err
	}
	var h [8]byte
	binary.BigEndian.PutUint64(h[:], uint64(run))
	_, err := in.f.WriteAt(h[:], 0)
	return err
}

// begin records that update id is being handled; false when every slot is
// taken or the write failed.
func (in *inflight) begin(id int64) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.slots[id]; ok {
		return true
	}
	if len(in.free) == 0 {
		return false
	}
	slot := in.free[len(in.free)-1]
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(id))
	if _, err := in.f.WriteAt(v[:], int64(8+8*slot)); err != nil {
		return false
	}
	in.free = in.free[:len(in.free)-1]
	in.slots[id] = slot
	return true
}

// end records that update id is no longer being handled.
func (in *inflight) end(id int64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	slot, ok := in.slots[id]
	if !ok {
		return
	}
	var zero [8]byte
	if _, err := in.f.WriteAt(zero[:], int64(8+8*slot)); err != nil {
		return // the slot stays taken: a stale entry is ignored at the next start
	}
	delete(in.slots, id)
	in.free = append(in.free, slot)
}

func (in *inflight) close() error { return in.f.Close() }
