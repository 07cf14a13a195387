package rag

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/gonghui/qa/corpus"
)

//go:embed thesaurus.txt
var defaultThesaurus string

// stopPhrases are question words and particles that carry no topic: they are
// cut out of a question before it is turned into search terms, so that 吗 or
// 多少 neither match nor count against coverage. Longest first.
var stopPhrases = []string{
	// Question words.
	"可不可以", "能不能", "有没有", "是不是", "会不会", "多不多", "好不好", "行不行", "过没有", "了没有", "没有",
	"请问一下", "请问", "想问一下", "想问", "问一下", "想知道", "知道", "告诉我",
	"多少钱", "多少", "什么样", "什么时候", "什么", "怎么样", "怎么办", "怎么", "怎样", "如何", "为什么", "为啥",
	"哪些", "哪里", "哪儿", "去哪儿", "去哪", "上哪儿", "上哪", "哪个", "哪家", "多久", "多长", "几个", "几家", "几次", "几回", "几年", "几名", "几人",
	// Everyday filler that names no topic.
	"一共", "总共", "总计", "一下", "咱们", "我们", "你们", "他们", "大家", "人家", "自己",
	"这个", "那个", "这些", "那些", "这种", "那种", "这样", "那样", "这块", "这边", "那边", "这里", "那里",
	"这些年", "这几年", "那几年", "现在", "目前", "如今", "已经", "曾经", "一直", "到底", "究竟", "大概", "大约",
	"具体", "一般", "平时", "之类", "什么的", "啥的", "东西", "事情", "事儿", "的话", "是否", "可以", "能够",
	"应该", "需要", "打算", "想要", "还是", "或者", "而且", "但是", "不过", "所以", "因为", "如果", "要是",
	"搞过", "办过", "有过", "做过", "弄过", "搞", "弄", "啥", "咋", "谁",
	"一起", "身边", "这么", "那么", "多么", "怎么回事", "出来", "起来", "下来", "上来", "过来",
	"的时候", "有时候", "时候", "找个地方", "什么地方", "这种地方", "那种地方", "有个地方",
	// Particles, pronouns and function words. A single character is cut only
	// where it does not form a word of the corpus with its neighbour (就业,
	// 技能, 和谐 and 了解 stay whole): see Analyzer.Prepare.
	"吗", "呢", "吧", "啊", "呀", "嘛", "哦", "啦", "哈", "么", "嘞", "咯", "呗", "的", "了", "着", "过",
	"是", "我", "你", "您", "他", "她", "它", "几", "还", "都", "也", "就", "很", "挺", "太", "又", "再",
	"有", "去", "在", "给", "被", "把", "让", "跟", "和", "与", "从", "向", "往", "到", "对", "能", "要", "想", "说",
}

// particles are cut even where they touch a corpus word: in a question they
// are grammar, not the start of a word (建了, 好的).
var particles = map[rune]bool{'吗': true, '呢': true, '吧': true, '啊': true, '呀': true, '嘛': true, '哦': true,
	'啦': true, '哈': true, '么': true, '嘞': true, '咯': true, '呗': true, '的': true, '了': true, '着': true}

// Analyzer turns text into search terms: folded (NFKC, 繁→简, lower case),
// then Chinese runs into character bigrams, and Latin words and numbers
// (54.27 stays whole) into single terms. It also expands questions with the
// domain thesaurus. It is safe for concurrent use.
type Analyzer struct {
	folder    *corpus.Folder
	thesaurus []synonym
	stopSet   map[string]bool
	stopMax   int // longest stop phrase, in runes
}

// synonym is one thesaurus entry: when a question contains any of words, the
// report's terms are searched too.
type synonym struct {
	terms []string
	words []string
}

