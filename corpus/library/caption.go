package library

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

// Meta is what a staff member says about an upload, overriding what is
// detected in the document. Empty fields are taken from the document.
type Meta struct {
	Title    string `json:"title,omitempty"`
	Subtitle string `json:"subtitle,omitempty"`
	Source   string `json:"source,omitempty"`
	// Date is normalised to YYYY-MM-DD when it can be read as a date.
	Date   string `json:"date,omitempty"`
	Author string `json:"author,omitempty"`
	// Replaces is the ID of a document the upload replaces explicitly (the
	// bot sets it when the file is sent as a reply to its message about that
	// document). Without it, an upload replaces the document of the same title.
	Replaces string `json:"replaces,omitempty"`
}

// captionKeys maps the words staff may write before a colon to a Meta field.
// Longer keys come first so that 副标题 is not read as 标题.
var captionKeys = []struct {
	key   string
	field string
}{
	{"发布日期", "date"},
	{"发布单位", "source"},
	{"替换文档", "replaces"},
	{"副标题", "subtitle"},
	{"subtitle", "subtitle"},
	{"replaces", "replaces"},
	{"replace", "replaces"},
	{"source", "source"},
	{"author", "author"},
	{"title", "title"},
	{"date", "date"},
	{"标题", "title"},
	{"题目", "title"},
	{"名称", "title"},
	{"日期", "date"},
	{"时间", "date"},
	{"来源", "source"},
	{"出处", "source"},
	{"作者", "author"},
	{"替换", "replaces"},
}

// ParseCaption reads the caption a staff member sent with a file, such as
// "标题：金秋助学通知 日期：2024年5月1日 来源：市总工会". Keys (标题/题目/名称,
// 副标题, 日期/时间/发布日期, 来源/出处/发布单位, 作者, 替换, or their English
// names) are followed by ':' or '：'; a value runs to the next key or line
// end, so titles may contain spaces. A caption with no key at all that is a
// single short line is taken as the title. Anything else is ignored.
func ParseCaption(caption string) Meta {
	caption = strings.TrimSpace(strings.ReplaceAll(caption, "\r\n", "\n"))
	var m Meta
	if caption == "" {
		return m
	}
	type hit struct {
		field      string
		start, end int // the key and its colon occupy caption[start:end]
	}
	var hits []hit
	lower := strings.ToLower(caption) // ASCII folding keeps byte offsets
	for i := 0; i < len(caption); {
		matched := false
		if i == 0 || boundary(caption[:i]) {
			for _, k := range captionKeys {
				if !strings.HasPrefix(lower[i:], k.key) {
					continue
				}
				j := i + len(k.key)
				for j < len(caption) && (caption[j] == ' ' || caption[j] == '\t') {
					j++
				}
				switch {
				case strings.HasPrefix(caption[j:], ":"):
					j++
				case strings.HasPrefix(caption[j:], "："):
					j += len("：")
				default:
					continue
				}
				hits = append(hits, hit{k.field, i, j})
				i, matched = j, true
				break
			}
		}
		if !matched {
			_, size := utf8.DecodeRuneInString(caption[i:])
			i += size
		}
	}
	if len(hits) == 0 {
		if !strings.Contains(caption, "\n") && utf8.RuneCountInString(caption) <= maxTitleRunes {
			m.Title = cleanValue(caption)
		}
		return m
	}
	for n, h := range hits {
		end := len(caption)
		if n+1 < len(hits) {
			end = hits[n+1].start
		}
		v := caption[h.end:end]
		if k := strings.IndexByte(v, '\n'); k >= 0 {
			v = v[:k]
		}
		v = cleanValue(v)
		switch h.field {
		case "title":
			m.Title = v
		case "subtitle":
			m.Subtitle = v
		case "source":
			m.Source = v
		case "author":
			m.Author = v
		case "date":
			m.Date = NormalizeDate(v)
		case "replaces":
			m.Replaces = strings.ToLower(v)
		}
	}
	return m
}

// boundary reports whether a key may start right after before: at a line or
// word boundary, or after punctuation, so that a key inside a title (公司名称)
// is not taken for one.
func boundary(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '　'
}

// maxTitleRunes is the longest title accepted from a caption or a document.
const maxTitleRunes = 80

// cleanValue folds white space and trims separators around a caption value.
func cleanValue(s string) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("，,；;。、|｜", r)
	})
}

// NormalizeDate returns s as YYYY-MM-DD when it is a valid date with a year
// in any form zh.ParseDate reads (2024-05-01, 2024/5/1, 2024.5.1,
// 2024年5月1日, 二〇二四年五月一日); otherwise s trimmed.
func NormalizeDate(s string) string {
	s = strings.TrimSpace(s)
	if d, ok := zh.ParseDate(s); ok && d.Year != 0 {
		return d.String()
	}
	return s
}
