package zh

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Number is one number found in text by Numbers.
type Number struct {
	// Text is the number as written (s[Start:End]): "54.27万", "两千",
	// "百分之九十", "92.1%".
	Text string
	// Start and End are the byte offsets of Text in the text searched.
	Start, End int
	// Value is what the number stands for: 542700, 2000, 90, 92.1.
	Value float64
	// Alt are other readings of an ambiguous number: the 2 of 2至5万元 is
	// also 20000, 九成 is also 90.
	Alt []float64
	// Chinese reports whether the number is written at least partly in
	// Chinese (两千, 2千, 54.27万, 百分之九十), that is, in a form a
	// document might write in plain digits instead.
	Chinese bool
	// Enumerator reports whether the number labels a list item or a point
	// (一、 二是 第三， （1） and "1." or "2)" at the start of a line)
	// rather than stating a quantity.
	Enumerator bool
}

// Values returns Value followed by Alt: every value the number may stand for.
func (n Number) Values() []float64 {
	return append([]float64{n.Value}, n.Alt...)
}

var (
	cnDigit = map[rune]float64{
		'零': 0, '〇': 0, '一': 1, '壹': 1, '二': 2, '贰': 2, '两': 2, '三': 3, '叁': 3,
		'四': 4, '肆': 4, '五': 5, '伍': 5, '六': 6, '陆': 6, '七': 7, '柒': 7,
		'八': 8, '捌': 8, '九': 9, '玖': 9,
	}
	cnUnit = map[rune]float64{'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000}
	cnBig  = map[rune]float64{'万': 1e4, '亿': 1e8}
	// setPhrases are words made of numerals that state no number (十分 is
	// "very", 四面八方 "everywhere"); Numbers skips them, unless they are
	// part of a longer number (一万一千, 九十分).
	setPhrases = []string{
		"十分", "万分", "千万别", "万一", "十足",
		"四面八方", "五湖四海", "三心二意", "十全十美",
		"一五一十", "七嘴八舌", "乱七八糟", "四通八达",
		"三番五次", "千方百计", "万无一失", "千家万户",
		"千辛万苦", "接二连三", "五花八门", "一举两得",
		"两全其美", "三言两语", "说三道四", "一清二楚",
		"独一无二", "七上八下", "九牛一毛", "万众一心",
		"千千万万", "成千上万", "三五成群",
	}
)

// setPhraseStarts are the first characters of setPhrases.
const setPhraseStarts = "十万千四五三一七乱接两说独九成"

// startsSetPhrase reports whether r is one of setPhraseStarts (a switch: it
// is asked of every character scanned).
func startsSetPhrase(r rune) bool {
	switch r {
	case '十', '万', '千', '四', '五', '三', '一', '七', '乱', '接', '两', '说', '独', '九', '成':
		return true
	}
	return false
}

// rangeJoin are the characters that join the two ends of a range: 2000至5000,
// 两千到五千, 2000-5000, 2000～5000.
const rangeJoin = "至到-—–~～〜"

// foldDigit turns full-width digits and signs into ASCII ones, one rune for
// one rune, so that positions are kept.
func foldDigit(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return r - '０' + '0'
	case r == '．':
		return '.'
	case r == '％':
		return '%'
	}
	return r
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isCnDigit(r rune) bool { _, ok := cnDigit[r]; return ok }

// isNumeral reports whether r is a Chinese numeral: a digit, 十百千 or 万亿
// (the keys of cnDigit, cnUnit and cnBig, as a switch: it is asked of
// every character scanned).
func isNumeral(r rune) bool {
	switch r {
	case '零', '〇', '一', '壹', '二', '贰', '两', '三', '叁', '四', '肆', '五', '伍', '六', '陆', '七', '柒',
		'八', '捌', '九', '玖', '十', '拾', '百', '佰', '千', '仟', '万', '亿':
		return true
	}
	return false
}

// runes is text decoded for scanning: rs[i] is the i-th rune with its width
// folded (foldDigit), at byte offset off[i] of the original text; off has one
// more entry, the text's length.
type runes struct {
	rs  []rune
	off []int
}

func decode(s string) runes {
	n := utf8.RuneCountInString(s)
	t := runes{rs: make([]rune, 0, n), off: make([]int, 0, n+1)}
	for i, r := range s {
		t.rs = append(t.rs, foldDigit(r))
		t.off = append(t.off, i)
	}
	t.off = append(t.off, len(s))
	return t
}

// maskSetPhrases blanks the set phrases in rs (in place), rune for rune.
func maskSetPhrases(rs []rune) {
	for i := 0; i < len(rs); i++ {
		if !startsSetPhrase(rs[i]) {
			continue
		}
		for _, p := range setPhrases {
			if hasPrefix(rs[i:], p) {
				n := utf8.RuneCountInString(p)
				if partOfNumber(rs, i, i+n) {
					break
				}
				for k := i; k < i+n; k++ {
					rs[k] = '\u3000'
				}
				i += n - 1
				break
			}
		}
	}
}

// partOfNumber reports whether the set phrase at rs[i:j] is really part of
// a longer number: the 万一 of 一万一千, the 十分 of 九十分 or 十分之一.
func partOfNumber(rs []rune, i, j int) bool {
	if i > 0 && (isNumeral(rs[i-1]) || isDigit(rs[i-1])) {
		return true
	}
	return j < len(rs) && ((isNumeral(rs[j-1]) && isNumeral(rs[j])) || rs[j] == '之')
}

func hasPrefix(rs []rune, p string) bool {
	for _, r := range p {
		if len(rs) == 0 || rs[0] != r {
			return false
		}
		rs = rs[1:]
	}
	return true
}

// reading is one number read at a position of the scanned runes.
type reading struct {
	value   float64
	end     int     // rune index after the number
	mult    float64 // the 万/亿/千/百 written with it, else 1
	chinese bool
	percent bool
	// overflow: too large for a float64; value is then math.MaxFloat64,
	// so that such numbers still compare equal to one another.
	overflow bool
}

// readAt reads the number that starts at rs[i]: 百分之 and a number, Arabic
// digits (with thousands separators, decimals and a Chinese multiplier such as
// 54.27万 or 5千), or a run of Chinese numerals (with 点 and decimals). It
// reads lone 一 and lone 万 too; Numbers decides what is a word.
func readAt(rs []rune, i int) (reading, bool) {
	rd := reading{mult: 1}
	if hasPrefix(rs[i:], "百分之") && i+3 < len(rs) && (isDigit(rs[i+3]) || isNumeral(rs[i+3])) {
		rd.percent, rd.chinese = true, true
		i += 3
	}
	switch {
	case isDigit(rs[i]):
		v, end, ok := parseArabic(rs, i)
		// A multiplier written in Chinese after the digits: 54.27万, 1.2万亿, 5千.
		for end < len(rs) {
			if f, big := cnBig[rs[end]]; big {
				rd.mult *= f
				end++
				continue
			}
			if f, unit := cnUnit[rs[end]]; unit && f >= 100 && rd.mult == 1 && !(end+1 < len(rs) && rs[end+1] == '分') {
				rd.mult *= f
				end++
				continue
			}
			break
		}
		rd.value, rd.end = v*rd.mult, end
		rd.chinese = rd.chinese || rd.mult != 1
		rd.overflow = !ok || math.IsInf(rd.value, 0)
	case isNumeral(rs[i]):
		end := i
		for end < len(rs) && (isNumeral(rs[end]) || (rs[end] == '点' && end > i && end+1 < len(rs) && isCnDigit(rs[end+1]))) {
			end++
		}
		run := rs[i:end]
		v, ok := parseChinese(run)
		rd.value, rd.end, rd.chinese = v, end, true
		if !ok {
			return rd, false
		}
		if f, big := cnBig[run[len(run)-1]]; big {
			rd.mult = f // already in v
		}
		rd.overflow = math.IsInf(v, 0)
	default:
		return rd, false
	}
	if rd.overflow {
		rd.value = math.MaxFloat64
	}
	if rd.end < len(rs) && (rs[rd.end] == '%' || rs[rd.end] == '‰') {
		rd.end++
		rd.percent = true
	}
	return rd, true
}

// Numbers finds the numbers in text, in order: Arabic numbers with decimals,
// thousands separators and a 万/亿/千/百 multiplier (54.27万 is 542700),
// percentages (百分之九十 and 90% are both 90; 九成 is 9 or 90), Chinese
// numerals (五千三百二十四, 三千五 is 3500, 二〇一九 read digit by digit), and
// each end of a range, the first end taking the second's multiplier as an
// alternative (2至5万 gives 2 or 20000, then 50000). Full-width digits count
// as digits.
//
// Words are not numbers, and are not returned: a lone 一 (一线, 进一步), a
// lone 百/千/万/亿 (万家, 千纸鹤) and set phrases (十分, 四面八方). List
// enumerators (一、 二是 第三，) are returned with Enumerator set.
//
// The question side (to match 两千 with 2000) and the answer guard (every
// number in a model's answer must stand in a cited passage) both read
// numbers with it, so that they always agree.
func Numbers(text string) []Number {
	t := decode(text)
	rs := t.rs
	maskSetPhrases(rs)
	var nums []Number
	var mults []float64 // mults[k] is the multiplier written with nums[k]
	var ends []int      // rune index after nums[k]
	var starts []int
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) && !isNumeral(rs[i]) {
			i++
			continue
		}
		rd, ok := readAt(rs, i)
		if !ok {
			i = max(rd.end, i+1)
			continue
		}
		if !rd.percent && !isDigit(rs[i]) && isWord(rs[i:rd.end]) {
			i = rd.end
			continue
		}
		n := Number{
			Start:   t.off[i],
			End:     t.off[rd.end],
			Value:   rd.value,
			Chinese: rd.chinese,
		}
		n.Text = text[n.Start:n.End]
		n.Enumerator = !rd.percent && isEnumerator(rs, i, rd.end, rd.value, rd.mult, rd.chinese)
		if rd.end < len(rs) && rs[rd.end] == '成' && !rd.percent && rd.value <= 10 {
			n.Alt = append(n.Alt, rd.value*10)
		}
		nums = append(nums, n)
		mults = append(mults, rd.mult)
		starts = append(starts, i)
		ends = append(ends, rd.end)
		i = rd.end
	}
	// Ranges: 2至5万元 is 2万至5万元; keep 2 as the literal reading too.
	for k := 0; k+1 < len(nums); k++ {
		a, b := &nums[k], nums[k+1]
		if a.Enumerator || b.Enumerator || mults[k] != 1 || mults[k+1] == 1 || starts[k+1] != ends[k]+1 ||
			!strings.ContainsRune(rangeJoin, rs[ends[k]]) {
			continue
		}
		a.Alt = append(a.Alt, a.Value*mults[k+1])
	}
	return nums
}

