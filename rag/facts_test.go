package rag

import (
	"testing"

	"github.com/gonghui/qa/corpus/zh"
)

func TestFactKinds(t *testing.T) {
	tests := []struct {
		question, passage string
		answers           bool
	}{
		{"金秋助学今年什么时候申请？", "对5324名困难职工家庭子女进行了2000至5000元不等的救助。", false},
		{"签了服务期提前走要赔多少违约金", "违约金的数额不得超过用人单位提供的培训费用。", true},
		{"职工爱心服务站点主要服务哪些人?", "重点服务环卫工、快递员、送餐员等户外劳动者。", true},
		{"职工爱心服务站点主要服务哪些人?", "全市共创建户外职工服务站点75家。", false},
		{"签了服务期提前走要赔多少违约金", "用人单位与劳动者可以约定服务期。", false},
		{"金秋助学今年什么时候申请？", "金秋助学申请时间为7月1日至8月31日。", true},
		{"法律援助的电话是多少？", "提供法律援助案件10起。", false},
		{"法律援助的电话是多少？", "法律援助热线：0931-8888888。", true},
		{"劳务派遣工最多能占单位总人数的百分之几", "不得超过其用工总量的一定比例，具体比例由国务院劳动行政部门规定。", false},
		{"劳务派遣工最多能占单位总人数的百分之几", "被派遣劳动者数量不得超过其用工总量的10%。", true},
		{"会员卡在哪些商户能打折？打几折", "会员服务卡可以在工会定点商户享受优惠。", false},
		{"会员卡在哪些商户能打折？打几折", "持卡在定点商户消费享受八五折、8.5折优惠。", true},
		// 几个 counts people as well as things.
		{"评上中国好人的有几个", "荣获“中国好人”称号2人。", true},
		// Whose number: the one named, not another's hotline in the passage.
		{"工会法律援助中心的电话是多少", "提供法律援助案件10起，受理12345民情通热线投诉。", false},
		{"工会法律援助中心的电话是多少", "法律援助中心电话：0931-8888888。", true},
		{"职工服务中心的联系方式", "联系电话：0931-8888888（职工服务中心）。", true},
		{"有啥电话能投诉", "拨打12351职工服务热线。", true},
		{"给工会打电话反映问题的人多不多", "受理12345民情通热线投诉1.2万件。", true}, // calling, no one named
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
		{"兰州市最低工资标准是多少?", "劳动者在劳动合同解除或者终止前12个月的平均工资低于当地最低工资标准的，按照当地最低工资标准计算。", false},
		{"兰州市最低工资标准是多少?", "兰州市月最低工资标准为1620元。", true},
		{"产假是多少天", "女职工生育享受98天产假。", true},
		{"职工技能大赛涉及多少个工种？", "涉及专业工种达1774个(次)。", true},
		{"法定退休年龄是多少岁？", "职工达到法定退休年龄的，劳动合同终止。", false},
		{"失业保险金怎么申领？", "向其遗属发给一次性丧葬补助金和抚恤金。", false},
		// A count or a greeting of people names nobody.
		{"兰州市总工会的主席叫什么名字", "认定8名同志为“金城工匠”。", false},
		{"兰州市总工会的主席叫什么名字", "各位同志，大家好。", false},
		{"这项工作的联系人是谁", "联系人：王老师，电话0931-8888888。", true},
		{"这项工作找谁", "请联系张华同志。", true}, // asks no kind; any passage
		{"技术创新活动是谁负责", "由张华同志负责。", true},
		// 标准化 is not a sum's standard.
		{"爱心托管班一个月收多少钱", "指导建成12家市级标准化“爱心妈咪屋”。", false},
		{"困难职工补助多少钱", "补助标准为每人每月300元。", true},
		{"技能大赛第一名奖金多少", "累计有54.27万名职工参加了技能大赛。", false},
		{"法律援助中心周末上班吗", "法律援助中心在3个工作日内作出决定。", false},
		{"法律援助中心周末上班吗", "工作日9:00至17:00接待。", true},
		{"甘肃的一次性伤残就业补助金是多少个月工资", "兰州市规定为10个月的本人工资。", true},
		{"甘肃的一次性伤残就业补助金是多少个月工资", "具体标准由省、自治区、直辖市人民政府规定。", false},
		// A total is a sum in yuan, not a law's rate.
		{"欠薪被查了以后，一共被责令赔了多少钱", "加发相当于工资报酬百分之二十五的赔偿金。", false},
		{"欠薪被查了以后，一共被责令赔了多少钱", "责令支付工资及赔偿金2946.17万元。", true},
		{"欠薪的赔偿金是多少钱", "加发相当于工资报酬百分之二十五的赔偿金。", true},
		// 多少个名额 counts 名额, not people (名).
		{"今年金秋助学一共有多少个名额", "对51名困难农民工进行了帮扶。", false},
		{"今年金秋助学一共有多少个名额", "今年共有200个名额。", true},
		{"今年金秋助学一共有多少个名额", "资助名额为200人。", true},
	}
	for _, tt := range tests {
		if got := statesAll(tt.passage, askedKinds(tt.question)); got != tt.answers {
			t.Errorf("%q answered by %q = %v, want %v", tt.question, tt.passage, got, tt.answers)
		}
	}
}

