package corpus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/shapes")

// readShapeFile parses a test document from testdata/shapes.
func readShapeFile(t *testing.T, name string) Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "shapes", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(name, data, nil)
	if err != nil {
		t.Fatalf("Parse %s: %v", name, err)
	}
	return d
}

// describePassages writes a document's metadata and passages as the golden
// files hold them: one block a passage, easy to read in a diff.
func describePassages(d Document, ps []Passage) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kind: %s\ntitle: %s\nshort_title: %s\n", d.Kind, d.Title, d.ShortTitle)
	for _, kv := range [][2]string{{"version", d.Version}, {"version_label", d.VersionLabel}, {"doc_number", d.DocNumber}, {"issuer", d.Issuer}, {"date", d.Date}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
		}
	}
	for _, h := range d.History {
		fmt.Fprintf(&b, "history: %s\n", h)
	}
	for _, p := range ps {
		fmt.Fprintf(&b, "\n== [%d] %s", p.Seq, p.Place)
		if p.Article != "" {
			fmt.Fprintf(&b, " | article %s (%d)", p.Article, p.ArticleNo)
		}
		if p.Clause > 0 {
			fmt.Fprintf(&b, " | 款 %d", p.Clause)
		}
		if p.Parts > 0 {
			fmt.Fprintf(&b, " | part %d/%d", p.Part, p.Parts)
		}
		b.WriteString("\n")
		if len(p.Path) > 0 {
			fmt.Fprintf(&b, "path: %s\n", strings.Join(p.Path, " › "))
		}
		if p.Lead != "" {
			fmt.Fprintf(&b, "lead: %s\n", p.Lead)
		}
		b.WriteString(p.Text + "\n")
	}
	return b.String()
}

// TestShapesGolden cuts each test document and compares with its golden
// file (go test ./corpus -run Golden -update rewrites them).
func TestShapesGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "shapes", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasSuffix(name, ".golden") || name == "README.md" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			d := readShapeFile(t, name)
			checkGolden(t, f+".golden", describePassages(d, Split(d)))
		})
	}
	if n < 8 {
		t.Fatalf("only %d test documents", n)
	}
	// The built-in report's passages are what they were before laws and
	// notices had shapes of their own; two built-in laws show the shape.
	report, err := BuiltinReport(nil)
	if err != nil {
		t.Fatal(err)
	}
	laws, err := BuiltinLaws(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range append(report, laws...) {
		switch d.ID {
		case "lanzhou-2020-07-02", "law-labor-contract", "law-work-injury-insurance":
		default:
			continue
		}
		t.Run(d.ID, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata", "builtin", d.ID+".golden"), describePassages(d, Split(d)))
		})
	}
}

// checkGolden compares got with a golden file, or rewrites it with -update.
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./corpus -run Golden -update)", err)
	}
	if got != string(want) {
		t.Errorf("passages differ from %s (rerun with -update and read the diff):\n%s", golden, firstDiff(got, string(want)))
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got  %q\n want %q", i+1, gl, wl)
		}
	}
	return ""
}

