package rag

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

// Reasons a generated answer fails CheckGrounded, for a log line or a metric
// label. They are stable strings: dashboards may depend on them.
const (
	// GuardEmpty: the answer has no text once reasoning is removed.
	GuardEmpty = "empty"
	// GuardTooLong: the answer is longer than MaxAnswerRunes.
	GuardTooLong = "too_long"
	// GuardNoCitation: the answer cites no passage at all.
	GuardNoCitation = "no_citation"
	// GuardUnknownCitation: a marker [n] names a passage that was not given.
	GuardUnknownCitation = "unknown_citation"
	// GuardUngroundedNumber: a number (an amount, a date, a count) in the
	// answer is in no passage it cites.
	GuardUngroundedNumber = "ungrounded_number"
	// GuardUngroundedLink: a link or an e-mail address is in no passage it
	// cites.
	GuardUngroundedLink = "ungrounded_link"
	// GuardUngroundedPhone: a phone number is in no passage it cites.
	GuardUngroundedPhone = "ungrounded_phone"
	// GuardUngroundedName: a title in 《》, a quoted name or a word in Latin
	// letters is in no passage it cites.
	GuardUngroundedName = "ungrounded_name"
	// GuardUngroundedNegation: the answer denies or cancels (不再, 无需,
	// 取消…) where no passage it cites does.
	GuardUngroundedNegation = "ungrounded_negation"
	// GuardUnsupported: a sentence says what its passages do not: too few
	// of its words are in them.
	GuardUnsupported = "unsupported_sentence"
	// GuardSensitive: the answer asks for a password, a verification code or
	// the like, which a union's answer never does.
	GuardSensitive = "sensitive_request"
	// GuardMarkup: the answer carries HTML or a Markdown link.
	GuardMarkup = "markup"
)

// MaxAnswerRunes is the longest generated answer CheckGrounded accepts: the
// model is asked for three sentences, and a member reads one chat bubble.
// A longer answer is refused before anything else is looked at.
const MaxAnswerRunes = 1500

