package zh

import "testing"

func TestQuestionFrameBefore(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"公司扣我身份证这合法吗", 4},
		{"老板这样中不中", 5},
		{"试用期延长两次可以吗", 3},
		{"走的时候不给开离职证明咋整", 2},
		{"合法权益", 0},
		{"产假多少天", 0},
	}
	for _, tt := range tests {
		if got := QuestionFrameBefore([]rune(tt.in)); got != tt.want {
			t.Errorf("QuestionFrameBefore(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestAsks(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"老板已经3个月没发工资了，说是资金周转不开，让再等等。", false},
		{"俺家里娃要交学费，房租也欠着，实在等不起了。", false},
		{"俺能直接走人不？", true},
		{"走了还能要补偿吗", true},
		{"产假多少天", true},
		{"我想问问年休假", false},
		{"工伤认定需要什么材料", true},
	}
	for _, tt := range tests {
		if got := Asks(tt.in); got != tt.want {
			t.Errorf("Asks(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPlaces(t *testing.T) {
	if got := Places("兰州最低工资是多少"); len(got) != 1 || got[0] != "兰州" {
		t.Errorf("Places = %v", got)
	}
	if got := Places("试用期最长多久"); len(got) != 0 {
		t.Errorf("Places = %v, want none", got)
	}
}
