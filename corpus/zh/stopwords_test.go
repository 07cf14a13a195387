package zh

import "testing"

func TestStopWordAt(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"可不可以申请", 4},
		{"怎么办呢", 3},
		{"怎么申请", 2},
		{"吗", 1},
		{"助学金", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := StopWordAt([]rune(tt.in)); got != tt.want {
			t.Errorf("StopWordAt(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestRemoveStopWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"请问助学金怎么申请吗", "助学金申请"},
		{"疗休养什么时候报名", "疗休养报名"},
		{"工资被拖欠了找谁", "工资拖欠找"},
		{"那产假多少天", "产假天"}, // 那 opens a follow-up (谢谢，那产假多少天？) and names no topic
		{"", ""},
	}
	for _, tt := range tests {
		if got := RemoveStopWords(tt.in); got != tt.want {
			t.Errorf("RemoveStopWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStopWordsAndParticles(t *testing.T) {
	words := StopWords()
	if len(words) < 100 {
		t.Fatalf("only %d stop words", len(words))
	}
	words[0] = "changed"
	if StopWords()[0] == "changed" {
		t.Error("StopWords shares its slice")
	}
	for _, r := range "吗呢的了着" {
		if !IsParticle(r) || StopWordAt([]rune{r}) != 1 {
			t.Errorf("%q should be a particle and a stop word", r)
		}
	}
	for _, r := range "被把" {
		if !IsMarker(r) || StopWordAt([]rune{r}) != 1 {
			t.Errorf("%q should be a marker and a stop word", r)
		}
	}
	if IsMarker('就') {
		t.Error("就 is not a marker")
	}
	if IsParticle('就') {
		t.Error("就 is not a particle")
	}
}
