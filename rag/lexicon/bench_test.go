package lexicon

import (
	"os"
	"strings"
	"testing"
)

// question is 40 characters of a member's everyday question.
const question = "俺在厂里干了五年，老板突然把我炒鱿鱼了，也没签合同，能要双倍工资和补偿吗"

func BenchmarkMatchQuestion(b *testing.B) {
	l := mustDefault(b)
	text := l.FoldDialect(question)
	var buf []Match
	b.ReportAllocs()
	for b.Loop() {
		buf = l.AppendMatches(buf[:0], text)
	}
}

// BenchmarkMatchPassage runs over law passages of about 150 characters, as
// indexing does for every passage.
func BenchmarkMatchPassage(b *testing.B) {
	l := mustDefault(b)
	data, err := os.ReadFile("../../corpus/laws/劳动合同法(2012-12-28).md")
	if err != nil {
		b.Fatal(err)
	}
	_, body, _ := strings.Cut(string(data), "<!-- INFO END -->")
	r := []rune(strings.Join(strings.Fields(body), ""))
	var passages []string
	for len(r) >= 150 {
		passages = append(passages, string(r[:150]))
		r = r[150:]
	}
	if len(passages) == 0 {
		b.Fatal("no passages")
	}
	var buf []Match
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = l.AppendMatches(buf[:0], passages[i%len(passages)])
		i++
	}
}

func BenchmarkFoldDialect(b *testing.B) {
	l := mustDefault(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = l.FoldDialect(question)
	}
}

// BenchmarkDefault builds the embedded lexicon, and reports its size so
// that BENCHMARKS.md quotes it: concepts, document terms, member words and
// folding entries.
func BenchmarkDefault(b *testing.B) {
	b.ReportAllocs()
	var l *Lexicon
	for b.Loop() {
		var err error
		if l, err = Default(); err != nil {
			b.Fatal(err)
		}
	}
	terms, words := 0, 0
	for _, c := range l.concepts {
		terms += len(c.terms)
		words += len(c.words)
	}
	b.ReportMetric(float64(len(l.concepts)), "concepts")
	b.ReportMetric(float64(terms), "doc-terms")
	b.ReportMetric(float64(words), "member-words")
	b.ReportMetric(float64(len(l.fold.targets)), "folding-entries")
}
