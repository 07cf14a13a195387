package rag

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/gonghui/qa/corpus/zh"
)

// SmallTalk is the kind of a message that asks nothing of the documents: a
// greeting, thanks, an acknowledgement, a farewell, a complaint about an
// answer, or a question about the bot itself. Such a message gets a short
// warm reply, is never searched, and never counts as a question the
// documents failed to answer.
type SmallTalk string

// The kinds of small talk ("" is a message that asks something).
const (
	SmallTalkGreeting  SmallTalk = "greeting"
	SmallTalkThanks    SmallTalk = "thanks" // praise too (真棒, 👍)
	SmallTalkAck       SmallTalk = "ack"
	SmallTalkFarewell  SmallTalk = "farewell"
	SmallTalkComplaint SmallTalk = "complaint"
	SmallTalkAbout     SmallTalk = "about" // 你是谁, 你能干啥, 怎么用
)

// smallTalkRank orders the kinds when a message holds several: the reply
// answers the one that matters most (你好，你是谁 is about the bot; 好的谢谢
// is thanks).
var smallTalkRank = map[SmallTalk]int{
	SmallTalkAck: 1, SmallTalkGreeting: 2, SmallTalkThanks: 3, SmallTalkFarewell: 4, SmallTalkComplaint: 5, SmallTalkAbout: 6,
}

// The small-talk morphemes: the words that make a message small talk, each
// with its kind. They are matched in folded text (Simplified, lower case)
// anywhere in a clause, longest first, so repeats (谢谢谢谢, 多谢多谢), a
// particle after them (谢谢啦) or a word in front (非常感谢) need no entry of
// their own. A morpheme alone decides nothing: a clause is small talk only
// when nothing with a topic is left beside it (see ClassifySmallTalk), which
// is why 帮助 or 感谢 may be listed although 帮助困难职工 and 感谢信 are
// questions.
var smallTalkMorphemes = map[SmallTalk][]string{
	SmallTalkGreeting: {
		"你好", "您好", "你们好", "您们好", "大家好", "哈喽", "哈罗", "嗨", "嘿", "喂", "在吗", "在么", "在嘛", "在不在", "在没在",
		"有人吗", "有人在吗", "有人么", "有人没", "早上好", "上午好", "中午好", "下午好", "晚上好", "早安", "午安", "早",
		"新年好", "新年快乐", "过年好", "节日快乐", "春节快乐", "好久不见", "初次见面", "幸会", "打扰一下", "打扰下",
	},
	SmallTalkThanks: {
		"谢谢", "谢", "多谢", "感谢", "感激", "感恩", "蟹蟹", "谢过", "辛苦", "有劳", "劳驾", "麻烦", "帮大忙", "受教",
		"学到了", "明白了谢谢",
		// Praise is thanks too.
		"厉害", "真棒", "棒", "赞", "点赞", "好用", "不错", "给力", "牛", "牛逼", "优秀", "完美", "靠谱", "太好了", "好极了",
	},
	SmallTalkAck: {
		"好", "好的", "好滴", "好哒", "好嘞", "好勒", "行", "成", "嗯", "恩", "哦", "噢", "喔", "哦了", "额", "呃", "哈哈", "呵呵", "嘿嘿", "嘻嘻",
		"知道", "晓得", "明白", "懂", "懂了", "了解", "收到", "可以", "没问题", "没事", "没关系", "不用", "不需要",
		"算了", "对", "对的", "是的", "确实", "原来如此", "原来是这样", "这样啊", "这样子", "清楚", "记住", "记下",
	},
	SmallTalkFarewell: {
		"再见", "拜拜", "拜", "回见", "回头见", "下次见", "明天见", "晚安", "先这样", "就这样", "走了", "撤了", "溜了",
		"下线", "告辞", "打扰了", "再聊", "下次再聊", "回头再聊", "改天再聊", "有空再聊", "下次聊", "回头聊", "改天聊", "有空聊",
		"不聊了", "先聊到这",
	},
	SmallTalkComplaint: {
		"没用", "没啥用", "不对", "不准", "错了", "答非所问", "看不懂", "听不懂", "不明白", "没明白", "不懂", "没看懂",
		"垃圾", "什么玩意", "没帮助", "不是我要的", "不是这个", "没回答", "胡说", "瞎说", "不靠谱", "无语", "失望",
	},
	SmallTalkAbout: {
		"是谁", "叫什么", "叫啥", "名字", "什么人", "哪位", "是机器人", "是真人", "是人工", "人工智能", "是ai",
		"能干", "会干", "能做", "会做", "能帮", "会帮", "可以帮", "可以干", "可以做", "干什么的", "干啥的", "做什么的",
		"有什么用", "有啥用", "功能", "用途", "作用", "本事", "本领", "会什么", "会啥", "懂什么", "知道什么", "知道些什么",
		"怎么用", "咋用", "怎么使用", "如何使用", "如何用", "怎样用", "使用方法", "用法", "使用说明", "说明书", "教程",
		"怎么问", "咋问", "如何提问", "怎么提问", "问什么", "问啥", "问些什么", "能问", "可以问", "问哪些",
		"能回答", "会回答", "可以回答", "回答什么", "回答哪些", "答什么", "哪些问题", "什么问题", "啥问题",
		"介绍", "自我介绍", "帮助", "指南", "菜单",
	},
}

