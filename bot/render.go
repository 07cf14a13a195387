package bot

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag"
)

// maxMessageUnits is Telegram's limit on a message's text, in UTF-16 units.
const maxMessageUnits = 4096

// esc escapes text for parse_mode HTML.
func esc(s string) string { return html.EscapeString(s) }

// utf16Len is the length of s in UTF-16 code units, as Telegram counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// renderAnswer turns an answer into HTML message texts, each within
// Telegram's limit, split at sentence boundaries: the answer's sentences
// first, each with its [n] markers, then the sources. This is the one place
// Telegram's rendering of an answer is decided.
func renderAnswer(a rag.Answer, limit int) []string {
	var segs []string
	for i, s := range a.Sentences {
		seg := esc(s.Text)
		for _, n := range s.Cites {
			seg += fmt.Sprintf("[%d]", n)
		}
		if i > 0 && s.Break {
			seg = "\n" + seg
		}
		segs = append(segs, seg)
	}
	if !a.Abstained && len(a.Citations) > 0 {
		segs = append(segs, "\n\n<b>来源</b>")
		for i, c := range a.Citations {
			n := c.N
			if n == 0 {
				n = i + 1
			}
			segs = append(segs, "\n"+esc(fmt.Sprintf("[%d] %s", n, citationLine(c))))
		}
	}
	return pack(segs, limit)
}

// citationLine is one source as a member reads it:
// 《title》 甘肃工人报 2020-07-02 第04版 · 第2部分 第3段 for a report, and
// for a law or notice its article or section: 《劳动合同法》第十九条（2012年修正）.
func citationLine(c rag.Citation) string {
	if c.Kind == corpus.KindLaw || c.Kind == corpus.KindNotice || c.Kind == corpus.KindFAQ {
		return c.Reference()
	}
	parts := []string{"《" + c.DocTitle + "》"}
	for _, p := range []string{c.Source, c.Date, c.Page} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	line := strings.Join(parts, " ")
	if c.Place != "" {
		line += " · " + c.Place
	}
	return line
}

// renderPassage shows one cited passage in full with where it comes from.
func renderPassage(c rag.Citation, limit int) []string {
	if c.Kind == corpus.KindFAQ { // a saved answer: the question, then the staff's answer
		c.Heading, c.Source, c.Place = "问："+c.DocTitle, "", ""
		c.DocTitle = "工会答复"
	}
	head := "<b>" + esc(c.DocTitle) + "</b>"
	var meta []string
	for _, p := range []string{c.Source, c.DocNumber, c.Date, c.Page, c.Place, c.Version} {
		if p != "" {
			meta = append(meta, p)
		}
	}
	segs := []string{head}
	if len(meta) > 0 {
		segs = append(segs, "\n"+esc(strings.Join(meta, " · ")))
	}
	if c.Heading != "" {
		segs = append(segs, "\n<i>"+esc(c.Heading)+"</i>")
	}
	segs = append(segs, "\n\n")
	for _, s := range sentences(c.Text) {
		segs = append(segs, esc(s))
	}
	return pack(segs, limit)
}

// renderHelp says what the bot knows (the documents) and what it does not.
func renderHelp(docs []corpus.Document, group bool) string {
	var b strings.Builder
	if group {
		b.WriteString("在群里提问请 @我，或用 /ask 加上问题，或者回复我的消息。我只回答这样叫到我的问题。\n\n")
	}
	saved := 0 // Q&A entries are counted, not listed
	docs = slices.DeleteFunc(slices.Clone(docs), func(d corpus.Document) bool {
		if d.Kind == corpus.KindFAQ {
			saved++
			return true
		}
		return false
	})
	if len(docs) == 0 && saved == 0 {
		b.WriteString("我的资料库里暂时还没有文件。")
		return b.String()
	}
	b.WriteString("我根据工会的这些资料回答问题，并注明出处：\n")
	const maxListed = 30
	for i, d := range docs {
		if i == maxListed {
			fmt.Fprintf(&b, "…… 还有 %d 份\n", len(docs)-maxListed)
			break
		}
		line := "《" + d.Title + "》"
		var meta []string
		for _, p := range []string{d.Source, d.Date} {
			if p != "" {
				meta = append(meta, p)
			}
		}
		if len(meta) > 0 {
			line += "（" + strings.Join(meta, " ") + "）"
		}
		b.WriteString("• " + esc(line) + "\n")
	}
	if saved > 0 {
		fmt.Fprintf(&b, "• 还有 %d 条工会工作人员的答复（工会答复）\n", saved)
	}
	if !group {
		b.WriteString("\n资料里没有的事我不会乱说；个人的具体纠纷、法律意见，请联系当地工会或拨打职工服务热线 12351。")
	}
	return b.String()
}

// sentences splits text into sentences for packing into messages, keeping
// every character (joining the result gives the text back) and each [n]
// marker with the sentence it follows.
func sentences(text string) []string {
	return zh.Splitter{Lossless: true, Citations: true}.Split(text)
}

// pack joins HTML segments into messages of at most limit UTF-16 units,
// breaking only between segments; a segment longer than the limit is cut
// between characters (never inside an escape or a tag).
func pack(segs []string, limit int) []string {
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
		curLen = 0
	}
	for _, s := range segs {
		n := utf16Len(s)
		if curLen+n <= limit {
			cur.WriteString(s)
			curLen += n
			continue
		}
		flush()
		if n <= limit {
			cur.WriteString(s)
			curLen = n
			continue
		}
		for _, piece := range cutLong(s, limit) {
			flush()
			cur.WriteString(piece)
			curLen = utf16Len(piece)
		}
	}
	flush()
	return out
}

// cutLong cuts an escaped segment into pieces of at most limit UTF-16 units
// without splitting an HTML entity such as &lt; or a tag.
func cutLong(s string, limit int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	rs := []rune(s)
	for i := 0; i < len(rs); {
		// An atom is one rune, a whole &…; entity or a whole <…> tag.
		j := i + 1
		if rs[i] == '&' || rs[i] == '<' {
			end := '>'
			if rs[i] == '&' {
				end = ';'
			}
			for k := i + 1; k < len(rs) && k < i+16; k++ {
				if rs[k] == end {
					j = k + 1
					break
				}
			}
		}
		atom := string(rs[i:j])
		an := utf16Len(atom)
		if n+an > limit && n > 0 {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		cur.WriteString(atom)
		n += an
		i = j
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}
