// Package lexicon maps the words union members type (炒鱿鱼, 工钱, 周末加班)
// to the concepts their documents write another way (解除劳动合同, 劳动报酬,
// 休息日), and folds everyday and dialect function words (俺, 咋, 啥) to the
// standard ones before analysis.
//
// The data is two embedded text files, lexicon.txt (one concept a line:
// document terms | member words | examples) and folding.txt (target |
// variants); their formats are described at the top of each file. A union can
// extend the lexicon without rebuilding by loading an extra file in the same
// format (Extend, ExtendFile).
//
// Text given to FoldDialect and Match must already be folded for matching by
// the caller: NFKC, Traditional to Simplified, lower case. Offsets in a Match
// count runes of the text passed in.
package lexicon

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
)

//go:embed lexicon.txt
var builtinLexicon string

//go:embed folding.txt
var builtinFolding string

// Kind tells whether a matched word is the documents' wording or the members'.
type Kind uint8

const (
	// DocTerm is a word as laws, regulations, notices and reports write it.
	DocTerm Kind = iota
	// MemberWord is a word as members type it: everyday, dialect, slang, typo.
	MemberWord
)

// String names the kind, for logs and test output.
func (k Kind) String() string {
	if k == MemberWord {
		return "member"
	}
	return "doc"
}

// Concept is one entry of the lexicon: a thing the law or the union's work
// names, with the words on both sides that mean it.
type Concept struct {
	// Name is the concept's first document term, its identifier.
	Name string
	// Domain is the heading ("## 工资" in the file) the concept sits under.
	Domain string
	// Terms are the documents' words for the concept, Name first.
	Terms []string
	// Words are the members' words for the concept, as matched (folded).
	Words []string
	// Examples are member sentences that must trigger the concept.
	Examples []string
}

// Lexicon holds the concepts, the dialect folding and the matcher built over
// them. It is safe for concurrent use by FoldDialect, Match and Concepts;
// Extend must not run concurrently with them (load extra files before
// sharing the Lexicon).
type Lexicon struct {
	concepts []concept
	byName   map[string]int
	fold     *folder
	m        *matcher
	hasAges  bool // some concept has an age range (ageMatches)
}

// concept is a Concept with the per-word flags the file's markers set.
type concept struct {
	name     string
	domain   string
	terms    []term
	words    []word
	examples []string
	ages     []ageBand // member words that are ages ({岁<16})
	line     int       // where it was defined, for error messages and tests
}

// ageBand is a member word that stands for any age a member states in a
// range, lo inclusive, hi exclusive: {岁<16} (童工) matches 15岁的娃, 十四岁.
type ageBand struct{ lo, hi float64 }

// term is one document term; notice marks wording of notices and local
// regulations, which the built-in documents need not contain (suffix *).
type term struct {
	text   string
	notice bool
}

// word is one member word; exact forbids matching with inserted characters
// (suffix =) and shared marks a word deliberately in several concepts
// (suffix &).
type word struct {
	text   string
	exact  bool
	shared bool
}

// Parse builds a Lexicon from the text of a lexicon file and of a folding
// file (the formats of lexicon.txt and folding.txt). Errors name the file
// kind and line number.
func Parse(lexicon, folding string) (*Lexicon, error) {
	f, err := parseFolding(folding)
	if err != nil {
		return nil, err
	}
	l := &Lexicon{fold: f, byName: map[string]int{}}
	cs, err := parseLexicon("lexicon", lexicon, f)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if i, ok := l.byName[c.name]; ok {
			return nil, &SyntaxError{Source: "lexicon", Line: c.line,
				Msg: fmt.Sprintf("concept %q already defined on line %d", c.name, l.concepts[i].line)}
		}
		l.byName[c.name] = len(l.concepts)
		l.concepts = append(l.concepts, c)
	}
	l.m = buildMatcher(l.concepts)
	l.hasAges = slices.ContainsFunc(l.concepts, func(c concept) bool { return len(c.ages) > 0 })
	return l, nil
}

// Default builds the Lexicon from the embedded lexicon.txt and folding.txt.
func Default() (*Lexicon, error) {
	l, err := Parse(builtinLexicon, builtinFolding)
	if err != nil {
		return nil, fmt.Errorf("built-in lexicon: %w", err)
	}
	return l, nil
}