// isWord reports whether a run of Chinese numerals is a word rather than a
// number: a lone 一 (一线, 统一), a lone 百/千/万/亿 (百家, 千纸鹤, 万家).
func isWord(run []rune) bool {
	if len(run) != 1 {
		return false
	}
	r := run[0]
	if r == '一' || r == '壹' {
		return true
	}
	if f, ok := cnUnit[r]; ok && f >= 100 {
		return true
	}
	_, big := cnBig[r]
	return big
}

// isEnumerator reports whether the number rs[start:end] (value v) numbers a
// list item or a point rather than stating a fact: 一、 二是 第三， （1） and
// "1." or "2)" at the start of a line.
func isEnumerator(rs []rune, start, end int, v, mult float64, cn bool) bool {
	if mult != 1 || v > 20 || v != math.Trunc(v) {
		return false
	}
	var prev, next rune
	if start > 0 {
		prev = rs[start-1]
	}
	if end < len(rs) {
		next = rs[end]
	}
	switch {
	case next == '、' && (cn || lineStart(rs, start)):
		return true
	case cn && next == '是':
		return true
	case prev == '第' && strings.ContainsRune("，,、：:", next):
		return true
	case (prev == '(' || prev == '（') && (next == ')' || next == '）'):
		return true
	case lineStart(rs, start) && strings.ContainsRune(".)）", next) && !(end+1 < len(rs) && isDigit(rs[end+1])):
		return true
	}
	return false
}

