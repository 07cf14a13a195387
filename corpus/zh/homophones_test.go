package zh

import (
	"slices"
	"testing"
)

func TestHomophones(t *testing.T) {
	h := NewHomophones()
	tests := []struct {
		char    rune
		want    []rune // among the homophones
		wantNot []rune // not among them
	}{
		{'词', []rune{'辞', '慈'}, []rune{'词', '退'}},
		{'设', []rune{'社', '射'}, []rune{'保'}},
		{'栽', []rune{'灾', '再'}, []rune{'裁'}}, // zāi is not cái
		{'价', []rune{'假', '架'}, nil},
		{'律', []rune{'绿'}, []rune{'路'}},           // lǜ is not lù
		{'重', []rune{'众', '中'}, []rune{'虫'}},      // its common reading, zhòng, not chóng
		{'抵', []rune{'底', '地'}, []rune{'职', '纸'}}, // dǐ, not the rare zhǐ
	}
	for _, tt := range tests {
		got := slices.Collect(h.Of(tt.char))
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("Of(%c) lacks %c", tt.char, w)
			}
		}
		for _, w := range tt.wantNot {
			if slices.Contains(got, w) {
				t.Errorf("Of(%c) holds %c", tt.char, w)
			}
		}
	}
	if !h.Same('词', '辞') || h.Same('词', '词') || h.Same('栽', '裁') || h.Same('a', 'a') {
		t.Error("Same disagrees with Of")
	}
	if len(slices.Collect(h.Of('a'))) > 0 {
		t.Error("a Latin letter has homophones")
	}
}
