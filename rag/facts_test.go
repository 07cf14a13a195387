package rag

import "testing"

func TestFactKinds(t *testing.T) {
	tests := []struct {
		question, passage string
		answers           bool
	}{
		{"金秋助学今年什么时候申请？", "对5324名困难职工家庭子女进行了2000至5000元不等的救助。", false},
		{"金秋助学今年什么时候申请？", "金秋助学申请时间为7月1日至8月31日。", true},
		{"法律援助的电话是多少？", "提供法律援助案件10起。", false},
		{"法律援助的电话是多少？", "法律援助热线：0931-8888888。", true},
		{"服务站点几点开门？", "全市共创建户外职工服务站点75家。", false},
		{"服务站点几点开门？", "站点每天上午8:00开放。", true},
		{"金秋助学怎么申请？", "对5324名困难职工家庭子女进行了救助。", false},
		{"金秋助学怎么申请？", "由本人向所在单位工会提出申请。", true},
		{"育婴师证书考试费多少钱", "457名学员顺利取得资格证书。", false},
		{"金秋助学每人资助多少钱?", "进行了2000至5000元不等的救助。", true}, // a quantity, not a fee
		{"职工医疗互助补充保险一年交多少钱", "为10676名困难职工赠送了职工医疗互助补充保险，筹措资金5206.37万元。", false},
		{"打官司要钱吗", "公益法律服务行动免费为农民工提供法律咨询。", true},
		{"工会主席是谁", "全市基层工会组织数量由5022个发展到6089个。", false},
		{"工会有助学金吗？", "任何段落都行。", true}, // asks for no particular kind of fact
	}
	for _, tt := range tests {
		if got := statesAll(tt.passage, askedKinds(tt.question)); got != tt.answers {
			t.Errorf("%q answered by %q = %v, want %v", tt.question, tt.passage, got, tt.answers)
		}
	}
}