// lineStart reports whether only spaces stand between rs[i] and the start of
// its line.
func lineStart(rs []rune, i int) bool {
	for j := i - 1; j >= 0; j-- {
		if rs[j] == '\n' {
			return true
		}
		if !unicode.IsSpace(rs[j]) {
			return false
		}
	}
	return true
}

// parseArabic reads digits from rs[i], with thousands separators (1,296 or
// 1,296,830: a first group of at most three digits, then groups of exactly
// three) and a decimal part. It returns the value, the rune index after the
// number, and false when the digits do not make a finite number.
func parseArabic(rs []rune, i int) (float64, int, bool) {
	var b strings.Builder
	j := i
	for j < len(rs) && isDigit(rs[j]) {
		b.WriteRune(rs[j])
		j++
	}
	if j-i <= 3 {
		for j+3 < len(rs) && rs[j] == ',' && isDigit(rs[j+1]) && isDigit(rs[j+2]) && isDigit(rs[j+3]) &&
			(j+4 >= len(rs) || !isDigit(rs[j+4])) {
			b.WriteString(string(rs[j+1 : j+4]))
			j += 4
		}
	}
	if j+1 < len(rs) && rs[j] == '.' && isDigit(rs[j+1]) {
		b.WriteRune('.')
		j++
		for j < len(rs) && isDigit(rs[j]) {
			b.WriteRune(rs[j])
			j++
		}
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, j, false
	}
	return v, j, true
}

