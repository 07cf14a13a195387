package zh

import (
	"strings"
	"unicode/utf8"
)

// questionFrames are the words a question ends with when it asks whether
// something is allowed, right or real, or what to do — 这合法吗, 能这么干吗,
// 这样中不中, 咋整 — rather than naming what it is about. They are cut from the
// end of a question before it is searched, so that 合法 in 这合法吗 does not
// match every 合法权益. Longest first.
var questionFrames = []string{
	"是不是合法的", "这样合法吗", "这么做合法吗", "这合法吗", "合不合法", "合法不合法", "合法吗", "合法不", "合法么", "合法没",
	"违不违法", "违法不违法", "这违法吗", "违法吗", "违法不", "违法么", "犯不犯法", "这犯法吗", "犯法吗", "犯法不", "犯法么",
	"合不合理", "合理吗", "合理不", "正不正常", "正常吗", "正常不", "对不对", "对吗", "对不",
	"能这么干吗", "能这么干不", "能这样干吗", "能这样吗", "能这么做吗", "可以这样吗", "可以这么做吗", "这样可以吗", "这样行吗",
	"这样行不", "这样中不中", "中不中", "行不行", "行吗", "行不", "可以吗", "可以不", "可不可以", "能行吗", "靠谱吗",
	"真的假的", "是真的吗", "真的吗", "算不算数", "算数吗", "有用吗", "管用吗",
	"该咋整", "咋整", "怎么整", "咋办", "该怎么办", "怎么办", "该咋办", "怎么弄", "咋弄", "有啥办法", "有什么办法",
	"有没有规定", "有规定吗", "有啥规定", "有什么规定", "有说法吗", "有啥说法", "有什么说法", "怎么说",
}

// frameSet holds questionFrames by their length in runes.
var frameSet, frameMaxRunes = func() (map[string]bool, int) {
	set := make(map[string]bool, len(questionFrames))
	longest := 0
	for _, f := range questionFrames {
		set[f] = true
		longest = max(longest, utf8.RuneCountInString(f))
	}
	return set, longest
}()

// QuestionFrameBefore returns the length, in runes, of the longest question
// frame that ends rs (after any closing punctuation and particles, which the
// caller trims), or 0. Text is expected folded (Fold).
func QuestionFrameBefore(rs []rune) int {
	for n := min(frameMaxRunes, len(rs)); n > 0; n-- {
		if frameSet[string(rs[len(rs)-n:])] {
			return n
		}
	}
	return 0
}

// askingWords mark a sentence that asks something.
var askingWords = []string{"吗", "呢", "么", "嘛", "不", "没", "啥", "什么", "怎么", "咋", "多少", "几", "哪", "谁", "能否", "可否", "是否", "如何", "为何", "为什么", "行不", "中不"}

// Asks reports whether a sentence of a message asks something: it ends with
// a question mark, or holds a question word or ends with a question
// particle. A long message's context ("老板三个月没发工资了。") asks nothing;
// its question ("俺能直接走人不？") does.
func Asks(sentence string) bool {
	s := strings.TrimSpace(sentence)
	if strings.HasSuffix(s, "?") || strings.HasSuffix(s, "？") {
		return true
	}
	s = strings.TrimRight(s, "。！!；;，, ")
	for _, w := range askingWords {
		if utf8.RuneCountInString(w) == 1 {
			if strings.HasSuffix(s, w) {
				return true
			}
			continue
		}
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