func TestShapeMetadata(t *testing.T) {
	tests := []struct {
		file                    string
		kind                    Kind
		title, short            string
		version, label          string
		docNumber, issuer, date string
		history                 int
		passages                int
		firstPlace              string
	}{
		{file: "annual-leave-measures(2008-07-17).md", kind: KindLaw, title: "企业职工带薪年休假实施办法", short: "企业职工带薪年休假实施办法",
			version: "2008-07-17", label: "2008年通过", history: 1, passages: 19, firstPlace: "第一条"},
		{file: "annual-leave-measures-pdf.txt", kind: KindLaw, title: "企业职工带薪年休假实施办法", short: "企业职工带薪年休假实施办法",
			version: "2008-09-18", label: "2008年公布", history: 2, passages: 19, firstPlace: "第一条"},
		{file: "beijing-employment-aid.md", kind: KindLaw, title: "北京市就业援助规定", short: "北京市就业援助规定",
			version: "2011-12-23", label: "2011年通过", history: 1, passages: 22, firstPlace: "第一条"},
		{file: "beijing-employment-aid-docx.txt", kind: KindLaw, title: "北京市就业援助规定", short: "北京市就业援助规定",
			version: "2011-12-23", label: "2011年通过", history: 1, passages: 22, firstPlace: "第一条"},
		{file: "working-hours-measures(1995-05-01).md", kind: KindLaw, title: "国家机关、事业单位贯彻《国务院关于职工工作时间的规定》的实施办法",
			short: "国家机关、事业单位贯彻《国务院关于职工工作时间的规定》的实施办法", version: "1995-05-01", label: "1995年版",
			docNumber: "人薪发〔1995〕32号", issuer: "中华人民共和国人事部", history: 2, passages: 12, firstPlace: "第一条"},
		{file: "shanghai-social-insurance-levy(2000-11-17).md", kind: KindLaw, title: "上海市城镇职工社会保险费征缴若干规定",
			short: "上海市城镇职工社会保险费征缴若干规定", version: "2000-11-17", label: "2000年版", passages: 10, firstPlace: "第一条"},
		{file: "trade-union-law-interpretation(2020-12-29).md", kind: KindLaw, title: "最高人民法院关于在民事审判工作中适用《中华人民共和国工会法》若干问题的解释",
			short: "最高人民法院关于在民事审判工作中适用《中华人民共和国工会法》若干问题的解释", version: "2020-12-29", label: "2020年版",
			history: 2, passages: 9, firstPlace: "开头"},
		{file: "jinqiu-notice.txt", kind: KindNotice, title: "兰州市总工会关于开展2024年“金秋助学”活动的通知",
			short: "兰州市总工会关于开展2024年“金秋助学”活动的通知", docNumber: "兰总工发〔2024〕12号", issuer: "兰州市总工会",
			date: "2024-07-15", passages: 8, firstPlace: "开头"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := readShapeFile(t, tt.file)
			got := []string{string(d.Kind), d.Title, d.ShortTitle, d.Version, d.VersionLabel, d.DocNumber, d.Issuer, d.Date}
			want := []string{string(tt.kind), tt.title, tt.short, tt.version, tt.label, tt.docNumber, tt.issuer, tt.date}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("field %d = %q, want %q", i, got[i], want[i])
				}
			}
			if len(d.History) != tt.history {
				t.Errorf("history = %q, want %d lines", d.History, tt.history)
			}
			ps := Split(d)
			if len(ps) != tt.passages {
				t.Errorf("%d passages, want %d", len(ps), tt.passages)
			}
			if len(ps) > 0 && ps[0].Place != tt.firstPlace {
				t.Errorf("first passage at %q, want %q", ps[0].Place, tt.firstPlace)
			}
			for _, p := range ps {
				for _, h := range d.History {
					if strings.Contains(p.Text, h) {
						t.Errorf("history line %q is in passage %s", h, p.Place)
					}
				}
				if strings.Contains(p.Text, "INFO END") || strings.Contains(p.Heading, "INFO END") {
					t.Errorf("passage %s holds the INFO END marker", p.Place)
				}
			}
		})
	}
}

// TestHardWrappedLaw: the text of a PDF, hard-wrapped with page numbers,
// gives the same articles as the clean text.
func TestHardWrappedLaw(t *testing.T) {
	clean := Split(readShapeFile(t, "annual-leave-measures(2008-07-17).md"))
	wrapped := Split(readShapeFile(t, "annual-leave-measures-pdf.txt"))
	if len(clean) != len(wrapped) {
		t.Fatalf("%d passages from the wrapped text, %d from the clean one", len(wrapped), len(clean))
	}
	squash := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "　", " ")), "") }
	for i := range clean {
		if squash(clean[i].Text) != squash(wrapped[i].Text) || clean[i].Article != wrapped[i].Article {
			t.Errorf("passage %d:\n wrapped %q\n clean   %q", i, wrapped[i].Text, clean[i].Text)
		}
		if regexp.MustCompile(`- \d+ -`).MatchString(wrapped[i].Text) {
			t.Errorf("page number left in %q", wrapped[i].Text)
		}
	}
}

