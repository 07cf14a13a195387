package zh

import (
	"strings"
	"unicode/utf8"
)

// EndsSentence reports whether r ends a sentence: Chinese 。！？； (and the
// half-width ｡), their ASCII forms !?; and the ellipsis …. The full stop '.'
// is not among them: it ends a sentence only before a space or the end of
// the text (see Splitter), so that 54.27 stays whole.
func EndsSentence(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '!', '?', ';', '…', '｡':
		return true
	}
	return false
}

// closesSentence reports whether r closes a quotation or bracket, which stays
// with the sentence it ends: 他说：“好。” is one sentence.
func closesSentence(r rune) bool {
	switch r {
	case '”', '’', '」', '』', '）', ')', '】', '》', '〉', ']', '］', '"', '\'':
		return true
	}
	return false
}

// Splitter cuts text into sentences. The zero value is the splitter passages
// are made with; the fields are for callers that genuinely differ.
//
// A sentence ends after an end mark (EndsSentence), after a '.' that comes
// before white space or the end of the text (so 54.27 and a.b stay whole), and
// at a line break. Repeated end marks (……, ?!) and closing quotes and brackets
// stay with the sentence they end.
type Splitter struct {
	// Lossless keeps every byte: white space after a sentence stays with it,
	// so that joining the sentences gives the text back (the bot cuts a
	// message only between sentences). Otherwise sentences are trimmed and
	// empty ones dropped.
	Lossless bool
	// Citations keeps the citation markers [1][2] that follow a sentence's
	// end with it, as in "……救助。[1]", for a check that reads which passage
	// each sentence cites.
	Citations bool
}

// Sentences cuts text into trimmed, non-empty sentences with the zero
// Splitter: how passages and extractive answers are cut.
func Sentences(text string) []string { return Splitter{}.Split(text) }

// Split cuts text into sentences (see Splitter).
func (sp Splitter) Split(text string) []string {
	var out []string
	start := 0
	emit := func(end int) {
		s := text[start:end]
		start = end
		if !sp.Lossless {
			s = strings.TrimSpace(s)
		}
		if s != "" {
			out = append(out, s)
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		switch {
		case r == '\n':
			if sp.Lossless {
				next = sp.tail(text, next)
			}
			emit(next)
		case EndsSentence(r) || (r == '.' && fullStop(text, next)):
			next = sp.tail(text, next)
			emit(next)
		}
		i = next
	}
	emit(len(text))
	return out
}

// fullStop reports whether a '.' before text[next:] ends a sentence: closing
// quotes aside, white space or the end of the text follows it.
func fullStop(text string, next int) bool {
	for next < len(text) {
		r, size := utf8.DecodeRuneInString(text[next:])
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return true
		case closesSentence(r):
			next += size
		default:
			return false
		}
	}
	return true
}

// tail returns the end of the sentence whose end mark stops before
// text[i:]: repeated end marks, closing quotes, and (with Citations) [n]
// markers go with it, with the spaces among them; in Lossless mode so do
// the spaces and line breaks that follow.
func (sp Splitter) tail(text string, i int) int {
	end := i
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case EndsSentence(r) || closesSentence(r):
			i += size
			end = i
			continue
		case r == ' ' || r == '\t' || r == '\r' || r == '\u3000' || (r == '\n' && sp.Lossless):
			i += size
			if sp.Lossless {
				end = i
			}
			continue
		case sp.Citations && r == '[':
			if n := markerLen(text[i:]); n > 0 {
				i += n
				end = i
				continue
			}
		}
		break
	}
	return end
}

// markerLen is the length of the citation marker [n] (one to three digits)
// at the start of s, or 0.
func markerLen(s string) int {
	if len(s) < 3 || s[0] != '[' {
		return 0
	}
	j := 1
	for j < len(s) && j <= 3 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == 1 || j >= len(s) || s[j] != ']' {
		return 0
	}
	return j + 1
}
