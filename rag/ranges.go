package rag

import (
	"regexp"
	"strings"

	"github.com/gonghui/qa/corpus/zh"
)

// Laws grade many rights by how long something lasted: 年休假 by years of
// work (已满1年不满10年的，年休假5天), 试用期 by the contract's term
// (一年以上不满三年的), 经济补偿 by months (六个月以上不满一年的). A member
// gives their own figure (签1年的合同, 干了12年); the sentence whose range
// holds it answers, its neighbours do not.

// spanNumber is a number as tiers write it, before its unit.
const spanNumber = `(\d+(?:\.\d+)?|[零〇一二三四五六七八九十两百千]+)`

// spanUnit is a unit of time a tier counts in.
const spanUnit = `(年|个月|月|周|天|日)`

var (
	// questionSpan is a duration a member states: 1年, 五年零七个月, 12年.
	questionSpan = regexp.MustCompile(spanNumber + `(?:个)?` + spanUnit)
	// questionHalf is half a year or a month: 刚参加工作半年, 半个月.
	questionHalf = regexp.MustCompile(`半(?:个)?(年|月)`)
	// entitles finds a sentence that grants a right from its bound on.
	entitles = regexp.MustCompile(`享受|享有|有权|方可|才能|才可以`)
	// tierBoth is a bounded tier: 已满1年不满10年, 三个月以上不满一年.
	tierBoth = regexp.MustCompile(`(?:已?满)?` + spanNumber + `(?:个)?` + spanUnit + `?(?:以上)?(?:不满|未满|不足)` + spanNumber + `(?:个)?` + spanUnit)
	// tierFrom is an open tier: 已满20年的, 三年以上, 十年以上.
	tierFrom = regexp.MustCompile(`(?:已?满)` + spanNumber + `(?:个)?` + spanUnit + `|` + spanNumber + `(?:个)?` + spanUnit + `以上`)
	// tierBelow is a tier below a bound: 不满六个月, 未满4个月.
	tierBelow = regexp.MustCompile(`(?:不满|未满|不足)` + spanNumber + `(?:个)?` + spanUnit)
)

// months is a duration in months (a day is a thirtieth).
func months(number, unit string) (float64, bool) {
	v, ok := zh.ParseNumber(number)
	if !ok {
		return 0, false
	}
	switch unit {
	case "年":
		return v * 12, true
	case "个月", "月":
		return v, true
	case "周":
		return v / 4.3, true
	case "天", "日":
		return v / 30, true
	}
	return 0, false
}

// situationSpan is a duration a member states as their own situation,
// after the verb that makes it so: 工作满12年, 干了五年, 签了3年.
var situationSpan = regexp.MustCompile(`(?:满|了|干|做|工作|签|已经|已)` + spanNumber + `(?:个)?` + spanUnit)

// situationSpans are the durations of the member's own situation a folded
// question states, in months: not 一年 of 一年能休几天, which asks per year.
func situationSpans(folded string) []float64 { return spansOf(situationSpan, folded) }

// spansOf are the durations re (a number and a unit, as submatches 1 and
// 2) finds in folded, in months.
func spansOf(re *regexp.Regexp, folded string) []float64 {
	var out []float64
	for _, m := range re.FindAllStringSubmatch(folded, -1) {
		if v, ok := months(m[1], m[2]); ok && v > 0 {
			out = append(out, v)
		}
	}
	return out
}

// questionSpans are the durations a folded question states, in months.
func questionSpans(folded string) []float64 {
	out := spansOf(questionSpan, folded)
	for _, m := range questionHalf.FindAllStringSubmatch(folded, -1) {
		if v, ok := months("1", m[1]); ok {
			out = append(out, v/2)
		}
	}
	return out
}

