package lexicon

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func mustDefault(t testing.TB) *Lexicon {
	t.Helper()
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// prepare folds a member's sentence as the caller does before Match: NFKC
// and lower case (cleanLine), then dialect folding.
func prepare(l *Lexicon, s string) string { return l.FoldDialect(cleanLine(s)) }

func hits(ms []Match, concept int) bool {
	return slices.ContainsFunc(ms, func(m Match) bool { return m.Concept == concept })
}

// TestExamplesTrigger is the per-concept test: every example written on a
// concept's line must trigger that concept.
func TestExamplesTrigger(t *testing.T) {
	l := mustDefault(t)
	viaMember, total := 0, 0
	for i, c := range l.concepts {
		if len(c.examples) == 0 {
			t.Errorf("line %d %s: no examples", c.line, c.name)
		}
		for _, e := range c.examples {
			total++
			ms := l.Match(prepare(l, e))
			if !hits(ms, i) {
				var got []string
				for _, m := range Dominant(ms) {
					got = append(got, m.Name+"("+m.Word+")")
				}
				t.Errorf("line %d %s: example %q does not trigger it; got %v", c.line, c.name, e, got)
				continue
			}
			if slices.ContainsFunc(ms, func(m Match) bool { return m.Concept == i && m.Kind == MemberWord }) {
				viaMember++
			}
		}
	}
	t.Logf("%d examples, %d of them through a member word", total, viaMember)
}

// docText is the built-in documents, folded as a caller would (NFKC, lower
// case) and without white space, so hard-wrapped lines join.
func docText(t *testing.T) string {
	t.Helper()
	var files []string
	for _, g := range []string{"../../corpus/laws/*.md", "../../corpus/default/*.md"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found %d built-in documents, want the laws and the report", len(files))
	}
	var b strings.Builder
	for _, f := range files {
		if filepath.Base(f) == "README.md" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	s := strings.ToLower(norm.NFKC.String(b.String()))
	return regexp.MustCompile(`\s+`).ReplaceAllString(s, "")
}

// TestDocTermsOccur holds the document side to the documents' real wording:
// a term without * occurs in the built-in documents, a term with * (notice
// and local-regulation wording) does not.
func TestDocTermsOccur(t *testing.T) {
	l := mustDefault(t)
	docs := docText(t)
	terms, notice := 0, 0
	for _, c := range l.concepts {
		for _, tm := range c.terms {
			terms++
			in := strings.Contains(docs, tm.text)
			switch {
			case tm.notice:
				notice++
				if in {
					t.Errorf("line %d: %q is marked * but occurs in the built-in documents", c.line, tm.text)
				}
			case !in:
				t.Errorf("line %d: document term %q does not occur in the built-in documents (mark it * if it is notice wording)", c.line, tm.text)
			}
		}
	}
	t.Logf("%d document terms, %d occur in the built-in documents, %d marked * (notice and regulation wording) do not", terms, terms-notice, notice)
}

// TestMemberWordsDistinct rejects a member word in two concepts, or equal to
// another concept's document term, unless every occurrence is marked &; and
// rejects & where the word is not shared, and single-character words.
func TestMemberWordsDistinct(t *testing.T) {
	l := mustDefault(t)
	type use struct {
		concept int
		shared  bool
		doc     bool
	}
	uses := map[string][]use{}
	for i, c := range l.concepts {
		for _, tm := range c.terms {
			uses[tm.text] = append(uses[tm.text], use{concept: i, doc: true})
		}
		for _, w := range c.words {
			uses[w.text] = append(uses[w.text], use{concept: i, shared: w.shared})
			if utf8.RuneCountInString(w.text) < 2 {
				t.Errorf("line %d: member word %q is a single character", c.line, w.text)
			}
		}
	}
	shared := 0
	for w, us := range uses {
		concepts := map[int]bool{}
		member, unmarked := false, false
		for _, u := range us {
			concepts[u.concept] = true
			if !u.doc {
				member = true
				if !u.shared {
					unmarked = true
				}
			}
		}
		if !member {
			continue
		}
		var names []string
		for _, u := range us {
			names = append(names, l.concepts[u.concept].name)
		}
		switch {
		case len(concepts) > 1 && unmarked:
			t.Errorf("member word %q is in several concepts %v without &", w, names)
		case len(concepts) == 1 && !unmarked:
			t.Errorf("member word %q is marked & but only in %v", w, names)
		case len(concepts) > 1:
			shared++
		}
	}
	t.Logf("%d member words deliberately shared (&)", shared)
}

// commonWords hold the characters of folding variants in words where they
// mean something else, or where a variant's characters meet by chance; the
// folding must leave them alone.
var commonWords = []string{
	"咋舌", "咋呼", "阿拉伯", "阿拉善", "娃娃机", "娃哈哈", "没得到", "没得罪", "没得说", "不造成", "不造假",
	"配偶", "偶尔", "偶然", "金额", "名额", "额度", "限额", "代表要求", "感冒得了",
	"怎么样", "怎么整理材料", "要点解读", "因为毛巾", "那么子公司", "怎么有人", "很多钱", "周边度假",
	"没多会儿", "儿媳妇", "女娲", "晓之以理", "几时几分", "多会", "啥", // 啥 and 几时 fold on purpose: checked below
}

func TestFoldingLeavesCommonWords(t *testing.T) {
	l := mustDefault(t)
	for _, w := range commonWords {
		got := l.FoldDialect(w)
		switch w {
		case "啥":
			if got != "什么" {
				t.Errorf("FoldDialect(%q) = %q, want 什么", w, got)
			}
		case "几时几分":
			if got != "什么时候几分" {
				t.Errorf("FoldDialect(%q) = %q", w, got)
			}
		default:
			if got != w {
				t.Errorf("FoldDialect(%q) = %q, want it unchanged", w, got)
			}
		}
	}
}

// TestFoldingLeavesDocuments checks that no folding rewrite touches the
// built-in documents or any document term: folding is for members' speech.
func TestFoldingLeavesDocuments(t *testing.T) {
	l := mustDefault(t)
	docs := docText(t)
	if got := l.FoldDialect(docs); got != docs {
		for i := range min(len(got), len(docs)) {
			if got[i] != docs[i] {
				lo := max(0, i-30)
				t.Fatalf("folding changes the documents near %q", docs[lo:min(len(docs), i+30)])
			}
		}
		t.Fatal("folding changes the documents")
	}
	for _, c := range l.concepts {
		for _, tm := range c.terms {
			if got := l.FoldDialect(tm.text); got != tm.text {
				t.Errorf("line %d: folding changes document term %q to %q", c.line, tm.text, got)
			}
		}
	}
}

func TestFoldDialect(t *testing.T) {
	l := mustDefault(t)
	for _, tc := range []struct{ in, want string }{
		{"俺家娃咋办", "我家孩子怎么办"},
		{"咱们厂", "我们厂"},
		{"咱单位不给交社保", "我单位不给交社保"},
		{"这事咋整", "这事怎么办"},
		{"为啥不给钱", "为什么不给钱"},
		{"啥子时候发工资", "什么时候发工资"},
		{"啥时发工资", "什么时候发工资"},
		{"我木有签合同", "我没有签合同"},
		{"工资冇发", "工资没有发"},
		{"我不晓得", "我不知道"},
		{"没得到补偿", "没得到补偿"},
		{"尕娃上学", "孩子上学"},
		{"俺闺女", "我女儿"},
		{"咋个整理材料", "怎么整理材料"},
		{"人多咱们就排队", "人多我们就排队"},
		{"plain text", "plain text"},
		{"", ""},
	} {
		if got := l.FoldDialect(tc.in); got != tc.want {
			t.Errorf("FoldDialect(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFoldDialectNoAllocWhenUnchanged(t *testing.T) {
	l := mustDefault(t)
	s := "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。"
	if n := testing.AllocsPerRun(100, func() { _ = l.FoldDialect(s) }); n != 0 {
		t.Errorf("FoldDialect allocates %v times on text without variants", n)
	}
}

func find(ms []Match, word string) (Match, bool) {
	for _, m := range ms {
		if m.Word == word {
			return m, true
		}
	}
	return Match{}, false
}

func TestMatchGapped(t *testing.T) {
	lex := `## test
创业 | 开店 做生意 | 开店
订立劳动合同 | 签合同 | 签合同
年休假 | 年假= | 年假
劳动合同 | 合同 | 合同
女职工 | 女工 | 女工
劳动保护 | 劳保 | 劳保
职业技能鉴定 | 考证 | 考证
特种作业人员 | 电工证 | 电工证
小店* | 小店 | 小店
扣押* | 扣身份证 | 扣身份证
`
	l, err := Parse(lex, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text, word string
		ok, gapped bool
		start, end int
	}{
		{"想开店", "开店", true, false, 1, 3},
		{"想开个小店", "开店", true, true, 1, 5},
		{"签了个合同", "签合同", true, true, 0, 5},
		{"签了合同", "签合同", true, true, 0, 4},
		{"做点小生意", "做生意", true, true, 0, 5},
		{"开了三家小店", "开店", false, false, 0, 0}, // three inserted
		{"开个，店", "开店", false, false, 0, 0},   // punctuation
		{"开ab店", "开店", false, false, 0, 0},   // not Han
		{"年个假", "年假", false, false, 0, 0},    // = forbids gaps
		{"开店开了店", "开店", true, false, 0, 2},   // exact first
		{"签签合同", "签合同", true, false, 1, 4},   // exact inside the gapped span
		{"合同", "合同", true, false, 0, 2},
		{"女职工", "女工", false, false, 0, 0},  // 职 belongs with 女 in 女职工
		{"考电工证", "考证", false, false, 0, 0}, // 电工 is not a filler
		{"考个证", "考证", true, true, 0, 3},
		{"开个小店", "开店", true, true, 0, 4}, // 小店 begins in the gap
		{"劳动保障", "劳保", false, false, 0, 0},
		{"我们女职工的女工", "女工", true, false, 6, 8}, // only the exact one
		{"扣我的身份证", "扣身份证", true, true, 0, 6},  // a longer word, too
	} {
		ms := l.Match(tc.text)
		m, ok := find(ms, tc.word)
		if ok != tc.ok {
			t.Errorf("%q: found %s = %v, want %v (%+v)", tc.text, tc.word, ok, tc.ok, ms)
			continue
		}
		if !ok {
			continue
		}
		if m.Gapped != tc.gapped || m.Start != tc.start || m.End != tc.end || m.Kind != MemberWord {
			t.Errorf("%q: got %+v, want gapped=%v [%d,%d)", tc.text, m, tc.gapped, tc.start, tc.end)
		}
		for _, o := range ms {
			if o.Word == tc.word && o.Gapped && o.Start == m.Start && !tc.gapped {
				t.Errorf("%q: gapped %s reported beside the exact one: %+v", tc.text, tc.word, o)
			}
		}
	}
}

func TestMatchOffsetsAndKinds(t *testing.T) {
	l := mustDefault(t)
	text := prepare(l, "老板把俺炒鱿鱼了，能要经济补偿吗？")
	ms := l.Match(text)
	runes := []rune(text)
	for _, m := range ms {
		if !m.Gapped && string(runes[m.Start:m.End]) != m.Word {
			t.Errorf("match %+v: text there is %q", m, string(runes[m.Start:m.End]))
		}
	}
	fire, ok := find(ms, "炒鱿鱼")
	if !ok || fire.Kind != MemberWord || fire.Name != "解除劳动合同" {
		t.Errorf("炒鱿鱼: got %+v", fire)
	}
	comp, ok := find(ms, "经济补偿")
	if !ok || comp.Kind != DocTerm || comp.Name != "经济补偿" {
		t.Errorf("经济补偿: got %+v", comp)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Start < ms[i-1].Start {
			t.Errorf("matches not sorted by start: %+v", ms)
		}
	}
}

func TestMatchLatinBoundary(t *testing.T) {
	l, err := Parse("延长工作时间 | 996 ot | 996", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		n    int
	}{
		{"公司996合法吗", 1}, {"19960元", 0}, {"robot", 0}, {"加班ot费", 1}, {"ot", 1}, {"996和ot", 2},
	} {
		if got := len(l.Match(tc.text)); got != tc.n {
			t.Errorf("%q: %d matches, want %d", tc.text, got, tc.n)
		}
	}
}

func TestMatchOverlapping(t *testing.T) {
	// Aho–Corasick must report words inside words and words sharing suffixes.
	l, err := Parse("a | 劳动合同 | x\nb | 解除劳动合同 | x\nc | 合同 | x\nd | 动合 | x", "")
	if err != nil {
		t.Fatal(err)
	}
	ms := l.Match("解除劳动合同")
	var words []string
	for _, m := range ms {
		words = append(words, m.Word)
	}
	slices.Sort(words)
	want := []string{"劳动合同", "动合", "合同", "解除劳动合同"}
	slices.Sort(want)
	if !slices.Equal(words, want) {
		t.Errorf("got %v, want %v", words, want)
	}
	d := Dominant(ms)
	if len(d) != 1 || d[0].Word != "解除劳动合同" {
		t.Errorf("Dominant = %+v", d)
	}
}

func TestDominantPrefersExact(t *testing.T) {
	ms := []Match{
		{Concept: 0, Word: "签合同", Start: 0, End: 5, Gapped: true},
		{Concept: 1, Word: "合同", Start: 3, End: 5},
		{Concept: 2, Word: "男的产假", Start: 6, End: 10},
		{Concept: 3, Word: "产假", Start: 8, End: 10},
	}
	d := Dominant(ms)
	var words []string
	for _, m := range d {
		words = append(words, m.Word)
	}
	if want := []string{"签合同", "男的产假"}; !slices.Equal(words, want) {
		t.Errorf("Dominant kept %v, want %v", words, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, lex, fold string
		src             string
		line            int
	}{
		{"one field", "# c\n\n工资 工钱\n", "", "lexicon", 3},
		{"four fields", "工资 | 工钱 | x | y", "", "lexicon", 1},
		{"no term", " | 工钱 | x", "", "lexicon", 1},
		{"star on member", "工资 | 工钱* | x", "", "lexicon", 1},
		{"marker inside term", "工*资 | 工钱 | x", "", "lexicon", 1},
		{"empty term", "* | 工钱 | x", "", "lexicon", 1},
		{"comma in member", "工资 | 工钱、薪水 | x", "", "lexicon", 1},
		{"duplicate concept", "工资 | 工钱\n# x\n工资 | 薪水", "", "lexicon", 3},
		{"too long", "工资 | " + strings.Repeat("钱", 30), "", "lexicon", 1},
		{"fold no bar", "", "我 俺", "folding", 1},
		{"fold empty", "", "我 |", "folding", 1},
		{"fold twice", "", "我 | 俺\n\n我们 | 俺", "folding", 3},
		{"fold self", "", "我 | 我", "folding", 1},
	} {
		_, err := Parse(tc.lex, tc.fold)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: got %v, want a SyntaxError", tc.name, err)
			continue
		}
		if se.Source != tc.src || se.Line != tc.line {
			t.Errorf("%s: got %v, want %s line %d", tc.name, err, tc.src, tc.line)
		}
	}
}

func TestParseFormsAndMarkers(t *testing.T) {
	// Full-width bars and semicolons, a BOM, CRLF, upper-case Latin and a
	// dialect member word are all read as an operator would mean them.
	l, err := Parse("\ufeff## 工资\r\n加班费 延长工作时间的工资报酬* ｜ 加班钱 OT费 咋算加班费= ｜ 加班钱多少；ot费呢\r\n", "怎么 | 咋")
	if err != nil {
		t.Fatal(err)
	}
	c, i, ok := l.Lookup("加班费")
	if !ok || i != 0 || c.Domain != "工资" {
		t.Fatalf("Lookup = %+v %d %v", c, i, ok)
	}
	if want := []string{"加班钱", "ot费", "怎么算加班费"}; !slices.Equal(c.Words, want) {
		t.Errorf("words %v, want %v", c.Words, want)
	}
	if want := []string{"加班钱多少", "ot费呢"}; !slices.Equal(c.Examples, want) {
		t.Errorf("examples %v, want %v", c.Examples, want)
	}
	if !l.concepts[0].terms[1].notice || !l.concepts[0].words[2].exact {
		t.Errorf("markers lost: %+v", l.concepts[0])
	}
}

func TestExtend(t *testing.T) {
	l := mustDefault(t)
	n := l.Len()
	_, ci, ok := l.Lookup("解除劳动合同")
	if !ok {
		t.Fatal("no 解除劳动合同")
	}
	if hits(l.Match("被老板踢出群聊"), ci) {
		t.Fatal("踢出群聊 already matches")
	}
	extra := "# our union's words\n解除劳动合同 | 踢出群聊 | 被老板踢出群聊\n## 本会\n爱心车队* | 顺风车 拼车回家 | 过年有拼车回家的吗\n"
	if err := l.Extend(extra); err != nil {
		t.Fatal(err)
	}
	if l.Len() != n+1 {
		t.Errorf("Len = %d, want %d", l.Len(), n+1)
	}
	if !hits(l.Match("被老板踢出群聊"), ci) {
		t.Error("extended word does not match")
	}
	c, ni, ok := l.Lookup("爱心车队")
	if !ok || c.Domain != "本会" || !hits(l.Match("拼车回家"), ni) {
		t.Errorf("new concept: %+v %v", c, ok)
	}
	if c := l.Concepts()[ci]; !slices.Contains(c.Examples, "被老板踢出群聊") || c.Terms[0] != "解除劳动合同" {
		t.Errorf("merged concept: %+v", c)
	}

	// A bad file changes nothing.
	before := l.Concepts()
	err := l.Extend("工资 | 薪水\n坏行\n")
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 || se.Source != "extra" {
		t.Errorf("got %v, want extra line 2", err)
	}
	if !slices.EqualFunc(before, l.Concepts(), func(a, b Concept) bool { return slices.Equal(a.Words, b.Words) }) {
		t.Error("a failed Extend changed the lexicon")
	}

	path := filepath.Join(t.TempDir(), "extra.txt")
	if err := os.WriteFile(path, []byte("工资 | 银子钱 | 银子钱咋算"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.ExtendFile(path); err != nil {
		t.Fatal(err)
	}
	_, wi, _ := l.Lookup("工资")
	if !hits(l.Match("银子钱"), wi) {
		t.Error("ExtendFile word does not match")
	}
	if err := l.ExtendFile(filepath.Join(t.TempDir(), "missing.txt")); err == nil {
		t.Error("ExtendFile on a missing file: no error")
	}
	if err := os.WriteFile(path, []byte("\n\n坏行"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.ExtendFile(path); err == nil || !strings.Contains(err.Error(), path+" line 3") {
		t.Errorf("ExtendFile error %v does not name the file and line", err)
	}
}

func TestMatchAllocations(t *testing.T) {
	l := mustDefault(t)
	text := prepare(l, "我签了三年合同，试用期最长能定多久？公司说试岗半年不算钱，咱也不懂")
	buf := l.AppendMatches(nil, text)
	if len(buf) == 0 {
		t.Fatal("no matches")
	}
	if n := testing.AllocsPerRun(100, func() { buf = l.AppendMatches(buf[:0], text) }); n != 0 {
		t.Errorf("AppendMatches allocates %v times with a reused slice", n)
	}
}

// TestStats logs the lexicon's size (go test -run Stats -v).
func TestStats(t *testing.T) {
	l := mustDefault(t)
	words, terms, domains := 0, 0, map[string]int{}
	for _, c := range l.concepts {
		words += len(c.words)
		terms += len(c.terms)
		domains[c.domain]++
	}
	t.Logf("%d concepts in %d domains, %d document terms, %d member words, %d folding entries",
		len(l.concepts), len(domains), terms, words, len(l.fold.targets))
	if len(l.concepts) < 250 {
		t.Errorf("only %d concepts", len(l.concepts))
	}
}

func FuzzParse(f *testing.F) {
	f.Add("工资 劳动报酬 | 工钱 薪水= 欠钱& | 工钱咋算；薪水", "怎么 | 咋\n= | 咋舌", "俺的工钱咋算")
	f.Add("## x\n# c\na* | b= c& |", "", "abc")
	f.Add("a | | ", "x | y z", "")
	f.Add(builtinLexicon[:2000], builtinFolding, "开个小店签了个合同")
	f.Fuzz(func(t *testing.T, lex, fold, text string) {
		l, err := Parse(lex, fold)
		if err != nil {
			return
		}
		checkMatches(t, l, l.FoldDialect(text))
		_ = l.Concepts()
	})
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"老板把俺炒鱿鱼了，咋办？", "开个小店", "签了个合同", "n+1和2n", "996ot", "\xff\xfe咋", ""} {
		f.Add(s)
	}
	l := mustDefault(f)
	f.Fuzz(func(t *testing.T, text string) {
		folded := l.FoldDialect(text)
		if utf8.ValidString(text) && !utf8.ValidString(folded) {
			t.Fatalf("FoldDialect(%q) = %q is not valid UTF-8", text, folded)
		}
		checkMatches(t, l, folded)
		checkMatches(t, l, text)
	})
}

// checkMatches asserts what every Match must satisfy: offsets in range, the
// word standing there exactly, or for a gapped match its characters in order
// with at most MaxGap Han characters between them.
func checkMatches(t *testing.T, l *Lexicon, text string) {
	t.Helper()
	runes := []rune(text)
	for _, m := range l.Match(text) {
		if m.Start < 0 || m.End > len(runes) || m.Start >= m.End || m.Concept < 0 || m.Concept >= l.Len() {
			t.Fatalf("%q: bad match %+v", text, m)
		}
		span := runes[m.Start:m.End]
		w := []rune(m.Word)
		if !m.Gapped {
			if string(span) != m.Word {
				t.Fatalf("%q: match %+v spans %q", text, m, string(span))
			}
			continue
		}
		if len(span) <= len(w) || len(span) > len(w)+MaxGap || span[0] != w[0] || span[len(span)-1] != w[len(w)-1] {
			t.Fatalf("%q: gapped match %+v spans %q", text, m, string(span))
		}
		j := 0
		for _, r := range span {
			if j < len(w) && r == w[j] {
				j++
			}
		}
		if j != len(w) {
			t.Fatalf("%q: gapped match %+v: %q does not hold the word in order", text, m, string(span))
		}
	}
}

// An age a member states matches the concept whose age range holds it.
func TestAgeBands(t *testing.T) {
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"隔壁作坊招了个15岁的娃干活": "童工",
		"我家孩子十四周岁":       "童工",
		"儿子17岁了想进厂":      "未成年工",
		"我今年25岁":         "",
		"干了15年":          "",
	} {
		got := ""
		for _, m := range l.Match(l.FoldDialect(text)) {
			if m.Name == "童工" || m.Name == "未成年工" {
				got = m.Name
			}
		}
		if got != want {
			t.Errorf("%s: age concept %q, want %q", text, got, want)
		}
	}
	// The person the age is told of is that concept's too, not another's
	// (孩子 as 子女).
	for _, text := range []string{"饭馆招了个15岁的孩子洗碗", "十四岁小孩能进厂打工吗"} {
		for _, m := range Dominant(l.Match(l.FoldDialect(text))) {
			if m.Name == "子女" {
				t.Errorf("%s: the child is read as 子女: %+v", text, m)
			}
		}
	}
	for _, bad := range []string{"{岁<x}", "{岁18-16}", "{岁16}", "{岁<16"} {
		if _, err := Parse("测试 | "+bad, ""); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
