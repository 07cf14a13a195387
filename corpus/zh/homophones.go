package zh

import (
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/mozillazg/go-pinyin"
)

// Homophones lists, for a Chinese character, the other characters read the
// same way, tones aside (辞 for 词, 社 for 设, 裁 for 栽): a member typing on a
// phone's pinyin keyboard picks a wrong one of them more often than any other
// slip. It is read-only once made, so safe for concurrent use.
type Homophones struct {
	sounds  map[rune][]string // a character's readings, toneless
	bySound map[string][]rune // the characters of a reading, in code point order
	// sound numbers each character's reading (0: none), by code point from
	// firstHan, so that Same is two array reads.
	sound []uint16
}

// firstHan and lastHan bound the CJK Unified Ideographs block.
const firstHan, lastHan = 0x4E00, 0x9FFF

// NewHomophones builds the table from go-pinyin's dictionary, for the CJK
// Unified Ideographs block (the characters of everyday text), by each
// character's common reading.
func NewHomophones() *Homophones {
	h := &Homophones{sounds: map[rune][]string{}, bySound: map[string][]rune{}}
	for cp, readings := range pinyin.PinyinDict {
		r := rune(cp)
		if r < firstHan || r > lastHan {
			continue
		}
		// The first reading is the common one: the one a member types. A
		// rare reading (抵 zhǐ, 少 shào) would make homophones nobody means.
		p, _, _ := strings.Cut(readings, ",")
		if s := toneless(p); s != "" {
			h.sounds[r] = append(h.sounds[r], s)
			h.bySound[s] = append(h.bySound[s], r)
		}
	}
	h.sound = make([]uint16, lastHan-firstHan+1)
	n := uint16(0)
	for _, s := range slices.Sorted(maps.Keys(h.bySound)) {
		rs := h.bySound[s]
		slices.Sort(rs)
		n++
		for _, r := range rs {
			h.sound[r-firstHan] = n
		}
	}
	return h
}

// Of yields the characters whose common reading is r's, r itself left out,
// in code point order; nothing for a character the table does not hold.
func (h *Homophones) Of(r rune) iter.Seq[rune] {
	return func(yield func(rune) bool) {
		for _, s := range h.sounds[r] {
			for _, o := range h.bySound[s] {
				if o != r && !yield(o) {
					return
				}
			}
		}
	}
}

// Same reports whether a and b, two different characters, share their
// common reading, tones aside.
func (h *Homophones) Same(a, b rune) bool {
	if a == b {
		return false
	}
	if a < firstHan || a > lastHan || b < firstHan || b > lastHan {
		return false
	}
	sa := h.sound[a-firstHan]
	return sa != 0 && sa == h.sound[b-firstHan]
}

// toneless drops the tone marks of a pinyin syllable (zhòng → zhong), keeping
// ü apart from u (律 is not 路).
func toneless(p string) string { return untone.Replace(strings.TrimSpace(p)) }

// untone maps pinyin's toned vowels to plain ones; immutable once made.
var untone = strings.NewReplacer(
	"ā", "a", "á", "a", "ǎ", "a", "à", "a",
	"ē", "e", "é", "e", "ě", "e", "è", "e",
	"ō", "o", "ó", "o", "ǒ", "o", "ò", "o",
	"ī", "i", "í", "i", "ǐ", "i", "ì", "i",
	"ū", "u", "ú", "u", "ǔ", "u", "ù", "u",
	"ǖ", "ü", "ǘ", "ü", "ǚ", "ü", "ǜ", "ü",
	"ń", "n", "ň", "n", "ǹ", "n", "ḿ", "m",
)
