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
	// prefer, when set, is a closer statement of the fact (a count of the
	// thing asked about: 154个工种 for 多少个工种), which the answer prefers.
	prefer *regexp.Regexp
}

// num is a number as documents write it, before its unit: digits (with
// decimals), or Chinese numerals, perhaps with 万/千/百 and 多/余 (3500多,
// 五千余). Patterns append the unit they need (天, 岁, 元…).
const num = `(?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十两百千万]+)(?:万|千|百)?(?:多|余)?`

// numAlone is a number where no unit is asked for: a lone Chinese numeral
// counts only before a unit, since 一 of 一般 or 一次性 is a word and 三 of
// 三个月 a number.
const numAlone = `(?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十两百千万]{2,}|[一二三四五六七八九十两](?:个|天|日|月|年|岁|倍|元|次|名|人|家|项|周|小时|成|分之))`

var factKinds = []factKind{
	{"phone",
		regexp.MustCompile(`电话|手机号|号码|联系方式|联系人|微信号|邮箱|打哪个`),
		// A phone number, a hotline (12351), an e-mail: not a count such as 13371.
		regexp.MustCompile(`(?:0\d{2,3}[-－ ]?)?\d{7,8}(?:[^\d万元人个家名次件户年月日]|$)|1[3-9]\d{9}|(?:^|\D)12\d{3}(?:[^\d万元人个家名次件户年月日]|$)|@`), nil},
	{"clock",
		regexp.MustCompile(`几点|开门|关门|营业时间|开放时间|办公时间是|上班时间是|什么时间开|周末上班|周末开门|周末营业|周末有人|节假日上班|节假日开门`),
		// 工作日 as opening days, not the 3个工作日 of a time limit.
		regexp.MustCompile(`\d{1,2}[:：]\d{2}|\d{1,2}点|上午|下午|全天|24小时|(?:^|[^\d个])工作日|周末|周六|周日|节假日`), nil},
	{"date",
		regexp.MustCompile(`什么时候|啥时候|何时|哪天|几号|几月份|哪一天|截止|开始报名`),
		regexp.MustCompile(`\d{1,2}月|\d{1,2}日|月底|月初|上旬|中旬|下旬|之日起|之日|以前|以后|期间|期满`), nil},
	{"address",
		regexp.MustCompile(`地址|哪条街|哪条路|门牌|具体位置|怎么走|坐几路|在哪个位置|具体在哪|在哪办公|在哪里办公|办公地点|在什么位置`),
		regexp.MustCompile(`路|街|巷|号楼|大厦|广场|\d+号`), nil},
	{"online", // where to find it on the net: a site, an account, an app
		regexp.MustCompile(`在哪下载|哪里下载|哪儿下载|下载地址|网址|哪个网站|什么网站|网上哪里|链接|二维码|公众号是|小程序`),
		regexp.MustCompile(`https?://|www\.|\.cn|\.com|公众号|小程序|网站|官网|app|二维码|下载`), nil},
	{"papers",
		regexp.MustCompile(`材料|证明|手续|证件|要带|需要带|要交哪些`),
		regexp.MustCompile(`材料|证明|手续|证件|申请表|身份证|提交|提供`), nil},
	{"fee", // what a member pays, not what the union gives (资助多少钱 is a quantity)
		regexp.MustCompile(`费用|收费|交多少|缴多少|花多少|价格|考试费|报名费|会费|学费多少|要钱吗|要不要钱|收钱|收多少`),
		regexp.MustCompile(`收费|缴纳|交纳|缴费|免费|公益|费用|会费|每人\d+元|\d+元/|收取`), nil},
	{"person",
		regexp.MustCompile(`是谁|叫什么名字|哪位|谁是|谁负责`),
		// A person named: 联系人：王老师, 张华同志 — not the word 主席 alone.
		// 8名同志 and 各位同志 count or greet people; they name nobody.
		regexp.MustCompile(`联系人[：:]|(?:^|[^\d零一二三四五六七八九十两百千万])[^\d\s\pP名位个们等各全广大众]\p{Han}?(?:老师|同志|女士|先生)|(?:主席|书记|部长|主任|局长|负责人)[：:]`), nil},
	{"whom", // who a service or a right is for: a group of people, not a named person
		regexp.MustCompile(`哪些人|什么人|哪类人|哪些群体|哪些对象|服务对象|适用对象|哪些职工|什么样的人|谁能|谁可以`),
		regexp.MustCompile(`对象|面向|针对|适用于|重点服务|为(?:困难|农民工|一线|全体|广大|女)|\p{Han}{1,4}(?:工|员|者|人员|职工|会员|子女)(?:、|和|及|与|以及)`), nil},
	{"procedure",
		regexp.MustCompile(`怎么申请|如何申请|怎样申请|怎么申领|如何申领|怎么办理|如何办理|申请流程|办理流程|怎么报名|如何报名|去哪报名|在哪报名|哪里报名|申请条件|报名条件`),
		regexp.MustCompile(`申请|申领|报名|提交|递交|携带|流程|须知|手续|提出|办理|登记`),
		// The closer statement says what to take and where to go (持…证明，
		// 到…办理), not only who qualifies.
		regexp.MustCompile(`(?:持|凭|携带)[^。；;]{0,30}?(?:到|向|去)[^。；;]{0,20}?(?:办理|申请|申领|登记|提出)|(?:到|向|去)[^。；;，,]{2,20}?(?:办理|申请|申领|提出申请)`)},
	{"age",
		regexp.MustCompile(`(?:多少|几)(?:周)?岁|多大(?:年纪|岁数)|年龄(?:是)?(?:多少|多大)`),
		regexp.MustCompile(num + `(?:周)?岁`), nil},
	{"duration",
		regexp.MustCompile(`多久|多长时间|多少时间|多长|(?:几|多少)(?:个)?(?:天|日|月|周|星期|年|小时|工作日)`),
		regexp.MustCompile(num + ` *(?:个)?(?:天|日|月|周|星期|年|小时|工作日)|年限|期限`), nil},
	{"money",
		regexp.MustCompile(`多少钱|多少块|几块钱|多少元|赔多少|补多少|补偿多少|给多少|拿多少|发多少|多少工资|工资多少|多少补贴|补贴多少|多少补助|补助多少|罚多少|奖金多少|多少奖金|奖励多少|奖多少|多少个月(?:的)?工资`),
		// 标准 is a sum's standard (补助标准为…), not 标准化.
		// So is a sum's cap or measure written against another sum
		// (违约金的数额不得超过…培训费用): the rule is the answer.
		regexp.MustCompile(num + `元|倍|个月(?:的)?(?:本人)?工资|月工资|工资标准|百分之|%|标准(?:$|[^化])|数额|不得(?:超过|高于|低于)[^。；;，,]{0,15}(?:费用|工资|数额)`), nil},
	{"share",
		// A discount is a share too: 打几折 asks for 八折 or 8.5折. The word
		// 比例 alone states none (不得超过一定比例，具体比例由…规定).
		regexp.MustCompile(`比例|百分之几|占多少|多少比例|比率|多少成|几成|几折|多少折`),
		regexp.MustCompile(`%|百分之|` + num + `成|分之|(?:\d(?:\.\d)?|[一二三四五六七八九])折`), nil},
}

