package corpus

import (
	"strings"

	"github.com/gonghui/qa/corpus/zh"
)

// ScreenRunes is about what a phone screen shows of a passage: a law's
// article or a notice's section up to this long is one passage, whole; a
// longer one is cut at its 款, items or paragraphs, each piece keeping the
// sentence that introduces it.
const ScreenRunes = 300

// outline is a tree of a notice's numbered units (or of the parts of a law
// outside its articles: a preamble, an appendix): 附件 › 一、 › （一） › 1. › (1).
type outline struct {
	rank int    // depth of the marker: lower is higher up
	head string // the unit's heading or label phrase (二、资助标准), "" for the root
	// isHead is true when head is a heading line of its own, not part of
	// the unit's text.
	isHead bool
	lines  []string
	kids   []*outline
}

// Marker ranks, highest first.
const (
	rankAttachment = 1 + iota
	rankHeading
	rankSection // 一、
	rankItem    // （一）
	rankNumber  // 1.
	rankSub     // (1) ①
)

// markerRank is the rank of the unit a line starts, or 0 for a plain line.
func markerRank(l textLine) int {
	switch {
	case attachmentRe.MatchString(l.text) && runes(l.text) <= 40:
		return rankAttachment
	case sectionRe.MatchString(l.text):
		return rankSection
	case itemRe.MatchString(l.text):
		return rankItem
	case numberRe.MatchString(l.text):
		return rankNumber
	case subNumberRe.MatchString(l.text):
		return rankSub
	case l.md > 0:
		return rankHeading
	}
	return 0
}

// isHeadingLine reports whether a marked line is a heading (二、资助标准)
// rather than a unit with text of its own (1.个人申请。职工本人填写…).
func isHeadingLine(l textLine) bool {
	if l.md > 0 {
		return true
	}
	return runes(l.text) <= 30 && !strings.ContainsAny(l.text, "。；;！？!?") && !endsClause(l.text) && !endsMidSentence(l.text)
}

// labelPhrase is how a unit with text is named in a heading path: its
// marker and first phrase when that is short (1.个人申请), else its marker.
func labelPhrase(s string) string {
	for _, stop := range []string{"。", "：", ":", "；", "，"} {
		if i := strings.Index(s, stop); i > 0 {
			if p := s[:i]; runes(p) <= 20 {
				return p
			}
			break
		}
	}
	for _, re := range []interface{ FindString(string) string }{sectionRe, itemRe, numberRe, subNumberRe, attachmentRe} {
		if m := re.FindString(s); m != "" {
			return strings.TrimSpace(m)
		}
	}
	return ""
}

// buildOutline reads lines into a tree of units.
func buildOutline(lines []textLine) *outline {
	root := &outline{}
	stack := []*outline{root}
	attachTitle := false // the line after 附件1 may name the attachment
	for _, l := range lines {
		top := stack[len(stack)-1]
		rank := markerRank(l)
		if rank == 0 {
			if attachTitle && isHeadingLine(l) {
				top.head += " " + l.text
				attachTitle = false
				continue
			}
			attachTitle = false
			if len(top.kids) > 0 {
				// text after a unit's items: a unit of its own, so order is kept
				top.kids = append(top.kids, &outline{rank: rankSub + 1, lines: []string{l.text}})
				continue
			}
			top.lines = append(top.lines, l.text)
			continue
		}
		for len(stack) > 1 && stack[len(stack)-1].rank >= rank {
			stack = stack[:len(stack)-1]
		}
		n := &outline{rank: rank}
		switch {
		case rank == rankAttachment:
			label := attachmentRe.FindString(l.text)
			rest := strings.TrimSpace(strings.TrimPrefix(l.text, label))
			n.head = strings.TrimRight(strings.TrimSpace(label), ":：")
			if rest != "" {
				n.lines = []string{l.text} // 附件：1.申请表 2.汇总表
			} else {
				n.isHead, attachTitle = true, true
			}
		case isHeadingLine(l):
			n.head, n.isHead = l.text, true
		default:
			n.head = labelPhrase(l.text)
			n.lines = []string{l.text}
		}
		parent := stack[len(stack)-1]
		parent.kids = append(parent.kids, n)
		stack = append(stack, n)
	}
	return root
}

