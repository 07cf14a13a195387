package zh

import (
	"slices"
	"strings"
)

// stopWords are question words, everyday filler and particles that carry no
// topic: a question is compared and searched without them, so that 吗 or 多少
// neither match nor count against coverage. Longest first within each group.
var stopWords = []string{
	// Question words.
	"可不可以", "能不能", "有没有", "是不是", "会不会", "多不多", "好不好", "行不行", "过没有", "了没有", "没有",
	"请问一下", "请问", "想问一下", "想问", "问一下", "想知道", "知道", "告诉我",
	"多少钱", "多少", "什么样", "什么时候", "什么", "怎么样", "怎么办", "怎么", "怎样", "如何", "为什么", "为啥",
	"哪些", "哪里", "哪儿", "去哪儿", "去哪", "上哪儿", "上哪", "哪个", "哪家", "多久", "多长", "几个", "几家", "几次", "几回", "几年", "几名", "几人",
	// Everyday filler that names no topic.
	"一共", "总共", "总计", "一下", "咱们", "我们", "你们", "他们", "大家", "人家", "自己",
	"这个", "那个", "这些", "那些", "这种", "那种", "这样", "那样", "这块", "这边", "那边", "这里", "那里",
	"这些年", "这几年", "那几年", "现在", "目前", "如今", "已经", "曾经", "一直", "到底", "究竟", "大概", "大约",
	"具体", "一般", "平时", "之类", "什么的", "啥的", "东西", "事情", "事儿", "的话", "是否", "可以", "能够",
	"应该", "需要", "打算", "想要", "还是", "或者", "而且", "但是", "不过", "所以", "因为", "如果", "要是",
	"搞过", "办过", "有过", "做过", "弄过", "搞", "弄", "啥", "咋", "谁",
	"好几个", "好几", "好多", "一起", "身边", "这么", "那么", "多么", "怎么回事", "出来", "起来", "下来", "上来", "过来",
	"的时候", "有时候", "时候", "找个地方", "什么地方", "这种地方", "那种地方", "有个地方",
	// Particles, pronouns and function words. A caller that searches may keep
	// a single character where it forms a word with its neighbour (就业,
	// 技能, 和谐, 了解); see rag.Analyzer.Prepare.
	"吗", "呢", "吧", "啊", "呀", "嘛", "哦", "啦", "哈", "么", "嘞", "咯", "呗", "的", "了", "着", "过",
	"是", "我", "你", "您", "他", "她", "它", "几", "还", "都", "也", "就", "很", "挺", "太", "又", "再",
	"有", "去", "在", "给", "被", "把", "让", "跟", "和", "与", "从", "向", "往", "到", "对", "能", "要", "想", "说", "那",
}

// stopByFirst holds stopWords as runes, by their first rune, longest first:
// a position whose rune starts no stop word is passed over with one lookup.
var stopByFirst = func() map[rune][][]rune {
	by := map[rune][][]rune{}
	for _, w := range stopWords {
		rs := []rune(w)
		by[rs[0]] = append(by[rs[0]], rs)
	}
	for _, ws := range by {
		slices.SortStableFunc(ws, func(a, b []rune) int { return len(b) - len(a) })
	}
	return by
}()

// StopWords returns the question words, filler and particles that carry no
// topic in a question (吗, 多少, 怎么办, 请问…): one list for searching and
// for grouping questions. The slice is a copy.
func StopWords() []string { return append([]string(nil), stopWords...) }

// StopWordAt returns the length, in runes, of the longest stop word at the
// start of rs, or 0 when none starts there. Text is expected folded (Fold).
func StopWordAt(rs []rune) int {
	if len(rs) == 0 {
		return 0
	}
	for _, w := range stopByFirst[rs[0]] {
		if len(w) <= len(rs) && slices.Equal(w, rs[:len(w)]) {
			return len(w)
		}
	}
	return 0
}

// IsParticle reports whether r is a modal or structural particle (吗 呢 吧
// 啊 的 了 着…): grammar in a question even where it touches a word (建了,
// 好的), so it is always cut.
func IsParticle(r rune) bool {
	return strings.ContainsRune("吗呢吧啊呀嘛哦啦哈么嘞咯呗的了着", r)
}

// IsMarker reports whether r marks the passive or the object of a verb (被,
// 把): grammar even where it forms a string the corpus has with the verb
// (被查, 把我), so a question is not held to it; concepts that hold it
// (被辞退) are matched before stop words are cut.
func IsMarker(r rune) bool { return r == '被' || r == '把' }

// RemoveStopWords returns folded text with every stop word cut out, longest
// first at each position, for comparing what questions are about.
func RemoveStopWords(folded string) string {
	rs := []rune(folded)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if n := StopWordAt(rs[i:]); n > 0 {
			i += n
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}
