package corpus

import (
	"path"
	"regexp"
	"strings"

	"github.com/gonghui/qa/corpus/zh"
)

// shape is a document body read for its structure: the metadata found in
// the text (history, 文号, 发文机关, date) set aside, and the lines that
// become passages.
type shape struct {
	kind      Kind
	title     string // a better title found in the text, or ""
	history   []string
	docNumber string
	issuer    string
	date      string // the signature's date, 2006-01-02
	content   []textLine
}

// infoEnd separates LawRefBook's metadata block from the text.
const infoEnd = "<!-- INFO END -->"

// lawTitleRe: titles of laws and regulations.
var lawTitleRe = regexp.MustCompile(`(法|条例|规定|办法|细则|规则|决定|解释|章程|准则|规程|若干意见)(（[^）]*）|\([^)]*\))?$`)

// noticeTitleRe: titles of notices and other official documents.
var noticeTitleRe = regexp.MustCompile(`(通知|通告|公告|通报|意见|方案|决定|批复|函|纪要|请示|报告|倡议书|公示)$`)

// docNumberRe: a 文号 such as 兰总工发〔2024〕12号 or 人薪发［1995］32号.
var docNumberRe = regexp.MustCompile(`[\p{Han}A-Za-z]{1,16}\s*[〔［\[【(（﹝]\s*(?:19|20)\d{2}\s*[〕］\]】)）﹞]\s*第?\s*\d{1,5}\s*号`)

// orderRe: a promulgation order line: 中华人民共和国主席令 第六十五号, 国务院令第514号.
var orderRe = regexp.MustCompile(`^(中华人民共和国)?\S{0,20}令\s*[（(]?\s*第\s*` + cnNumeralClass + `{1,6}\s*号[）)]?$`)

// historyVerbs are what a history line says happened, latest last.
var historyVerbRe = regexp.MustCompile(`(通过|修正|修订|公布|发布|印发|颁布|批准|施行|执行)`)

// readShape reads a body's structure. forced is the header's kind ("" to
// recognise it from the text).
func readShape(title, body string, forced Kind) shape {
	var sh shape
	infoBlock := false
	if before, after, ok := strings.Cut(body, infoEnd); ok {
		// LawRefBook's layout: everything above the marker is metadata.
		var meta []string
		for _, l := range bodyLines(before) {
			meta = append(meta, l.text)
		}
		sh.metaBlock(meta, title)
		sh.content, infoBlock = bodyLines(after), true
	} else {
		sh.content = bodyLines(body)
	}
	// 兰州市总工会文件 heads an official document's first page, and may run
	// on every page: it names the issuer, it is not text
	var kept []textLine
	for _, l := range sh.content {
		if !isRedHeaderLine(l.text) {
			kept = append(kept, l)
		}
	}
	sh.content = kept
	if isRedHeader(title) {
		// the document's own title is the first line that can be one
		for i, l := range sh.content[:min(6, len(sh.content))] {
			if isTitleLine(l.text) {
				sh.title = l.text
				sh.content = append(sh.content[:i:i], sh.content[i+1:]...)
				break
			}
		}
		title = firstNonEmptyString(sh.title, title)
	}
	// A title repeated near the top of the body is not text.
	for i := 0; i < min(6, len(sh.content)); i++ {
		if sameText(sh.content[i].text, title) {
			sh.content = append(sh.content[:i:i], sh.content[i+1:]...)
			break
		}
	}
	articles := 0
	for _, l := range sh.content {
		if _, _, _, ok := articleStart(l.text); ok {
			articles++
		}
	}
	sh.kind = forced
	if sh.kind == "" {
		switch {
		case articles >= 2, articles == 1 && lawTitleRe.MatchString(title):
			sh.kind = KindLaw
		case looksLikeNotice(title, sh.content):
			sh.kind = KindNotice
		default:
			sh.kind = KindReport
		}
	}
	switch sh.kind {
	case KindLaw:
		if !infoBlock {
			sh.content = sh.lawPrologue(sh.content, title)
		}
	case KindNotice:
		sh.content = sh.noticeFrame(sh.content, title)
	}
	return sh
}