func TestNoticeStructure(t *testing.T) {
	d := readShapeFile(t, "jinqiu-notice.txt")
	ps := Split(d)
	byPlace := map[string]Passage{}
	for _, p := range ps {
		byPlace[p.Place] = p
		for _, frame := range []string{"兰总工发", "抄送", "印发", "2024年7月15日", "兰州市总工会文件"} {
			if strings.Contains(p.Text, frame) {
				t.Errorf("the notice's frame (%s) is in passage %s: %q", frame, p.Place, p.Text)
			}
		}
	}
	std, ok := byPlace["二、资助标准"]
	if !ok || !strings.Contains(std.Text, "每人一次性资助5000元") || std.Heading != "二、资助标准" {
		t.Errorf("section 二、资助标准 = %+v", std)
	}
	if p := byPlace["附件1 兰州市2024年“金秋助学”申请表"]; !strings.Contains(p.Text, "困难职工证号") {
		t.Errorf("attachment 1 = %+v; places: %v", p, placesOf(ps))
	}
}

func placesOf(ps []Passage) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Place)
	}
	return out
}

// TestNoticeItemsTravelWithTheirLead: a section too long for one screen is
// cut between its items, each piece led by the line introducing them.
func TestNoticeItemsTravelWithTheirLead(t *testing.T) {
	var b strings.Builder
	b.WriteString("兰州市总工会关于做好职工疗休养工作的通知\n兰总工发〔2023〕7号\n各县区总工会：\n现将有关事项通知如下：\n一、疗休养对象\n下列职工可以申请疗休养：\n")
	for i, who := range []string{"一", "二", "三", "四", "五", "六", "七", "八"} {
		fmt.Fprintf(&b, "（%s）连续在本市工作满%d年、近三年年度考核均为称职以上、身体状况适合外出参加集体活动并经所在单位同意的一线职工；\n", who, i+5)
	}
	b.WriteString("兰州市总工会\n2023年3月1日\n")
	d, err := Parse("liaoxiuyang.txt", []byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != KindNotice || d.DocNumber != "兰总工发〔2023〕7号" || d.Date != "2023-03-01" {
		t.Fatalf("document = %+v", d)
	}
	var items int
	for _, p := range Split(d) {
		if !strings.Contains(p.Text, "连续在本市工作满") {
			continue
		}
		items++
		if p.Heading != "一、疗休养对象" {
			t.Errorf("heading %q, want 一、疗休养对象", p.Heading)
		}
		if !strings.HasPrefix(p.Text, "下列职工可以申请疗休养：") && p.Lead != "下列职工可以申请疗休养：" {
			t.Errorf("items without their lead: lead %q, text %q", p.Lead, p.Text)
		}
		if runes(p.Text) > ScreenRunes {
			t.Errorf("passage of %d characters", runes(p.Text))
		}
	}
	if items < 2 {
		t.Errorf("the items were not cut (%d passages)", items)
	}
}

// TestBuiltinLaws checks every built-in law: metadata, articles as
// passages, nothing lost, no history or marker in a passage, items never
// without their lead, and whole articles rebuilt from their parts.
func TestBuiltinLaws(t *testing.T) {
	docs, err := BuiltinLaws(nil)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("laws", "*.md"))
	if len(docs) != 17 || len(files)-1 != len(docs) { // README.md is not a law
		t.Fatalf("%d built-in laws for %d files; every law file needs a line in laws/manifest.tsv", len(docs), len(files)-1)
	}
	idRe := regexp.MustCompile(`^law(-[a-z]+)+$`)
	total := 0
	for _, d := range docs {
		if !idRe.MatchString(d.ID) || !d.Builtin || d.Kind != KindLaw {
			t.Errorf("%s: id %q builtin %v kind %q", d.Path, d.ID, d.Builtin, d.Kind)
		}
		if d.Version == "" || d.VersionLabel == "" || strings.HasPrefix(d.ShortTitle, "中华人民共和国") || len(d.History) == 0 {
			t.Errorf("%s: version %q label %q short title %q history %q", d.ID, d.Version, d.VersionLabel, d.ShortTitle, d.History)
		}
		raw, err := lawsFS.ReadFile(strings.TrimPrefix(d.Path, BuiltinPrefix))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, line := range strings.Split(string(raw), "\n") {
			if label, _, _, ok := articleStart(cleanLine(line)); ok {
				want[label] = true
			}
		}
		ps := Split(d)
		total += len(ps)
		got := map[string]bool{}
		for i, p := range ps {
			got[p.Article] = true
			if runes(p.Text) > ScreenRunes {
				t.Errorf("%s %s: %d characters, over a screen", d.ID, p.Place, runes(p.Text))
			}
			if p.Article != "" && p.ArticleNo == 0 {
				t.Errorf("%s %s: no article number", d.ID, p.Place)
			}
			if isItem(p.Text) && p.Lead == "" {
				t.Errorf("%s %s: item without its lead: %q", d.ID, p.Place, p.Text)
			}
			for _, h := range d.History {
				if strings.Contains(p.Text, h) {
					t.Errorf("%s: history %q in a passage", d.ID, h)
				}
			}
			if strings.Contains(p.Text, "<!--") || strings.Contains(p.Heading, "<!--") {
				t.Errorf("%s %s: marker in a passage", d.ID, p.Place)
			}
			if p.Part == 1 {
				whole, ok := WholeArticle(ps, i)
				if !ok {
					t.Errorf("%s %s: parts do not make the article", d.ID, p.Place)
				}
				if !strings.Contains(squashSpace(string(raw)), squashSpace(whole)) {
					t.Errorf("%s %s: rebuilt article is not the article:\n%s", d.ID, p.Place, whole)
				}
			}
		}
		for label := range want {
			if !got[label] {
				t.Errorf("%s: article %s has no passage", d.ID, label)
			}
		}
	}
	if total < 1000 {
		t.Errorf("%d passages for the 17 laws", total)
	}
}

