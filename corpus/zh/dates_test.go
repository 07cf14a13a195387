package zh

import (
	"slices"
	"testing"
)

func TestFindDates(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"2020年07月02日", []string{"2020-07-02"}},
		{"发布于 2020 年 7 月 2 日 星期四", []string{"2020-07-02"}},
		{"2020-07-02", []string{"2020-07-02"}},
		{"日期：2020.7.2", []string{"2020-07-02"}},
		{"2020/7/2", []string{"2020-07-02"}},
		{"２０２０年７月２日", []string{"2020-07-02"}},
		{"２０２０－０７－０２", []string{"2020-07-02"}},
		{"二〇二〇年七月二日", []string{"2020-07-02"}},
		{"二○二○年七月二日", []string{"2020-07-02"}},
		{"二〇二四年十二月三十一日", []string{"2024-12-31"}},
		{"2020年七月二号", []string{"2020-07-02"}},
		{"7月2日起报名，8月31日截止", []string{"--07-02", "--08-31"}},
		{"2月29日", []string{"--02-29"}},
		{"2021-02-30", nil},
		{"2020-07/02", nil},
		{"版本 1.2020.7.2", nil},
		{"2020-07-021", nil},
		{"电话 12351", nil},
		{"13月2日", nil},
		{"1800年7月2日", nil},
		{"2013—2019年", nil},
		{"2019年9月底", nil},
		{"从2020-07-02到2020年8月1日", []string{"2020-07-02", "2020-08-01"}},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range FindDates(tt.in) {
			got = append(got, d.String())
			if d.Start < 0 || d.End > len(tt.in) || d.Start >= d.End {
				t.Errorf("FindDates(%q): bad span %+v", tt.in, d)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("FindDates(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when not a date
	}{
		{"2024-05-01", "2024-05-01"},
		{" 2024年5月1日 ", "2024-05-01"},
		{"2024/5/1", "2024-05-01"},
		{"2024.5.1", "2024-05-01"},
		{"二〇二四年五月一日", "2024-05-01"},
		{"5月1日", "--05-01"},
		{"五月初", ""},
		{"2024-02-30", ""},
		{"日期：2024-05-01", ""},
		{"", ""},
	}
	for _, tt := range tests {
		d, ok := ParseDate(tt.in)
		got := ""
		if ok {
			got = d.String()
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFindDates(f *testing.F) {
	for _, s := range []string{"2020年07月02日", "二〇二〇年七月二日", "2020.7.2", "7月2日", "1.2020.7.2", "２０２０－０７－０２", "年月日"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		for _, d := range FindDates(s) {
			if d.Start < last || d.End > len(s) || d.Start >= d.End {
				t.Fatalf("bad span %+v in %q", d, s)
			}
			last = d.End
			if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 || (d.Year != 0 && (d.Year < 1900 || d.Year > 2200)) {
				t.Fatalf("impossible date %+v from %q", d, s)
			}
		}
	})
}
