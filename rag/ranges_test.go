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
