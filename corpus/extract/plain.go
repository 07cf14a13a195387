package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

// extractPlain decodes a .txt or .md file.
func extractPlain(format string, data []byte) (Result, error) {
	text, err := DecodeText(data)
	if err != nil {
		return Result{}, err
	}
	return Result{Text: text}, nil
}

// tidy trims each line, drops control characters, folds runs of blank lines
// into one and trims the whole text. Headings stay as they are.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s))
	blank := false
	for _, line := range lines {
		line = strings.Map(func(r rune) rune {
			if r == '\t' {
				return r
			}
			if unicode.IsControl(r) || r == '\uFEFF' || r == '\u200B' {
				return -1
			}
			return r
		}, line)
		line = strings.TrimFunc(line, unicode.IsSpace)
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(line)
	}
	return b.String()
}

// maxTitleRunes is the longest line taken for a title.
const maxTitleRunes = 80

// cleanTitle folds white space in a title and drops one that is too long.
func cleanTitle(s string) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	s = strings.TrimSpace(strings.TrimLeft(s, "#"))
	if utf8.RuneCountInString(s) > maxTitleRunes {
		return ""
	}
	return s
}

// detectTitle takes the first heading among the first lines, else the first
// short line that is not a date, a page marker or a sentence.
func detectTitle(text string) string {
	lines := strings.SplitN(text, "\n", 40)
	if len(lines) > 30 {
		lines = lines[:30]
	}
	for i, line := range lines {
		if i >= 10 {
			break
		}
		if strings.HasPrefix(line, "#") {
			if t := cleanTitle(line); t != "" {
				return t
			}
		}
	}
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || findDate(line) != "" && utf8.RuneCountInString(line) < 20 {
			continue
		}
		n := utf8.RuneCountInString(line)
		last, _ := utf8.DecodeLastRuneInString(line)
		if n > maxTitleRunes || strings.ContainsRune("。.!！?？；;，,", last) {
			return ""
		}
		return cleanTitle(line)
	}
	return ""
}

// detectDate looks for a date in the first lines, then in the last ones
// (where notices are signed and dated).
func detectDate(text string) string {
	lines := strings.Split(text, "\n")
	head := lines
	if len(head) > 15 {
		head = head[:15]
	}
	for _, line := range head {
		if d := findDate(line); d != "" {
			return d
		}
	}
	if len(lines) > 15 {
		tail := lines[max(15, len(lines)-8):]
		for i := len(tail) - 1; i >= 0; i-- {
			if d := findDate(tail[i]); d != "" {
				return d
			}
		}
	}
	return ""
}

// findDate returns the first date with a year in s as YYYY-MM-DD, or "".
func findDate(s string) string {
	if len(s) > 4000 {
		s = s[:4000]
	}
	for _, d := range zh.FindDates(s) {
		if d.Year != 0 {
			return d.String()
		}
	}
	return ""
}
