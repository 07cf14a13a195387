package corpus

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// These small readers of Chinese numerals and dates serve the structure
// parser only; they give way to package corpus/zh once it lands.

var cnDigit = map[rune]int{
	'零': 0, '〇': 0, '○': 0, 'О': 0, '一': 1, '壹': 1, '二': 2, '贰': 2, '两': 2, '三': 3, '叁': 3,
	'四': 4, '肆': 4, '五': 5, '伍': 5, '六': 6, '陆': 6, '七': 7, '柒': 7, '八': 8, '捌': 8, '九': 9, '玖': 9,
}

var cnUnit = map[rune]int{'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000, '万': 10000}

// parseNumeral reads a whole number written in Arabic digits (full-width
// too) or Chinese numerals: 19, １９, 十九, 一百零二, 二〇二四 (digit by digit).
func parseNumeral(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	ascii := strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
	if n, err := strconv.Atoi(ascii); err == nil {
		return n, n >= 0
	}
	hasUnit := strings.ContainsFunc(s, func(r rune) bool { _, ok := cnUnit[r]; return ok })
	if !hasUnit { // 二〇二四: one digit after another
		n := 0
		for _, r := range s {
			d, ok := cnDigit[r]
			if !ok {
				return 0, false
			}
			n = n*10 + d
		}
		return n, true
	}
	total, section, digit := 0, 0, -1
	for _, r := range s {
		if d, ok := cnDigit[r]; ok {
			digit = d
			continue
		}
		u, ok := cnUnit[r]
		if !ok {
			return 0, false
		}
		if u == 10000 {
			section += max(digit, 0)
			total += section * u
			section, digit = 0, -1
			continue
		}
		if digit < 0 {
			digit = 1 // 十九: an implied one
		}
		section += digit * u
		digit = -1
	}
	return total + section + max(digit, 0), true
}

// cnNumeralClass matches a run of Chinese or Arabic numerals.
const cnNumeralClass = `[0-9０-９零〇○一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]`

// dateRe finds dates written 2007年6月29日, 二〇二四年三月五日, 2024-03-05 or 2024.3.5.
var dateRe = regexp.MustCompile(`(` + cnNumeralClass + `{4})\s*年\s*(` + cnNumeralClass + `{1,3})\s*月\s*(` + cnNumeralClass + `{1,3})\s*日|(\d{4})[-./](\d{1,2})[-./](\d{1,2})`)

// findDate returns the first date in s as 2006-01-02, the text it was read
// from, and whether there was one.
func findDate(s string) (iso, text string, ok bool) {
	for _, m := range dateRe.FindAllStringSubmatchIndex(s, -1) {
		var parts [3]string
		if m[2] >= 0 {
			parts = [3]string{s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]]}
		} else {
			parts = [3]string{s[m[8]:m[9]], s[m[10]:m[11]], s[m[12]:m[13]]}
		}
		y, ok1 := parseNumeral(parts[0])
		mo, ok2 := parseNumeral(parts[1])
		d, ok3 := parseNumeral(parts[2])
		if ok1 && ok2 && ok3 && y >= 1900 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 {
			return fmt.Sprintf("%04d-%02d-%02d", y, mo, d), s[m[0]:m[1]], true
		}
	}
	return "", "", false
}

// runes is the length of s in characters.
func runes(s string) int { return utf8.RuneCountInString(s) }