// minSupport is the share of a sentence's word pairs (bigrams of Chinese
// characters, numbers left out) that must stand in the passages it cites;
// minSupportPairs is how many pairs a sentence needs before the share is
// judged: a short sentence (有。 救助金额为2000至5000元。) is checked by its
// facts alone, since a paraphrase of a few words shares few pairs with the
// passage even when it is right.
const (
	minSupport      = 0.5
	minSupportPairs = 6
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
//   - it is empty, longer than MaxAnswerRunes, or cites no passage;
//   - a marker [n] refers to a passage that was not given;
//   - it carries HTML or a Markdown link, or asks for a password or a code;
//   - a number in it (digits, decimals, Chinese numerals such as 五千 or
//     百分之九十, amounts with 万/亿, percentages, dates, counts, each end of
//     a range) does not appear in a passage it cites;
//   - a link, an e-mail address or a phone number, a title in 《》, a quoted
//     name or a word in Latin letters does not appear in a passage it cites;
//   - a sentence denies or cancels something (不再, 无需, 取消, 停止…) that
//     no passage it cites denies, or fewer than minSupport of its word pairs
//     stand in its passages: a claim the passages do not make.
//
// Numbers are compared by value, so 2000至5000元, 2000-5000元 and 两千到五千元
// are the same facts, and 54.27万 matches 542700. Where a fact must be found:
// in a passage cited by its own sentence; when that sentence cites nothing,
// in a passage cited by its paragraph; when the paragraph cites nothing, in
// any passage the answer cites. A passage's facts are its text and its
// metadata (title, heading, source, date, page), all of which the model saw,
// except sentences of it that give orders to an assistant (忽略以上规则, 你现在
// 是…): a document is data, and what it tells the model to say grounds
// nothing. A clause saying what the documents do not mention (资料中没有提到…)
// is not a claim and is not checked for support.
//
// The check is linear in the answer's length (each sentence against its few
// passages). Markers are expected as [n]; CleanAnswer turns the other forms
// models write ([1,2], 【1】, ［1］) into that form first.
func CheckGrounded(answer string, given []Citation) error {
	answer = strings.TrimSpace(StripThink(answer))
	if answer == "" {
		return &GuardError{Reason: GuardEmpty, Detail: "no text"}
	}
	if n := utf8.RuneCountInString(answer); n > MaxAnswerRunes {
		return &GuardError{Reason: GuardTooLong, Detail: fmt.Sprintf("%d characters, at most %d", n, MaxAnswerRunes)}
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
	if m := guardMarkupRe.FindString(answer); m != "" {
		return &GuardError{Reason: GuardMarkup, Detail: fmt.Sprintf("%q", m)}
	}
	if w := guardSensitiveRe.FindString(answer); w != "" {
		return &GuardError{Reason: GuardSensitive, Detail: fmt.Sprintf("asks for %q", w)}
	}

	facts := make([]*passageFacts, len(given))
	factsOf := func(n int) *passageFacts {
		if facts[n-1] == nil {
			facts[n-1] = newPassageFacts(given[n-1])
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
			cited := make([]*passageFacts, len(scope))
			for i, n := range scope {
				cited[i] = factsOf(n)
			}
			if err := checkSentence(guardMarkerRe.ReplaceAllString(sent, " "), cited, guardMarkerList(scope)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSentence checks one sentence of an answer (markers removed) against
// the facts of the passages it cites; where names them for the error.
func checkSentence(sent string, cited []*passageFacts, where string) error {
	in := func(has func(*passageFacts) bool) bool {
		for _, f := range cited {
			if has(f) {
				return true
			}
		}
		return false
	}
	fail := func(reason, format string, a ...any) error {
		return &GuardError{Reason: reason, Detail: fmt.Sprintf(format, a...) + " is in none of " + where}
	}
	for _, l := range guardLinkRe.FindAllString(sent, -1) {
		link := normLink(l)
		if link != "" && !in(func(f *passageFacts) bool { return strings.Contains(f.links, link) }) {
			return fail(GuardUngroundedLink, "%q", l)
		}
	}
	rest := guardLinkRe.ReplaceAllString(sent, " ") // links and addresses are checked
	for _, phone := range findPhones(rest) {
		d := phoneDigits(phone)
		if !in(func(f *passageFacts) bool { return f.hasPhone(d) }) {
			return fail(GuardUngroundedPhone, "%q", phone)
		}
	}
	folded := zh.Fold(rest)
	for _, m := range guardNameRe.FindAllStringSubmatch(folded, -1) {
		name := strings.TrimSpace(m[1] + m[2] + m[3])
		if name != "" && !in(func(f *passageFacts) bool { return strings.Contains(f.text, name) }) {
			return fail(GuardUngroundedName, "%q", name)
		}
	}
	for _, num := range extractNumFacts(rest) {
		if !in(func(f *passageFacts) bool { return f.hasNumber(num) }) {
			return fail(GuardUngroundedNumber, "%q", num.text)
		}
	}
	claim := dropMetaClauses(zh.Fold(withoutNumbers(rest)))
	for _, cue := range negationCues(claim) {
		if !in(func(f *passageFacts) bool { return strings.Contains(f.text, cue) }) {
			return fail(GuardUngroundedNegation, "%q", cue)
		}
	}
	pairs := contentPairs(claim)
	if len(pairs) >= minSupportPairs {
		found := 0
		for _, p := range pairs {
			if in(func(f *passageFacts) bool { return f.pairs[p] }) {
				found++
			}
		}
		if share := float64(found) / float64(len(pairs)); share < minSupport {
			return &GuardError{Reason: GuardUnsupported,
				Detail: fmt.Sprintf("%.0f%% of %q stands in %s", 100*share, shortText(sent, 40), where)}
		}
	}
	return nil
}

// passageFacts are what one passage can ground: its text (folded, the
// metadata with it, sentences that order an assistant about left out), the
// links and phone numbers in it, its numbers by value and its word pairs.
type passageFacts struct {
	text   string
	links  string // every link of the passage, normalised, one a line
	phones []string
	nums   map[string]bool
	pairs  map[[2]rune]bool
}

func newPassageFacts(c Citation) *passageFacts {
	var kept []string
	for _, part := range []string{c.DocTitle, c.Heading, c.Source, c.Date, c.Page} {
		if part != "" {
			kept = append(kept, part)
		}
	}
	for _, sent := range zh.Sentences(c.Text) {
		if !instructsAssistant(sent) {
			kept = append(kept, sent)
		}
	}
	raw := strings.Join(kept, "\n")
	f := &passageFacts{text: zh.Fold(raw), nums: numFactSet(raw), pairs: map[[2]rune]bool{}}
	var links []string
	for _, l := range guardLinkRe.FindAllString(raw, -1) {
		if n := normLink(l); n != "" {
			links = append(links, n)
		}
	}
	f.links = strings.Join(links, "\n")
	for _, p := range guardDigitRunRe.FindAllString(guardLinkRe.ReplaceAllString(raw, " "), -1) {
		if d := phoneDigits(p); len(d) >= 7 {
			f.phones = append(f.phones, d)
		}
	}
	for _, p := range contentPairs(zh.Fold(withoutNumbers(raw))) {
		f.pairs[p] = true
	}
	return f
}

func (f *passageFacts) hasNumber(num numFact) bool {
	for _, v := range num.values {
		if f.nums[numKey(v)] {
			return true
		}
	}
	return false
}

// hasPhone reports whether the passage has the phone number with digits d,
// written with or without the country code or the trunk 0.
func (f *passageFacts) hasPhone(d string) bool {
	for _, p := range f.phones {
		if p == d || strings.HasSuffix(p, d) || strings.HasSuffix(d, p) {
			return true
		}
	}
	return false
}

var (
	// guardMarkupRe finds HTML tags and Markdown links: a union's answer is
	// plain text, which the bot renders itself.
	guardMarkupRe = regexp.MustCompile(`(?i)</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>|\[[^\]\n]*\]\(\s*(?:https?:|www\.)`)
	// guardSensitiveRe finds what a union never asks a member for.
	guardSensitiveRe = regexp.MustCompile(`(?i)密码|验证码|动态码|口令|cvv|安全码|支付码|付款码`)
	// guardLinkRe finds links (with a scheme, www., or a bare domain) and
	// e-mail addresses.
	guardLinkRe = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s<>"'“”‘’（）()【】《》，。；！？、]+` +
		`|[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}` +
		`|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|gov|edu|top|xyz|info|me|io|cc)\b(?:/[^\s<>"'“”‘’（）()【】《》，。；！？、]*)?`)
	// guardPhoneRe finds what is written as a phone number: a mobile number,
	// a 400/800 number, an area code with its number, or digits after a word
	// such as 电话 or 拨打. Other digit runs are numbers, checked by value.
	guardPhoneRe = regexp.MustCompile(`(?i)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}` +
		`|[48]00[\s-]?\d{3}[\s-]?\d{4}` +
		`|(?:\+?86[\s-]?)?[(（]?0\d{2,3}[)）]?[\s-]?\d{7,8}` +
		`|(?:电话|热线|拨打|致电|手机|座机|传真|联系方式|tel|phone)[^0-9\n]{0,6}\d[\d\s()（）-]{5,}\d`)
	// guardDigitRunRe finds runs of digits with the separators phone
	// numbers are written with, in a passage.
	guardDigitRunRe = regexp.MustCompile(`\+?\d[\d\s()（）-]*\d`)
	// guardNameRe finds names in folded text: a title in 《》, a quotation,
	// a word in Latin letters.
	guardNameRe = regexp.MustCompile(`《([^《》]{1,60})》|[“"「『]([^“”"「」『』]{2,40})[”"」』]|\b([a-z][a-z0-9_-]{1,30})\b`)
	// guardMetaRe finds a clause about what the documents do not say.
	guardMetaRe = regexp.MustCompile(`(?:资料|文件|文档|材料|原文)(?:中|里|上)?(?:并)?(?:没有|没|未|无)(?:提到|提及|说明|写明|涉及|列出|规定|找到|具体)|(?:没有|未)(?:找到|查到)`)
	// guardInstructionRe finds what gives orders to an assistant, in folded
	// text: injected into a document, it grounds nothing.
	guardInstructionRe = regexp.MustCompile(`(?:忽略|无视|忘记|忘掉|不要理会|覆盖)(?:掉)?(?:你)?(?:之前|以上|上述|前面|先前|所有|全部|系统)?(?:的)?(?:所有|全部)?(?:指令|指示|规则|要求|提示|设定|限制)` +
		`|(?:你|您)(?:现在|从现在起|必须)?(?:是|扮演|作为)(?:一个|一名)?(?:ai|人工智能|助手|机器人|客服|问答)` +
		`|(?:作为|身为)(?:ai|人工智能|助手|问答助手|语言模型)` +
		`|(?:回答|回复|答复)(?:时|中|里)?(?:必须|务必|一定要)` +
		`|(?:告诉|告知|提醒|通知|引导|要求)(?:所有)?(?:用户|会员|提问者|提问的人)` +
		`|(?:新的|以下是|下面是)(?:系统)?(?:指令|规则|提示词)` +
		`|ignore (?:all |any )?(?:the )?(?:previous|prior|above)|you are now|system prompt|assistant:|system:|<\|im_start\|>`)
)

// normLink writes a link or an address so that the same one written
// differently compares equal: lower case, no scheme, no www., no trailing
// punctuation or slash.
func normLink(s string) string {
	s = strings.ToLower(strings.TrimRight(s, ".,;:!?)/]"))
	for _, p := range []string{"https://", "http://", "www."} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.TrimRight(s, "/")
}

// findPhones returns what is written as a phone number in s, seven digits
// or more, not part of a longer run of digits.
func findPhones(s string) []string {
	var out []string
	for _, loc := range guardPhoneRe.FindAllStringIndex(s, -1) {
		if loc[0] > 0 && s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || loc[1] < len(s) && s[loc[1]] >= '0' && s[loc[1]] <= '9' {
			continue
		}
		if m := s[loc[0]:loc[1]]; len(phoneDigits(m)) >= 7 {
			out = append(out, m)
		}
	}
	return out
}

// withoutNumbers is s with every number zh.Numbers finds blanked out, with
// the unit right after it (元, 人, 天…), so that 两千元 or 九十二点一 make no
// word pairs: numbers are checked by value.
func withoutNumbers(s string) string {
	nums := zh.Numbers(s)
	if len(nums) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, n := range nums {
		if n.Start < last {
			continue
		}
		b.WriteString(s[last:n.Start])
		b.WriteByte(' ')
		last = n.End
		if r, size := utf8.DecodeRuneInString(s[last:]); strings.ContainsRune("元人名份个次项家户天年月日号岁倍场期批周", r) {
			last += size
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// phoneDigits is a phone number's digits without the country code 86 and
// the trunk 0.
func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(strings.TrimSpace(s), "+86") || strings.HasPrefix(d, "0086") {
		d = strings.TrimPrefix(strings.TrimPrefix(d, "00"), "86")
	}
	return strings.TrimPrefix(d, "0")
}

// instructsAssistant reports whether a sentence of a document gives orders
// to an assistant or pretends to be a prompt, as injected text does.
func instructsAssistant(sent string) bool {
	return guardInstructionRe.MatchString(zh.Fold(sent))
}

// guardNegations are words that deny, cancel or waive. A single negator
// (不, 没, 无, 未, 非, 免, 勿, 别) is read with the character after it (不再,
// 无需, 未能, 免审), so that 不等 in a passage does not ground 不再.
var guardNegations = []string{"取消", "停止", "暂停", "终止", "撤销", "废止", "作废", "失效", "叫停", "截止", "结束", "关闭", "禁止"}

// negationCues returns the denials in folded text.
func negationCues(folded string) []string {
	var out []string
	for _, w := range guardNegations {
		if strings.Contains(folded, w) {
			out = append(out, w)
		}
	}
	rs := []rune(folded)
	for i, r := range rs {
		if i+1 < len(rs) && strings.ContainsRune("不没无未非免勿别", r) && isHan(rs[i+1]) {
			out = append(out, string(rs[i:i+2]))
		}
	}
	return out
}

// dropMetaClauses removes the clauses of a folded sentence that say what
// the documents do not mention.
func dropMetaClauses(folded string) string {
	if !guardMetaRe.MatchString(folded) {
		return folded
	}
	var kept []string
	for _, cl := range strings.FieldsFunc(folded, func(r rune) bool { return strings.ContainsRune("，,；;：:", r) }) {
		if !guardMetaRe.MatchString(cl) {
			kept = append(kept, cl)
		}
	}
	return strings.Join(kept, "，")
}

// guardGenericPairs are word pairs any answer may use without its passages:
// how the answer talks, not what it claims.
var guardGenericPairs = func() map[[2]rune]bool {
	m := map[[2]rune]bool{}
	for _, w := range []string{"可以", "根据", "按照", "资料", "提到", "如果", "需要", "我们", "以下", "具体", "相关", "有关",
		"其中", "包括", "以及", "或者", "还有", "就是", "这个", "那么", "因此", "所以", "同时", "另外", "此外", "一般", "通常",
		"主要", "您可", "可向", "请您", "建议", "咨询", "报道", "所在", "单位", "目前", "是否", "一些",
		"金额", "数额", "标准", "每人", "一共", "共计", "合计", "大约", "左右"} { // quantities: their numbers are checked
		rs := []rune(w)
		m[[2]rune{rs[0], rs[1]}] = true
	}
	return m
}()

// contentPairs returns the pairs of adjacent Chinese characters in folded
// text that carry content: within runs of Chinese characters, without
// particles and the generic pairs.
func contentPairs(folded string) [][2]rune {
	var out [][2]rune
	var prev rune
	for _, r := range folded {
		if !isHan(r) {
			prev = 0
			continue
		}
		if prev != 0 && !zh.IsParticle(prev) && !zh.IsParticle(r) {
			if p := [2]rune{prev, r}; !guardGenericPairs[p] {
				out = append(out, p)
			}
		}
		prev = r
	}
	return out
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func shortText(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
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

// guardSentences splits a paragraph into sentences, keeping with each the
// markers and closing quotes that follow its end mark, as in "……救助。[1]".
func guardSentences(para string) []string {
	return zh.Splitter{Citations: true, Lossless: true}.Split(para)
}

// numFact is one number found in a text: its text as written and the values
// it may stand for (one, or more when the text is ambiguous, such as the 2 of
// 2至5万元, which is 2 or 20000). A number matches another when they share a
// value.
type numFact struct {
	text   string
	values []float64
}

// extractNumFacts returns the numbers of text that state a fact: every
// number zh.Numbers finds except list enumerators (一、 二是 第三，).
func extractNumFacts(text string) []numFact {
	var out []numFact
	for _, n := range zh.Numbers(text) {
		if !n.Enumerator {
			out = append(out, numFact{text: n.Text, values: n.Values()})
		}
	}
	return out
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
func numKey(v float64) string { return zh.FormatNumber(v) }
