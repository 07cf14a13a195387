package lexicon

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

// MaxGap is how many characters (of Fillers) may stand between the
// characters of a member word of two to maxGapped characters for it still to match
// (开个小店 ~ 开店, 签了个合同 ~ 签合同), counted over all its gaps.
const MaxGap = 2

// Fillers are the characters that may stand in the gap of a gapped match:
// what speech puts inside a verb and its object (aspect particles, numbers
// and classifiers, pronouns and demonstratives, a few adjectives, adverbs and
// resultative complements). Content characters may not, which keeps 劳动保障 from
// reading as 劳保 and 工作人员 as 工人: compound nouns do not split in
// speech, verb–object phrases do (开个小店, 签了个合同, 请两天假).
const Fillers = "了过着的" +
	"一二两三四五六七八九十百千几半多" +
	"个份件张次回趟天周月年家位名本项笔种条块元岁顿场批些点" +
	"这那哪每我你他她它们自己" +
	"小大新老好全都也才就还再又没不" +
	"完上下到出进起来去成掉住满"

// Match is one occurrence of a lexicon word in a text.
type Match struct {
	// Concept indexes Concepts(); Name is that concept's name.
	Concept int
	Name    string
	// Word is the lexicon word that matched (as folded).
	Word string
	// Start and End are rune offsets in the text, End exclusive; for a gapped
	// match they span the inserted characters too.
	Start, End int
	// Kind tells a document term from a member word.
	Kind Kind
	// Gapped is set when characters stood between the word's characters: a
	// weaker sign than an exact match, to be weighed lower.
	Gapped bool
}

// entry is one meaning of a matched string: a string may be a document term
// of one concept and a member word of another, or shared by design.
type entry struct {
	concept int32
	kind    Kind
}

// key is one distinct string of the exact automaton.
type key struct {
	text    string
	runes   int
	entries []entry
	rs      []rune // text as runes
	// latinL and latinR are set when the key starts or ends with a Latin
	// letter or digit: there it must not touch another one (ot in robot).
	latinL, latinR bool
}

// matcher holds the exact automaton over every term and word, and the trie
// of member words that may match with inserted characters.
type matcher struct {
	fillers [(cjkHi - cjkLo + 64) / 64]uint64 // bitmap of Fillers over the CJK block
	names   []string
	ac      *trie
	keys    []key
	gap     *trie
	gkeys   []key
}

func isLatin(r rune) bool { return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }

func buildMatcher(cs []concept) *matcher {
	m := &matcher{ac: newTrie(), gap: newTrie()}
	for _, r := range Fillers {
		m.fillers[(r-cjkLo)/64] |= 1 << ((r - cjkLo) % 64)
	}
	add := func(t *trie, keys *[]key, s string, e entry) {
		id := t.insert(s, int32(len(*keys)))
		if int(id) == len(*keys) {
			first, _ := utf8.DecodeRuneInString(s)
			lastR, _ := utf8.DecodeLastRuneInString(s)
			*keys = append(*keys, key{text: s, rs: []rune(s), runes: utf8.RuneCountInString(s),
				latinL: isLatin(first), latinR: isLatin(lastR)})
		}
		k := &(*keys)[id]
		if !slices.Contains(k.entries, e) {
			k.entries = append(k.entries, e)
		}
	}
	for i, c := range cs {
		m.names = append(m.names, c.name)
		for _, t := range c.terms {
			add(m.ac, &m.keys, t.text, entry{int32(i), DocTerm})
		}
		for _, w := range c.words {
			add(m.ac, &m.keys, w.text, entry{int32(i), MemberWord})
			if !w.exact && gappable(w.text) {
				add(m.gap, &m.gkeys, w.text, entry{int32(i), MemberWord})
			}
		}
	}
	m.ac.compile()
	m.ac.link()
	m.ac.filter()
	m.gap.compile()
	m.gap.filter()
	return m
}

// filler reports whether r may stand in the gap of a gapped reading.
func (m *matcher) filler(r rune) bool {
	return r >= cjkLo && r <= cjkHi && m.fillers[(r-cjkLo)/64]&(1<<((r-cjkLo)%64)) != 0
}

// isHan reports whether r is a Chinese character, with a fast path for the
// CJK Unified Ideographs block.
func isHan(r rune) bool {
	if r >= cjkLo && r <= cjkHi {
		return true
	}
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r)
}

// maxGapped is the longest member word, in Han characters, that may match
// with characters inserted: 扣我的身份证 ~ 扣身份证 as 签了个合同 ~ 签合同.
// A longer word is more particular, so a filler inside it misleads less.
const maxGapped = 5

