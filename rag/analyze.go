package rag

import (
	"bufio"
	_ "embed"
	"fmt"
	"sort"
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
	"可不可以", "能不能", "有没有", "是不是", "会不会", "请问一下", "请问", "想问一下", "想问", "问一下",
	"多少钱", "多少个", "多少人", "多少", "什么样", "什么时候", "什么", "怎么样", "怎么办", "怎么", "怎样", "如何",
	"哪些", "哪里", "哪儿", "哪个", "哪家", "一共", "总共", "一下", "咱们", "我们", "你们", "他们", "大家",
	"这个", "那个", "这些", "那些", "这种", "那种", "的话", "是否", "可以", "能够", "知道",
	"吗", "呢", "吧", "啊", "呀", "嘛", "哦", "啦", "哈", "么", "的", "了", "是", "我", "你", "他", "她", "啥", "咋", "几", "谁", "还", "都", "也", "就", "么",
}

// Analyzer turns text into search terms: folded (NFKC, 繁→简, lower case),
// then Chinese runs into character bigrams, and Latin words and numbers
// (54.27 stays whole) into single terms. It also expands questions with the
// domain thesaurus. It is safe for concurrent use.
type Analyzer struct {
	folder    *corpus.Folder
	thesaurus []synonym
	stop      *strings.Replacer
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
	pairs := make([]string, 0, 2*len(stopPhrases))
	sorted := append([]string(nil), stopPhrases...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, p := range sorted {
		pairs = append(pairs, p, " ")
	}
	a.stop = strings.NewReplacer(pairs...)
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
	// Folded is the question in matching form, with stop words cut out.
	Folded string
	// Terms are the question's own search terms.
	Terms []string
	// Expanded are terms added by the thesaurus and by number forms.
	Expanded []string
	// Triggers maps a question term covered by a thesaurus word to the report
	// terms that word stands for: the term counts as matched in a passage that
	// has any of them.
	Triggers map[string][]string
}

// EmbedText is the text the dense embedding sees for the query.
func (q Query) EmbedText() string {
	return q.Folded + " " + strings.Join(q.Expanded, " ")
}

// Prepare folds a question, removes stop words, and expands it.
func (a *Analyzer) Prepare(question string) Query {
	folded := a.folder.Fold(question)
	q := Query{Triggers: map[string][]string{}}
	// Thesaurus first, on the question as typed (its words may contain stop
	// characters, e.g. 娃的学费).
	var expansions []string
	for _, s := range a.thesaurus {
		for _, w := range s.words {
			if !strings.Contains(folded, w) {
				continue
			}
			expansions = append(expansions, s.terms...)
			for _, t := range Terms(w) {
				q.Triggers[t] = append(q.Triggers[t], s.terms...)
			}
			break
		}
	}
	expansions = append(expansions, numberForms(folded)...)
	q.Folded = strings.Join(strings.Fields(a.stop.Replace(folded)), " ")
	q.Terms = Terms(q.Folded)
	for _, e := range expansions {
		q.Expanded = append(q.Expanded, Terms(e)...)
	}
	return q
}
