package corpus

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

// textLine is one logical line of a document body: a paragraph, a heading or
// an item, with hard wraps already joined.
type textLine struct {
	text string
	// md is the number of '#' the line was marked with as a heading (0: none).
	md int
}

// bodyLines reads a body into trimmed, non-empty logical lines. HTML comments
// (LawRefBook's <!-- INFO END -->) are never text. When the body looks
// hard-wrapped (text copied out of a PDF: most long lines end mid-sentence at
// about the same width), wrapped lines are joined back into paragraphs and
// bare page numbers dropped; in any body, a line ending in a comma continues
// on the next.
func bodyLines(body string) []textLine {
	var lines []textLine
	for _, raw := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		line := cleanLine(raw)
		if line == "" || isComment(line) {
			continue
		}
		md := 0
		if strings.HasPrefix(line, "#") {
			md = len(line) - len(strings.TrimLeft(line, "#"))
			line = strings.TrimSpace(line[md:])
			if line == "" {
				continue
			}
		}
		lines = append(lines, textLine{text: line, md: md})
	}
	width := wrapWidth(lines)
	var out []textLine
	for _, l := range lines {
		if width > 0 && pageNumberRe.MatchString(l.text) {
			continue
		}
		if n := len(out); n > 0 && continues(out[n-1], l, width) {
			out[n-1].text = joinWrapped(out[n-1].text, l.text)
			continue
		}
		out = append(out, l)
	}
	return out
}

// cleanLine trims a raw line, ideographic and no-break spaces included.
func cleanLine(raw string) string {
	return strings.TrimFunc(raw, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\ufeff' || r == '\u200b'
	})
}

func isComment(line string) bool {
	return strings.HasPrefix(line, "<!--") && strings.HasSuffix(line, "-->")
}

// pageNumberRe matches a line that is only a page number: 3, - 3 -, 第3页, 3/12.
var pageNumberRe = regexp.MustCompile(`^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$`)

// wrapWidth returns the line width of a hard-wrapped body, or 0 when the
// body is not hard-wrapped.
func wrapWidth(lines []textLine) int {
	var lens []int
	for _, l := range lines {
		if l.md == 0 {
			if n := displayWidth(l.text); n >= 10 {
				lens = append(lens, n)
			}
		}
	}
	if len(lens) < 4 {
		return 0
	}
	sort.Ints(lens)
	width := lens[len(lens)*9/10]
	if width < 20 {
		return 0
	}
	full, open := 0, 0
	for _, l := range lines {
		if l.md == 0 && displayWidth(l.text)*100 >= width*85 {
			full++
			if !endsClause(l.text) {
				open++
			}
		}
	}
	// Paragraph-per-line text has long lines that end their sentences;
	// wrapped text has many full lines that stop anywhere.
	if open < 3 || open*2 < full {
		return 0
	}
	return width
}

// displayWidth counts a line's width the way a page lays it out: a Chinese
// character is two ASCII ones.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r < 0x2E80 {
			n++
		} else {
			n += 2
		}
	}
	return (n + 1) / 2
}

// endsClause reports whether a line ends where a paragraph may end: after
// sentence-ending punctuation, a colon, or a closing quote or bracket.
func endsClause(s string) bool {
	last, _ := utf8.DecodeLastRuneInString(s)
	switch last {
	case '。', '！', '？', '；', '：', '!', '?', ';', ':', '…', '”', '」', '』', '"':
		return true
	}
	return false
}

// endsMidSentence reports whether a line stops where no paragraph ends: after
// a comma, an enumeration comma or an opening bracket.
func endsMidSentence(s string) bool {
	last, _ := utf8.DecodeLastRuneInString(s)
	switch last {
	case '，', '、', ',', '（', '(', '“', '《', '—':
		return true
	}
	return false
}

