package rag

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
)

// Replies to small talk. Each starts with a line that stands alone: in a
// group the bot sends only that line.
const (
	textSmallGreeting  = "你好！我是工会的问答助手 🙂 有关工会服务和职工权益的问题，直接问我就行。"
	textSmallThanks    = "不客气 😊 还有别的问题，随时问我。"
	textSmallAck       = "好的 👌 有问题随时问我。"
	textSmallFarewell  = "再见！有需要随时来问 👋"
	textSmallComplaint = "抱歉没帮上忙 🙏 换个说法再问一次试试；也可以问问您所在单位的工会，或拨打 12351 职工服务热线。"
	textSmallAbout     = "我是工会的问答助手：根据工会的资料回答工会服务和职工权益的问题，每个回答都注明出处，可以点开看原文。"
)

// smallTalkAnswer is the reply to small talk: warm, citing nothing, and
// for a question about the bot what it knows and what one can ask it.
func (e *Engine) smallTalkAnswer(kind SmallTalk, question string) Answer {
	a := Answer{Question: question, SmallTalk: kind}
	var lines []string
	switch kind {
	case SmallTalkGreeting:
		lines = []string{textSmallGreeting}
		if a.Suggestions = e.Examples(3); len(a.Suggestions) > 0 {
			lines = append(lines, "比如可以问：")
		}
	case SmallTalkThanks:
		lines = []string{textSmallThanks}
	case SmallTalkFarewell:
		lines = []string{textSmallFarewell}
	case SmallTalkComplaint:
		lines = []string{textSmallComplaint}
	case SmallTalkAbout:
		lines = append([]string{textSmallAbout}, DescribeCorpus(e.Documents())...)
		if a.Suggestions = e.Examples(3); len(a.Suggestions) > 0 {
			lines = append(lines, "比如可以问：")
		}
	default:
		lines = []string{textSmallAck}
	}
	a.Sentences = lines2sentences(lines)
	return a
}

// lines2sentences makes each line a sentence of its own paragraph.
func lines2sentences(lines []string) []Sentence {
	out := make([]Sentence, len(lines))
	for i, l := range lines {
		out[i] = Sentence{Text: l, Break: i > 0}
	}
	return out
}

// kindNames say what a kind of document is called, and its counter.
var kindNames = map[corpus.Kind]struct{ counter, name string }{
	corpus.KindLaw:    {"部", "法律法规"},
	corpus.KindNotice: {"份", "通知"},
	corpus.KindReport: {"篇", "报道和文章"},
}

// DescribeCorpus says in two lines what the documents are: how many of
// each kind, naming a few, and how current they are (the newest date and
// which document has it). It returns nothing for an empty corpus but a line
// saying so.
func DescribeCorpus(docs []corpus.Document) []string {
	if len(docs) == 0 {
		return []string{"资料库里还没有文件。"}
	}
	byKind := map[corpus.Kind][]corpus.Document{}
	for _, d := range docs {
		k := d.Kind
		if _, ok := kindNames[k]; !ok {
			k = corpus.KindReport
		}
		byKind[k] = append(byKind[k], d)
	}
	var parts []string
	for _, k := range []corpus.Kind{corpus.KindLaw, corpus.KindNotice, corpus.KindReport} {
		ds := byKind[k]
		if len(ds) == 0 {
			continue
		}
		kn := kindNames[k]
		part := fmt.Sprintf("%d %s%s", len(ds), kn.counter, kn.name)
		if names := famous(ds, 3); len(names) > 0 {
			more := ""
			if len(ds) > len(names) {
				more = "等"
			}
			part += "（" + strings.Join(names, "、") + more + "）"
		}
		parts = append(parts, part)
	}
	first := fmt.Sprintf("我读过 %d 份资料：%s。", len(docs), strings.Join(parts, "，"))
	newest, date := corpus.Document{}, ""
	for _, d := range docs {
		if dd := docDate(d); dd > date {
			newest, date = d, dd
		}
	}
	if date == "" {
		return []string{first}
	}
	second := fmt.Sprintf("最新的一份是%s（%s）。", titleOf(newest, true), date)
	return []string{first, second}
}

// famous names up to n documents, the shortest titles first: a short title
// is the one members know (劳动法 before 保障农民工工资支付条例).
func famous(ds []corpus.Document, n int) []string {
	ds = append([]corpus.Document(nil), ds...)
	sort.SliceStable(ds, func(i, j int) bool {
		li, lj := utf8.RuneCountInString(titleOf(ds[i], false)), utf8.RuneCountInString(titleOf(ds[j], false))
		if li != lj {
			return li < lj
		}
		return ds[i].ID < ds[j].ID
	})
	var out []string
	for _, d := range ds[:min(n, len(ds))] {
		if t := titleOf(d, false); utf8.RuneCountInString(t) <= 16 {
			out = append(out, t)
		} else if d.Source != "" {
			out = append(out, d.Source)
		}
	}
	return out
}

// titleOf is the name a member would say; quoted adds 《》.
func titleOf(d corpus.Document, quoted bool) string {
	t := d.ShortTitle
	if t == "" {
		t = d.Title
	}
	t = strings.Trim(t, "《》")
	if quoted {
		if utf8.RuneCountInString(t) > 24 && d.Source != "" {
			return d.Source + "的报道"
		}
		return "《" + t + "》"
	}
	return t
}

// docDate is the date of the document's text: its version's or its own,
// as YYYY-MM-DD ("" when it has none).
func docDate(d corpus.Document) string {
	for _, s := range []string{d.Version, d.Date} {
		if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
			return s[:10]
		}
	}
	return ""
}
