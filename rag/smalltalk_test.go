package rag

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The cases below were written for this test, not taken from the eval
// sets: rag/eval/testdata/smalltalk.jsonl measures the classifier blind.
func TestClassifySmallTalk(t *testing.T) {
	tests := []struct {
		msg  string
		kind SmallTalk
	}{
		// Greetings.
		{"你好", SmallTalkGreeting},
		{"您好！", SmallTalkGreeting},
		{"你好呀~", SmallTalkGreeting},
		{"在吗？", SmallTalkGreeting},
		{"在不在", SmallTalkGreeting},
		{"早上好", SmallTalkGreeting},
		{"老师早！", SmallTalkGreeting},
		{"hello", SmallTalkGreeting},
		{"Hi 你好", SmallTalkGreeting},
		{"你好，我想问一下", SmallTalkGreeting},
		{"👋", SmallTalkGreeting},
		{"有人吗", SmallTalkGreeting},
		{"您們好", SmallTalkGreeting}, // 繁體
		// Thanks, in many forms.
		{"谢谢", SmallTalkThanks},
		{"谢谢啦", SmallTalkThanks},
		{"多谢多谢", SmallTalkThanks},
		{"thx", SmallTalkThanks},
		{"3q", SmallTalkThanks},
		{"3Q!", SmallTalkThanks},
		{"Thank you very much", SmallTalkThanks},
		{"谢谢你的回答", SmallTalkThanks},
		{"非常感谢您的耐心解答！", SmallTalkThanks},
		{"感谢工会的帮助", SmallTalkThanks},
		{"谢谢你的帮助", SmallTalkThanks},
		{"辛苦了", SmallTalkThanks},
		{"麻烦你了", SmallTalkThanks},
		{"谢謝", SmallTalkThanks},
		{"👍", SmallTalkThanks},
		{"👍👍👍", SmallTalkThanks},
		{"🙏🏻", SmallTalkThanks},
		{"真棒", SmallTalkThanks},
		{"太厉害了吧", SmallTalkThanks},
		{"好的，谢谢！", SmallTalkThanks},
		{"嗯嗯 谢谢老师", SmallTalkThanks},
		{"蟹蟹", SmallTalkThanks},
		// Acknowledgements.
		{"好的", SmallTalkAck},
		{"好", SmallTalkAck},
		{"嗯", SmallTalkAck},
		{"嗯嗯", SmallTalkAck},
		{"OK", SmallTalkAck},
		{"ok啦", SmallTalkAck},
		{"知道了", SmallTalkAck},
		{"明白了", SmallTalkAck},
		{"收到", SmallTalkAck},
		{"哦哦，了解", SmallTalkAck},
		{"原来是这样啊", SmallTalkAck},
		{"行吧", SmallTalkAck},
		{"没事了", SmallTalkAck},
		{"👌", SmallTalkAck},
		{"😊", SmallTalkAck},
		{"哈哈哈", SmallTalkAck},
		// Farewells.
		{"再见", SmallTalkFarewell},
		{"拜拜～", SmallTalkFarewell},
		{"好的，再见", SmallTalkFarewell},
		{"bye", SmallTalkFarewell},
		{"谢谢，先这样吧", SmallTalkFarewell},
		{"晚安", SmallTalkFarewell},
		// Complaints about an answer.
		{"答非所问", SmallTalkComplaint},
		{"没看懂", SmallTalkComplaint},
		{"不对啊", SmallTalkComplaint},
		{"👎", SmallTalkComplaint},
		// About the bot.
		{"你是谁", SmallTalkAbout},
		{"你叫什么名字", SmallTalkAbout},
		{"你会回答什么问题", SmallTalkAbout},
		{"哦", SmallTalkAck},
		{"下次再聊", SmallTalkFarewell},
		{"回头聊", SmallTalkFarewell},
		{"你是谁？", SmallTalkAbout},
		{"你能干啥", SmallTalkAbout},
		{"你能干什么", SmallTalkAbout},
		{"你会做什么呀", SmallTalkAbout},
		{"怎么用", SmallTalkAbout},
		{"这个怎么用？", SmallTalkAbout},
		{"你是机器人吗", SmallTalkAbout},
		{"我能问什么", SmallTalkAbout},
		{"可以问些什么", SmallTalkAbout},
		{"你好，你是谁", SmallTalkAbout},
		{"介绍一下你自己", SmallTalkAbout},
		{"你有什么功能", SmallTalkAbout},
		{"help", SmallTalkAbout},
		{"帮助", SmallTalkAbout},
		{"你能帮我吗", SmallTalkAbout},
	}
	for _, tt := range tests {
		kind, q := ClassifySmallTalk(tt.msg)
		if kind != tt.kind || q != "" {
			t.Errorf("ClassifySmallTalk(%q) = %q, %q; want %q", tt.msg, kind, q, tt.kind)
		}
	}
}

