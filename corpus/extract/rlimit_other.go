//go:build !linux

package extract

// limitAddressSpace is a no-op outside Linux: there the child relies on the
// garbage collector's soft memory limit alone.
func limitAddressSpace(budget int64) error { return nil }
