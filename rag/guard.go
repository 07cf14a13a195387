package rag

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Reasons a generated answer fails CheckGrounded, for a log line or a metric
// label. They are stable strings: dashboards may depend on them.
const (
	// GuardEmpty: the answer has no text once reasoning is removed.
	GuardEmpty = "empty"
	// GuardNoCitation: the answer cites no passage at all.
	GuardNoCitation = "no_citation"
	// GuardUnknownCitation: a marker [n] names a passage that was not given.
	GuardUnknownCitation = "unknown_citation"
	// GuardUngroundedNumber: a number in the answer is in no passage it cites.
	GuardUngroundedNumber = "ungrounded_number"
)

// GuardError says why a generated answer must not be sent. Reason is one of
// the Guard* constants; Detail names the offending marker or number.
type GuardError struct {
	Reason string
	Detail string
}

// Error describes the failure for logs; it never holds a secret.
func (e *GuardError) Error() string {
	return "answer not grounded: " + e.Reason + ": " + e.Detail
}

// CheckGrounded checks a generated answer against the passages it was written
// from (given[i] is marker [i+1], as in Generator) and returns a *GuardError
// when the answer must not be sent:
//
//   - it is empty, or cites no passage;
//   - a marker [n] refers to a passage that was not given;
//   - a number in it (digits, decimals, Chinese numerals such as 五千 or
//     百分之九十, amounts with 万/亿, percentages, dates, counts, each end of
//     a range) does not appear in a passage it cites.
//
// Numbers are compared by value, so 2000至5000元, 2000-5000元 and 两千到五千元
// are the same facts, and 54.27万 matches 542700. Where a number must be found:
// in a passage cited by its own sentence; when that sentence cites nothing,
// in a passage cited by its paragraph; when the paragraph cites nothing, in
// any passage the answer cites. A passage's facts are its text and its
// metadata (title, heading, source, date, page), all of which the model saw.
//
// Markers are expected as [n]; CleanAnswer turns the other forms models write
// ([1,2], 【1】, ［1］) into that form first.
func CheckGrounded(answer string, given []Citation) error {
	answer = strings.TrimSpace(StripThink(answer))
	if answer == "" {
		return &GuardError{Reason: GuardEmpty, Detail: "no text"}
	}
	all := CitedMarkers(answer)
	if len(all) == 0 {
		return &GuardError{Reason: GuardNoCitation, Detail: "no [n] marker"}
	}
	for _, n := range all {
		if n < 1 || n > len(given) {
			return &GuardError{Reason: GuardUnknownCitation,
				Detail: fmt.Sprintf("[%d] but %d passages were given", n, len(given))}
		}
	}

	facts := make([]map[string]bool, len(given))
	factsOf := func(n int) map[string]bool {
		if facts[n-1] == nil {
			c := given[n-1]
			facts[n-1] = numFactSet(strings.Join([]string{c.DocTitle, c.Heading, c.Source, c.Date, c.Page, c.Text}, "\n"))
		}
		return facts[n-1]
	}

	for _, para := range strings.Split(answer, "\n") {
		paraMarkers := CitedMarkers(para)
		for _, sent := range guardSentences(para) {
			scope := CitedMarkers(sent)
			if len(scope) == 0 {
				scope = paraMarkers
			}
			if len(scope) == 0 {
				scope = all
			}
			for _, num := range extractNumFacts(guardMarkerRe.ReplaceAllString(sent, " ")) {
				if !guardGrounded(num, scope, factsOf) {
					return &GuardError{Reason: GuardUngroundedNumber,
						Detail: fmt.Sprintf("%q is in none of %s", num.text, guardMarkerList(scope))}
				}
			}
		}
	}
	return nil
}

func guardGrounded(num numFact, scope []int, factsOf func(int) map[string]bool) bool {
	for _, n := range scope {
		set := factsOf(n)
		for _, v := range num.values {
			if set[numKey(v)] {
				return true
			}
		}
	}
	return false
}

func guardMarkerList(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = "[" + strconv.Itoa(n) + "]"
	}
	return strings.Join(parts, "")
}