// The closer statement of a named thing's length, in either order.
func TestPrefersNamedDuration(t *testing.T) {
	kinds := askedKinds("产假多少天")
	for _, p := range []string{"女职工生育享受98天产假", "难产的，增加产假15天"} {
		if !prefersAll(p, kinds) {
			t.Errorf("%q is not preferred for 产假多少天", p)
		}
	}
	if prefersAll("用人单位应当在十五天内作出决定", kinds) {
		t.Error("a count of days of something else is preferred")
	}
}

// A bare 多少 of a thing named before it prefers the thing by its figure.
func TestPrefersQuantityOf(t *testing.T) {
	kinds := askedKinds("申请到专利的有多少？")
	if !prefersAll("发明创造获得专利458项", kinds) {
		t.Error("专利458项 is not preferred")
	}
	if prefersAll("评选出的67项职工优秀技术创新成果", kinds) {
		t.Error("a figure of something else is preferred")
	}
}

// A count of a thing named before the question (X创建了多少个) prefers
// the thing by its figure, either side of it, to another count.
func TestPrefersCountOf(t *testing.T) {
	for q, cases := range map[string]map[string]bool{
		"党工共建示范社区工会创建了多少个？": {
			"共创建“党工共建”示范社区(村)工会60个": true,
			"着力打造“四个平台”":            false,
		},
		"户外职工服务站点建了几家？": {
			"全市共创建户外职工服务站点75家": true,
			"建成3家职工书屋":         false,
			"共有12家站点":          true,
		},
		// What the counted did is named at the end: the count before it.
		"育婴员培训有多少人拿到了资格证书?": {
			"457名学员顺利取得中级“育婴师”、初级“育婴员”资格证书": true,
			"累计培训6605人，鉴定合格6152人":           false,
		},
	} {
		kinds := askedKinds(zh.Fold(q))
		for text, want := range cases {
			if got := prefersAll(zh.Fold(text), kinds); got != want {
				t.Errorf("%s: prefers %q = %v, want %v", q, text, got, want)
			}
		}
	}
}

// A how-to question prefers the sentence that says what to take and where
// to go over one that says who qualifies.
func TestPrefersProcedure(t *testing.T) {
	kinds := askedKinds("失业保险金怎么申领？")
	if !prefersAll(zh.Fold("失业人员凭失业登记证明和个人身份证明，到社会保险经办机构办理领取失业保险金的手续。"), kinds) {
		t.Error("what to take and where to go is not preferred")
	}
	if prefersAll(zh.Fold("失业人员符合下列条件的，从失业保险基金中领取失业保险金：已经进行失业登记，并有求职要求的。"), kinds) {
		t.Error("who qualifies is preferred")
	}
}
