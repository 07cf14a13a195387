package rag

import (
	"regexp"
	"strings"
)

// factKind is a kind of fact a question can ask for — a phone number, a
// clock time, a date, a place, papers to bring, a fee, how to apply, a
// duration, an age, a sum of money, a share, or a count of something. A
// passage answers such a question only if it states a fact of that kind: a
// passage about 金秋助学 with no date in it does not answer
// "金秋助学什么时候申请？", and one about the statutory retirement age that
// gives no age does not answer "法定退休年龄是多少岁？", however well they
// match the rest of the question.
type factKind struct {
	name   string
	asks   *regexp.Regexp // on the folded question
	states *regexp.Regexp // on the folded passage
}

// num is a number as documents write it: digits (with decimals), or
// Chinese numerals, perhaps with 万/千/百 and 多/余 (3500多, 五千余).
const num = `(?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十两百千万]+)(?:万|千|百)?(?:多|余)?`

var factKinds = []factKind{
	{"phone",
		regexp.MustCompile(`电话|手机号|号码|联系方式|联系人|微信号|邮箱|打哪个`),
		regexp.MustCompile(`\d{5,}|\d{3,4}-\d{7,8}|@`)},
	{"clock",
		regexp.MustCompile(`几点|开门|关门|营业时间|开放时间|办公时间是|上班时间是|什么时间开`),
		regexp.MustCompile(`\d{1,2}[:：]\d{2}|\d{1,2}点|上午|下午|全天|24小时`)},
	{"date",
		regexp.MustCompile(`什么时候|啥时候|何时|哪天|几号|几月份|哪一天|截止|开始报名`),
		regexp.MustCompile(`\d{1,2}月|\d{1,2}日|月底|月初|上旬|中旬|下旬|之日起|之日|以前|以后|期间|期满`)},
	{"address",
		regexp.MustCompile(`地址|哪条街|哪条路|门牌|具体位置|怎么走|坐几路|在哪个位置`),
		regexp.MustCompile(`路|街|巷|号楼|大厦|广场|\d+号`)},
	{"papers",
		regexp.MustCompile(`材料|证明|手续|证件|要带|需要带|要交哪些`),
		regexp.MustCompile(`材料|证明|手续|证件|申请表|身份证|提交|提供`)},
	{"fee", // what a member pays, not what the union gives (资助多少钱 is a quantity)
		regexp.MustCompile(`费用|收费|交多少|缴多少|花多少|价格|考试费|报名费|会费|学费多少|要钱吗|要不要钱|收钱`),
		regexp.MustCompile(`收费|缴纳|交纳|缴费|免费|公益|费用|会费|每人\d+元|\d+元/|收取`)},
	{"person",
		regexp.MustCompile(`是谁|叫什么名字|哪位|谁是|谁负责`),
		regexp.MustCompile(`同志|主席|书记|部长|主任|局长|负责人|联系人`)},
	{"procedure",
		regexp.MustCompile(`怎么申请|如何申请|怎样申请|怎么申领|如何申领|怎么办理|如何办理|申请流程|办理流程|怎么报名|如何报名|去哪报名|在哪报名|哪里报名|申请条件|报名条件`),
		regexp.MustCompile(`申请|申领|报名|提交|递交|携带|流程|须知|手续|提出|向`)},
	{"age",
		regexp.MustCompile(`(?:多少|几)(?:周)?岁|多大(?:年纪|岁数)|年龄(?:是)?(?:多少|多大)`),
		regexp.MustCompile(num + `(?:周)?岁`)},
	{"duration",
		regexp.MustCompile(`多久|多长时间|多长|(?:几|多少)(?:个)?(?:天|日|月|周|星期|年|小时|工作日)`),
		regexp.MustCompile(num + ` *(?:个)?(?:天|日|月|周|星期|年|小时|工作日)|年限|期限`)},
	{"money",
		regexp.MustCompile(`多少钱|多少块|几块钱|多少元|赔多少|补多少|补偿多少|给多少|拿多少|发多少|多少工资|工资多少|多少补贴|补贴多少|多少补助|补助多少|罚多少`),
		regexp.MustCompile(num + `元|倍|个月(?:的)?工资|月工资|工资标准|百分之|%|标准`)},
	{"share",
		regexp.MustCompile(`比例|百分之几|占多少|多少比例|比率|多少成|几成`),
		regexp.MustCompile(`%|百分之|` + num + `成|比例|分之`)},
}

// countAsk finds "how many of what" in a question: 多少家, 几个人, 多少名.
var countAsk = regexp.MustCompile(`(?:多少|几)(?:个)?(家|户|人|名|位|次|场|起|件|所|项|批|期|篇|部|套|处|支|座|本|个|份|条|种|类)`)

// counters that a document may use for the same count: 人 counted as 名 or
// 人次, 家 as 户 or 个, 次 as 场 or 起.
var counterKin = map[string]string{
	"人": "人|名|位|人次", "名": "人|名|位|人次", "位": "人|名|位",
	"家": "家|户|个|所", "户": "家|户|个", "个": "个|家|户|所|项|处|座",
	"次": "次|场|起|期|批", "场": "场|次|期", "起": "起|件|次", "件": "件|起|项",
	"项": "项|个|件", "种": "种|类|项", "类": "类|种",
}

// quantityAsk is a question for some number that names no unit (是多少).
var quantityAsk = regexp.MustCompile(`多少|几(?:个|成|倍)|数量|比例|多高|多大`)

// anyNumber is any number a passage states.
var anyNumber = regexp.MustCompile(`\d|[一二三四五六七八九十两百千万]+(?:个|家|户|人|名|次|元|天|日|月|年|倍|岁|小时|项|件|起|成)|百分之`)

// askedKinds are the fact kinds the folded question asks for. A count asks
// for a number with its counter (多少家 → 652户); a question for a number
// that no other kind names (是多少) asks for any number.
func askedKinds(raw string) []*factKind {
	var out []*factKind
	numeric := false
	for i := range factKinds {
		if factKinds[i].asks.MatchString(raw) {
			out = append(out, &factKinds[i])
			switch factKinds[i].name {
			case "age", "duration", "money", "share", "fee", "phone", "clock", "date":
				numeric = true
			}
		}
	}
	if m := countAsk.FindStringSubmatch(raw); m != nil && !numeric {
		kin := counterKin[m[1]]
		if kin == "" {
			kin = m[1]
		}
		out = append(out, &factKind{name: "count:" + m[1], asks: countAsk,
			states: regexp.MustCompile(num + `(?:个)?(?:` + kin + `)`)})
		numeric = true
	}
	if !numeric && quantityAsk.MatchString(raw) && !strings.Contains(raw, "多少有") {
		out = append(out, &factKind{name: "quantity", asks: quantityAsk, states: anyNumber})
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