// countAsk finds "how many of what" in a question: 多少家, 几个人, 多少名,
// and the thing counted when it follows (多少个工种).
var countAsk = regexp.MustCompile(`(?:多少|几)(?:个)?(家|户|人|名|位|次|场|起|件|所|项|批|期|篇|部|套|处|支|座|本|个|份|条|种|类)(\p{Han}{0,2})`)

// phoneOf finds whose phone number a question asks for: the words right
// before 的电话, 电话是多少, 联系方式 (法律援助中心的电话是多少).
var phoneOf = regexp.MustCompile(`(\p{Han}{2,10}?)(?:的)?(?:电话|联系电话|手机号|联系方式)`)

// genericPhoneOwners are endings of words before 电话 that name no one
// (打个电话, 有啥电话, 哪个电话, 什么电话): any number answers those.
const genericPhoneOwners = "一个 哪个 什么 有啥 有没 啥的 还有 个的 咨询 联系 投诉 举报 热线 服务"

// durationOf finds how long a named thing lasts: 年休假几天, 产假有多少天.
var durationOf = regexp.MustCompile(`(\p{Han}{2,8}?)(?:有|能休|可以休|可休|休|是|能有)?(?:几|多少)(?:个)?(天|月|年|周|小时)`)

// valueAsk finds a question for the value of something named right before
// it: 最低工资标准是多少, 慰问的标准为多少.
var valueAsk = regexp.MustCompile(`(\p{Han}{2,12}?)(?:的)?(?:是|为)多少`)

// valueNoun is how much of the named thing a passage must write near the
// number: its last few characters (签订率 of 女职工专项集体合同签订率).
const valueNoun = 3

