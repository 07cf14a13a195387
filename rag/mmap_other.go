//go:build !(linux || darwin || freebsd)

package rag

import "os"

// mapIndexFile is not done here: the sections are read into memory.
func mapIndexFile(*os.File, int64) []byte { return nil }

func unmapIndexFile([]byte) {}

func dropPages([]byte, int, int) {}
