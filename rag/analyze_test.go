package rag

import (
	"reflect"
	"testing"
)

func TestNumberForms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"二十多个人", []string{"20"}},
		{"两千到五千元", []string{"2000", "5000"}},
		{"最少2千最多5千", []string{"2000", "5000"}},
		{"一线职工", nil},
		{"三百五十", []string{"350"}},
		{"十万", []string{"100000"}},
		{"二零二零年", []string{"2020"}},
		// The question side once read these as 3005, 20005 and 10002,
		// disagreeing with the answer guard (issue 9); both use zh.Numbers now.
		{"补助三千五还是两万五还是一万二", []string{"3500", "25000", "12000"}},
		{"百分之九十", []string{"90"}},
		{"54.27万", []string{"542700"}},
		{"5324名", nil}, // already digits
		{"十分感谢，第三，", nil},
		// Digits before a unit, as laws write them in Chinese numerals.
		{"签1年的合同", []string{"一年"}},
		{"提前30天", []string{"三十天", "三十日"}},
		{"赔2倍工资", []string{"二倍", "两倍"}},
	}
	for _, tt := range tests {
		var got []string
		for _, nf := range numberForms(tt.in) {
			got = append(got, nf.values...)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("numberForms(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNumberFormsPositions(t *testing.T) {
	// Positions are rune offsets into the folded question.
	in := "ａ两千到五千元"
	got := numberForms(in)
	want := []numberForm{{[]string{"2000"}, 1, 3}, {[]string{"5000"}, 4, 6}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("numberForms(%q) = %+v, want %+v", in, got, want)
	}
}
