package bot

import (
	"strings"
	"testing"
	"time"
)

func TestGroupGaps(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2024, 5, 1, h, 0, 0, 0, time.UTC) }
	qs := []QuestionRecord{
		{Question: "疗休养怎么报名？", Abstained: true, Time: at(1)},
		{Question: "助学金怎么申请", Abstained: true, Time: at(2)},
		{Question: "工会疗休养如何报名", Abstained: true, Time: at(3)},
		{Question: "疗休养怎么报名？", Abstained: true, Time: at(4)},
		{Question: "孩子考上大学有补助吗", Time: at(5)}, // answered, no 👎: not a gap
		{Question: "助学金怎么申请", Feedback: -1, Time: at(6)},
		{Question: "療休養什麼時候報名", Abstained: true, Time: at(7)}, // traditional characters
		{Question: "你好", Abstained: true, Time: at(8)},
	}
	fold := func(s string) string {
		return strings.NewReplacer("療", "疗", "養", "养", "麼", "么", "時", "时", "報", "报").Replace(s)
	}
	got := groupGaps(qs, fold)
	type summary struct {
		text              string
		count, down, abst int
	}
	var sums []summary
	for _, g := range got {
		sums = append(sums, summary{g.Text, g.Count, g.Down, g.Abstained})
	}
	want := []summary{
		{"疗休养怎么报名？", 4, 0, 4},
		{"助学金怎么申请", 2, 1, 1},
		{"你好", 1, 0, 1},
	}
	if len(sums) != len(want) {
		t.Fatalf("groups = %+v, want %+v", sums, want)
	}
	for i := range want {
		if sums[i] != want[i] {
			t.Errorf("group %d = %+v, want %+v", i, sums[i], want[i])
		}
	}
	if o := got[0].Others; len(o) != 2 {
		t.Errorf("other wordings = %q", o)
	}
}

func TestJaccardOfQuestions(t *testing.T) {
	for _, tc := range []struct {
		a, b    string
		similar bool
	}{
		{"疗休养怎么报名", "疗休养怎么报名？", true},
		{"工会疗休养怎么报名", "疗休养如何报名", true},
		{"疗休养什么时候报名", "疗休养怎么报名", true},
		{"助学金怎么申请", "疗休养怎么报名", false},
		{"农民工被拖欠工资怎么办", "工资被拖欠了找谁", true},
		{"送外卖累了哪里能歇脚", "农民工被拖欠工资怎么办", false},
		{"职工生病住院有补助吗", "职工子女上大学有补助吗", false},
	} {
		s := jaccard(questionTerms(tc.a), questionTerms(tc.b))
		if (s >= gapSimilarity) != tc.similar {
			t.Errorf("jaccard(%q, %q) = %.2f; similar want %v", tc.a, tc.b, s, tc.similar)
		}
	}
}

func TestComputeAndRenderStats(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2024, 5, 8, 10, 0, 0, 0, loc) // a Wednesday
	day := func(d, h int) time.Time { return time.Date(2024, 5, d, h, 30, 0, 0, loc).UTC() }
	qs := []QuestionRecord{
		{Time: day(1, 9), ChatType: "private"}, // before the 7 days
		{Time: day(2, 20), ChatType: "private", Feedback: 1},
		{Time: day(2, 20), ChatType: "supergroup", Abstained: true},
		{Time: day(7, 20), ChatType: "private", Feedback: -1},
		{Time: day(8, 9), ChatType: "private", Failed: true},
		{Time: day(8, 0), ChatType: "group", Abstained: true, Feedback: -1},
	}
	s := computeStats(qs, now, 7, loc)
	if s.Total != 5 || s.Answered != 2 || s.Abstained != 2 || s.Failed != 1 || s.Up != 1 || s.Down != 2 || s.Private != 3 || s.Group != 2 {
		t.Errorf("stats = %+v", s)
	}
	if len(s.PerDay) != 7 || s.PerDay[0].Day.Day() != 2 || s.PerDay[0].Count != 2 || s.PerDay[6].Count != 2 {
		t.Errorf("per day = %+v", s.PerDay)
	}
	text := strings.Join(renderStats(s, 7), "")
	for _, want := range []string{"共 5 问", "答上 2（40%）", "资料里没有 2（40%）", "出错 1（20%）", "👍 1 · 👎 2", "05-02 周四  2", "05-08 周三  2", "20–21 点（3 问）"} {
		if !strings.Contains(text, want) {
			t.Errorf("stats lack %q:\n%s", want, text)
		}
	}
}

func TestReportDays(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		ret  time.Duration
		want int
	}{
		{"", 90 * 24 * time.Hour, 7},
		{"30", 90 * 24 * time.Hour, 30},
		{"365", 90 * 24 * time.Hour, 90},
		{"30", 14 * 24 * time.Hour, 14},
		{"abc", 90 * 24 * time.Hour, 7},
		{"-3", 90 * 24 * time.Hour, 7},
	} {
		if got := reportDays(tc.arg, tc.ret); got != tc.want {
			t.Errorf("reportDays(%q, %v) = %d, want %d", tc.arg, tc.ret, got, tc.want)
		}
	}
}
