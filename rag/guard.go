package rag

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gonghui/qa/corpus/zh"
)

// Reasons a generated answer fails CheckGrounded, for a log line or a metric
// label. They are stable strings: dashboards may depend on them.
const (
	// GuardEmpty: the answer has no text once reasoning is removed.
	GuardEmpty = "empty"
	// GuardNoCitation: the answer cites no passage at all.
	GuardNoCitation = "no_citation"
	// GuardUnknownCitation: a marker [n] names a passage that was not given.
	GuardUnknownCitation = "unknown_citation"
	// GuardUngroundedNumber: a number in the answer is in no passage it cites.
	GuardUngroundedNumber = "ungrounded_number"
)

// GuardError says why a generated answer must not be sent. Reason is one of
// the Guard* constants; Detail names the offending marker or number.
type GuardError struct {
	Reason string
	Detail string
}

// Error describes the failure for logs; it never holds a secret.
func (e *GuardError) Error() string {
	return "answer not grounded: " + e.Reason + ": " + e.Detail
}

// CheckGrounded checks a generated answer against the passages it was written
// from (given[i] is marker [i+1], as in Generator) and returns a *GuardError
// when the answer must not be sent:
//
//   - it is empty, or cites no passage;
//   - a marker [n] refers to a passage that was not given;
//   - a number in it (digits, decimals, Chinese numerals such as 五千 or
//     百分之九十, amounts with 万/亿, percentages, dates, counts, each end of
//     a range) does not appear in a passage it cites.
//
// Numbers are compared by value, so 2000至5000元, 2000-5000元 and 两千到五千元
// are the same facts, and 54.27万 matches 542700. Where a number must be found:
// in a passage cited by its own sentence; when that sentence cites nothing,
// in a passage cited by its paragraph; when the paragraph cites nothing, in
// any passage the answer cites. A passage's facts are its text and its
// metadata (title, heading, source, date, page), all of which the model saw.
//
// Markers are expected as [n]; CleanAnswer turns the other forms models write
// ([1,2], 【1】, ［1］) into that form first.
func CheckGrounded(answer string, given []Citation) error {
	answer = strings.TrimSpace(StripThink(answer))
	if answer == "" {
		return &GuardError{Reason: GuardEmpty, Detail: "no text"}
	}
	all := CitedMarkers(answer)
	if len(all) == 0 {
		return &GuardError{Reason: GuardNoCitation, Detail: "no [n] marker"}
	}
	for _, n := range all {
		if n < 1 || n > len(given) {
			return &GuardError{Reason: GuardUnknownCitation,
				Detail: fmt.Sprintf("[%d] but %d passages were given", n, len(given))}
		}
	}

	facts := make([]map[string]bool, len(given))
	factsOf := func(n int) map[string]bool {
		if facts[n-1] == nil {
			c := given[n-1]
			facts[n-1] = numFactSet(strings.Join([]string{c.DocTitle, c.Heading, c.Source, c.Date, c.Page, c.Text}, "\n"))
		}
		return facts[n-1]
	}

	for _, para := range strings.Split(answer, "\n") {
		paraMarkers := CitedMarkers(para)
		for _, sent := range guardSentences(para) {
			scope := CitedMarkers(sent)
			if len(scope) == 0 {
				scope = paraMarkers
			}
			if len(scope) == 0 {
				scope = all
			}
			for _, num := range extractNumFacts(guardMarkerRe.ReplaceAllString(sent, " ")) {
				if !guardGrounded(num, scope, factsOf) {
					return &GuardError{Reason: GuardUngroundedNumber,
						Detail: fmt.Sprintf("%q is in none of %s", num.text, guardMarkerList(scope))}
				}
			}
		}
	}
	return nil
}

func guardGrounded(num numFact, scope []int, factsOf func(int) map[string]bool) bool {
	for _, n := range scope {
		set := factsOf(n)
		for _, v := range num.values {
			if set[numKey(v)] {
				return true
			}
		}
	}
	return false
}