// parseChinese reads a run of Chinese numerals: positional (三千五百, 十万,
// 一百零二, 一亿二千万), colloquial (三千五 is 3500, 两万五 is 25000, 一万二
// is 12000), digit by digit when there is no unit (二〇一九 is 2019), with a
// decimal part after 点 (九十七点七). ok is false for a malformed run
// (一点二点三); a run too long for a float64 reads as +Inf.
func parseChinese(run []rune) (float64, bool) {
	if len(run) == 0 {
		return 0, false
	}
	if i := slices.Index(run, '点'); i > 0 {
		whole, ok := parseChinese(run[:i])
		if !ok {
			return 0, false
		}
		frac := "0."
		for _, r := range run[i+1:] {
			d, ok := cnDigit[r]
			if !ok {
				return 0, false
			}
			frac += strconv.Itoa(int(d))
		}
		f, err := strconv.ParseFloat(frac, 64)
		if err != nil {
			return 0, false
		}
		return whole + f, true
	}
	hasUnit := slices.ContainsFunc(run, func(r rune) bool {
		_, u := cnUnit[r]
		_, b := cnBig[r]
		return u || b
	})
	if !hasUnit {
		v := 0.0
		for _, r := range run {
			d, ok := cnDigit[r]
			if !ok {
				return 0, false
			}
			v = v*10 + d
		}
		return v, true
	}
	var (
		total, section, digit float64
		lastUnit              float64 // last unit seen in this section
		zeroAfterUnit         bool
		prevWasDigit          bool
	)
	for _, r := range run {
		if d, ok := cnDigit[r]; ok {
			if d == 0 {
				zeroAfterUnit = true
			}
			digit = d
			prevWasDigit = true
			continue
		}
		if u, ok := cnUnit[r]; ok {
			if !prevWasDigit {
				digit = 1 // 十二 is 12, 十万 is 100000
			}
			section += digit * u
			digit, lastUnit, zeroAfterUnit, prevWasDigit = 0, u, false, false
			continue
		}
		big, ok := cnBig[r]
		if !ok {
			return 0, false
		}
		if !prevWasDigit && section == 0 && total == 0 {
			section = 1 // a leading 万 (万五 is rare, but 万 alone is 10000)
		}
		section += digit
		if big >= 1e8 {
			total = (total + section) * big
		} else {
			total += section * big
		}
		section, digit, lastUnit, zeroAfterUnit, prevWasDigit = 0, 0, big, false, false
	}
	if digit > 0 && lastUnit >= 100 && !zeroAfterUnit {
		digit *= lastUnit / 10 // 三千五 is 3500, 一万二 is 12000
	}
	v := total + section + digit
	if math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// ParseNumber reads s, all of it (surrounding space aside), as one number:
// Chinese numerals (三千五 is 3500, 两万五 25000, 一万二 12000, 十 10, 十五 15,
// 一百零二 102, 二〇二〇 2020, 九十七点七 97.7), Arabic ones with width,
// separators and multipliers (１２３４, 1,296, 54.27万 is 542700, 2千 2000),
// and percentages (百分之九十 and 90% are 90). Unlike Numbers, it reads a
// lone 一 or 万 as a number.
func ParseNumber(s string) (float64, bool) {
	t := decode(strings.TrimSpace(s))
	if len(t.rs) == 0 {
		return 0, false
	}
	rd, ok := readAt(t.rs, 0)
	if !ok || rd.overflow || rd.end != len(t.rs) {
		return 0, false
	}
	return rd.value, true
}

// Ordinal reads an ordinal at the start of s: 第, a whole number in Chinese
// numerals or digits, and the counter word after it, as in 第一百零二条 (102,
// "条"), 第3章 (3, "章") or 第十九条之一 (19, "条"). The counter is one
// character, or "" when none follows (第三，). size is the number of bytes
// read, counter included; ok is false when s does not start with an ordinal.
func Ordinal(s string) (n int, counter string, size int, ok bool) {
	rest, found := strings.CutPrefix(s, "第")
	if !found {
		return 0, "", 0, false
	}
	t := decode(rest)
	rs := t.rs
	end := 0
	var v float64
	switch {
	case len(rs) > 0 && isDigit(rs[0]):
		for end < len(rs) && isDigit(rs[end]) {
			end++
		}
		f, err := strconv.ParseFloat(string(rs[:end]), 64)
		if err != nil {
			return 0, "", 0, false
		}
		v = f
	case len(rs) > 0 && isNumeral(rs[0]):
		for end < len(rs) && isNumeral(rs[end]) {
			end++
		}
		f, okc := parseChinese(rs[:end])
		if !okc {
			return 0, "", 0, false
		}
		v = f
	default:
		return 0, "", 0, false
	}
	if v > math.MaxInt32 {
		return 0, "", 0, false
	}
	size = len("第") + t.off[end]
	if end < len(rs) && unicode.IsLetter(rs[end]) && !isDigit(rs[end]) {
		counter = rest[t.off[end]:t.off[end+1]]
		size += len(counter)
	}
	return int(v), counter, size, true
}

// FormatNumber writes a value the way numbers are compared: digits, no
// exponent, at most six decimals, no trailing zeros, so that equal numbers
// written differently (07 and 7, 54.27万 and 542700, 1.50 and 1.5) give the
// same string.
func FormatNumber(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
}

// ChineseNumerals returns how documents write a whole number from 1 to 9999
// in Chinese numerals — 30 as 三十, 15 as 十五, 105 as 一百零五 — with the
// 两 form too where documents use it (2 as 二 and 两), so that a member who
// types digits (签1年的合同, 30天) finds a law that writes 一年 or 三十日. It
// returns nil for other values.
func ChineseNumerals(v float64) []string {
	n := int(v)
	if float64(n) != v || n < 1 || n > 9999 {
		return nil
	}
	const digits = "零一二三四五六七八九"
	d := []rune(digits)
	var b strings.Builder
	units := []struct {
		value int
		name  string
	}{{1000, "千"}, {100, "百"}, {10, "十"}}
	zero := false
	started := false
	for _, u := range units {
		q := n / u.value
		n %= u.value
		switch {
		case q > 0:
			if zero {
				b.WriteRune('零')
				zero = false
			}
			if !(u.value == 10 && q == 1 && !started) { // 十五, not 一十五
				b.WriteRune(d[q])
			}
			b.WriteString(u.name)
			started = true
		case started:
			zero = true
		}
	}
	if n > 0 {
		if zero {
			b.WriteRune('零')
		}
		b.WriteRune(d[n])
	}
	out := []string{b.String()}
	if int(v) == 2 {
		out = append(out, "两")
	}
	return out
}