// smallTalkLatin are small-talk words in Latin letters or digits, matched
// as whole tokens (thx, 3q, 88, ok).
var smallTalkLatin = map[string]SmallTalk{
	"hi": SmallTalkGreeting, "hello": SmallTalkGreeting, "hey": SmallTalkGreeting, "hallo": SmallTalkGreeting,
	"helo": SmallTalkGreeting, "morning": SmallTalkGreeting, "nihao": SmallTalkGreeting, "yo": SmallTalkGreeting,
	"thx": SmallTalkThanks, "thanks": SmallTalkThanks, "thank": SmallTalkThanks, "thankyou": SmallTalkThanks,
	"thanx": SmallTalkThanks, "ty": SmallTalkThanks, "tks": SmallTalkThanks, "thks": SmallTalkThanks, "3q": SmallTalkThanks,
	"3x": SmallTalkThanks, "3ks": SmallTalkThanks, "xiexie": SmallTalkThanks, "xiexiele": SmallTalkThanks,
	"nice": SmallTalkThanks, "great": SmallTalkThanks, "cool": SmallTalkThanks, "awesome": SmallTalkThanks,
	"perfect": SmallTalkThanks, "666": SmallTalkThanks, "nb": SmallTalkThanks,
	"ok": SmallTalkAck, "okay": SmallTalkAck, "okk": SmallTalkAck, "okok": SmallTalkAck, "k": SmallTalkAck, "kk": SmallTalkAck,
	"yes": SmallTalkAck, "yeah": SmallTalkAck, "yep": SmallTalkAck, "yup": SmallTalkAck, "sure": SmallTalkAck,
	"fine": SmallTalkAck, "got": SmallTalkAck, "get": SmallTalkAck, "good": SmallTalkAck, "haha": SmallTalkAck,
	"hhh": SmallTalkAck, "hhhh": SmallTalkAck, "emm": SmallTalkAck, "em": SmallTalkAck, "en": SmallTalkAck,
	"bye": SmallTalkFarewell, "byebye": SmallTalkFarewell, "goodbye": SmallTalkFarewell, "88": SmallTalkFarewell,
	"886": SmallTalkFarewell, "cya": SmallTalkFarewell, "night": SmallTalkFarewell,
	"help": SmallTalkAbout, "menu": SmallTalkAbout,
}

// smallTalkLatinFiller are Latin words that carry no topic beside a
// small-talk word (thank you very much, see you).
var smallTalkLatinFiller = map[string]bool{
	"you": true, "u": true, "very": true, "much": true, "so": true, "a": true, "lot": true, "for": true, "the": true,
	"your": true, "help": true, "answer": true, "it": true, "see": true, "all": true, "sir": true, "bro": true,
	"again": true, "too": true, "good": true, "bot": true, "ai": true, "le": true, "la": true, "ya": true,
}

// smallTalkFillers carry no topic next to a small-talk word: whom the
// member addresses, intensifiers, and the bare particles and pronouns that
// zh's stop words do not already hold.
var smallTalkFillers = []string{
	"你", "您", "你们", "老师", "师傅", "亲", "亲们", "朋友", "同志", "大家", "各位", "小助手", "助手", "小帮手", "机器人",
	"客服", "小编", "管理员", "工作人员", "问答", "答疑",
	"非常", "十分", "特别", "真的", "真", "太", "超", "超级", "万分", "实在", "衷心", "由衷", "多多", "大大", "好好", "点",
	"一下", "下", "些", "哟", "喽", "嗷", "噻", "哇", "呐", "捏", "咧", "滴", "哒",
	// The lead-in of a question (再问个：…, 最后问一句，…) has no topic of its own.
	"再问", "再问个", "再问一个", "再问一句", "再问一下", "问个", "问一个", "问一句", "问一下", "问下", "请问", "想问",
	"最后", "还有", "另外", "顺便", "问题", "个问题", "一个问题",
}

