package extract

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// limitAddressSpace lets this process map at most budget more bytes of
// address space than it has now (RLIMIT_AS): beyond it allocations fail
// and the Go runtime dies with "out of memory". Counting from the current
// size keeps the limit meaningful whatever the runtime reserved at start
// (the race detector reserves terabytes).
func limitAddressSpace(budget int64) error {
	size, err := vmSize()
	if err != nil {
		return err
	}
	lim := uint64(size + budget)
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
}

// vmSize is this process's mapped address space in bytes.
func vmSize() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmSize:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmSize %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmSize in /proc/self/status")
}
