// Package corpustest makes corpora for benchmarks and tests: synthetic ones
// of any size, built deterministically from the built-in report's sentences,
// and their files for CORPUS_DIR.
package corpustest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
)

// Synthetic returns documents holding exactly n passages, the same for the
// same n and seed on every machine: the sentences of the built-in report
// with their numbers redrawn and clauses shuffled, recombined into
// paragraphs of one passage each, forty to a document under the report's
// headings, so that term statistics stay those of the union's own writing.
func Synthetic(n int, seed uint64) ([]corpus.Document, error) {
	docs, skipped, err := corpus.Load(corpus.Default(), nil)
	if err != nil || len(skipped) > 0 || len(docs) == 0 {
		return nil, fmt.Errorf("load the built-in report: %v %v", err, skipped)
	}
	var headings, sents []string
	for _, d := range docs {
		for _, p := range corpus.Split(d) {
			if p.Heading != "" && !slices.Contains(headings, p.Heading) {
				headings = append(headings, p.Heading)
			}
			sents = append(sents, zh.Sentences(p.Text)...)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	const perDoc, perSection = 40, 10
	var out []corpus.Document
	for made := 0; made < n; {
		k := min(perDoc, n-made)
		var body strings.Builder
		seen := map[string]bool{} // corpus.Split gives a thrice-repeated paragraph one ID twice
		for i := range k {
			if i%perSection == 0 {
				fmt.Fprintf(&body, "## %s\n\n", mutate(rng, headings[rng.IntN(len(headings))]))
			}
			p := paragraph(rng, sents)
			for seen[p] {
				p = paragraph(rng, sents)
			}
			seen[p] = true
			body.WriteString(p)
			body.WriteString("\n\n")
		}
		path := fmt.Sprintf("syn/syn-%06d.md", len(out))
		sum := sha256.Sum256([]byte(body.String()))
		out = append(out, corpus.Document{
			ID: corpus.DocumentID(path), Path: path,
			Title:  fmt.Sprintf("%s（第%d期）", mutate(rng, headings[rng.IntN(len(headings))]), len(out)+1),
			Source: "甘肃工人报", Date: fmt.Sprintf("20%02d-%02d-%02d", 10+rng.IntN(15), 1+rng.IntN(12), 1+rng.IntN(28)),
			Page: fmt.Sprintf("第%02d版:专题报道", 1+rng.IntN(8)),
			Body: body.String(), Hash: hex.EncodeToString(sum[:]),
		})
		made += k
	}
	return out, nil
}

// paragraph recombines sentences into one paragraph short enough to be one
// passage.
func paragraph(rng *rand.Rand, sents []string) string {
	var b strings.Builder
	runes := 0
	for want := 2 + rng.IntN(4); want > 0; want-- {
		s := mutate(rng, sents[rng.IntN(len(sents))])
		l := utf8.RuneCountInString(s)
		if runes > 0 && runes+l > corpus.MaxPassageRunes {
			break
		}
		b.WriteString(s)
		runes += l
	}
	return b.String()
}

// mutate redraws a sentence's digits and shuffles its inner clauses.
func mutate(rng *rand.Rand, s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if r >= '0' && r <= '9' {
			lo := '0'
			if i == 0 || rs[i-1] < '0' || rs[i-1] > '9' {
				lo = '1'
			}
			rs[i] = lo + rune(rng.IntN(int('9'-lo+1)))
		}
	}
	clauses := strings.Split(string(rs), "，")
	if len(clauses) > 3 {
		mid := clauses[1 : len(clauses)-1]
		rng.Shuffle(len(mid), func(i, j int) { mid[i], mid[j] = mid[j], mid[i] })
	}
	return strings.Join(clauses, "，")
}

// WriteFiles writes docs into dir as the Markdown files a union would keep in
// CORPUS_DIR: a header with the title and the paper's source, date and page,
// then the body.
func WriteFiles(dir string, docs []corpus.Document) error {
	for _, d := range docs {
		path := filepath.Join(dir, filepath.FromSlash(d.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		text := fmt.Sprintf("---\ntitle: %s\nsource: %s\ndate: %s\npage: %s\n---\n%s", d.Title, d.Source, d.Date, d.Page, d.Body)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