// continues reports whether next continues prev's paragraph.
func continues(prev, next textLine, width int) bool {
	if prev.md > 0 || next.md > 0 {
		return false
	}
	if endsMidSentence(prev.text) && !startsUnit(next.text) {
		return true
	}
	if width == 0 || endsClause(prev.text) {
		return false
	}
	// A full line that stops mid-sentence continues, even when the next
	// line happens to start like an article (…依照本法\n第三十九条规定…) or
	// an item (…条例第四条第\n（二）、（三）项…) — unless it starts an article
	// as articles start: the label, then a space.
	return displayWidth(prev.text)*100 >= width*85 && !articleHeadRe.MatchString(next.text) && !isDivision(next.text)
}

// articleHeadRe: an article label followed by a space, as a new article starts.
var articleHeadRe = regexp.MustCompile(`^第\s*` + cnNumeralClass + `{1,6}\s*条(之[一二三四五六七八九十]+)?[\s　]`)

// joinWrapped joins two pieces of a wrapped line: Chinese and numbers join
// directly, Latin words keep a space between them.
func joinWrapped(a, b string) string {
	la, _ := utf8.DecodeLastRuneInString(a)
	fb, _ := utf8.DecodeRuneInString(b)
	if la < 0x80 && fb < 0x80 && unicode.IsLetter(la) && unicode.IsLetter(fb) {
		return a + " " + b
	}
	return a + b
}

// cnNumeralClass matches one character of a numeral as laws number their
// articles and chapters: Chinese numerals, or digits of either width.
const cnNumeralClass = `[0-9０-９零〇○一二两三四五六七八九十百千万]`

// runes is the length of s in characters.
func runes(s string) int { return utf8.RuneCountInString(s) }

// Markers of structure at the start of a line.
var (
	// articleRe: 第十九条, 第102条, 第十条之一, followed by a space or the text.
	articleRe = regexp.MustCompile(`^第\s*(` + cnNumeralClass + `{1,6})\s*条(之[一二三四五六七八九十]+)?(?:[\s　]+|$|([^\s　规的、，,至所中和或及之第款项条与]))`)
	// divisionRe: 第一编 / 第二章 / 第三节 headings, with an optional title.
	divisionRe = regexp.MustCompile(`^第\s*(` + cnNumeralClass + `{1,4})\s*(编|章|节)(?:[\s　]*(.*))?$`)
	// sectionRe: 一、 headings and sections; itemRe: （一） items; numberRe: 1. 1、 1．
	sectionRe   = regexp.MustCompile(`^([一二三四五六七八九十]{1,3})\s*、`)
	itemRe      = regexp.MustCompile(`^[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]`)
	numberRe    = regexp.MustCompile(`^(\d{1,2})\s*(?:[、．]|\.(?:[^\d]|$))`)
	subNumberRe = regexp.MustCompile(`^(?:[（(]\s*(\d{1,2})\s*[）)]|([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]))`)
	// attachmentRe: 附件 / 附件1 / 附件：… / 附录 lines that start attachments
	// (not 附件应当…).
	attachmentRe = regexp.MustCompile(`^(?:附件|附录|附表)\s*(?:` + cnNumeralClass + `{1,2}\s*[:：]?|[:：]|$|\s)`)
)

// startsUnit reports whether a line starts a structural unit: an article, a
// division heading, a section, an item or an attachment.
func startsUnit(s string) bool {
	return articleRe.MatchString(s) || divisionRe.MatchString(s) || sectionRe.MatchString(s) ||
		itemRe.MatchString(s) || numberRe.MatchString(s) || subNumberRe.MatchString(s) || attachmentRe.MatchString(s)
}

// articleStart reads an article's label and number from the start of a line:
// "第十九条 劳动合同…" gives 第十九条, 19 and the text after the label.
func articleStart(s string) (label string, number int, rest string, ok bool) {
	m := articleRe.FindStringSubmatchIndex(s)
	if m == nil {
		return "", 0, "", false
	}
	v, ok := zh.ParseNumber(s[m[2]:m[3]])
	n := int(v)
	if !ok || n <= 0 || float64(n) != v {
		return "", 0, "", false
	}
	end := m[1]
	if m[6] >= 0 { // the text followed the label without a space
		end = m[6]
	}
	label = strings.Join(strings.Fields(s[:end]), "")
	return label, n, strings.TrimSpace(s[end:]), true
}