// tierFit tells how a sentence's tiers meet the question's durations: +1
// when a tier holds one of them, -1 when the sentence has tiers and none
// holds any, 0 when it has none (or the question states no duration).
func tierFit(folded string, spans []float64) int {
	if len(spans) == 0 {
		return 0
	}
	type tier struct{ lo, hi float64 } // lo inclusive, hi exclusive
	var tiers []tier
	for _, m := range tierBoth.FindAllStringSubmatch(folded, -1) {
		unitLo := m[2]
		if unitLo == "" {
			unitLo = m[4] // 10至20年: the first bound takes the second's unit
		}
		lo, ok1 := months(m[1], unitLo)
		hi, ok2 := months(m[3], m[4])
		if ok1 && ok2 && lo < hi {
			tiers = append(tiers, tier{lo, hi})
		}
	}
	if len(tiers) == 0 {
		for _, ix := range tierFrom.FindAllStringSubmatchIndex(folded, -1) {
			if before := folded[:ix[0]]; strings.HasSuffix(before, "未") || strings.HasSuffix(before, "不") {
				continue // 未满4个月 is below the bound, not from it
			}
			m := func(g int) string {
				if ix[2*g] < 0 {
					return ""
				}
				return folded[ix[2*g]:ix[2*g+1]]
			}
			n, u := m(1), m(2)
			if n == "" {
				n, u = m(3), m(4)
			}
			if lo, ok := months(n, u); ok {
				tiers = append(tiers, tier{lo, 1e9})
			}
		}
		for _, m := range tierBelow.FindAllStringSubmatch(folded, -1) {
			if hi, ok := months(m[1], m[2]); ok {
				tiers = append(tiers, tier{0, hi})
			}
		}
	}
	if len(tiers) == 0 {
		return 0
	}
	below := true // every figure below every tier, and the tiers open lower bounds
	for _, t := range tiers {
		for _, v := range spans {
			if v >= t.lo && v < t.hi {
				return 1
			}
			below = below && t.hi == 1e9 && v < t.lo
		}
	}
	if below && entitles.MatchString(folded) {
		// 连续工作一年以上的，享受带薪年休假 for 刚参加工作半年: the
		// condition of a right the member does not meet yet is the answer
		// (unlike the top step of a ladder, 三年以上…试用期不得超过六个月).
		return 0
	}
	return -1
}

// Laws also draw lines by how many people (会员二十五人以上的, 不足二十五人的)
// and by age (未满十六周岁, 年满十八周岁): a member's own figure (三十来个人,
// 15岁的娃) falls on one side, and the sentence whose side holds it answers
// the member's situation.

// lineUnit is what such a line counts: people or years of age.
const lineUnit = `(人|名|周岁|岁)`

var (
	// questionFigure is a count or an age a member states: 三十来个人, 15岁.
	questionFigure = regexp.MustCompile(spanNumber + `(?:来|多|余)?(?:个)?` + lineUnit)
	// lineAt is a count or an age in a passage with the words that make it
	// a line: before it (未满, 年满, 超过…) or after it (以上, 以下…).
	lineAt = regexp.MustCompile(`(未满|不满|不足|低于|年满|已满|满|超过|达到)?` + spanNumber + `(?:名|个)?` + lineUnit + `(以上|以下|以内|及以上)?`)
)

// figure is a number with what it counts ("人" or "岁").
type figure struct {
	v    float64
	unit string
}

func figureUnit(u string) string {
	if u == "名" {
		return "人"
	}
	if u == "周岁" {
		return "岁"
	}
	return u
}

// questionFigures are the counts of people and ages a folded question
// states.
func questionFigures(folded string) []figure {
	var out []figure
	for _, m := range questionFigure.FindAllStringSubmatch(folded, -1) {
		if v, ok := zh.ParseNumber(m[1]); ok && v > 0 {
			out = append(out, figure{v, figureUnit(m[2])})
		}
	}
	return out
}

// lineFit tells how a sentence's lines of count or age meet the question's
// figures: +1 when the side a line names holds one of them, -1 when the
// sentence draws lines in a figure's unit and none holds it, 0 when it draws
// none (or the question states no figure).
func lineFit(folded string, figs []figure) int {
	if len(figs) == 0 {
		return 0
	}
	fit := 0
	for _, m := range lineAt.FindAllStringSubmatch(folded, -1) {
		before, after := m[1], m[4]
		if before == "" && after == "" {
			continue // a figure, not a line
		}
		x, ok := zh.ParseNumber(m[2])
		if !ok {
			continue
		}
		unit := figureUnit(m[3])
		for _, f := range figs {
			if f.unit != unit {
				continue
			}
			var holds bool
			switch {
			case before == "未满" || before == "不满" || before == "不足" || before == "低于":
				holds = f.v < x
			case after == "以下" || after == "以内":
				holds = f.v <= x
			default: // 年满, 已满, 满, 达到, 以上: from the line up; 超过: above it
				holds = f.v >= x && !(before == "超过" && f.v == x)
			}
			if holds {
				return 1
			}
			fit = -1
		}
	}
	return fit
}
