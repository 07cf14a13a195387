package zh

import "strings"

// places are the names of China's provinces, autonomous regions and
// municipalities, and of their capitals and other large cities, as members
// write them (without 省/市), longest first where one holds another.
var places = []string{
	"北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
	"江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
	"青海", "宁夏", "新疆", "香港", "澳门", "台湾",
	"石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州", "南昌", "济南", "郑州",
	"武汉", "长沙", "广州", "南宁", "海口", "成都", "贵阳", "昆明", "拉萨", "西安", "兰州", "西宁", "银川", "乌鲁木齐",
	"深圳", "苏州", "宁波", "青岛", "大连", "厦门", "无锡", "佛山", "东莞", "温州", "天水", "白银", "酒泉", "张掖",
	"武威", "定西", "陇南", "平凉", "庆阳", "嘉峪关", "金昌", "临夏", "甘南",
}

// Places returns the provinces and cities folded text names (兰州, 甘肃,
// 重庆…), each once, in the order of the list. A question that names one
// asks about that place: a national law does not give its figures.
func Places(folded string) []string {
	var out []string
	for _, p := range places {
		if strings.Contains(folded, p) {
			out = append(out, p)
		}
	}
	return out
}