// body is every line of the unit's text and its sub-units', in order, with
// the sub-units' heading lines.
func (o *outline) body() []string {
	out := append([]string(nil), o.lines...)
	for _, k := range o.kids {
		if k.isHead {
			out = append(out, k.head)
		}
		out = append(out, k.body()...)
	}
	return out
}

// piece is a passage before its ID and place are set.
type piece struct {
	path        []string
	lead        string
	text        string
	part, parts int
}

// cutOutline turns a tree of units into passages: a unit that fits on a
// screen is one passage with its sub-units; a longer one gives its own text,
// then its sub-units. Sections (附件, headings, 一、) each get passages of
// their own under their heading; items (（一）, 1.) are packed together
// while they fit, led by the line that introduces them when it ends in a
// colon (职工有下列情形之一的：).
func cutOutline(o *outline, path []string, lead string) []piece {
	if o.head != "" {
		path = append(append([]string(nil), path...), o.head)
	}
	all := o.body()
	if len(all) == 0 {
		return nil
	}
	if joined := strings.Join(all, "\n"); runes(joined) <= ScreenRunes {
		return []piece{{path: path, lead: lead, text: joined}}
	}
	var out []piece
	own, intro := o.lines, lead
	var run []string
	if n := len(own); n > 0 {
		intro = ""
		if endsIntro(own[n-1]) && len(o.kids) > 0 && !ownsPath(o.kids[0]) {
			// the line that introduces the items goes with the first of
			// them, and leads the rest
			own, intro = own[:n-1], own[n-1]
			run = []string{intro}
		}
	}
	out = append(out, cutParagraphs(own, path, lead)...)
	flush := func() {
		if len(run) > 0 {
			out = append(out, piece{path: path, lead: intro, text: strings.Join(run, "\n")})
			run = nil
		}
	}
	for _, k := range o.kids {
		kt := k.body()
		if k.isHead {
			kt = append([]string{k.head}, kt...)
		}
		joined := strings.Join(kt, "\n")
		switch {
		case ownsPath(k):
			flush()
			out = append(out, cutOutline(k, path, "")...)
			continue
		case runes(joined) > ScreenRunes:
			flush()
			out = append(out, cutOutline(k, path, intro)...)
			continue
		}
		if len(run) > 0 && runes(strings.Join(run, "\n"))+1+runes(joined) > ScreenRunes {
			flush()
		}
		run = append(run, kt...)
	}
	flush()
	return out
}

// ownsPath reports whether a unit is a section that gets passages of its
// own under its heading (a heading, 附件, 一、), not an item packed with its
// neighbours.
func ownsPath(o *outline) bool {
	return o.isHead || o.rank <= rankSection
}

// endsIntro reports whether a line introduces a list: it ends in a colon.
func endsIntro(s string) bool {
	return strings.HasSuffix(s, "：") || strings.HasSuffix(s, ":")
}

// cutParagraphs packs paragraphs into passages of at most ScreenRunes; a
// longer paragraph is cut into runs of whole sentences, numbered as parts,
// the later ones led by its opening sentence.
func cutParagraphs(paras []string, path []string, lead string) []piece {
	var out []piece
	var run []string
	flush := func() {
		if len(run) > 0 {
			out = append(out, piece{path: path, lead: lead, text: strings.Join(run, "\n")})
			run = nil
		}
	}
	for _, p := range paras {
		if runes(p) > ScreenRunes {
			flush()
			sents := zh.Sentences(p)
			chunks := chunkSentences(sents, ScreenRunes)
			for k, c := range chunks {
				l := lead
				if k > 0 {
					l = firstNonEmptyString(lead, sents[0])
				}
				out = append(out, piece{path: path, lead: l, text: c, part: k + 1, parts: len(chunks)})
			}
			continue
		}
		if len(run) > 0 && runes(strings.Join(run, "\n"))+1+runes(p) > ScreenRunes {
			flush()
		}
		run = append(run, p)
	}
	flush()
	return out
}
