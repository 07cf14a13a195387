package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

// MaxPassageRunes is the length above which a paragraph is cut into runs of
// whole sentences. Short passages make citations precise and keep the answer
// near its question's words; measured with `eval` (see BENCHMARKS.md).
const MaxPassageRunes = 160

// block is a paragraph of a document body with the heading it sits under.
type block struct {
	heading string
	section int // 1-based section number, 0 before the first heading
	para    int // 1-based paragraph number in the document
	text    string
}

// blocks reads a body into paragraphs and headings. A line starting with '#'
// is a heading; so is, in plain text, a short line without sentence-ending
// punctuation that is followed by a paragraph. Each non-empty line is a
// paragraph: union documents put one paragraph per line, with or without
// blank lines between them.
func blocks(body string) []block {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	var out []block
	heading := ""
	section, para := 0, 0
	for i, raw := range lines {
		line := strings.TrimSpace(strings.Map(func(r rune) rune {
			if r == '\u3000' || r == '\u00a0' {
				return ' '
			}
			return r
		}, raw))
		if line == "" {
			continue
		}
		if h, ok := headingText(line, lines[i+1:]); ok {
			heading = h
			section++
			continue
		}
		para++
		out = append(out, block{heading: heading, section: section, para: para, text: line})
	}
	return out
}

// headingText reports whether line is a heading, and its text.
func headingText(line string, rest []string) (string, bool) {
	if strings.HasPrefix(line, "#") {
		h := strings.TrimSpace(strings.TrimLeft(line, "#"))
		return h, h != ""
	}
	n := utf8.RuneCountInString(line)
	if n > 30 || n < 2 {
		return "", false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	if zh.EndsSentence(last) || last == '，' || last == ',' || last == '：' || last == ':' || last == '、' || unicode.IsDigit(last) {
		return "", false
	}
	// A heading introduces a longer paragraph.
	for _, next := range rest {
		next = strings.TrimSpace(next)
		if next == "" {
			continue
		}
		return line, utf8.RuneCountInString(next) > n*2 && !strings.HasPrefix(next, "#")
	}
	return "", false
}

// Split cuts a document into passages along its structure (see Kind): a
// law by article and 款, a notice by section and item, a Q&A entry's answer
// whole (faqPassages), a report by
// paragraph — a paragraph longer than MaxPassageRunes becoming runs of whole
// sentences of about that length. Every passage keeps its heading path.
func Split(doc Document) []Passage {
	sh := readShape(doc.Title, doc.Body, doc.Kind)
	var out []Passage
	seen := map[string]int{}
	add := func(p Passage) {
		base := passageID(doc.ID, p.Heading, p.Text)
		p.ID = base
		if n := seen[base]; n > 0 {
			// The same text more than once in one document: keep each, distinctly.
			p.ID = passageID(doc.ID, p.Heading, fmt.Sprintf("%s\x00%d", p.Text, n))
		}
		seen[base]++
		p.DocID, p.Seq = doc.ID, len(out)
		out = append(out, p)
	}
	switch sh.kind {
	case KindFAQ:
		for _, p := range faqPassages(sh.content) {
			add(p)
		}
	case KindLaw:
		for _, lp := range cutLaw(sh.content) {
			add(Passage{
				Heading: strings.Join(lp.path, " "), Path: lp.path, Article: lp.article, ArticleNo: lp.number,
				Clause: lp.clause, Part: lp.part, Parts: lp.parts, Lead: lp.lead, Text: lp.text,
				Place: firstNonEmptyString(lp.place, "开头"),
			})
		}
	case KindNotice:
		for _, p := range cutOutline(buildOutline(sh.content), nil, "") {
			add(Passage{
				Heading: strings.Join(p.path, " "), Path: p.path, Part: p.part, Parts: p.parts, Lead: p.lead, Text: p.text,
				Place: firstNonEmptyString(strings.Join(p.path, ""), "开头"),
			})
		}
	default:
		for _, b := range blocks(joinLines(sh.content)) {
			sents := zh.Sentences(b.text)
			parts := chunkSentences(sents, MaxPassageRunes)
			topic := lead(sents)
			for k, text := range parts {
				p := Passage{Heading: b.heading, Lead: leadFor(topic, text), Text: text, Place: placeOf(b, k, len(parts))}
				if b.heading != "" {
					p.Path = []string{b.heading}
				}
				if len(parts) > 1 {
					p.Part, p.Parts = k+1, len(parts)
				}
				add(p)
			}
		}
	}
	return out
}

// joinLines writes logical lines back as a body, headings marked "## ".
func joinLines(lines []textLine) string {
	var b strings.Builder
	for _, l := range lines {
		if l.md > 0 {
			b.WriteString("## ")
		}
		b.WriteString(l.text)
		b.WriteString("\n")
	}
	return b.String()
}

func placeOf(b block, part, parts int) string {
	s := fmt.Sprintf("第%d段", b.para)
	if b.section > 0 {
		s = fmt.Sprintf("第%d部分 %s", b.section, s)
	}
	if parts > 1 {
		s += fmt.Sprintf("（%d/%d）", part+1, parts)
	}
	return s
}

// passageID is derived from the document and the passage's content only, so
// it survives re-runs and changes to other documents.
func passageID(docID, heading, text string) string {
	sum := sha256.Sum256([]byte(docID + "\x00" + heading + "\x00" + text))
	return docID + "-" + hex.EncodeToString(sum[:5])
}

// leadRunes is the longest sentence treated as a lead: the short topic
// sentence many report paragraphs open with (开展“夏送清凉”慰问活动。).
const leadRunes = 24

// minPassageRunes keeps a lead from standing alone as a passage.
const minPassageRunes = 40

// chunkSentences groups sentences into runs of at most max runes (a single
// longer sentence stands alone), balancing the runs so the last is not a stub.
// A short topic sentence starts a new run rather than ending one.
func chunkSentences(sents []string, max int) []string {
	total := 0
	for _, s := range sents {
		total += utf8.RuneCountInString(s)
	}
	if total <= max {
		if len(sents) == 0 {
			return nil
		}
		return []string{strings.Join(sents, "")}
	}
	parts := (total + max - 1) / max
	target := total / parts
	var out []string
	var cur strings.Builder
	n := 0
	for _, s := range sents {
		l := utf8.RuneCountInString(s)
		if n >= minPassageRunes && (n+l > max || n >= target || l <= leadRunes) {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		cur.WriteString(s)
		n += l
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}

// leadFor is the paragraph's topic for a passage that does not start with it.
func leadFor(topic, text string) string {
	if strings.HasPrefix(text, topic) {
		return ""
	}
	return topic
}

// lead returns a paragraph's opening topic sentence when it is short, or "".
func lead(sents []string) string {
	if len(sents) > 1 && utf8.RuneCountInString(sents[0]) <= leadRunes {
		return sents[0]
	}
	return ""
}