var (
	guardMarkerRe = regexp.MustCompile(`\[(\d{1,3})\]`)
	// Marker forms models write besides [n]: full-width or lenticular
	// brackets, and lists such as [1,2], [1、2], [1][2].
	guardLooseMarkerRe = regexp.MustCompile(`[\[［【]\s*(\d{1,3}(?:\s*[,，、;；]\s*\d{1,3})*)\s*[\]］】]`)
	guardMarkerSepRe   = regexp.MustCompile(`\s*[,，、;；]\s*`)
	guardThinkRe       = regexp.MustCompile(`(?is)<think(?:ing)?>.*?</think(?:ing)?>`)
	guardOpenThinkRe   = regexp.MustCompile(`(?is)<think(?:ing)?>.*$`)
)

// CitedMarkers returns the distinct passage numbers cited by [n] markers in
// text, in order of first citation ("a[3]b[1][3]" gives 3, 1).
func CitedMarkers(text string) []int {
	var ns []int
	for _, m := range guardMarkerRe.FindAllStringSubmatch(text, -1) {
		n, err := strconv.Atoi(m[1])
		if err == nil && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	return ns
}

// StripThink removes the reasoning a reasoning model writes between <think>
// and </think> (also <thinking>), and an unclosed <think> block to the end
// of text, so that it is never shown to a member.
func StripThink(text string) string {
	text = guardThinkRe.ReplaceAllString(text, "")
	text = guardOpenThinkRe.ReplaceAllString(text, "")
	// Some servers drop the opening tag and send only the closing one.
	if i := strings.LastIndex(strings.ToLower(text), "</think>"); i >= 0 {
		text = text[i+len("</think>"):]
	}
	return text
}

// CleanAnswer prepares a model's answer for CheckGrounded and for display:
// reasoning removed, citation markers written as [1][2] whatever form the
// model used, surrounding space trimmed.
func CleanAnswer(text string) string {
	text = StripThink(text)
	text = guardLooseMarkerRe.ReplaceAllStringFunc(text, func(m string) string {
		inner := guardLooseMarkerRe.FindStringSubmatch(m)[1]
		var b strings.Builder
		for _, n := range guardMarkerSepRe.Split(inner, -1) {
			b.WriteString("[" + strings.TrimLeft(n, "0 ") + "]")
		}
		return b.String()
	})
	return strings.TrimSpace(text)
}

// guardSentences splits a paragraph after 。！？!?；; keeping with each
// sentence the markers and closing quotes that follow its end mark, as in
// "……救助。[1]".
func guardSentences(para string) []string {
	var out []string
	rs := []rune(para)
	start := 0
	for i := 0; i < len(rs); i++ {
		if !strings.ContainsRune("。！？!?；;", rs[i]) {
			continue
		}
		j := i + 1
		for j < len(rs) {
			if strings.ContainsRune("”’」』）) \t", rs[j]) {
				j++
				continue
			}
			if loc := guardMarkerRe.FindStringIndex(string(rs[j:])); loc != nil && loc[0] == 0 {
				j += len([]rune(string(rs[j:])[:loc[1]]))
				continue
			}
			break
		}
		out = append(out, string(rs[start:j]))
		start = j
		i = j - 1
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// numFact is one number found in a text: its text as written and the values
// it may stand for (one, or more when the text is ambiguous, such as the 2 of
// 2至5万元, which is 2 or 20000). A number matches another when they share a
// value.
type numFact struct {
	text   string
	values []float64
}

// numFactSet returns the value keys of every number in text.
func numFactSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, n := range extractNumFacts(text) {
		for _, v := range n.values {
			set[numKey(v)] = true
		}
	}
	return set
}

// numKey writes a value so that equal numbers written differently (07 and
// 7, 54.27万 and 542700, 1.50 and 1.5) have the same key.
func numKey(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
}

var (
	numCnDigit = map[rune]float64{
		'零': 0, '〇': 0, '一': 1, '壹': 1, '二': 2, '贰': 2, '两': 2, '三': 3, '叁': 3,
		'四': 4, '肆': 4, '五': 5, '伍': 5, '六': 6, '陆': 6, '七': 7, '柒': 7,
		'八': 8, '捌': 8, '九': 9, '玖': 9,
	}
	numCnUnit = map[rune]float64{'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000}
	numCnBig  = map[rune]float64{'万': 1e4, '亿': 1e8}
	// Words made of numerals that state no number; removed before scanning.
	numSetPhrases = strings.NewReplacer(
		"十分", "　", "万分", "　", "千万别", "　", "万一", "　", "十足", "　",
		"四面八方", "　", "五湖四海", "　", "三心二意", "　", "十全十美", "　",
		"一五一十", "　", "七嘴八舌", "　", "乱七八糟", "　", "四通八达", "　",
		"三番五次", "　", "千方百计", "　", "万无一失", "　", "千家万户", "　",
		"千辛万苦", "　", "接二连三", "　", "五花八门", "　", "一举两得", "　",
		"两全其美", "　", "三言两语", "　", "说三道四", "　", "一清二楚", "　",
		"独一无二", "　", "七上八下", "　", "九牛一毛", "　", "万众一心", "　",
		"千千万万", "　", "成千上万", "　", "三五成群", "　",
	)
	numRangeJoin = "至到-—–~～〜"
)

// numFoldWidth turns full-width digits and signs into ASCII ones.
func numFoldWidth(r rune) rune {
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

func numIsDigit(r rune) bool { return r >= '0' && r <= '9' }

func numIsCn(r rune) bool {
	_, d := numCnDigit[r]
	_, u := numCnUnit[r]
	_, b := numCnBig[r]
	return d || u || b
}

// extractNumFacts finds the numbers in text: arabic numbers with decimals,
// thousands separators and a 万/亿/千 multiplier, percentages (百分之九十 and
// 90% are both 90; 九成 is 9 or 90), Chinese numerals (五千三百二十四,
// 三千五, 二〇一九), and each end of a range, the first end taking the
// second's multiplier as an alternative (2至5万 gives 2 or 20000, and 50000).
//
// Words are not numbers: a lone 一 (一线, 进一步), a lone 百/千/万/亿 (万家,
// 千纸鹤), set phrases (十分, 四面八方), and list enumerators (一、 二是
// 第三， （1） and 1. at the start of a line).
func extractNumFacts(text string) []numFact {
	rs := []rune(numSetPhrases.Replace(text))
	for i, r := range rs {
		rs[i] = numFoldWidth(r)
	}
	type found struct {
		numFact
		start, end int     // rune span in rs
		mult       float64 // the 万/亿/千/百 multiplier written with it, else 1
	}
	var nums []found
	for i := 0; i < len(rs); {
		start := i
		percent := false
		if numHasPrefix(rs[i:], "百分之") && i+3 < len(rs) && (numIsDigit(rs[i+3]) || numIsCn(rs[i+3])) {
			percent = true
			i += 3
		}
		var (
			v    float64
			ok   bool
			end  int
			mult = 1.0
			cn   bool
		)
		switch {
		case numIsDigit(rs[i]):
			v, end = numParseArabic(rs, i)
			ok = true
			// A multiplier written in Chinese after the digits: 54.27万, 1.2万亿, 5千.
			for end < len(rs) {
				if f, big := numCnBig[rs[end]]; big {
					mult *= f
					end++
					continue
				}
				if f, unit := numCnUnit[rs[end]]; unit && f >= 100 && mult == 1 && !(end+1 < len(rs) && rs[end+1] == '分') {
					mult *= f
					end++
					continue
				}
				break
			}
			v *= mult
		case numIsCn(rs[i]):
			cn = true
			end = i
			for end < len(rs) && (numIsCn(rs[end]) || (rs[end] == '点' && end > i && end+1 < len(rs) && numIsCnDigit(rs[end+1]))) {
				end++
			}
			run := rs[i:end]
			if !percent && numSkipRun(run) {
				i = end
				continue
			}
			v, ok = numParseChinese(run)
			if f, big := numCnBig[run[len(run)-1]]; big {
				mult = f // already in v
			}
		default:
			i++
			continue
		}
		if !ok {
			i = max(end, start+1)
			continue
		}
		if !percent && numIsEnumerator(rs, start, end, v, mult, cn) {
			i = end
			continue
		}
		n := found{start: start, mult: mult}
		n.values = []float64{v}
		if end < len(rs) && (rs[end] == '%' || rs[end] == '‰') {
			end++
		} else if end < len(rs) && rs[end] == '成' && !percent && v <= 10 {
			n.values = append(n.values, v*10)
		}
		n.end = end
		n.text = string(rs[start:end])
		nums = append(nums, n)
		i = end
	}

	// Ranges: 2至5万元 is 2万至5万元; keep 2 as the literal reading too.
	for k := 0; k+1 < len(nums); k++ {
		a, b := &nums[k], nums[k+1]
		if a.mult != 1 || b.mult == 1 || b.start != a.end+1 || !strings.ContainsRune(numRangeJoin, rs[a.end]) {
			continue
		}
		a.values = append(a.values, a.values[0]*b.mult)
	}

	out := make([]numFact, len(nums))
	for i, n := range nums {
		out[i] = n.numFact
	}
	return out
}

// numIsEnumerator says whether the number rs[start:end] (value v) numbers a list
// item or a point rather than stating a fact: 一、 二是 第三， （1） and "1."
// or "2)" at the start of a line.
func numIsEnumerator(rs []rune, start, end int, v, mult float64, cn bool) bool {
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
	case next == '、' && (cn || numLineStart(rs, start)):
		return true
	case cn && next == '是':
		return true
	case prev == '第' && strings.ContainsRune("，,、：:", next):
		return true
	case (prev == '(' || prev == '（') && (next == ')' || next == '）'):
		return true
	case numLineStart(rs, start) && strings.ContainsRune(".)）", next) && !(end+1 < len(rs) && numIsDigit(rs[end+1])):
		return true
	}
	return false
}

// numLineStart says whether only spaces stand between rs[i] and the line's start.
func numLineStart(rs []rune, i int) bool {
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

func numHasPrefix(rs []rune, p string) bool {
	pr := []rune(p)
	return len(rs) >= len(pr) && string(rs[:len(pr)]) == p
}

func numIsCnDigit(r rune) bool { _, ok := numCnDigit[r]; return ok }

// numParseArabic reads digits from rs[i], with thousands separators (1,296 or
// 1,296,830: a first group of at most three digits, then groups of exactly
// three) and a decimal part.
func numParseArabic(rs []rune, i int) (float64, int) {
	var b strings.Builder
	j := i
	for j < len(rs) && numIsDigit(rs[j]) {
		b.WriteRune(rs[j])
		j++
	}
	if j-i <= 3 {
		for j+3 < len(rs) && rs[j] == ',' && numIsDigit(rs[j+1]) && numIsDigit(rs[j+2]) && numIsDigit(rs[j+3]) &&
			(j+4 >= len(rs) || !numIsDigit(rs[j+4])) {
			b.WriteString(string(rs[j+1 : j+4]))
			j += 4
		}
	}
	if j+1 < len(rs) && rs[j] == '.' && numIsDigit(rs[j+1]) {
		b.WriteRune('.')
		j++
		for j < len(rs) && numIsDigit(rs[j]) {
			b.WriteRune(rs[j])
			j++
		}
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, j
	}
	return v, j
}

// numSkipRun says whether a run of Chinese numerals is a word rather than
// a number: a lone 一 (一线, 统一), a lone 百/千/万/亿 (百家, 千纸鹤, 万家).
func numSkipRun(run []rune) bool {
	if len(run) != 1 {
		return false
	}
	r := run[0]
	if r == '一' || r == '壹' {
		return true
	}
	if f, ok := numCnUnit[r]; ok && f >= 100 {
		return true
	}
	_, big := numCnBig[r]
	return big
}

// numParseChinese reads a run of Chinese numerals: positional (三千五百, 十万,
// 一亿二千万), colloquial (三千五 is 3500, 两万五 is 25000), digit by digit
// when there is no unit (二〇一九 is 2019), with a decimal part after 点.
func numParseChinese(run []rune) (float64, bool) {
	if i := slices.Index(run, '点'); i > 0 {
		whole, ok := numParseChinese(run[:i])
		if !ok {
			return 0, false
		}
		frac := "0."
		for _, r := range run[i+1:] {
			d, ok := numCnDigit[r]
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
		_, u := numCnUnit[r]
		_, b := numCnBig[r]
		return u || b
	})
	if !hasUnit {
		v := 0.0
		for _, r := range run {
			v = v*10 + numCnDigit[r]
		}
		return v, true
	}
	var (
		total, section, digit float64
		lastUnit              float64 // last small unit seen in this section
		zeroAfterUnit         bool
		prevWasDigit          bool
	)
	for _, r := range run {
		if d, ok := numCnDigit[r]; ok {
			if d == 0 {
				zeroAfterUnit = true
			}
			digit = d
			prevWasDigit = true
			continue
		}
		if u, ok := numCnUnit[r]; ok {
			if !prevWasDigit {
				digit = 1 // 十二 is 12, 十万 is 100000
			}
			section += digit * u
			digit, lastUnit, zeroAfterUnit, prevWasDigit = 0, u, false, false
			continue
		}
		big := numCnBig[r]
		if !prevWasDigit && section == 0 && total == 0 {
			section = 1 // a leading 万 (not reached for a lone one: skipped)
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
		digit *= lastUnit / 10 // 三千五 is 3500
	}
	v := total + section + digit
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}