// looksLikeNotice reports whether a body reads as an official document: a
// 文号 near the top, or a notice's title over numbered sections.
func looksLikeNotice(title string, lines []textLine) bool {
	sections := 0
	for i, l := range lines {
		if i < 8 && isDocNumberLine(l.text) {
			return true
		}
		if sectionRe.MatchString(l.text) {
			sections++
		}
	}
	if sections == 0 {
		return false
	}
	if noticeTitleRe.MatchString(title) || strings.HasSuffix(title, "文件") {
		return true
	}
	for _, l := range lines[:min(4, len(lines))] {
		if noticeTitleRe.MatchString(l.text) && strings.Contains(l.text, "关于") {
			return true
		}
	}
	return false
}

// isDocNumberLine reports whether a line is mostly a 文号.
func isDocNumberLine(s string) bool {
	m := docNumberRe.FindString(s)
	return m != "" && runes(s) <= runes(m)+6
}

// metaBlock files the lines of a metadata block: 文号, history lines and
// dates, and the issuer (the line above a date standing alone).
func (sh *shape) metaBlock(lines []string, title string) {
	issued := "" // a covering notice (关于印发…的通知) dates the text it issues
	for _, line := range lines {
		if m := issueRe.FindStringSubmatch(line); m != nil {
			issued = m[1]
		}
	}
	for i, line := range lines {
		switch {
		case sameText(line, title):
		case isDocNumberLine(line):
			if sh.docNumber == "" {
				sh.docNumber = normalizeDocNumber(docNumberRe.FindString(line))
			}
		case isStandaloneDate(line):
			if iso, _, ok := findDate(line); ok && sh.date == "" {
				sh.date = iso
			}
			if issued != "" && !historyVerbRe.MatchString(line) {
				line += " " + issued
			}
			sh.history = append(sh.history, line)
		case isHistoryLine(line):
			for _, h := range splitHistory(line) {
				// LawRefBook ends a line with the 根据 of the next one
				sh.history = append(sh.history, strings.TrimSpace(strings.TrimSuffix(h, "根据")))
			}
		case orderRe.MatchString(line):
			sh.history = append(sh.history, line)
		case i+1 < len(lines) && isIssuerLine(line) && (isStandaloneDate(lines[i+1]) || isHistoryLine(lines[i+1])):
			sh.issuer = line
		}
	}
}

// lawPrologue sets aside what stands above a law's first article or
// heading: history lines (also in the parenthesis official texts put under
// the title), promulgation orders, a 文号, and the signature of a covering
// notice. Other lines there (a preamble) stay text.
func (sh *shape) lawPrologue(content []textLine, title string) []textLine {
	n := 0
	for n < len(content) && !isDivision(content[n].text) {
		if _, _, _, ok := articleStart(content[n].text); ok {
			break
		}
		n++
	}
	var keep []textLine
	var meta []string
	for i := 0; i < n; i++ {
		l := content[i].text
		next := ""
		if i+1 < n {
			next = content[i+1].text
		}
		switch {
		case isHistoryLine(l), orderRe.MatchString(l), isDocNumberLine(l), isStandaloneDate(l), issueRe.MatchString(l),
			isIssuerLine(l) && (isStandaloneDate(next) || isHistoryLine(next)):
			meta = append(meta, l)
		case l == "目录" || l == "目 录":
			// a table of contents: its headings recur below
		default:
			keep = append(keep, content[i])
		}
	}
	sh.metaBlock(meta, title)
	return append(keep, content[n:]...)
}

// noticeFrame sets aside a notice's frame: its 文号 (and a red-header
// title such as 兰州市总工会文件), the signature (issuer and date) and the
// distribution lines after it. Attachments after the signature stay text.
func (sh *shape) noticeFrame(lines []textLine, title string) []textLine {
	var out []textLine
	for i, l := range lines {
		switch {
		case i < 8 && isDocNumberLine(l.text) && sh.docNumber == "":
			sh.docNumber = normalizeDocNumber(docNumberRe.FindString(l.text))
			continue
		}
		out = append(out, l)
	}
	// The signature: a date standing alone after the text, with the issuer on
	// the line above it.
	for i := 1; i < len(out); i++ {
		if !isStandaloneDate(out[i].text) {
			continue
		}
		iso, _, _ := findDate(out[i].text)
		sh.date = iso
		start := i
		if isIssuerLine(out[i-1].text) {
			sh.issuer = out[i-1].text
			start = i - 1
		}
		end := i + 1
		for end < len(out) && distributionRe.MatchString(out[end].text) {
			end++
		}
		out = append(out[:start:start], out[end:]...)
		break
	}
	if t := firstNonEmptyString(sh.title, title); t != "" {
		if before, _, ok := strings.Cut(t, "关于"); ok && isIssuerLine(before) {
			sh.issuer = before // the title names the issuer: 兰州市总工会关于…
		}
	}
	return out
}

