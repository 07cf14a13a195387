package rag

import "regexp"

// factKind is a kind of fact a question can ask for — a phone number, a
// clock time, a date, a place, papers to bring, a fee, how to apply, a
// duration. A passage
// answers such a question only if it states a fact of that kind: a passage
// about 金秋助学 with no date in it does not answer "金秋助学什么时候申请？",
// however well it matches the rest of the question.
type factKind struct {
	name   string
	asks   *regexp.Regexp // on the folded question
	states *regexp.Regexp // on the folded passage
}

var factKinds = []factKind{
	{"phone",
		regexp.MustCompile(`电话|手机号|号码|联系方式|联系人|微信号|邮箱|打哪个`),
		regexp.MustCompile(`\d{5,}|\d{3,4}-\d{7,8}|@`)},
	{"clock",
		regexp.MustCompile(`几点|开门|关门|营业时间|上班时间|下班时间|办公时间|开放时间`),
		regexp.MustCompile(`\d{1,2}[:：]\d{2}|\d{1,2}点|上午|下午|全天|24小时`)},
	{"date",
		regexp.MustCompile(`什么时候|啥时候|何时|哪天|几号|几月份|哪一天|截止|开始报名`),
		regexp.MustCompile(`\d{1,2}月|\d{1,2}日|月底|月初|上旬|中旬|下旬`)},
	{"address",
		regexp.MustCompile(`地址|哪条街|哪条路|门牌|具体位置|怎么走|坐几路|在哪个位置`),
		regexp.MustCompile(`路|街|巷|号楼|大厦|广场|\d+号`)},
	{"papers",
		regexp.MustCompile(`材料|证明|手续|证件|流程|要带|需要带|要交哪些`),
		regexp.MustCompile(`材料|证明|手续|证件|流程|申请表|身份证`)},
	{"fee", // what a member pays, not what the union gives (资助多少钱 is a quantity)
		regexp.MustCompile(`费用|收费|交多少|缴多少|花多少|价格|考试费|报名费|会费|学费多少|要钱吗|要不要钱|收钱`),
		regexp.MustCompile(`收费|缴纳|交纳|缴费|免费|公益|费用|会费|每人\d+元|\d+元/`)},
	{"person",
		regexp.MustCompile(`是谁|叫什么名字|哪位|谁是|谁负责|找谁`),
		regexp.MustCompile(`同志|主席|书记|部长|主任|局长|负责人|联系人`)},
	{"procedure",
		regexp.MustCompile(`怎么申请|如何申请|怎样申请|怎么申领|如何申领|怎么办理|如何办理|申请流程|办理流程|怎么报名|如何报名|去哪报名|在哪报名|哪里报名|申请条件|报名条件`),
		regexp.MustCompile(`申请|申领|报名|提交|递交|携带|流程|须知|手续`)},
	{"duration",
		regexp.MustCompile(`多久|多长时间|几天|几个月|几周`),
		regexp.MustCompile(`[\d一二三四五六七八九十两]+ *(个)?(天|日|月|周|小时|工作日)`)},
}

// askedKinds are the fact kinds the folded question asks for.
func askedKinds(raw string) []*factKind {
	var out []*factKind
	for i := range factKinds {
		if factKinds[i].asks.MatchString(raw) {
			out = append(out, &factKinds[i])
		}
	}
	return out
}

// statesAll reports whether the folded passage states a fact of every kind.
func statesAll(folded string, kinds []*factKind) bool {
	for _, k := range kinds {
		if !k.states.MatchString(folded) {
			return false
		}
	}
	return true
}
