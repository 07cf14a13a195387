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
	}
	for _, tt := range tests {
		var got []string
		for _, nf := range numberForms(tt.in) {
			got = append(got, nf.value)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("numberForms(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
