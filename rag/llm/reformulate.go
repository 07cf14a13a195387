package llm

import (
	"context"
	"strings"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// reformulatePrompt asks for the member's question in the documents' words:
// what a law, a regulation or a union notice would call each thing.
const reformulatePrompt = `你帮工会问答系统检索资料。把职工用口语提的问题，改写成劳动法律法规和工会文件里的说法（例如：炒鱿鱼→解除劳动合同，工钱→工资，周末加班→休息日加班，娃→子女，生孩子→生育、产假），用简体中文。
只输出改写后的一个问题，不要回答，不要解释，不要加引号。保留问题里的数字、地名和要问的事（多少、几天、怎么办、哪里）。`

// Reformulate rewrites a member's question into the documents' vocabulary,
// so that retrieval can search it beside the question as asked. It fails
// (and the engine searches the question alone) on a server error or an
// answer that is empty or far longer than the question.
func (c *Client) Reformulate(ctx context.Context, question string) (string, error) {
	const op = "reformulate"
	if strings.TrimSpace(question) == "" {
		return question, nil
	}
	return c.askQuestion(ctx, op, []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: reformulatePrompt},
		{Role: openai.ChatMessageRoleUser, Content: truncateRunes(strings.TrimSpace(question), maxHistoryRunes)},
	}, 3*utf8.RuneCountInString(question)+60)
}
