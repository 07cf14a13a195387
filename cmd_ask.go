package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag"
)

// formatAnswer is the one place the command line renders an answer: its
// sentences with their [n] markers, a quoted passage per line, then the
// sources, one a line, then any questions suggested to ask next.
func formatAnswer(a rag.Answer) string {
	var b strings.Builder
	b.WriteString(a.Text())
	if !a.Abstained && len(a.Citations) > 0 {
		b.WriteString("\n\n来源：")
		for _, c := range a.Citations {
			fmt.Fprintf(&b, "\n[%d] %s", c.N, c.Reference())
		}
	}
	for _, q := range a.Suggestions { // questions to try next
		b.WriteString("\n• " + q)
	}
	return b.String()
}

// ask prints one answer to the question in args.
func ask(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	// The member's own characters are kept (a refusal quotes the question
	// with its full-width punctuation); the engine normalises for search.
	q := strings.TrimSpace(strings.Join(args, " "))
	if strings.TrimSpace(zh.Normalize(q)) == "" {
		return usageError{"请在 ask 后面写上问题，例如：gonghui-qa ask \"孩子考上大学，工会有助学金吗？\""}
	}
	e, _, err := openEngine(ctx, cfg, log)
	if err != nil {
		return err
	}
	a, err := e.Answer(ctx, "", q)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, formatAnswer(a))
	return nil
}

// chat answers each line of stdin, keeping the conversation so that
// follow-ups use the previous question.
func chat(ctx context.Context, cfg config.Config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	e, _, err := openEngine(ctx, cfg, log)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "您好！我是工会问答助手，请输入问题（Ctrl-D 结束）。")
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(zh.Normalize(line)) == "" {
			continue
		}
		a, err := e.Answer(ctx, "chat", line)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n\n", formatAnswer(a))
		if ctx.Err() != nil {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read standard input: %w", err)
	}
	return nil
}