// counters that a document may use for the same count: 人 counted as 名 or
// 人次, 家 as 户 or 个, 次 as 场 or 起.
var counterKin = map[string]string{
	"人": "人|名|位|人次", "名": "人|名|位|人次", "位": "人|名|位",
	"家": "家|户|个|所", "户": "家|户|个", "个": "个|家|户|所|项|处|座|人|名|位",
	"次": "次|场|起|期|批", "场": "场|次|期", "起": "起|件|次", "件": "件|起|项",
	"项": "项|个|件", "种": "种|类|项", "类": "类|种",
}

// quantityAsk is a question for some number that names no unit (是多少).
var quantityAsk = regexp.MustCompile(`多少|几(?:个|成|倍)|数量|比例|多高|多大`)

// quantityOf finds the thing a bare 多少 asks the quantity of: 专利的有多少.
var quantityOf = regexp.MustCompile(`(\p{Han}{2,8}?)(?:的)?(?:一共|总共|共)?(?:有)?多少[?？!！。 ]*$`)

// countObject finds the last word of a count question that goes on after
// the count (多少人拿到了资格证书: 证书).
var countObject = regexp.MustCompile(`(\p{Han}{2})[?？!！。.\s]*$`)

// countOf finds the thing a count question names before asking how many
// (示范社区工会创建了多少个, 服务站点一共有几家): the last words before the
// verb and the count.
var countOf = regexp.MustCompile(`(\p{Han}{2,8}?)(?:的)?(?:一共|总共|共|累计)?(?:创建|建立|建成|成立|设立|建设|建|开展|举办|办|组织|培训|帮扶|慰问|救助|资助|发放|有|是|达)?(?:了)?(?:多少|几)(?:个)?(?:家|户|人|名|位|次|场|起|件|所|项|批|期|篇|部|套|处|支|座|本|个|份|条|种|类)[?？!！。 ]*$`)

// totalAsk finds a question for a total; totalSum is a sum in yuan.
var (
	totalAsk = regexp.MustCompile(`一共|总共|合计|总计|共计|累计|加起来`)
	totalSum = regexp.MustCompile(num + `(?:亿)?元`)
)

