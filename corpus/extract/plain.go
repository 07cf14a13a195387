package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

var (
	// 2020年07月02日, 2020 年 7 月 2 日
	dateHan = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]`)
	// 2020-07-02, 2020/7/2, 2020.7.2
	dateSep = regexp.MustCompile(`(?:^|[^\d.])(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})(?:$|[^\d])`)
	// 二〇二〇年七月二日
	dateZH = regexp.MustCompile(`([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*[日号]`)
)

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

// findDate returns the first valid date in s as YYYY-MM-DD, or "".
func findDate(s string) string {
	if len(s) > 4000 {
		s = s[:4000]
	}
	s = foldDigits(s)
	for _, m := range dateHan.FindAllStringSubmatch(s, 3) {
		if d := makeDate(m[1], m[2], m[3]); d != "" {
			return d
		}
	}
	for _, m := range dateSep.FindAllStringSubmatch(s, 3) {
		if m[2] != m[4] {
			continue
		}
		if d := makeDate(m[1], m[3], m[5]); d != "" {
			return d
		}
	}
	for _, m := range dateZH.FindAllStringSubmatch(s, 3) {
		if d := makeDate(hanDigits(m[1]), hanNumber(m[2]), hanNumber(m[3])); d != "" {
			return d
		}
	}
	return ""
}

// foldDigits turns full-width digits and punctuation used in dates into ASCII.
func foldDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '－':
			return '-'
		case r == '／':
			return '/'
		case r == '．':
			return '.'
		}
		return r
	}, s)
}

func makeDate(y, m, d string) string {
	yy, err1 := strconv.Atoi(y)
	mm, err2 := strconv.Atoi(m)
	dd, err3 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || err3 != nil || yy < 1900 || yy > 2200 || mm < 1 || mm > 12 || dd < 1 || dd > 31 {
		return ""
	}
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Day() != dd {
		return "" // e.g. 2021-02-30
	}
	return t.Format("2006-01-02")
}

var hanDigit = map[rune]int{'〇': 0, '○': 0, '零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// hanDigits reads 二〇二〇 digit by digit.
func hanDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(strconv.Itoa(hanDigit[r]))
	}
	return b.String()
}

// hanNumber reads 一 … 三十一.
func hanNumber(s string) string {
	n, cur := 0, 0
	for _, r := range s {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
			continue
		}
		cur = hanDigit[r]
	}
	return strconv.Itoa(n + cur)
}