// gappable reports whether a member word may match with inserted characters:
// two to maxGapped Han characters.
func gappable(w string) bool {
	n := 0
	for _, r := range w {
		if !isHan(r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= maxGapped
}

// Match finds every lexicon word in text (folded by the caller, see the
// package comment), overlapping ones included, sorted by start, longer first.
// Use Dominant to keep only the longest readings.
func (l *Lexicon) Match(text string) []Match {
	return l.AppendMatches(nil, text)
}

// AppendMatches is Match appending to dst, so a caller scanning many
// passages can reuse one slice and allocate nothing.
func (l *Lexicon) AppendMatches(dst []Match, text string) []Match {
	var buf [512]rune // texts up to this length are decoded without allocating
	rs := buf[:0]
	for _, r := range text {
		rs = append(rs, r)
	}
	base := len(dst)
	dst = l.m.exact(dst, rs)
	dst = l.m.gapped(dst, rs, dst[base:])
	dst = l.ageMatches(dst, rs)
	if len(dst)-base > 1 {
		slices.SortFunc(dst[base:], func(a, b Match) int {
			return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End),
				cmp.Compare(a.Concept, b.Concept), cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Word, b.Word))
		})
	}
	return dst
}

// exact runs the Aho–Corasick automaton over the text's runes.
func (m *matcher) exact(dst []Match, rs []rune) []Match {
	t := m.ac
	state := int32(0)
	for i, r := range rs {
		bit := runeBit(r)
		for {
			// The filter skips most failed lookups without searching edges.
			if state == 0 || t.nodes[state].next&bit != 0 {
				if c := t.child(state, r); c != 0 {
					state = c
					break
				}
			}
			if state == 0 {
				break
			}
			state = t.nodes[state].fail
		}
		n := state
		if t.nodes[n].key < 0 {
			n = t.nodes[n].dict
		}
		for n > 0 {
			k := &m.keys[t.nodes[n].key]
			end := i + 1
			start := end - k.runes
			if !(k.latinL && start > 0 && isLatin(rs[start-1])) && !(k.latinR && end < len(rs) && isLatin(rs[end])) {
				for _, e := range k.entries {
					dst = append(dst, Match{Concept: int(e.concept), Name: m.names[e.concept], Word: k.text,
						Start: start, End: end, Kind: e.kind})
				}
			}
			n = t.nodes[n].dict
		}
	}
	return dst
}

// gstate is one partial reading in the gapped search: at trie node, next
// reading rune i, with skipped characters inserted at the bits of mask
// (bit j: the rune at start+j).
type gstate struct {
	node    int32
	i       int
	skipped int
	skip    bool // reached by skipping a character, not by reading one
	mask    uint8
}

// gapped finds member words read with up to MaxGap inserted characters (of
// Fillers) between their characters. A reading is dropped where the word also stands
// exactly in its span, or where an exact match (exact holds them) joins one
// of the word's characters to a skipped character after it: in 女职工 the 职
// belongs with 女, so 女…工 is not 女工. An exact match that begins in the gap
// does not count against it: 考电工证 still reads as 考…证. A start position
// is searched only when a second character of some word follows within reach
// (the node's next filter), and then explores a handful of readings.
func (m *matcher) gapped(dst []Match, rs []rune, exact []Match) []Match {
	t := m.gap
	// Candidates: word key and the end of its shortest gapped reading.
	type cand struct {
		key, end int
		mask     uint8
	}
	var cands [8]cand
	var stack [16]gstate
	for start, r := range rs {
		n := t.child(0, r)
		if n == 0 {
			continue
		}
		var ahead uint64
		for j := start + 1; j <= start+1+MaxGap && j < len(rs); j++ {
			ahead |= runeBit(rs[j])
		}
		if t.nodes[n].next&ahead == 0 {
			continue
		}
		nc, sp := 0, 0
		stack[sp] = gstate{node: n, i: start + 1}
		sp++
		for sp > 0 {
			sp--
			s := stack[sp]
			if k := t.nodes[s.node].key; k >= 0 && s.skipped > 0 && !s.skip {
				dup := false
				for c := 0; c < nc; c++ {
					if cands[c].key == int(k) {
						dup = true
						if s.i < cands[c].end {
							cands[c] = cand{int(k), s.i, s.mask}
						}
					}
				}
				if !dup && nc < len(cands) {
					cands[nc] = cand{int(k), s.i, s.mask}
					nc++
				}
			}
			if s.i >= len(rs) || !t.hasChildren(s.node) {
				continue
			}
			r2 := rs[s.i]
			if s.skipped < MaxGap && m.filler(r2) && sp < len(stack) {
				stack[sp] = gstate{node: s.node, i: s.i + 1, skipped: s.skipped + 1, skip: true,
					mask: s.mask | 1<<(s.i-start)}
				sp++
			}
			if c := t.child(s.node, r2); c != 0 && sp < len(stack) {
				stack[sp] = gstate{node: c, i: s.i + 1, skipped: s.skipped, mask: s.mask}
				sp++
			}
		}
		for c := 0; c < nc; c++ {
			k := &m.gkeys[cands[c].key]
			if containsRunes(rs[start:cands[c].end], k.rs) || crossed(exact, start, cands[c].end, cands[c].mask) {
				continue
			}
			for _, e := range k.entries {
				dst = append(dst, Match{Concept: int(e.concept), Name: m.names[e.concept], Word: k.text,
					Start: start, End: cands[c].end, Kind: MemberWord, Gapped: true})
			}
		}
	}
	return dst
}