// NewAnalyzer builds an analyzer with the thesaurus given in the format of
// rag/thesaurus.txt ("report terms = everyday words"); "" means the built-in one.
func NewAnalyzer(folder *corpus.Folder, thesaurus string) (*Analyzer, error) {
	if thesaurus == "" {
		thesaurus = defaultThesaurus
	}
	a := &Analyzer{folder: folder}
	sc := bufio.NewScanner(strings.NewReader(thesaurus))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if i := strings.Index(text, "#"); i >= 0 {
			text = strings.TrimSpace(text[:i])
		}
		if text == "" {
			continue
		}
		left, right, ok := strings.Cut(text, "=")
		if !ok {
			return nil, fmt.Errorf("thesaurus line %d: want \"terms = words\", got %q", line, text)
		}
		s := synonym{terms: strings.Fields(folder.Fold(left)), words: strings.Fields(folder.Fold(right))}
		if len(s.terms) == 0 || len(s.words) == 0 {
			return nil, fmt.Errorf("thesaurus line %d: empty side in %q", line, text)
		}
		a.thesaurus = append(a.thesaurus, s)
	}
	a.stopSet = map[string]bool{}
	for _, p := range stopPhrases {
		a.stopSet[p] = true
		a.stopMax = max(a.stopMax, len([]rune(p)))
	}
	return a, nil
}

// Fold is the matching form of text (see corpus.Folder).
func (a *Analyzer) Fold(s string) string { return a.folder.Fold(s) }

// Terms splits folded text into search terms, in order, with repeats.
func Terms(folded string) []string {
	var out []string
	var run []rune // current Chinese run
	flushRun := func() {
		if len(run) == 1 {
			out = append(out, string(run))
		}
		for i := 0; i+1 < len(run); i++ {
			out = append(out, string(run[i:i+2]))
			if i+2 < len(run) {
				out = append(out, string(run[i:i+3]))
			}
		}
		run = run[:0]
	}
	rs := []rune(folded)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.Is(unicode.Han, r):
			run = append(run, r)
			i++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushRun()
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) && !unicode.Is(unicode.Han, rs[j]) || unicode.IsDigit(rs[j]) ||
				(rs[j] == '.' && j > i && j+1 < len(rs) && unicode.IsDigit(rs[j-1]) && unicode.IsDigit(rs[j+1]))) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		default:
			flushRun()
			i++
		}
	}
	flushRun()
	return out
}

// Query is a question prepared for retrieval.
type Query struct {
	// Raw is the question folded, before stop words are cut.
	Raw string
	// Folded is the question in matching form, with stop words cut out.
	Folded string
	// Terms are the question's own search terms.
	Terms []string
	// Expanded are terms added by the thesaurus and by number forms.
	Expanded []string
	// units are the question's content characters (and Latin or number
	// tokens), for judging how much of the question a passage covers.
	units []unit
	// synonyms[i] are the report terms of the i-th thesaurus entry the
	// question triggered.
	synonyms [][]string
}

// unit is one content character of a question, with what would cover it.
type unit struct {
	r          rune
	prev, next string // bigrams with its neighbours in the same run, or ""
	token      string // a Latin word or number as a whole ("" for Chinese)
	syn        []int  // thesaurus entries whose everyday word spans it
}

// EmbedText is the text the dense embedding sees for the query.
func (q Query) EmbedText() string {
	return q.Folded + " " + strings.Join(q.Expanded, " ")
}

