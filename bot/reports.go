package bot

import (
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gonghui/qa/corpus/zh"
)

// Report windows: /gaps and /stats cover 7 days unless a number of days
// follows the command (at most maxReportDays, and never past retention).
const (
	defaultReportDays = 7
	maxReportDays     = 90
	maxGapGroups      = 20
	// gapSimilarity is the Jaccard similarity of questions' characters and
	// character bigrams above which they are grouped: high enough that
	// 助学金怎么申请 and 疗休养怎么报名 stay apart, low enough that reworded
	// questions (工资被拖欠了找谁, 农民工被拖欠工资怎么办) meet.
	gapSimilarity = 0.35
)

// reportDays reads the optional number of days after /gaps or /stats.
func reportDays(arg string, retention time.Duration) int {
	days := defaultReportDays
	if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n > 0 {
		days = min(n, maxReportDays)
	}
	if r := int(retention / (24 * time.Hour)); r > 0 && days > r {
		days = r
	}
	return days
}

// gapGroup is a set of similar questions the corpus did not answer (or
// whose answer got 👎).
type gapGroup struct {
	// Text is the group's most common wording.
	Text string
	// Count is how often questions of the group were asked; Down how many
	// of them got 👎; Abstained how many were not answered.
	Count, Down, Abstained int
	// Others are up to two other wordings.
	Others []string
	Last   time.Time
	// IDs are the update IDs of the group's questions; SavedDown counts
	// those whose 👎 was on a saved answer (工会答复).
	IDs       []int64
	SavedDown int

	terms    map[string]bool // the first question's terms, compared against
	wordings map[string]int
}

// isGap reports whether a recorded question belongs in /gaps.
func isGap(q QuestionRecord) bool { return q.Abstained || q.Feedback < 0 }

// groupGaps groups the gap questions among qs greedily: each joins the
// group whose first question's terms are most similar to its own (Jaccard
// at least gapSimilarity) or starts a new group. Groups come most asked
// first, then most recent.
func groupGaps(qs []QuestionRecord, fold func(string) string) []gapGroup {
	var groups []*gapGroup
	for _, q := range qs {
		if !isGap(q) {
			continue
		}
		text := strings.TrimSpace(q.Question)
		terms := questionTerms(fold(text))
		var best *gapGroup
		bestSim := 0.0
		for _, g := range groups {
			if s := jaccard(terms, g.terms); s > bestSim {
				best, bestSim = g, s
			}
		}
		if best == nil || bestSim < gapSimilarity {
			best = &gapGroup{terms: terms, wordings: map[string]int{}}
			groups = append(groups, best)
		}
		best.Count++
		if q.Feedback < 0 {
			best.Down++
			if q.Saved {
				best.SavedDown++
			}
		}
		best.IDs = append(best.IDs, q.UpdateID)
		if q.Abstained {
			best.Abstained++
		}
		if q.Time.After(best.Last) {
			best.Last = q.Time
		}
		best.wordings[text]++
	}
	out := make([]gapGroup, 0, len(groups))
	for _, g := range groups {
		type wording struct {
			text string
			n    int
		}
		var ws []wording
		for t, n := range g.wordings {
			ws = append(ws, wording{t, n})
		}
		sort.Slice(ws, func(i, j int) bool {
			if ws[i].n != ws[j].n {
				return ws[i].n > ws[j].n
			}
			return ws[i].text < ws[j].text
		})
		g.Text = ws[0].text
		for _, w := range ws[1:min(len(ws), 3)] {
			g.Others = append(g.Others, w.text)
		}
		out = append(out, *g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Last.After(out[j].Last)
	})
	return out
}