// runeBit hashes a rune to one bit of a 64-bit filter.
func runeBit(r rune) uint64 { return 1 << ((uint32(r) * 2654435761) >> 26) }

// containsRunes reports whether w stands contiguously in s.
func containsRunes(s, w []rune) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if slices.Equal(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

// crossed reports whether an exact match holds a read character of the
// gapped reading [start, end) and a skipped one after it (skipped positions
// are the bits of mask).
func crossed(exact []Match, start, end int, mask uint8) bool {
	for _, e := range exact {
		if e.End <= start || e.Start >= end {
			continue
		}
		read := false
		for p := max(e.Start, start); p < min(e.End, end); p++ {
			if mask&(1<<(p-start)) == 0 {
				read = true
			} else if read {
				return true
			}
		}
	}
	return false
}

// Dominant keeps the readings a person would: a match is dropped when
// another covers its span with a longer word (男的产假 hides 产假), or covers
// the same span with the same word length exactly where it is gapped. The
// input is not modified; the result keeps the input's order.
func Dominant(ms []Match) []Match {
	out := make([]Match, 0, len(ms))
	for i, m := range ms {
		lm := utf8.RuneCountInString(m.Word)
		hidden := false
		for j, o := range ms {
			if i == j || o.Start > m.Start || o.End < m.End {
				continue
			}
			lo := utf8.RuneCountInString(o.Word)
			if lo > lm || lo == lm && m.Gapped && !o.Gapped {
				hidden = true
				break
			}
		}
		if !hidden {
			out = append(out, m)
		}
	}
	return out
}

// ageMatches adds the concepts whose age ranges ({岁<16}) hold an age the
// text states (15岁, 十四周岁): laws speak of 未满十六周岁, members of their
// 15岁的娃.
func (l *Lexicon) ageMatches(dst []Match, rs []rune) []Match {
	if !l.hasAges {
		return dst
	}
	for i := 0; i < len(rs); i++ {
		if rs[i] != '岁' {
			continue
		}
		end := i + 1
		j := i
		if j > 0 && rs[j-1] == '周' {
			j--
		}
		start := j
		for start > 0 && isAgeDigit(rs[start-1]) {
			start--
		}
		if start == j {
			continue
		}
		age, ok := zh.ParseNumber(string(rs[start:j]))
		if !ok {
			continue
		}
		end = ageHolderEnd(rs, end)
		for k, c := range l.concepts {
			for _, b := range c.ages {
				if age >= b.lo && age < b.hi {
					dst = append(dst, Match{Concept: k, Name: c.name, Word: string(rs[start:end]), Start: start, End: end, Kind: MemberWord})
					break
				}
			}
		}
	}
	return dst
}

// ageHolders are the words for the person an age is told of (15岁的孩子,
// 十四岁小孩): the age is theirs, so the concept the age names (童工) stands
// for them too, and they are not read as another concept (孩子 as 子女).
var ageHolders = [][]rune{[]rune("小孩子"), []rune("小姑娘"), []rune("小伙子"), []rune("孩子"), []rune("小孩"), []rune("学生"), []rune("少年"), []rune("女孩"), []rune("男孩"), []rune("姑娘"), []rune("小伙")}

// ageHolderEnd is where the age ending at end, and the holder after it
// (with or without 的), ends.
func ageHolderEnd(rs []rune, end int) int {
	k := end
	if k < len(rs) && rs[k] == '的' {
		k++
	}
	for _, h := range ageHolders {
		if k+len(h) <= len(rs) && slices.Equal(rs[k:k+len(h)], h) {
			return k + len(h)
		}
	}
	return end
}

func isAgeDigit(r rune) bool {
	return r >= '0' && r <= '9' || strings.ContainsRune("零〇一二三四五六七八九十两", r)
}
