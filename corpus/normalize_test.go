package corpus

import (
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"金秋助学每人资助多少钱？", "金秋助学每人资助多少钱?"},
		{"５３２４名　职工", "5324名 职工"},
		{"  a\u00a0\u00a0b\t\nc  ", "a b c"},
		{"ＡＢＣ（兼）", "ABC(兼)"},
		{"bad\xffutf8", "badutf8"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	f := newTestFolder(t)
	tests := []struct{ in, want string }{
		{"孩子考上大學，工會有助學金嗎？", "孩子考上大学,工会有助学金吗?"},
		{"職工書屋", "职工书屋"},
		{"ＡＢＣ", "abc"},
	}
	for _, tt := range tests {
		if got := f.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func newTestFolder(tb testing.TB) *Folder {
	tb.Helper()
	f, err := NewFolder()
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "金秋助学？", "５３２４", "\xff\xfe", "a\u3000b", "助學金"} {
		f.Add(s)
	}
	folder := newTestFolder(f)
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if Normalize(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, Normalize(n))
		}
		if fo := folder.Fold(s); !utf8.ValidString(fo) {
			t.Fatalf("fold produced invalid UTF-8 from %q", s)
		}
	})
}