func guardMarkerList(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = "[" + strconv.Itoa(n) + "]"
	}
	return strings.Join(parts, "")
}

var (
	guardMarkerRe = regexp.MustCompile(`\[(\d{1,3})\]`)
	// Marker forms models write besides [n]: full-width or lenticular
	// brackets, and lists such as [1,2], [1、2], [1][2].
	guardLooseMarkerRe = regexp.MustCompile(`[\[［【]\s*(\d{1,3}(?:\s*[,，、;；]\s*\d{1,3})*)\s*[\]］】]`)
	guardMarkerSepRe   = regexp.MustCompile(`\s*[,，、;；]\s*`)
	guardThinkRe       = regexp.MustCompile(`(?is)<think(?:ing)?>.*?</think(?:ing)?>`)
	guardOpenThinkRe   = regexp.MustCompile(`(?is)<think(?:ing)?>.*$`)
)

// CitedMarkers returns the distinct passage numbers cited by [n] markers in
// text, in order of first citation ("a[3]b[1][3]" gives 3, 1).
func CitedMarkers(text string) []int {
	var ns []int
	for _, m := range guardMarkerRe.FindAllStringSubmatch(text, -1) {
		n, err := strconv.Atoi(m[1])
		if err == nil && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	return ns
}

// StripThink removes the reasoning a reasoning model writes between <think>
// and </think> (also <thinking>), and an unclosed <think> block to the end
// of text, so that it is never shown to a member.
func StripThink(text string) string {
	text = guardThinkRe.ReplaceAllString(text, "")
	text = guardOpenThinkRe.ReplaceAllString(text, "")
	// Some servers drop the opening tag and send only the closing one.
	if i := strings.LastIndex(strings.ToLower(text), "</think>"); i >= 0 {
		text = text[i+len("</think>"):]
	}
	return text
}

// CleanAnswer prepares a model's answer for CheckGrounded and for display:
// reasoning removed, citation markers written as [1][2] whatever form the
// model used, surrounding space trimmed.
func CleanAnswer(text string) string {
	text = StripThink(text)
	text = guardLooseMarkerRe.ReplaceAllStringFunc(text, func(m string) string {
		inner := guardLooseMarkerRe.FindStringSubmatch(m)[1]
		var b strings.Builder
		for _, n := range guardMarkerSepRe.Split(inner, -1) {
			b.WriteString("[" + strings.TrimLeft(n, "0 ") + "]")
		}
		return b.String()
	})
	return strings.TrimSpace(text)
}

// guardSentences splits a paragraph into sentences, keeping with each the
// markers and closing quotes that follow its end mark, as in "……救助。[1]".
func guardSentences(para string) []string {
	return zh.Splitter{Citations: true, Lossless: true}.Split(para)
}

// numFact is one number found in a text: its text as written and the values
// it may stand for (one, or more when the text is ambiguous, such as the 2 of
// 2至5万元, which is 2 or 20000). A number matches another when they share a
// value.
type numFact struct {
	text   string
	values []float64
}

// extractNumFacts returns the numbers of text that state a fact: every
// number zh.Numbers finds except list enumerators (一、 二是 第三，).
func extractNumFacts(text string) []numFact {
	var out []numFact
	for _, n := range zh.Numbers(text) {
		if !n.Enumerator {
			out = append(out, numFact{text: n.Text, values: n.Values()})
		}
	}
	return out
}

// numFactSet returns the value keys of every number in text.
func numFactSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, n := range extractNumFacts(text) {
		for _, v := range n.values {
			set[numKey(v)] = true
		}
	}
	return set
}

// numKey writes a value so that equal numbers written differently (07 and
// 7, 54.27万 and 542700, 1.50 and 1.5) have the same key.
func numKey(v float64) string { return zh.FormatNumber(v) }
