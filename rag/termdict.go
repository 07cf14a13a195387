package rag

import "math/bits"

// termDict numbers the distinct search terms of an index: term i is
// bytes[off[i]:off[i+1]], found through an open-addressing hash table. It is
// three flat arrays, so it is persisted as it is and costs a few bytes a term
// beside the term's own, instead of a map entry and a string each.
type termDict struct {
	bytes []byte
	off   []uint32 // len: terms + 1
	slots []uint32 // term id + 1, 0 for an empty slot; a power of two long
}

// termHash is FNV-1a: stable across runs and machines, as a persisted table
// needs, and quick over terms of a few bytes.
func termHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// len is the number of terms.
func (d *termDict) len() int { return max(0, len(d.off)-1) }

// equal reports whether term id is s, without making a string.
func (d *termDict) equal(id uint32, s string) bool {
	b := d.bytes[d.off[id]:d.off[id+1]]
	return len(b) == len(s) && string(b) == s // the conversion does not allocate
}

// lookup returns the id of term s.
func (d *termDict) lookup(s string) (int32, bool) {
	if len(d.slots) == 0 {
		return 0, false
	}
	mask := uint32(len(d.slots) - 1)
	for i := termHash(s) & mask; ; i = (i + 1) & mask {
		v := d.slots[i]
		if v == 0 {
			return 0, false
		}
		if d.equal(v-1, s) {
			return int32(v - 1), true
		}
	}
}

// tableSize is the hash table's length for n terms: a power of two at least
// twice n, so that probes stay short.
func tableSize(n int) int {
	if n == 0 {
		return 0
	}
	return 1 << bits.Len(uint(2*n-1))
}

// dictBuilder adds terms to a termDict, numbering them in order of first
// addition.
type dictBuilder struct {
	d termDict
	n int
}

func newDictBuilder(hint int) *dictBuilder {
	b := &dictBuilder{}
	b.d.off = append(make([]uint32, 0, hint+1), 0)
	b.d.slots = make([]uint32, tableSize(max(hint, 8)))
	return b
}

// add returns the id of s, adding it when it is new.
func (b *dictBuilder) add(s string) (id int32, added bool) {
	if 2*(b.n+1) > len(b.d.slots) {
		b.grow()
	}
	mask := uint32(len(b.d.slots) - 1)
	i := termHash(s) & mask
	for ; b.d.slots[i] != 0; i = (i + 1) & mask {
		if v := b.d.slots[i]; b.d.equal(v-1, s) {
			return int32(v - 1), false
		}
	}
	b.d.bytes = append(b.d.bytes, s...)
	b.d.off = append(b.d.off, uint32(len(b.d.bytes)))
	b.d.slots[i] = uint32(b.n + 1)
	b.n++
	return int32(b.n - 1), true
}

func (b *dictBuilder) grow() {
	b.d.slots = make([]uint32, 2*max(8, len(b.d.slots)))
	b.d.rehash()
}

// rehash fills slots from bytes and off.
func (d *termDict) rehash() {
	clear(d.slots)
	mask := uint32(len(d.slots) - 1)
	for id := 0; id < d.len(); id++ {
		i := termHash(string(d.bytes[d.off[id]:d.off[id+1]])) & mask
		for d.slots[i] != 0 {
			i = (i + 1) & mask
		}
		d.slots[i] = uint32(id + 1)
	}
}

// dict returns the finished dictionary, trimmed to size.
func (b *dictBuilder) dict() termDict {
	d := b.d
	if want := tableSize(b.n); want != len(d.slots) {
		d.slots = make([]uint32, want)
		d.rehash()
	}
	return d
}
