package eval

import (
	"context"
	"strings"
	"testing"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/rag"
)

// scripted answers from fixed passages, to test the scoring itself.
type scripted struct{}

func (scripted) Retrieve(_ context.Context, q string) (rag.Retrieval, error) {
	hits := []rag.Hit{{Passage: corpus.Passage{Text: "无关的段落。"}}, {Passage: corpus.Passage{Text: "对5324名困难职工家庭子女进行了2000至5000元不等的救助。"}}}
	return rag.Retrieval{Hits: hits}, nil
}

func (scripted) Answer(_ context.Context, _, q string) (rag.Answer, error) {
	if strings.Contains(q, "产假") {
		return rag.Answer{Abstained: true, Sentences: rag.ParseSentences("资料里没有找到")}, nil
	}
	if strings.Contains(q, "天气") { // wrongly answered
		return rag.Answer{Sentences: rag.ParseSentences("无关的段落。[1]")}, nil
	}
	return rag.Answer{Sentences: rag.ParseSentences("救助标准为２０００至５０００元[1]")}, nil
}

func TestRunScoring(t *testing.T) {
	cases, err := Read(strings.NewReader(`{"id":"a","question":"助学金多少钱","answerable":true,"expect":["2000至5000元"]}

{"id":"b","question":"产假多少天","answerable":false,"expect":[]}
{"id":"c","question":"天气","answerable":false,"expect":[]}
`))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), scripted{}, cases, 5)
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != 3 || rep.RecallAt1 != 0 || rep.RecallAtK != 1 || rep.MRR != 0.5 || rep.AnswerHit != 1 || rep.AbstainCorrect != 0.5 || rep.FalseAbstain != 0 {
		t.Errorf("report = %+v", rep)
	}
	if len(rep.Failures) != 1 || rep.Failures[0].Case.ID != "c" {
		t.Errorf("failures = %+v", rep.Failures)
	}
	failed, err := Check(rep, "recall_at_k>=1, abstain_correct>=0.9,false_abstain<=0.1")
	if err != nil || len(failed) != 1 || !strings.Contains(failed[0], "abstain_correct") {
		t.Errorf("Check = %v, %v", failed, err)
	}
	if _, err := Check(rep, "nonsense>=1"); err == nil {
		t.Error("unknown field accepted")
	}
}

// talker replies in kind to 谢谢 and 你好, and takes 天气 for small talk
// too (wrongly); everything else is answered or not as scripted.
type talker struct{ scripted }

func (t talker) Answer(ctx context.Context, conv, q string) (rag.Answer, error) {
	switch {
	case strings.Contains(q, "谢谢") && !strings.Contains(q, "助学"), q == "你好", q == "天气":
		return rag.Answer{SmallTalk: rag.SmallTalkThanks, Sentences: rag.Says("不客气")}, nil
	}
	return t.scripted.Answer(ctx, conv, q)
}

func TestRunScoresSmallTalk(t *testing.T) {
	cases, err := Read(strings.NewReader(`{"id":"s1","question":"谢谢","answerable":false,"expect":[],"kind":"smalltalk"}
{"id":"s2","question":"你好","answerable":false,"expect":[],"kind":"smalltalk"}
{"id":"s3","question":"产假","answerable":false,"expect":[],"kind":"smalltalk"}
{"id":"m1","question":"谢谢，助学金多少钱","answerable":true,"expect":["2000至5000元"],"kind":"mixed"}
{"id":"u1","question":"天气","answerable":false,"expect":[]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cases[0].Kind != KindSmallTalk || cases[3].Kind != KindMixed || cases[4].Kind != "" {
		t.Fatalf("kinds not read: %+v", cases)
	}
	rep, err := Run(context.Background(), talker{}, cases, 5)
	if err != nil {
		t.Fatal(err)
	}
	// s1, s2 recognised, s3 abstained (right, but not recognised); u1 taken
	// for small talk: one of the two other cases.
	if rep.SmallTalkCorrect != 0.667 || rep.SmallTalkFalse != 0.5 || rep.AbstainCorrect != 0.75 || rep.AnswerHit != 1 {
		t.Errorf("report = %+v", rep)
	}
	var ids []string
	for _, f := range rep.Failures {
		ids = append(ids, f.Case.ID)
	}
	if strings.Join(ids, ",") != "s3,u1" {
		t.Errorf("failures %v, want s3,u1", ids)
	}
	if failed, err := Check(rep, "smalltalk_correct>=0.9"); err != nil || len(failed) != 1 {
		t.Errorf("Check on smalltalk_correct = %v, %v", failed, err)
	}
}

func TestReadRejectsBadLines(t *testing.T) {
	if _, err := Read(strings.NewReader("{not json}\n")); err == nil {
		t.Error("bad JSON accepted")
	}
}