// thanksObjects are what members thank for (谢谢你的回答, 感谢工会的帮助):
// no topic beside thanks or praise, a topic anywhere else.
var thanksObjects = []string{
	"回答", "解答", "帮助", "帮忙", "耐心", "答复", "回复", "指导", "指点", "服务", "解释", "工会", "信息", "分享",
	"提醒", "支持", "关心", "热心", "及时", "详细", "讲解", "说明", "建议", "一切", "所有",
}

// smallTalkMatcher finds the longest word of any of its lists at a position.
type smallTalkMatcher struct {
	kinds    map[string]SmallTalk
	fillers  map[string]bool
	objects  map[string]bool
	maxRunes int
}

func newSmallTalkMatcher() *smallTalkMatcher {
	m := &smallTalkMatcher{kinds: map[string]SmallTalk{}, fillers: map[string]bool{}, objects: map[string]bool{}}
	for kind, ws := range smallTalkMorphemes {
		for _, w := range ws {
			m.kinds[w] = kind
			m.maxRunes = max(m.maxRunes, utf8.RuneCountInString(w))
		}
	}
	for _, w := range smallTalkFillers {
		m.fillers[w] = true
		m.maxRunes = max(m.maxRunes, utf8.RuneCountInString(w))
	}
	for _, w := range thanksObjects {
		m.objects[w] = true
		m.maxRunes = max(m.maxRunes, utf8.RuneCountInString(w))
	}
	return m
}

// defaultSmallTalk is built once: the lists are constant.
var defaultSmallTalk = newSmallTalkMatcher()

// clauseClass is what a clause of a message turned out to be.
type clauseClass int

const (
	clauseNeutral   clauseClass = iota // only particles, pronouns, question words (请问, 我想问一下)
	clauseSmallTalk                    // a small-talk word and nothing with a topic
	clauseContent                      // something the documents could be about
)

// classify reads one clause of folded text: its class and, for small talk,
// its kind.
func (m *smallTalkMatcher) classify(rs []rune) (clauseClass, SmallTalk) {
	var kind SmallTalk
	// objects: words members thank for (回答); helps: those that also ask
	// about the bot when alone (帮助, help).
	thanked, objects, helps := false, false, false
	note := func(k SmallTalk) {
		if smallTalkRank[k] > smallTalkRank[kind] {
			kind = k
		}
		if k == SmallTalkThanks {
			thanked = true
		}
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		if !unicode.Is(unicode.Han, r) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			j := i
			for j < len(rs) && !unicode.Is(unicode.Han, rs[j]) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			tok := string(rs[i:j])
			k, talk := smallTalkLatin[tok]
			switch {
			case talk && k == SmallTalkAbout && smallTalkLatinFiller[tok]:
				helps = true
			case talk:
				note(k)
			case !smallTalkLatinFiller[tok]:
				return clauseContent, ""
			}
			i = j
			continue
		}
		if !unicode.Is(unicode.Han, r) {
			i++ // a mark inside a clause (~, ^) or a space between Latin words
			continue
		}
		// The longest word of any list at i; a small-talk word wins a tie.
		n, k, what := 0, SmallTalk(""), ""
		for l := min(m.maxRunes, len(rs)-i); l > 0 && n == 0; l-- {
			w := string(rs[i : i+l])
			switch {
			case m.objects[w] && m.kinds[w] == SmallTalkAbout:
				n, what = l, "help"
			case m.kinds[w] != "":
				n, k, what = l, m.kinds[w], "talk"
			case m.fillers[w]:
				n, what = l, "filler"
			case m.objects[w]:
				n, what = l, "object"
			}
		}
		if s := zh.StopWordAt(rs[i:]); s > n {
			n, what = s, "filler"
		}
		switch what {
		case "talk":
			note(k)
		case "object":
			objects = true
		case "help":
			helps = true
		case "":
			return clauseContent, ""
		}
		i += n
	}
	switch {
	case objects && !thanked:
		return clauseContent, ""
	case helps && !thanked:
		note(SmallTalkAbout)
	}
	if kind != "" {
		return clauseSmallTalk, kind
	}
	return clauseNeutral, ""
}

// emojiKind is the small talk an emoji or symbol says on its own: 👍 and 🙏
// thank, 👋 waves, ❓ asks nothing of the documents, others acknowledge.
func emojiKind(r rune) SmallTalk {
	switch r {
	case '👍', '🙏', '👏', '💪', '❤', '💕', '💖', '🌹', '🌷', '💐', '🎉', '🥰', '😘', '🤝', '👌':
		if r == '👌' {
			return SmallTalkAck
		}
		return SmallTalkThanks
	case '👋':
		return SmallTalkGreeting
	case '👎', '😡', '😠', '🤬', '😤', '💢':
		return SmallTalkComplaint
	}
	return SmallTalkAck
}

