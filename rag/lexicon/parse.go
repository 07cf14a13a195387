package lexicon

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxWordRunes bounds a word's length: longer entries are sentences, not
// words, and would only slow the matcher.
const maxWordRunes = 24

// cleanLine prepares one line of a data file: the BOM and a carriage return
// go, NFKC folds full-width forms (｜ → |, ； → ;, ＊ → *, U+3000 → space) and
// Latin letters are lower-cased, as the caller folds the text it matches.
func cleanLine(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.TrimRight(s, "\r")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.TrimSpace(strings.ToLower(norm.NFKC.String(s)))
}

// splitWords cuts a field into words at white space (a document term may
// hold 、 or a comma, as the documents write it).
func splitWords(s string) []string { return strings.Fields(s) }

// checkWord rejects what cannot be a word: control characters, the field and
// example separators, and overlong entries.
func checkWord(w string) error {
	if n := utf8.RuneCountInString(w); n > maxWordRunes {
		return fmt.Errorf("%q is %d characters long, more than %d", w, n, maxWordRunes)
	}
	for _, r := range w {
		if unicode.IsControl(r) || r == '|' || r == ';' || r == utf8.RuneError {
			return fmt.Errorf("%q contains %q", w, r)
		}
	}
	return nil
}

// parseLexicon reads lexicon lines: "document terms | member words |
// examples". "## heading" sets the domain of the lines below it; other lines
// starting with # are comments. Member words and examples are folded with f.
func parseLexicon(source, text string, f *folder) ([]concept, error) {
	var out []concept
	domain := ""
	for n, raw := range strings.Split(text, "\n") {
		line := cleanLine(raw)
		errf := func(format string, a ...any) error {
			return &SyntaxError{Source: source, Line: n + 1, Msg: fmt.Sprintf(format, a...)}
		}
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if h, ok := strings.CutPrefix(line, "## "); ok {
				domain = strings.TrimSpace(h)
			}
			continue
		}
		fields := strings.Split(line, "|")
		if len(fields) < 2 || len(fields) > 3 {
			return nil, errf("want \"document terms | member words | examples\", got %d fields", len(fields))
		}
		c := concept{domain: domain, line: n + 1}
		seen := map[string]bool{}
		for _, w := range splitWords(fields[0]) {
			t := term{text: w}
			if s, ok := strings.CutSuffix(w, "*"); ok {
				t = term{text: s, notice: true}
			}
			if t.text == "" {
				return nil, errf("empty document term %q", w)
			}
			if strings.ContainsAny(t.text, "*=&") {
				return nil, errf("document term %q: only a trailing * is a marker", w)
			}
			if err := checkWord(t.text); err != nil {
				return nil, errf("document term %v", err)
			}
			if seen[t.text] {
				continue
			}
			seen[t.text] = true
			c.terms = append(c.terms, t)
		}
		if len(c.terms) == 0 {
			return nil, errf("no document term: the first field names the concept")
		}
		c.name = c.terms[0].text
		for _, w := range splitWords(fields[1]) {
			if band, ok, err := parseAgeBand(w); ok {
				if err != nil {
					return nil, errf("member word %q: %v", w, err)
				}
				c.ages = append(c.ages, band)
				continue
			}
			mw := word{}
			body := w
			for {
				if s, ok := strings.CutSuffix(body, "="); ok && s != "" {
					mw.exact, body = true, s
					continue
				}
				if s, ok := strings.CutSuffix(body, "&"); ok && s != "" {
					mw.shared, body = true, s
					continue
				}
				break
			}
			if strings.HasSuffix(body, "*") {
				return nil, errf("member word %q: * marks document terms only", w)
			}
			if strings.ContainsAny(body, ",、") {
				return nil, errf("member word %q: separate member words with spaces", w)
			}
			if err := checkWord(body); err != nil {
				return nil, errf("member word %v", err)
			}
			mw.text = f.apply(body)
			if mw.text == "" {
				return nil, errf("member word %q folds to nothing", w)
			}
			if seen[mw.text] {
				continue
			}
			seen[mw.text] = true
			c.words = append(c.words, mw)
		}
		if len(fields) == 3 {
			for _, e := range strings.Split(fields[2], ";") {
				if e = strings.TrimSpace(e); e != "" {
					c.examples = append(c.examples, e)
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// parseAgeBand reads a member word that is a range of ages: {岁<16},
// {岁16-18} (from 16 up to, not including, 18), {岁>=60}. ok is false when w
// is not written as one.
func parseAgeBand(w string) (band ageBand, ok bool, err error) {
	body, found := strings.CutPrefix(w, "{岁")
	if !found {
		return band, false, nil
	}
	body, found = strings.CutSuffix(body, "}")
	if !found {
		return band, true, fmt.Errorf("an age range ends with }")
	}
	num := func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
	switch {
	case strings.HasPrefix(body, "<"):
		hi, err := num(body[1:])
		return ageBand{0, hi}, true, err
	case strings.HasPrefix(body, ">="):
		lo, err := num(body[2:])
		return ageBand{lo, math.Inf(1)}, true, err
	}
	lo, hi, found := strings.Cut(body, "-")
	if !found {
		return band, true, fmt.Errorf("want {岁<N}, {岁N-M} or {岁>=N}")
	}
	l, err1 := num(lo)
	h, err2 := num(hi)
	if err := cmp.Or(err1, err2); err != nil || l >= h {
		return band, true, fmt.Errorf("want {岁N-M} with N < M")
	}
	return ageBand{l, h}, true, nil
}