// questionTerms are the characters and character bigrams of folded text's
// letters and digits, after dropping question words and particles
// (zh.RemoveStopWords). Bigrams keep the
// wording; characters let a reordered question ("工资被拖欠" and "拖欠工资")
// still meet.
func questionTerms(folded string) map[string]bool {
	var rs []rune
	for _, r := range zh.RemoveStopWords(folded) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	out := map[string]bool{}
	for i := range rs {
		out[string(rs[i])] = true
		if i+1 < len(rs) {
			out[string(rs[i:i+2])] = true
		}
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := 0
	for t := range a {
		if b[t] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// reports are the staff's figures from the question log: /gaps and /stats.
type reports struct {
	store *Store
	// fold folds questions' text (width, 繁→简) before they are grouped;
	// it is built on first use.
	fold      func() func(string) string
	retention time.Duration
	tz        *time.Location // where days and hours are counted
	log       *slog.Logger
}

// since is where the window of /gaps or /stats [days] starts.
func (rp *reports) since(arg string) time.Time {
	return time.Now().Add(-time.Duration(reportDays(arg, rp.retention)) * 24 * time.Hour)
}

// gaps answers /gaps [days], and returns the groups listed (numbered from
// 1, for /answer N). marks, when not nil, adds a line to each group (a
// ticket or a saved answer it has).
func (rp *reports) gaps(arg string, marks func([]gapGroup) []string) ([]string, []gapGroup) {
	days := reportDays(arg, rp.retention)
	qs, err := rp.store.Questions(rp.since(arg))
	if err != nil {
		rp.log.Error("cannot read questions for /gaps", "err", err)
		return []string{esc(textFailed)}, nil
	}
	groups := groupGaps(qs, rp.fold())
	if len(groups) == 0 {
		return []string{esc(fmt.Sprintf("近 %d 天没有答不上的问题，也没有人点 👎。", days))}, nil
	}
	var notes []string
	if marks != nil {
		notes = marks(groups[:min(len(groups), maxGapGroups)])
	}
	total := 0
	for _, g := range groups {
		total += g.Count
	}
	segs := []string{fmt.Sprintf("<b>近 %d 天没答上的问题</b>\n共 %d 次，归成 %d 类，问得多的在前：", days, total, len(groups))}
	for i, g := range groups {
		if i == maxGapGroups {
			segs = append(segs, fmt.Sprintf("\n\n…… 还有 %d 类，各只问过一两次。", len(groups)-maxGapGroups))
			break
		}
		line := fmt.Sprintf("\n\n%d. %s — <b>%d 次</b>", i+1, esc(g.Text), g.Count)
		if g.Down > 0 {
			line += fmt.Sprintf("（👎 %d）", g.Down)
		}
		if len(g.Others) > 0 {
			line += "\n   类似：" + esc(strings.Join(g.Others, "；"))
		}
		if i < len(notes) {
			line += notes[i]
		}
		segs = append(segs, line)
	}
	segs = append(segs, "\n\n资料里还没有这些问题的答案，可以考虑补发一份通知，把文件发给我就能入库；也可以发 /answer 编号 直接答复一类问题，存为问答。")
	return segs, groups[:min(len(groups), maxGapGroups)]
}

// stats are the figures /stats shows.
type stats struct {
	Total, Answered, Abstained, Failed int
	Up, Down                           int
	Private, Group                     int
	// PerDay counts questions per calendar day, oldest first.
	PerDay []dayCount
	// Hours counts questions per hour of the day.
	Hours [24]int
}

type dayCount struct {
	Day   time.Time
	Count int
	// Answered, Abstained and Failed split Count by outcome; Up and Down
	// count the 👍 and 👎 given to the day's questions.
	Answered, Abstained, Failed, Up, Down int
}

// computeStats counts qs over the days days ending today, in loc.
func computeStats(qs []QuestionRecord, now time.Time, days int, loc *time.Location) stats {
	var s stats
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	first := today.AddDate(0, 0, -(days - 1))
	index := map[string]int{}
	for d := first; !d.After(today); d = d.AddDate(0, 0, 1) {
		index[d.Format(time.DateOnly)] = len(s.PerDay)
		s.PerDay = append(s.PerDay, dayCount{Day: d})
	}
	for _, q := range qs {
		t := q.Time.In(loc)
		i, ok := index[t.Format(time.DateOnly)]
		if !ok {
			continue
		}
		d := &s.PerDay[i]
		d.Count++
		s.Total++
		s.Hours[t.Hour()]++
		switch {
		case q.Failed:
			s.Failed++
			d.Failed++
		case q.Abstained:
			s.Abstained++
			d.Abstained++
		default:
			s.Answered++
			d.Answered++
		}
		switch {
		case q.Feedback > 0:
			s.Up++
			d.Up++
		case q.Feedback < 0:
			s.Down++
			d.Down++
		}
		if q.ChatType == "private" {
			s.Private++
		} else {
			s.Group++
		}
	}
	return s
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

func percent(n, total int) int {
	if total == 0 {
		return 0
	}
	return (200*n + total) / (2 * total) // rounded
}

// renderStats shows stats for the /stats reply.
func renderStats(s stats, days int) []string {
	segs := []string{fmt.Sprintf("<b>近 %d 天的提问</b>\n", days)}
	if s.Total == 0 {
		return append(segs, "还没有人提问。")
	}
	segs = append(segs,
		fmt.Sprintf("共 %d 问：答上 %d（%d%%）· 资料里没有 %d（%d%%）", s.Total, s.Answered, percent(s.Answered, s.Total), s.Abstained, percent(s.Abstained, s.Total)),
	)
	if s.Failed > 0 {
		segs = append(segs, fmt.Sprintf(" · 出错 %d（%d%%）", s.Failed, percent(s.Failed, s.Total)))
	}
	segs = append(segs, fmt.Sprintf("\n反馈：👍 %d · 👎 %d\n私聊 %d 问 · 群里 %d 问\n\n<b>每天</b>", s.Up, s.Down, s.Private, s.Group))
	perDay := s.PerDay
	if len(perDay) > 31 {
		perDay = perDay[len(perDay)-31:]
	}
	for _, d := range perDay {
		segs = append(segs, fmt.Sprintf("\n%s %s  %d", d.Day.Format("01-02"), weekdays[d.Day.Weekday()], d.Count))
	}
	type hour struct{ h, n int }
	var hours []hour
	for h, n := range s.Hours {
		if n > 0 {
			hours = append(hours, hour{h, n})
		}
	}
	sort.SliceStable(hours, func(i, j int) bool { return hours[i].n > hours[j].n })
	var busy []string
	for _, h := range hours[:min(3, len(hours))] {
		busy = append(busy, fmt.Sprintf("%d–%d 点（%d 问）", h.h, h.h+1, h.n))
	}
	segs = append(segs, "\n\n<b>最忙的时段</b>\n"+strings.Join(busy, "、"))
	return segs
}

// statsReply is what /stats sends: a chart (nil when there is nothing to
// draw) with its caption, then the figures as text.
type statsReply struct {
	chart   []byte // PNG
	caption string // HTML
	text    []string
}

// stats answers /stats [days].
func (rp *reports) stats(arg string) statsReply {
	days := reportDays(arg, rp.retention)
	now := time.Now()
	qs, err := rp.store.Questions(now.Add(-time.Duration(days+1) * 24 * time.Hour))
	if err != nil {
		rp.log.Error("cannot read questions for /stats", "err", err)
		return statsReply{text: []string{esc(textFailed)}}
	}
	s := computeStats(qs, now, days, rp.tz)
	reply := statsReply{text: renderStats(s, days)}
	if s.Total > 0 {
		png, err := drawStats(s)
		if err != nil {
			rp.log.Error("cannot draw the /stats chart; sending the figures alone", "err", err)
		} else {
			reply.chart, reply.caption = png, statsCaption(s, days)
		}
	}
	return reply
}