// distributionRe: the lines under a notice's signature (抄送, 印发…).
var distributionRe = regexp.MustCompile(`^(抄送|抄报|主送|印发|主题词|关键词|[（(]此件|[（(]联系人|.{0,30}\d{4}年\d{1,2}月\d{1,2}日印发)`)

// issueRe: the title of a notice that issues a text: 关于印发《…》的通知.
var issueRe = regexp.MustCompile(`关于(印发|发布|颁布)`)

// datesIn returns the dates in s that name their year.
func datesIn(s string) []zh.Date {
	var out []zh.Date
	for _, d := range zh.FindDates(s) {
		if d.Year != 0 {
			out = append(out, d)
		}
	}
	return out
}

// findDate returns the first date in s (with its year) as 2006-01-02, the
// text it was read from, and whether there was one.
func findDate(s string) (iso, text string, ok bool) {
	if ds := datesIn(s); len(ds) > 0 {
		return ds[0].String(), s[ds[0].Start:ds[0].End], true
	}
	return "", "", false
}

// hasDate reports whether s holds a date with its year.
func hasDate(s string) bool { return len(datesIn(s)) > 0 }

// isRedHeader reports whether a line is the red header of an official
// document (兰州市总工会文件), which names the issuer, not the document.
func isRedHeader(s string) bool {
	return isRedHeaderLine(s) || isDocNumberLine(s)
}

// isRedHeaderLine reports whether a line is a red header (兰州市总工会文件).
func isRedHeaderLine(s string) bool {
	return strings.HasSuffix(s, "文件") && runes(s) <= 20 && !strings.ContainsAny(s, "。，；：、《》“”")
}

// isTitleLine reports whether a line near the top can be a document's
// title: short, no sentence in it, not a numbered unit, a date or a 文号.
func isTitleLine(s string) bool {
	return runes(s) >= 4 && runes(s) <= 80 && !strings.ContainsAny(s, "。；;：:") && !startsUnit(s) &&
		!isRedHeader(s) && !hasDate(s) && !isHistoryLine(s)
}

// isStandaloneDate reports whether a line is nothing but a date.
func isStandaloneDate(s string) bool {
	_, text, ok := findDate(s)
	return ok && runes(strings.TrimSpace(strings.Replace(s, text, "", 1))) <= 1
}

// isHistoryLine reports whether a line records how a text was adopted or
// changed: a date and what happened then, alone or in the parenthesis
// under a law's title.
func isHistoryLine(s string) bool {
	if _, _, ok := findDate(s); !ok || !historyVerbRe.MatchString(s) || runes(s) > 400 {
		return false
	}
	if strings.HasPrefix(s, "（") || strings.HasPrefix(s, "(") {
		return true
	}
	_, text, _ := findDate(s)
	return strings.HasPrefix(s, text) || strings.HasPrefix(s, "根据")
}

// splitHistory cuts a history parenthesis into one line per event:
// （2007年6月29日…通过　根据2012年12月28日…修正） gives two lines.
func splitHistory(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "（"), "(")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "）"), ")")
	dates := datesIn(s)
	var out []string
	start := 0
	for k := 1; k < len(dates); k++ {
		cut := dates[k].Start
		if p := strings.LastIndex(s[:cut], "根据"); p >= start && cut-p <= len("根据")+3 {
			cut = p
		}
		// Only cut after a verb: 2008年1月1日起施行 inside one event stays.
		if !historyVerbRe.MatchString(s[start:cut]) {
			continue
		}
		out = append(out, strings.TrimSpace(strings.Trim(s[start:cut], "　 ；;，,")))
		start = cut
	}
	if rest := strings.TrimSpace(strings.Trim(s[start:], "　 ；;，,")); rest != "" {
		out = append(out, rest)
	}
	return out
}

