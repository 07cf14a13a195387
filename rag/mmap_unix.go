//go:build linux || darwin || freebsd

package rag

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapIndexFile maps the saved index file read-only, so that its postings
// are read in place and only the pages a question touches are resident; nil
// when it cannot be mapped (the sections are then read into memory).
func mapIndexFile(f *os.File, size int64) []byte {
	if size <= 0 || int64(int(size)) != size {
		return nil
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil
	}
	return m
}

// unmapIndexFile undoes mapIndexFile.
func unmapIndexFile(m []byte) { unix.Munmap(m) }

// dropPages tells the kernel that the pages of m[lo:hi] are not needed
// now: they stay in the page cache and come back when read, but leave the
// process's resident memory, so that checking a section once does not keep
// all of it resident.
func dropPages(m []byte, lo, hi int) {
	page := unix.Getpagesize()
	lo -= lo % page
	if r := hi % page; r != 0 {
		hi += page - r
	}
	hi = min(hi, len(m))
	if lo < hi {
		unix.Madvise(m[lo:hi], unix.MADV_DONTNEED)
	}
}
