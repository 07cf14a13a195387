package rag

import (
	"strconv"
	"strings"
)

var cnDigits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
var cnUnits = map[rune]int64{'十': 10, '百': 100, '千': 1000, '万': 10000}

// numberForms returns the Arabic form of the Chinese numbers in folded text
// that a document would more likely write in digits (二十 → 20, 两千 → 2000,
// 2千 → 2000), for the question to match either way. Lone digits such as the
// 一 of 一线 are left alone: they are words, not counts.
func numberForms(folded string) []numberForm {
	var out []numberForm
	rs := []rune(folded)
	for i := 0; i < len(rs); {
		j := i
		hasUnit := false
		for j < len(rs) {
			if _, ok := cnDigits[rs[j]]; ok {
				j++
				continue
			}
			if _, ok := cnUnits[rs[j]]; ok {
				hasUnit = true
				j++
				continue
			}
			break
		}
		if j == i {
			// Arabic digits followed by a Chinese unit: 2千, 5万.
			k := i
			for k < len(rs) && rs[k] >= '0' && rs[k] <= '9' {
				k++
			}
			if k > i && k < len(rs) {
				if u, ok := cnUnits[rs[k]]; ok && u >= 1000 && u < 10000 {
					if n, err := strconv.ParseInt(string(rs[i:k]), 10, 64); err == nil {
						out = append(out, numberForm{strconv.FormatInt(n*u, 10), i, k + 1})
						k++
					}
				}
				i = k
				continue
			}
			i++
			continue
		}
		if hasUnit || j-i >= 2 {
			if v, ok := parseChinese(rs[i:j]); ok && v >= 10 {
				out = append(out, numberForm{strconv.FormatInt(v, 10), i, j})
			}
		}
		i = j
	}
	return out
}

// numberForm is the Arabic form of the number written at runes [start, end).
type numberForm struct {
	value      string
	start, end int
}

// parseChinese reads a Chinese numeral such as 二十, 三百五十, 两千, 一二三.
func parseChinese(rs []rune) (int64, bool) {
	hasUnit := false
	for _, r := range rs {
		if _, ok := cnUnits[r]; ok {
			hasUnit = true
		}
	}
	if !hasUnit { // digit by digit: 二零二零
		var b strings.Builder
		for _, r := range rs {
			b.WriteByte(byte('0' + cnDigits[r]))
		}
		v, err := strconv.ParseInt(b.String(), 10, 64)
		return v, err == nil
	}
	var total, section, digit int64
	for _, r := range rs {
		if d, ok := cnDigits[r]; ok {
			digit = d
			continue
		}
		u := cnUnits[r]
		if u == 10000 {
			section = (section + digit) * u
			total += section
			section, digit = 0, 0
			continue
		}
		if digit == 0 {
			digit = 1 // 十 alone is 10
		}
		section += digit * u
		digit = 0
	}
	return total + section + digit, true
}
