package lexicon

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// folder rewrites dialect variants to their targets, longest match first.
// Guards (target "=") are words kept as they are, which shields a variant
// inside them: "= | 没得到" keeps 没得到 from becoming 没有到.
type folder struct {
	t       *trie
	targets []string // by key id; a guard's target is the guard itself
}

// parseFolding reads "target | variants" lines; "=" as the target lists
// guards. A variant may appear once only.
func parseFolding(text string) (*folder, error) {
	f := &folder{t: newTrie()}
	for n, raw := range strings.Split(text, "\n") {
		line := cleanLine(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		errf := func(format string, a ...any) error {
			return &SyntaxError{Source: "folding", Line: n + 1, Msg: fmt.Sprintf(format, a...)}
		}
		target, variants, ok := strings.Cut(line, "|")
		if !ok || strings.Contains(variants, "|") {
			return nil, errf("want \"target | variants\"")
		}
		target = strings.TrimSpace(target)
		vs := splitWords(variants)
		if target == "" || len(vs) == 0 {
			return nil, errf("empty target or no variants")
		}
		if err := checkWord(target); err != nil {
			return nil, errf("target %v", err)
		}
		for _, v := range vs {
			if err := checkWord(v); err != nil {
				return nil, errf("variant %v", err)
			}
			if v == target {
				return nil, errf("variant %q is its own target", v)
			}
			out := target
			if target == "=" {
				out = v
			}
			id := int32(len(f.targets))
			if got := f.t.insert(v, id); got != id {
				return nil, errf("variant %q already folds to %q", v, f.targets[got])
			}
			f.targets = append(f.targets, out)
		}
	}
	f.t.compile()
	return f, nil
}

// apply folds s. It walks s once; at each position the longest variant or
// guard starting there wins, and text is copied only once something changes.
func (f *folder) apply(s string) string {
	var b strings.Builder
	changed := false
	last := 0 // bytes of s before last are already in b
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		n := f.t.child(0, r)
		if n == 0 {
			i += size
			continue
		}
		best, bestEnd := int32(-1), 0
		j := i + size
		for {
			if k := f.t.nodes[n].key; k >= 0 {
				best, bestEnd = k, j
			}
			if j >= len(s) {
				break
			}
			r2, size2 := utf8.DecodeRuneInString(s[j:])
			if n = f.t.child(n, r2); n == 0 {
				break
			}
			j += size2
		}
		if best < 0 {
			i += size
			continue
		}
		if out := f.targets[best]; out != s[i:bestEnd] {
			if !changed {
				b.Grow(len(s) + 8)
				changed = true
			}
			b.WriteString(s[last:i])
			b.WriteString(out)
			last = bestEnd
		}
		i = bestEnd
	}
	if !changed {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
