// Package t2sdict derives the Traditional-to-Simplified character table from
// OpenCC's dictionaries. Only the generator (../gent2s) and zh's tests use it,
// so the program itself never loads OpenCC.
package t2sdict

import (
	"fmt"
	"strings"

	"github.com/longbridgeapp/opencc"
)

// First and Last bound the characters converted: the CJK Unified Ideographs
// block, where the characters of union documents and questions live.
const (
	First rune = 0x4E00
	Last  rune = 0x9FFF
)

// Pair is one Traditional character and its Simplified form.
type Pair struct {
	From, To rune
}

// Pairs converts every character from First to Last with OpenCC's t2s
// conversion and returns those that change, in order of From. A per-character
// table is what matching needs: it is fast, safe to share, and phrase-level
// conversion would change text lengths.
func Pairs() ([]Pair, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("load t2s dictionary: %w", err)
	}
	var b strings.Builder
	for r := First; r <= Last; r++ {
		b.WriteRune(r)
	}
	in := []rune(b.String())
	out, err := cc.Convert(b.String())
	if err != nil {
		return nil, fmt.Errorf("convert t2s table: %w", err)
	}
	outR := []rune(out)
	var pairs []Pair
	if len(outR) != len(in) {
		// Phrase rules changed the length; convert one character at a time.
		for _, r := range in {
			o, err := cc.Convert(string(r))
			if err != nil {
				return nil, fmt.Errorf("convert %q: %w", r, err)
			}
			if or := []rune(o); len(or) == 1 && or[0] != r {
				pairs = append(pairs, Pair{r, or[0]})
			}
		}
		return pairs, nil
	}
	for i, r := range in {
		if outR[i] != r {
			pairs = append(pairs, Pair{r, outR[i]})
		}
	}
	return pairs, nil
}