// isIssuerLine reports whether a line can be the name of an issuing body:
// short, no punctuation, not a numbered unit.
func isIssuerLine(s string) bool {
	n := runes(s)
	return n >= 2 && n <= 30 && !strings.ContainsAny(s, "。，；：:、？！,;?!“”\"《》") && !strings.Contains(s, "关于") &&
		!startsUnit(s) && !hasDate(s)
}

// isDivision reports whether a line is a 编/章/节 heading.
func isDivision(s string) bool {
	return divisionRe.MatchString(s) && runes(s) <= 40 && !strings.ContainsAny(s, "。；")
}

// normalizeDocNumber writes a 文号 with 〔〕 brackets and no spaces.
func normalizeDocNumber(s string) string {
	s = strings.Join(strings.Fields(s), "")
	return strings.NewReplacer("［", "〔", "］", "〕", "[", "〔", "]", "〕", "【", "〔", "】", "〕", "﹝", "〔", "﹞", "〕",
		"(", "〔", ")", "〕", "（", "〔", "）", "〕").Replace(s)
}

// sameText compares two lines ignoring spaces, width and 《》 brackets.
func sameText(a, b string) bool {
	k := func(s string) string {
		return strings.NewReplacer(" ", "", "《", "", "》", "").Replace(zh.Normalize(s))
	}
	return a != "" && b != "" && k(a) == k(b)
}

func firstNonEmptyString(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// shortTitleRe strips what a member leaves out of a law's name.
var shortTitleRe = regexp.MustCompile(`^中华人民共和国|[（(]\d{4}[^）)]*[）)]$`)

// shortTitle is the name a member would say: 中华人民共和国劳动合同法 is
// 劳动合同法.
func shortTitle(title string) string {
	t := strings.Trim(strings.TrimSpace(title), "《》")
	if s := strings.TrimSpace(shortTitleRe.ReplaceAllString(t, "")); runes(s) >= 2 {
		return s
	}
	return t
}

// fileDateRe: the version date LawRefBook puts in a file name: 劳动合同法(2012-12-28).md.
var fileDateRe = regexp.MustCompile(`[（(](\d{4}-\d{2}-\d{2})[）)]`)

// versionOf is a text's version date and its label for citations (2012年修正):
// the file name's date, or else the last 修正/修订/公布 of its history; the
// label names what happened on that date.
func versionOf(name string, history []string) (iso, label string) {
	type event struct{ date, verb string }
	var events []event
	for _, h := range history {
		d, _, ok := findDate(h)
		if !ok {
			continue
		}
		verb := ""
		if vs := historyVerbRe.FindAllString(h, -1); len(vs) > 0 {
			verb = vs[len(vs)-1]
		}
		events = append(events, event{d, verb})
	}
	if m := fileDateRe.FindStringSubmatch(path.Base(name)); m != nil {
		iso = m[1]
		for _, e := range events {
			if e.date == iso && e.verb != "施行" && e.verb != "执行" {
				return iso, versionLabel(iso, e.verb)
			}
		}
		return iso, versionLabel(iso, "")
	}
	for k := len(events) - 1; k >= 0; k-- {
		switch events[k].verb {
		case "修正", "修订", "公布", "发布", "印发", "颁布":
			return events[k].date, versionLabel(events[k].date, events[k].verb)
		}
	}
	for k := len(events) - 1; k >= 0; k-- {
		if events[k].verb == "通过" || events[k].verb == "批准" {
			return events[k].date, versionLabel(events[k].date, events[k].verb)
		}
	}
	return "", ""
}

// versionLabel is 2012年修正, or 2012年版 when what happened is not known.
func versionLabel(iso, verb string) string {
	if len(iso) < 4 {
		return ""
	}
	switch verb {
	case "修正", "修订", "公布", "发布", "印发", "颁布", "通过":
		return iso[:4] + "年" + verb
	}
	return iso[:4] + "年版"
}