// squashSpace drops all white space, to compare texts as read.
func squashSpace(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "　", " ")), "")
}

// TestItemFoundWithItsLead is the example: the commuting item of
// 工伤保险条例第十四条 comes with 应当认定为工伤.
func TestItemFoundWithItsLead(t *testing.T) {
	docs, err := BuiltinLaws(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.ID != "law-work-injury-insurance" {
			continue
		}
		if d.VersionLabel != "2010年修订" || d.ShortTitle != "工伤保险条例" {
			t.Errorf("version %q short title %q", d.VersionLabel, d.ShortTitle)
		}
		for _, p := range Split(d) {
			if strings.Contains(p.Text, "在上下班途中") {
				if !strings.Contains(p.Lead+p.Text, "应当认定为工伤") || p.Article != "第十四条" || p.ArticleNo != 14 || p.Heading != "第三章 工伤认定" {
					t.Errorf("passage %+v", p)
				}
				return
			}
		}
	}
	t.Fatal("工伤保险条例第十四条 not found")
}

func TestLongArticleCutAtClauses(t *testing.T) {
	body := "## 第一章 总则\n\n第三十条 用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。" + strings.Repeat("用人单位应当按月以货币形式支付工资，不得克扣或者无故拖欠劳动者的工资。", 4) +
		"\n\n" + strings.Repeat("用人单位拖欠或者未足额支付劳动报酬的，劳动者可以依法向当地人民法院申请支付令。", 4) +
		"\n\n前款规定的支付令，人民法院应当依法发出。\n\n第三十一条 用人单位应当严格执行劳动定额标准。\n"
	d, err := Parse("t(2012-12-28).md", []byte("# 中华人民共和国测试法\n\n2012年12月28日 修正\n\n<!-- INFO END -->\n\n"+body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.ShortTitle != "测试法" || d.VersionLabel != "2012年修正" {
		t.Errorf("short title %q, version %q", d.ShortTitle, d.VersionLabel)
	}
	ps := Split(d)
	if len(ps) != 3 {
		t.Fatalf("%d passages: %v", len(ps), placesOf(ps))
	}
	if ps[0].Place != "第三十条第一款" || ps[1].Place != "第三十条第二至三款" || ps[2].Place != "第三十一条" {
		t.Errorf("places %v", placesOf(ps))
	}
	if ps[1].Lead != "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。" || ps[1].Article != "第三十条" || ps[1].ArticleNo != 30 || ps[1].Clause != 2 {
		t.Errorf("second part %+v", ps[1])
	}
	whole, ok := WholeArticle(ps, 1)
	if !ok || !strings.HasPrefix(whole, "第三十条 ") || !strings.HasSuffix(whole, "人民法院应当依法发出。") || strings.Count(whole, "\n") != 2 {
		t.Errorf("whole article %q", whole)
	}
	if _, ok := WholeArticle(ps, 2); ok {
		t.Error("an article that was not cut has no parts to join")
	}
}

func TestVersionOf(t *testing.T) {
	tests := []struct {
		name       string
		history    []string
		iso, label string
	}{
		{"劳动合同法(2012-12-28).md", []string{"2007年6月29日 …通过", "2012年12月28日 …《关于修改<…>的决定》修正"}, "2012-12-28", "2012年修正"},
		{"law.md", []string{"2007年6月29日 …通过", "2012年12月28日 …修正", "2013年7月1日 施行"}, "2012-12-28", "2012年修正"},
		{"law.md", []string{"2012年4月18日 国务院第200次常务会议通过", "2012年4月28日 中华人民共和国国务院令第619号公布"}, "2012-04-28", "2012年公布"},
		{"law.md", []string{"2011年12月23日 …通过"}, "2011-12-23", "2011年通过"},
		{"x(2010-12-20).md", []string{"2003年4月27日 …公布"}, "2010-12-20", "2010年版"},
		{"law.md", nil, "", ""},
	}
	for _, tt := range tests {
		iso, label := versionOf(tt.name, tt.history)
		if iso != tt.iso || label != tt.label {
			t.Errorf("versionOf(%q, %q) = %q %q, want %q %q", tt.name, tt.history, iso, label, tt.iso, tt.label)
		}
	}
}

func TestSplitHistory(t *testing.T) {
	got := splitHistory("（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过　根据2012年12月28日第十一届全国人民代表大会常务委员会第三十次会议《关于修改〈中华人民共和国劳动合同法〉的决定》修正）")
	if len(got) != 2 || !strings.HasSuffix(got[0], "通过") || !strings.HasPrefix(got[1], "根据2012年12月28日") {
		t.Errorf("splitHistory = %q", got)
	}
}

func TestShortTitle(t *testing.T) {
	for in, want := range map[string]string{
		"中华人民共和国劳动合同法":        "劳动合同法",
		"中华人民共和国劳动法（2018年修正）": "劳动法",
		"《工伤保险条例》":            "工伤保险条例",
		"中华人民共和国":             "中华人民共和国",
	} {
		if got := shortTitle(in); got != want {
			t.Errorf("shortTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindDate(t *testing.T) {
	for in, want := range map[string]string{
		"2007年6月29日 第十届…通过": "2007-06-29",
		"一九九四年十二月六日":        "1994-12-06",
		"二〇二四年三月五日印发":       "2024-03-05",
		"发布于2024-03-05":     "2024-03-05",
		"2024.3.5":          "2024-03-05",
		"第十三条 本规定自公布之日起施行":  "",
	} {
		got, _, _ := findDate(in)
		if got != want {
			t.Errorf("findDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArticleStart(t *testing.T) {
	tests := []struct {
		in    string
		label string
		n     int
		ok    bool
	}{
		{"第十九条 劳动合同期限三个月以上", "第十九条", 19, true},
		{"第一百零二条　用人单位", "第一百零二条", 102, true},
		{"第十条劳动者", "第十条", 10, true},
		{"第十条之一 新增", "第十条之一", 10, true},
		{"第三十九条规定的情形", "", 0, false},
		{"第二十条、第二十一条", "", 0, false},
		{"第二章 劳动合同的订立", "", 0, false},
	}
	for _, tt := range tests {
		label, n, _, ok := articleStart(tt.in)
		if label != tt.label || n != tt.n || ok != tt.ok {
			t.Errorf("articleStart(%q) = %q %d %v, want %q %d %v", tt.in, label, n, ok, tt.label, tt.n, tt.ok)
		}
	}
}

// TestReportNotWrapped: paragraph-per-line text is never taken for hard
// wrapping, so the report's passages stay as they were.
func TestReportNotWrapped(t *testing.T) {
	docs, _, err := Load(Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := wrapWidth(bodyLines(docs[0].Body)); w != 0 {
		t.Errorf("the report looks hard-wrapped at %d", w)
	}
	if docs[0].Kind != KindReport {
		t.Errorf("the report is a %q", docs[0].Kind)
	}
}

func TestBodyLinesJoinsWraps(t *testing.T) {
	body := "各级工会要把活动作为为职工办实事的重要内容，\n明确专人负责。\n\n二、资助标准\n"
	got := bodyLines(body)
	if len(got) != 2 || got[0].text != "各级工会要把活动作为为职工办实事的重要内容，明确专人负责。" || got[1].text != "二、资助标准" {
		t.Errorf("bodyLines = %+v", got)
	}
}

func TestMerge(t *testing.T) {
	own := []Document{{ID: "law-labor", Title: "our own"}, {ID: "20240501-3fa9"}}
	builtin := []Document{{ID: "law-labor", Title: "劳动法", Builtin: true}, {ID: "law-trade-union", Builtin: true}}
	docs, skipped := Merge(own, builtin)
	if len(docs) != 3 || len(skipped) != 1 || docs[0].ID != "20240501-3fa9" || docs[1].Title != "our own" || docs[2].ID != "law-trade-union" {
		t.Errorf("Merge = %+v, skipped %v", docs, skipped)
	}
}

// TestRedHeaderAndRunningHeader: an official document's red header
// (兰州市总工会文件), on the first page and running on later ones, is neither
// its title nor text; the issuer line above the history is metadata.
func TestRedHeaderAndRunningHeader(t *testing.T) {
	text := "兰州市总工会文件\n兰州市职工疗休养管理办法（试行）\n兰州市总工会\n（2023年12月20日市总工会常委会通过）\n第一章 总则\n" +
		"第一条 为做好职工疗休养工作，制定本办法。\n第二条 疗休养每期一般为5至7天。\n兰州市总工会文件\n第三条 疗休养期间视同出勤。\n"
	d, err := Parse("liaoyang.txt", []byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "兰州市职工疗休养管理办法（试行）" || d.Kind != KindLaw || d.Issuer != "兰州市总工会" || d.VersionLabel != "2023年通过" {
		t.Errorf("document = %+v", d)
	}
	ps := Split(d)
	if len(ps) != 3 || ps[0].Place != "第一条" || ps[0].Heading != "第一章 总则" {
		t.Fatalf("passages at %v", placesOf(ps))
	}
	for _, p := range ps {
		if strings.Contains(p.Text, "文件") || strings.Contains(p.Text, "兰州市总工会\n") {
			t.Errorf("header in passage %s: %q", p.Place, p.Text)
		}
	}
}

func TestHistoryLinesLoseTheNextOnesGenju(t *testing.T) {
	d, err := Parse("x(2011-11-29).md", []byte("# 重庆市工会条例\n\n2006年9月29日重庆市第二届人民代表大会常务委员会第二十六会议修订  根据\n\n2011年11月25日 …第三次修正\n\n<!-- INFO END -->\n\n第一条 为保障工会依法行使权利，制定本条例。\n\n第二条 本条例适用于本市。\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.History) != 2 || strings.HasSuffix(d.History[0], "根据") {
		t.Errorf("history %q", d.History)
	}
}
