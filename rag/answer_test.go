package rag

import (
	"reflect"
	"testing"
)

func TestParseSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []Sentence
	}{
		{"有，2000至5000元[1]。", []Sentence{{Text: "有，2000至5000元。", Cites: []int{1}}}},
		{"助学金3000元[1]，申请带录取通知书 <原件> [2]。", []Sentence{
			{Text: "助学金3000元，", Cites: []int{1}},
			{Text: "申请带录取通知书 <原件>。", Cites: []int{2}},
		}},
		{"甲。[1][2]乙。[3]", []Sentence{{Text: "甲。", Cites: []int{1, 2}}, {Text: "乙。", Cites: []int{3}}}},
		{"没有引用的一句。", []Sentence{{Text: "没有引用的一句。"}}},
		{"第一段[1]。\n第二段[2]。", []Sentence{{Text: "第一段。", Cites: []int{1}}, {Text: "第二段。", Cites: []int{2}, Break: true}}},
		{"[1][2]", nil},
	}
	for _, tt := range tests {
		got := ParseSentences(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseSentences(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
	}
}

func TestAnswerTextPutsMarkersAfterSentences(t *testing.T) {
	a := Answer{Sentences: []Sentence{{Text: "助学金3000元，", Cites: []int{1}}, {Text: "申请带录取通知书。", Cites: []int{2, 3}}, {Text: "另一段。", Cites: []int{1}, Break: true}}}
	if got, want := a.Text(), "助学金3000元，[1]申请带录取通知书。[2][3]\n另一段。[1]"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}