// Messages that ask something are questions, with the small talk around
// them taken off.
func TestClassifySmallTalkQuestions(t *testing.T) {
	tests := []struct{ msg, question string }{
		{"谢谢，那产假多少天？", "那产假多少天？"},
		{"你好，请问年假有几天", "请问年假有几天"},
		{"在吗？我想问一下工资被拖欠了怎么办", "我想问一下工资被拖欠了怎么办"},
		{"好的，那怎么申请？", "那怎么申请？"},
		{"谢谢！还有，加班费怎么算？谢谢", "加班费怎么算？"},
		// A lead-in before the question is left out; one inside it stays.
		{"辛苦了👍 再问个：女工干的活，搬东西最多能搬多重", "女工干的活，搬东西最多能搬多重"},
		{"嗯嗯，知道了。最后问一句，工会的经费谁来审查", "工会的经费谁来审查"},
		{"工资怎么算，请问", "工资怎么算，请问"},
		{"老师好 孩子考上大学工会有助学金吗", "孩子考上大学工会有助学金吗"},
		{"hi, how to apply for aid?", "how to apply for aid?"},
		{"👍 那试用期呢", "那试用期呢"},
		// Small-talk words inside a question leave it a question.
		{"感谢信怎么写", "感谢信怎么写"},
		{"帮助困难职工的政策有哪些", "帮助困难职工的政策有哪些"},
		{"助学金怎么用", "助学金怎么用"},
		{"工会主席是谁", "工会主席是谁"},
		{"好的单位会给交社保吗", "好的单位会给交社保吗"},
		{"可以请假吗", "可以请假吗"},
		{"我想问什么时候发工资", "我想问什么时候发工资"},
		{"能帮我查一下工资吗", "能帮我查一下工资吗"},
		{"遇到麻烦了怎么办", "遇到麻烦了怎么办"},
		{"老板不对我负责怎么办", "老板不对我负责怎么办"},
		{"早上八点上班算加班吗", "早上八点上班算加班吗"},
		{"工会有用吗", "工会有用吗"},
		{"5000", "5000"},
		{"助学金？", "助学金？"},
		{"产假", "产假"},
		{"thank you for the tuition aid info, when does it open", "thank you for the tuition aid info, when does it open"},
	}
	for _, tt := range tests {
		kind, q := ClassifySmallTalk(tt.msg)
		if kind != "" || q != tt.question {
			t.Errorf("ClassifySmallTalk(%q) = %q, %q; want a question %q", tt.msg, kind, q, tt.question)
		}
	}
}

// Text with no small-talk word and no topic (请问, ？？) is neither: the
// engine says it did not understand.
func TestClassifySmallTalkNeither(t *testing.T) {
	for _, msg := range []string{"请问", "？？？", "我想问一下", "什么"} {
		if kind, _ := ClassifySmallTalk(msg); kind != "" {
			t.Errorf("ClassifySmallTalk(%q) = %q, want no small talk", msg, kind)
		}
	}
}

// No question of the question sets about the documents is small talk
// (smalltalk.jsonl is left out: it scores the classifier in eval).
func TestRealQuestionsAreNotSmallTalk(t *testing.T) {
	sets, _ := filepath.Glob("eval/testdata/*.jsonl")
	n := 0
	for _, set := range sets {
		if filepath.Base(set) == "smalltalk.jsonl" {
			continue
		}
		f, err := os.Open(set)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var c struct {
				ID, Question string
			}
			if json.Unmarshal(sc.Bytes(), &c) != nil || c.Question == "" {
				continue
			}
			n++
			if kind, q := ClassifySmallTalk(c.Question); kind != "" || q == "" {
				t.Errorf("%s %q taken for small talk (%q, %q)", c.ID, c.Question, kind, q)
			}
		}
		f.Close()
	}
	if n < 100 {
		t.Fatalf("only %d questions read", n)
	}
}

func FuzzClassifySmallTalk(f *testing.F) {
	for _, s := range []string{"谢谢", "你好，产假多少天？", "👍🏻", "\xff谢", "thank you", "  ", "在吗?我想问"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind, q := ClassifySmallTalk(s)
		if kind != "" && q != "" {
			t.Fatalf("both small talk %q and question %q", kind, q)
		}
	})
}