// Prepare folds a question, cuts stop words, and expands it with the
// thesaurus and the Arabic forms of Chinese numbers. known reports whether a
// bigram occurs in the corpus: a one-character stop word that forms a corpus
// word with a neighbour is kept (就 in 就业); nil keeps none.
func (a *Analyzer) Prepare(question string, known func(string) bool) Query {
	folded := a.folder.Fold(question)
	q := Query{Raw: folded}
	rs := []rune(folded)
	// Thesaurus first, on the question as typed (its words may hold stop
	// characters, e.g. 写的信).
	synAt := make([][]int, len(rs))
	// A member who writes a report term (母婴休息室) means that term: an
	// everyday word inside it (休息室) does not trigger another entry.
	literal := make([][]int, len(rs)) // entries whose report terms cover the rune
	for k, s := range a.thesaurus {
		for _, t := range s.terms {
			tr := []rune(t)
			for i := 0; i+len(tr) <= len(rs); i++ {
				if len(tr) > 1 && string(rs[i:i+len(tr)]) == t {
					for j := i; j < i+len(tr); j++ {
						literal[j] = append(literal[j], k)
					}
				}
			}
		}
	}
	// inside reports whether runes [i, i+n) all lie in report terms of
	// entries other than k.
	inside := func(k, i, n int) bool {
		for j := i; j < i+n; j++ {
			if len(literal[j]) == 0 || slices.Contains(literal[j], k) {
				return false
			}
		}
		return true
	}
	var expansions []string
	for k, s := range a.thesaurus {
		hit := false
		for _, w := range s.words {
			wr := []rune(w)
			for i := 0; i+len(wr) <= len(rs); i++ {
				if string(rs[i:i+len(wr)]) != w || inside(k, i, len(wr)) {
					continue
				}
				if !hit {
					hit = true
					q.synonyms = append(q.synonyms, s.terms)
					expansions = append(expansions, s.terms...)
				}
				for k := i; k < i+len(wr); k++ {
					synAt[k] = append(synAt[k], len(q.synonyms)-1)
				}
			}
		}
	}
	for _, nf := range numberForms(folded) {
		q.synonyms = append(q.synonyms, []string{nf.value})
		expansions = append(expansions, nf.value)
		for k := nf.start; k < nf.end; k++ {
			synAt[k] = append(synAt[k], len(q.synonyms)-1)
		}
	}
	// Cut stop words rune for rune, so positions stay aligned with rs:
	// phrases first, then single characters that make no corpus word.
	stopped := append([]rune(nil), rs...)
	var single []int
	for i := 0; i < len(rs); {
		n := a.stopAt(rs[i:])
		switch {
		case n == 0:
			i++
			continue
		case n == 1:
			single = append(single, i)
		default:
			for k := i; k < i+n; k++ {
				stopped[k] = ' '
			}
		}
		i += n
	}
	for _, i := range single {
		keep := known != nil && !particles[rs[i]] && ((i > 0 && stopped[i-1] != ' ' && known(string(rs[i-1:i+1]))) ||
			(i+1 < len(rs) && stopped[i+1] != ' ' && known(string(rs[i:i+2]))))
		if !keep {
			stopped[i] = ' '
		}
	}
	q.Folded = strings.Join(strings.Fields(string(stopped)), " ")
	q.Terms = Terms(q.Folded)
	for _, e := range expansions {
		q.Expanded = append(q.Expanded, Terms(e)...)
	}
	q.units = units(stopped, synAt)
	return q
}

// stopAt is the rune length of the longest stop phrase at the start of rs.
func (a *Analyzer) stopAt(rs []rune) int {
	for n := min(a.stopMax, len(rs)); n > 0; n-- {
		if a.stopSet[string(rs[:n])] {
			return n
		}
	}
	return 0
}

// units lists the content characters of a stopped question.
func units(rs []rune, synAt [][]int) []unit {
	var out []unit
	han := func(i int) bool { return i >= 0 && i < len(rs) && unicode.Is(unicode.Han, rs[i]) }
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.Is(unicode.Han, r):
			u := unit{r: r, syn: synAt[i]}
			if han(i - 1) {
				u.prev = string(rs[i-1 : i+1])
			}
			if han(i + 1) {
				u.next = string(rs[i : i+2])
			}
			out = append(out, u)
			i++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j := i
			var syn []int
			for j < len(rs) && !unicode.Is(unicode.Han, rs[j]) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) ||
				(rs[j] == '.' && j > i && j+1 < len(rs) && unicode.IsDigit(rs[j-1]) && unicode.IsDigit(rs[j+1]))) {
				syn = append(syn, synAt[j]...)
				j++
			}
			out = append(out, unit{r: r, token: string(rs[i:j]), syn: syn})
			i = j
		default:
			i++
		}
	}
	return out
}