// Extend adds the lines of an operator's extra file, in the lexicon format:
// a line whose concept name (first document term) is already known adds its
// terms, words and examples to that concept; any other line adds a new
// concept. On error nothing changes, so a bad file never half-loads.
func (l *Lexicon) Extend(extra string) error {
	return l.extend("extra", extra)
}

// ExtendFile reads an operator's extra lexicon file and applies it as Extend
// does; errors name the file.
func (l *Lexicon) ExtendFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read lexicon file: %w", err)
	}
	return l.extend(path, string(b))
}

func (l *Lexicon) extend(source, extra string) error {
	cs, err := parseLexicon(source, extra, l.fold)
	if err != nil {
		return err
	}
	concepts := slices.Clone(l.concepts)
	byName := make(map[string]int, len(l.byName)+len(cs))
	for k, v := range l.byName {
		byName[k] = v
	}
	for _, c := range cs {
		i, ok := byName[c.name]
		if !ok {
			byName[c.name] = len(concepts)
			concepts = append(concepts, c)
			continue
		}
		old := concepts[i]
		merged := concept{name: old.name, domain: old.domain, line: old.line,
			terms: slices.Clone(old.terms), words: slices.Clone(old.words), examples: slices.Clone(old.examples),
			ages: append(slices.Clone(old.ages), c.ages...)}
		for _, t := range c.terms {
			if !slices.ContainsFunc(merged.terms, func(o term) bool { return o.text == t.text }) {
				merged.terms = append(merged.terms, t)
			}
		}
		for _, w := range c.words {
			if !slices.ContainsFunc(merged.words, func(o word) bool { return o.text == w.text }) &&
				!slices.ContainsFunc(merged.terms, func(o term) bool { return o.text == w.text }) {
				merged.words = append(merged.words, w)
			}
		}
		for _, e := range c.examples {
			if !slices.Contains(merged.examples, e) {
				merged.examples = append(merged.examples, e)
			}
		}
		concepts[i] = merged
	}
	l.concepts, l.byName = concepts, byName
	l.m = buildMatcher(l.concepts)
	l.hasAges = slices.ContainsFunc(l.concepts, func(c concept) bool { return len(c.ages) > 0 })
	return nil
}

// Len is the number of concepts, the valid range of Match.Concept.
func (l *Lexicon) Len() int { return len(l.concepts) }

// Concepts lists the concepts in file order (Match.Concept indexes it), so a
// caller can build concept vectors (one dimension a concept) and expand
// queries with a concept's document terms. The slices are fresh copies.
func (l *Lexicon) Concepts() []Concept {
	out := make([]Concept, len(l.concepts))
	for i := range l.concepts {
		out[i] = l.concepts[i].public()
	}
	return out
}

// Lookup finds a concept by name (its first document term).
func (l *Lexicon) Lookup(name string) (Concept, int, bool) {
	i, ok := l.byName[strings.ToLower(name)]
	if !ok {
		return Concept{}, -1, false
	}
	return l.concepts[i].public(), i, true
}

func (c *concept) public() Concept {
	p := Concept{Name: c.name, Domain: c.domain, Examples: slices.Clone(c.examples)}
	for _, t := range c.terms {
		p.Terms = append(p.Terms, t.text)
	}
	for _, w := range c.words {
		p.Words = append(p.Words, w.text)
	}
	return p
}

// FoldDialect rewrites everyday and dialect function words to the standard
// ones (俺 → 我, 咋 → 怎么, 啥 → 什么, 娃 → 孩子), longest variant first, so
// that they neither count as unknown words nor hide the words around them.
// Text without any variant is returned as is, without allocating.
func (l *Lexicon) FoldDialect(s string) string { return l.fold.apply(s) }

// SyntaxError is a malformed line of a lexicon or folding file.
type SyntaxError struct {
	// Source is "lexicon", "folding", "extra" or the extra file's path.
	Source string
	// Line is the 1-based line number.
	Line int
	// Msg says what is wrong.
	Msg string
}

// Error formats the error as "source line N: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s line %d: %s", e.Source, e.Line, e.Msg)
}
