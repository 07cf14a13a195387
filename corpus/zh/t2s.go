package zh

import "unicode/utf8"

// t2sTable maps each character from t2sFirst to t2sLast to its Simplified
// form, or to 0 when it has none. It is built once from t2sPairs when the
// program starts (tens of microseconds) and never changed.
var t2sTable = buildT2S(t2sPairs)

// buildT2S expands the generated string of pairs into a dense table, so that
// a lookup is one index instead of a search.
func buildT2S(pairs string) *[t2sLast - t2sFirst + 1]rune {
	var t [t2sLast - t2sFirst + 1]rune
	for len(pairs) > 0 {
		from, n := utf8.DecodeRuneInString(pairs)
		to, m := utf8.DecodeRuneInString(pairs[n:])
		pairs = pairs[n+m:]
		if from >= t2sFirst && from <= t2sLast {
			t[from-t2sFirst] = to
		}
	}
	return &t
}

// toSimplified returns the Simplified form of a Traditional character, and
// whether r has one.
func toSimplified(r rune) (rune, bool) {
	if r < t2sFirst || r > t2sLast {
		return r, false
	}
	t := t2sTable[r-t2sFirst]
	return t, t != 0
}
