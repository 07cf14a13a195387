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

// questionSpans are the durations a folded question states, in months.
func questionSpans(folded string) []float64 {
	var out []float64
	for _, m := range questionSpan.FindAllStringSubmatch(folded, -1) {
		if v, ok := months(m[1], m[2]); ok && v > 0 {
			out = append(out, v)
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
	for _, t := range tiers {
		for _, v := range spans {
			if v >= t.lo && v < t.hi {
				return 1
			}
		}
	}
	return -1
}