// isEmoji reports whether r is a pictograph or symbol (emoji, ☺, ♥) rather
// than a letter, digit or punctuation.
func isEmoji(r rune) bool {
	return unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || (r >= 0x1F000 && r <= 0x1FAFF)
}

// isEmojiJoiner reports whether r only modifies the emoji before it (the
// variation selector of ❤️, the joiner of 👨‍👩, a skin tone).
func isEmojiJoiner(r rune) bool {
	return r == 0x200D || (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0x1F3FB && r <= 0x1F3FF)
}

// ClassifySmallTalk reads a member's message. kind is the small talk it is
// ("" when it asks something); question is then what to answer: the message
// without its small-talk clauses (谢谢，那产假多少天？ asks 那产假多少天？), as
// the member wrote it.
//
// The message is normalised (NFKC, 繁→简, lower case) and cut into clauses at
// punctuation, spaces and emoji. A clause is small talk when, after taking out
// the small-talk words found anywhere in it (smallTalkMorphemes: 谢谢, 你好,
// 好的, 再见, 是谁…), whom it addresses and how strongly (您, 老师, 非常),
// what a member thanks for (回答, 帮助 — beside thanks only), particles and
// the question words and pronouns of zh's stop words, nothing is left; an
// emoji is a clause of its own. Anything else left — a character of no list,
// a Latin word of no list, a number — is a topic, and the clause asks
// something. The message is small talk when it has a small-talk clause and
// none with a topic; its kind is the weightiest of its clauses'.
func ClassifySmallTalk(message string) (kind SmallTalk, question string) {
	return defaultSmallTalk.message(message)
}

func (m *smallTalkMatcher) message(message string) (SmallTalk, string) {
	// Fold rune by rune, remembering where each folded rune came from, so
	// that the question is cut from the message as written (full-width
	// punctuation and all).
	orig := []rune(strings.ToValidUTF8(message, ""))
	var folded []rune
	var from []int // folded[i] comes from orig[from[i]]
	for i, r := range orig {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			continue
		}
		for _, f := range norm.NFKC.String(string(r)) {
			if unicode.IsSpace(f) {
				f = ' '
			}
			folded = append(folded, zh.FoldRune(f))
			from = append(from, i)
		}
	}
	type clause struct {
		start, end int // runes of folded
		class      clauseClass
	}
	var clauses []clause
	var kind SmallTalk
	note := func(k SmallTalk) {
		if smallTalkRank[k] > smallTalkRank[kind] {
			kind = k
		}
	}
	content := false
	for i := 0; i < len(folded); {
		r := folded[i]
		switch {
		case isEmoji(r):
			note(emojiKind(r))
			j := i + 1
			for j < len(folded) && isEmojiJoiner(folded[j]) {
				j++
			}
			clauses = append(clauses, clause{i, j, clauseSmallTalk})
			i = j
			continue
		case isEmojiJoiner(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
			i++
			continue
		}
		j := i
		for j < len(folded) && (!isClauseBreak(folded[j]) || latinSpace(folded, j)) {
			j++
		}
		class, k := m.classify(folded[i:j])
		if class == clauseSmallTalk {
			note(k)
		}
		content = content || class == clauseContent
		clauses = append(clauses, clause{i, j, class})
		i = j
	}
	if !content {
		if kind != "" {
			return kind, ""
		}
		return "", strings.TrimSpace(string(orig))
	}
	// The question: from the first clause that is not small talk to the end
	// of the last, with the punctuation that closes it.
	first, last := -1, -1
	for i, c := range clauses {
		// A lead-in before the question (再问个：, 请问) is left out with
		// the small talk; one inside it stays.
		if c.class == clauseContent || (first >= 0 && c.class == clauseNeutral) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	end := clauses[last].end
	for end < len(folded) && strings.ContainsRune("?!.。…", folded[end]) {
		end++
	}
	return "", strings.TrimSpace(string(orig[from[clauses[first].start] : from[end-1]+1]))
}

// latinSpace reports whether rs[i] is a space between two Latin words
// (thank you), which does not end a clause.
func latinSpace(rs []rune, i int) bool {
	latin := func(r rune) bool { return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
	return rs[i] == ' ' && i > 0 && i+1 < len(rs) && latin(rs[i-1]) && latin(rs[i+1])
}

// isClauseBreak reports whether r ends a clause: punctuation, a space, an
// emoji.
func isClauseBreak(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || isEmoji(r) || isEmojiJoiner(r) || unicode.IsSymbol(r)
}