// anyNumber is any number a passage states.
var anyNumber = regexp.MustCompile(`\d|[一二三四五六七八九十两百千万]+(?:个|家|户|人|名|次|元|天|日|月|年|倍|岁|小时|项|件|起|成)|百分之|分之`)

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
	if m := phoneOf.FindStringSubmatch(raw); m != nil {
		// Whose number is asked for (法律援助中心的电话): the passage writes
		// that one's number, the name beside it (服务中心电话：0931…), not
		// another's hotline (12345民情通热线) that happens to stand in it.
		// 给工会打电话 tells of calling, not of whose number.
		if noun := []rune(m[1]); len(noun) >= 2 && !strings.ContainsRune("打拨", noun[len(noun)-1]) && !strings.Contains(genericPhoneOwners, string(noun[len(noun)-2:])) {
			n := regexp.QuoteMeta(string(noun[len(noun)-2:]))
			for i, k := range out {
				if k.name == "phone" {
					k2 := *k
					p := `(?:` + k.states.String() + `)`
					k2.states = regexp.MustCompile(n + `[^。；;]{0,12}?` + p + `|` + p + `[^。；;，,]{0,6}?` + n)
					out[i] = &k2
				}
			}
		}
	}
	if m := durationOf.FindStringSubmatch(raw); m != nil {
		// How long something named right before lasts (年休假几天): the
		// closer statement puts the thing and the number together
		// (年休假5天), not another count of days in the same article.
		noun := []rune(m[1])
		if len(noun) > valueNoun {
			noun = noun[len(noun)-valueNoun:]
		}
		for i, k := range out {
			if k.name == "duration" && len(noun) >= 2 {
				k2 := *k // a copy: the table is shared
				// Either order: 年休假5天, 享受98天产假.
				n := regexp.QuoteMeta(string(noun))
				k2.prefer = regexp.MustCompile(n + `[^。；;，,]{0,4}?` + num + ` *(?:个)?(?:` + m[2] + `)|` + num + ` *(?:个)?(?:` + m[2] + `)` + n)
				out[i] = &k2
			}
		}
	}
	if m := countAsk.FindStringSubmatch(raw); m != nil && !numeric {
		kin := counterKin[m[1]]
		if kin == "" {
			kin = m[1]
		}
		k := &factKind{name: "count:" + m[1], asks: countAsk,
			states: regexp.MustCompile(num + `(?:个)?(?:` + kin + `)`)}
		if m[1] == "名" && m[2] != "" && strings.ContainsRune("额字单称义片", []rune(m[2])[0]) {
			// 多少个名额: a count of 名额, not of people; the passage writes
			// the noun with its figure (100个名额, 名额为100).
			noun := regexp.QuoteMeta(strings.TrimRightFunc("名"+m[2], IsParticleRune))
			k.states = regexp.MustCompile(num + `(?:个)?` + noun + `|` + noun + `[^。；;，,]{0,6}?` + numAlone)
			m[2] = ""
		}
		if thing := strings.TrimRightFunc(m[2], IsParticleRune); thing != "" {
			// Either order: 154个工种, 市级职工书屋204家.
			t := regexp.QuoteMeta(thing)
			alt := ""
			if o := countObject.FindStringSubmatch(raw[strings.Index(raw, m[0])+len(m[0]):]); o != nil && o[1] != thing {
				// What the counted did, named at the end (多少人拿到了资格证书):
				// the count stands before it (457名学员顺利取得…资格证书).
				alt = `|` + num + `(?:个)?(?:` + kin + `)[^。；;]{0,24}?` + regexp.QuoteMeta(o[1])
			}
			k.prefer = regexp.MustCompile(num + `(?:个)?(?:` + kin + `)` + t + `|` + t + `[^。；;，,]{0,8}?` + num + `(?:个)?(?:` + kin + `)` + alt)
		} else if c := countOf.FindStringSubmatch(raw); c != nil {
			// The thing counted is named before the question (示范社区工会
			// 创建了多少个): the closer statement writes it by its figure
			// (示范社区(村)工会60个), not another count in the passage
			// (四个平台).
			if noun := []rune(c[1]); len(noun) >= 2 {
				n := regexp.QuoteMeta(string(noun[len(noun)-2:]))
				k.prefer = regexp.MustCompile(n + `[^。；;，,]{0,4}?` + num + `(?:个)?(?:` + kin + `)|` + num + `(?:个)?(?:` + kin + `)[^。；;，,]{0,10}?` + n)
			}
		}
		out = append(out, k)
		numeric = true
	}
	if m := valueAsk.FindStringSubmatch(raw); m != nil && !numeric {
		// The value of a named thing: the passage writes the thing and a
		// number close together (最低工资标准为1620元, 享受98天产假).
		named := m[1]
		if i := strings.LastIndex(named, "的"); i >= 0 {
			named = named[i+len("的"):] // 信访接待的办结率: 办结率
		}
		noun := []rune(named)
		if len(noun) > valueNoun {
			noun = noun[len(noun)-valueNoun:]
		}
		if len(noun) >= 2 {
			n := regexp.QuoteMeta(string(noun))
			out = append(out, &factKind{name: "value", asks: valueAsk,
				states: regexp.MustCompile(n + `[^。；;]{0,10}?` + numAlone + `|` + numAlone + `[^。；;，,]{0,6}?` + n)})
			numeric = true
		}
	}
	if !numeric && quantityAsk.MatchString(raw) && !strings.Contains(raw, "多少有") {
		k := &factKind{name: "quantity", asks: quantityAsk, states: anyNumber}
		// How many of a thing named right before (申请到专利的有多少): the
		// closer statement writes the thing by its figure (获得专利458项).
		if m := quantityOf.FindStringSubmatch(raw); m != nil {
			if noun := []rune(m[1]); len(noun) >= 2 {
				n := regexp.QuoteMeta(string(noun[len(noun)-2:]))
				k.prefer = regexp.MustCompile(n + `[^。；;，,]{0,4}?` + numAlone + `|` + numAlone + `[^。；;，,]{0,4}?` + n)
			}
		}
		out = append(out, k)
	}
	// A total (一共赔了多少钱) is a sum of money, not a rate (百分之二十五
	// of a law's penalty).
	if totalAsk.MatchString(raw) {
		for i, k := range out {
			if k.name == "money" {
				k2 := *k
				k2.states = totalSum
				out[i] = &k2
			}
		}
	}
	return out
}

// asksFigure reports whether the kinds ask for a figure: a sum of money, the
// value of something, a share, a count.
func asksFigure(kinds []*factKind) bool {
	for _, k := range kinds {
		if k.name == "money" || k.name == "value" || k.name == "share" || strings.HasPrefix(k.name, "count:") || k.name == "quantity" {
			return true
		}
	}
	return false
}

// IsParticleRune reports whether r is a particle that may trail the thing a
// count asks about (多少个工种呢).
func IsParticleRune(r rune) bool { return strings.ContainsRune("吗呢吧啊呀嘛么啦的了着", r) }

// prefersAll reports whether the folded text states every kind's closer form
// where a kind has one (and at least one has).
func prefersAll(folded string, kinds []*factKind) bool {
	any := false
	for _, k := range kinds {
		if k.prefer != nil {
			if !k.prefer.MatchString(folded) {
				return false
			}
			any = true
		}
	}
	return any
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
