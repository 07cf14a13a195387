package rag

import "testing"

func TestTierFit(t *testing.T) {
	tests := []struct {
		question, sentence string
		want               int
	}{
		{"签1年的合同,试用期最多能定几个月", "劳动合同期限三个月以上不满一年的，试用期不得超过一个月；", -1},
		{"签1年的合同,试用期最多能定几个月", "劳动合同期限一年以上不满三年的，试用期不得超过二个月；", 1},
		{"签1年的合同,试用期最多能定几个月", "三年以上固定期限和无固定期限的劳动合同，试用期不得超过六个月。", -1},
		{"工作满12年了年假几天", "已满10年不满20年的，年休假10天；", 1},
		{"工作满12年了年假几天", "职工累计工作已满1年不满10年的，年休假5天；", -1},
		{"怀孕4个月流产了能休几天", "女职工怀孕未满4个月流产的，享受15天产假；", -1},
		{"怀孕4个月流产了能休几天", "怀孕满4个月流产的，享受42天产假。", 1},
		{"产假多少天", "女职工生育享受98天产假。", 0},  // no duration asked
		{"签1年的合同", "劳动合同应当具备以下条款。", 0}, // no tier stated
	}
	for _, tt := range tests {
		if got := tierFit(tt.sentence, questionSpans(tt.question)); got != tt.want {
			t.Errorf("tierFit(%q, %q) = %d, want %d", tt.sentence, tt.question, got, tt.want)
		}
	}
}

// A member's count of people or age falls on one side of a law's line.
func TestLineFit(t *testing.T) {
	tests := []struct {
		question, sentence string
		want               int
	}{
		{"我们公司有三十来个人，能不能自己成立工会", "用人单位有会员二十五人以上的，应当建立基层工会委员会", 1},
		{"我们公司有三十来个人，能不能自己成立工会", "不足二十五人的，可以单独建立基层工会委员会", -1},
		{"我们公司有20个人", "不足二十五人的，可以单独建立基层工会委员会", 1},
		{"隔壁作坊招了个15岁的娃干活", "禁止用人单位招用未满十六周岁的未成年人", 1},
		{"我家孩子17岁了能打工吗", "禁止用人单位招用未满十六周岁的未成年人", -1},
		{"我今年60岁", "年满十八周岁的可以参加", 1},
		{"隔壁作坊招了个15岁的娃干活", "劳动合同应当具备以下条款", 0},
		{"公司有50人", "职工代表大会由200名代表组成", 0}, // a figure, not a line
		{"工会有没有助学金", "会员二十五人以上的", 0},
	}
	for _, tt := range tests {
		if got := lineFit(tt.sentence, questionFigures(tt.question)); got != tt.want {
			t.Errorf("lineFit(%q, %q) = %d, want %d", tt.sentence, tt.question, got, tt.want)
		}
	}
}

// A member below a right's open bound is told the bound: the sentence is
// not pushed down as a tier that misses.
func TestTierFitBelowARightsBound(t *testing.T) {
	spans := questionSpans("刚参加工作半年，有没有带薪年休假？")
	if got := tierFit("职工连续工作1年以上的，享受带薪年休假", spans); got != 0 {
		t.Errorf("the right's bound: %d, want 0", got)
	}
	if got := tierFit("职工累计工作已满1年不满10年的，年休假5天", spans); got != -1 {
		t.Errorf("a tier the member is below: %d, want -1", got)
	}
}

// The member's own durations are those a verb makes their situation.
func TestSituationSpans(t *testing.T) {
	for q, want := range map[string]int{
		"工作满12年了，一年能休几天年假":  1,
		"在厂里干了五年零七个月被裁了":    1,
		"年假一年能休几天":          0,
		"我们厂一个月都不让休一天，这合法吗": 0,
		"签了3年合同，试用期最长能定多久":  1,
	} {
		if got := len(situationSpans(q)); got != want {
			t.Errorf("%s: %d situation spans, want %d", q, got, want)
		}
	}
}
