package zh

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Date is a calendar date read from text by FindDates or ParseDate.
type Date struct {
	// Year is 0 when the text gives none (7月2日).
	Year, Month, Day int
	// Start and End are the byte offsets of the date in the text read.
	Start, End int
}

// String writes the date as 2020-07-02, or as --07-02 (ISO 8601's form for a
// day of an unknown year) when Year is 0.
func (d Date) String() string {
	if d.Year == 0 {
		return fmt.Sprintf("--%02d-%02d", d.Month, d.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// The forms of a date, each matched on the text as written (digits may be
// full-width). A year is 1900–2200; a month and a day are checked against the
// calendar.
var (
	// 2020年7月2日, 2020 年 07 月 02 号, 二〇二〇年七月二日, 2020年七月二日.
	dateYMD = regexp.MustCompile(`([0-9０-９]{4}|[〇○零一二三四五六七八九]{4})\s*年\s*` +
		`([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]`)
	// 2020-07-02, 2020/7/2, 2020.7.2 (one separator throughout).
	dateSep = regexp.MustCompile(`([0-9０-９]{4})([-/.－／．])([0-9０-９]{1,2})([-/.－／．])([0-9０-９]{1,2})`)
	// 7月2日, 七月二日 (no year).
	dateMD = regexp.MustCompile(`([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]`)
)

// FindDates returns the dates written in text, in order: 2020年7月2日,
// 二〇二〇年七月二日, 2020-07-02, 2020/7/2, 2020.7.2 and, without a year,
// 7月2日. Digits may be full-width. Impossible dates (2021-02-30) and
// numbers that only look like dates (the 2020.7.2 of 版本 1.2020.7.2, or a
// 2020-07-021) are not dates.
func FindDates(text string) []Date {
	var out []Date
	for _, m := range dateYMD.FindAllStringSubmatchIndex(text, -1) {
		if d, ok := makeDate(text, m, 2, 4, 6); ok {
			out = append(out, d)
		}
	}
	for _, m := range dateSep.FindAllStringSubmatchIndex(text, -1) {
		if text[m[4]:m[5]] != text[m[8]:m[9]] || digitBefore(text, m[0], true) || digitAfter(text, m[1]) {
			continue
		}
		if d, ok := makeDate(text, m, 2, 6, 10); ok {
			out = append(out, d)
		}
	}
	for _, m := range dateMD.FindAllStringSubmatchIndex(text, -1) {
		if digitBefore(text, m[0], false) || covered(out, m[0]) || strings.HasSuffix(strings.TrimRight(text[:m[0]], " \t"), "年") {
			continue
		}
		if d, ok := makeDate(text, m, -1, 2, 4); ok {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Date) int { return a.Start - b.Start })
	// Keep the first of overlapping dates.
	kept := out[:0]
	for _, d := range out {
		if len(kept) > 0 && d.Start < kept[len(kept)-1].End {
			continue
		}
		kept = append(kept, d)
	}
	return kept
}

// ParseDate reads s, all of it (surrounding space aside), as one date in any
// form FindDates reads.
func ParseDate(s string) (Date, bool) {
	s = strings.TrimSpace(s)
	ds := FindDates(s)
	if len(ds) != 1 || ds[0].Start != 0 || ds[0].End != len(s) {
		return Date{}, false
	}
	return ds[0], true
}

// covered reports whether offset i lies inside one of ds.
func covered(ds []Date, i int) bool {
	return slices.ContainsFunc(ds, func(d Date) bool { return i >= d.Start && i < d.End })
}

// digitBefore reports whether a digit (or, with dot, a '.') comes right
// before text[i:], which makes what follows part of a longer number.
func digitBefore(text string, i int, dot bool) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return isDigit(foldDigit(r)) || (dot && (r == '.' || r == '．'))
}

// digitAfter reports whether a digit comes right after text[:i].
func digitAfter(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return isDigit(foldDigit(r))
}

// makeDate builds the date matched by m (submatch indexes as from
// FindAllStringSubmatchIndex), whose year, month and day are submatches y, mo
// and d (y < 0: no year), and checks it against the calendar.
func makeDate(text string, m []int, y, mo, d int) (Date, bool) {
	date := Date{Start: m[0], End: m[1]}
	if y >= 0 {
		date.Year = dateNumber(text[m[y]:m[y+1]], true)
		if date.Year < 1900 || date.Year > 2200 {
			return Date{}, false
		}
	}
	date.Month = dateNumber(text[m[mo]:m[mo+1]], false)
	date.Day = dateNumber(text[m[d]:m[d+1]], false)
	if date.Month < 1 || date.Month > 12 || date.Day < 1 || date.Day > 31 {
		return Date{}, false
	}
	year := date.Year
	if year == 0 {
		year = 2000 // a leap year: 2月29日 is a date
	}
	if t := time.Date(year, time.Month(date.Month), date.Day, 0, 0, 0, 0, time.UTC); t.Day() != date.Day {
		return Date{}, false // 2021-02-30
	}
	return date, true
}

// dateNumber reads one part of a date: digits (full-width or not), Chinese
// numerals (七, 十二, 三十一), or for a year Chinese digits one by one
// (二〇二〇, with ○ for 〇). It returns -1 when s is none of these.
func dateNumber(s string, year bool) int {
	if year {
		s = strings.ReplaceAll(s, "○", "〇")
	}
	v, ok := ParseNumber(s)
	if !ok || v != float64(int(v)) {
		return -1
	}
	return int(v)
}
