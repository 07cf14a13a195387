package rag

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

//go:embed thesaurus.txt
var defaultThesaurus string

// Analyzer turns text into search terms: folded (NFKC, 繁→简, lower case),
// then Chinese runs into character bigrams, and Latin words and numbers
// (54.27 stays whole) into single terms. It also expands questions with the
// domain thesaurus. It is safe for concurrent use.
type Analyzer struct {
	folder    *zh.Folder
	thesaurus []synonym
}

// synonym is one thesaurus entry: when a question contains any of words, the
// report's terms are searched too.
type synonym struct {
	terms []string
	words []string
}

// NewAnalyzer builds an analyzer with the thesaurus given in the format of
// rag/thesaurus.txt ("report terms = everyday words"); "" means the built-in one.
func NewAnalyzer(folder *zh.Folder, thesaurus string) (*Analyzer, error) {
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
	return a, nil
}

// Fold is the matching form of text (see zh.Folder).
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
		n := zh.StopWordAt(rs[i:])
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
		keep := known != nil && !zh.IsParticle(rs[i]) && ((i > 0 && stopped[i-1] != ' ' && known(string(rs[i-1:i+1]))) ||
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

// numberForm is the Arabic form of the number written at runes [start, end).
type numberForm struct {
	value      string
	start, end int
}

// numberForms returns the Arabic form of the numbers folded text writes in
// Chinese (二十 → 20, 两千 → 2000, 2千 → 2000, 三千五 → 3500), for the question
// to match a document that writes them in digits either way. Numbers below
// 10 are left alone: 一线 and 两节 are words more often than counts.
func numberForms(folded string) []numberForm {
	var out []numberForm
	runes, last := 0, 0 // runes in folded[:last]
	for _, n := range zh.Numbers(folded) {
		if !n.Chinese || n.Enumerator || n.Value < 10 {
			continue
		}
		start := runes + utf8.RuneCountInString(folded[last:n.Start])
		end := start + utf8.RuneCountInString(n.Text)
		runes, last = end, n.End
		out = append(out, numberForm{zh.FormatNumber(n.Value), start, end})
	}
	return out
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
