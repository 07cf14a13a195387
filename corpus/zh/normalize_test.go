package zh

import (
	"testing"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh/internal/t2sdict"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"金秋助学每人资助多少钱？", "金秋助学每人资助多少钱?"},
		{"５３２４名　职工", "5324名 职工"},
		{"  a\u00a0\u00a0b\t\nc  ", "a b c"},
		{"ＡＢＣ（兼）", "ABC(兼)"},
		{"bad\xffutf8", "badutf8"},
		{"zero\u200bwidth\ufeff", "zero width"},
		{"bell\x07and\x7fdel", "bellanddel"},
		// Issue 10: the control character goes before NFKC, so one pass
		// composes Ç and a second pass changes nothing.
		{"C\x18\u0327" + "0", "Ç0"},
		{"", ""},
	}
	for _, tt := range tests {
		got := Normalize(tt.in)
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Normalize(got); again != got {
			t.Errorf("Normalize not idempotent on %q: %q then %q", tt.in, got, again)
		}
	}
}

func TestFold(t *testing.T) {
	f := NewFolder()
	tests := []struct{ in, want string }{
		{"孩子考上大學，工會有助學金嗎？", "孩子考上大学,工会有助学金吗?"},
		{"職工書屋", "职工书屋"},
		{"ＡＢＣ", "abc"},
		{"ÀΣ", "àσ"},
		{"劳动合同法", "劳动合同法"},
	}
	for _, tt := range tests {
		if got := f.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var nilFolder *Folder
	if got := nilFolder.Fold("學"); got != "学" {
		t.Errorf("nil Folder: Fold = %q", got)
	}
}

// TestT2STableMatchesOpenCC checks that the generated table (t2s_table.go)
// is what OpenCC's dictionaries give today: run go generate ./corpus/zh when
// it fails after an OpenCC upgrade.
func TestT2STableMatchesOpenCC(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCC's dictionaries")
	}
	pairs, err := t2sdict.Pairs()
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[rune]rune, len(pairs))
	for _, p := range pairs {
		want[p.From] = p.To
	}
	for r := t2sdict.First; r <= t2sdict.Last; r++ {
		got, ok := toSimplified(r)
		w, wok := want[r]
		if ok != wok || (ok && got != w) {
			t.Fatalf("t2s(%q) = %q %v, OpenCC gives %q %v: run go generate ./corpus/zh", r, got, ok, w, wok)
		}
	}
	if t2sFirst != t2sdict.First || t2sLast != t2sdict.Last {
		t.Errorf("table bounds %U–%U, want %U–%U", t2sFirst, t2sLast, t2sdict.First, t2sdict.Last)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "金秋助学？", "５３２４", "\xff\xfe", "a\u3000b", "助學金", "C\x18\u0327" + "0", " \u0301x", "e\u200b\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if Normalize(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, Normalize(n))
		}
		fo := Fold(s)
		if !utf8.ValidString(fo) {
			t.Fatalf("fold produced invalid UTF-8 from %q", s)
		}
		if Fold(fo) != fo {
			t.Fatalf("fold not idempotent: %q -> %q -> %q", s, fo, Fold(fo))
		}
	})
}

// BenchmarkNewFolder measures what a Folder costs at start-up: building the
// 繁→简 lookup table from the generated pairs (done once, when the program
// starts). Deriving it through OpenCC, as before, took about 40 ms and
// 8.7 MB per start.
func BenchmarkNewFolder(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = buildT2S(t2sPairs)
		_ = NewFolder()
	}
}

func BenchmarkFold(b *testing.B) {
	s := "孩子考上大學，工會有助學金嗎？开展“金秋助学”活动：2013—2019年，全市各级工会累积筹措资金1296.83万元"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Fold(s)
	}
}
