// Command gonghui-qa answers trade-union members' questions from the union's
// own documents, with citations: on the command line (ask, chat), as a
// Telegram bot (serve), and with the tools to build and measure its index
// (ingest, eval). See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus/extract"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, u.msg)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in how the program was called: exit status 2.
type usageError struct{ msg string }

// Error describes the failure for logs; it never holds a secret.
func (u usageError) Error() string { return u.msg }

const usage = `gonghui-qa: 工会问答 — answers union members' questions from the union's documents, with citations.

Usage:
  gonghui-qa ask "问题"        answer one question (exit 2 when the question is empty)
  gonghui-qa chat              answer each line of standard input (follow-ups understood)
  gonghui-qa ingest [FILE...]  store FILEs (.txt .md .docx .pdf .html) in CORPUS_DIR, convert files copied
                               there by hand, then build or update the index in DATA_DIR; print what changed
  gonghui-qa docs              list the documents: CORPUS_DIR's and the built-in ones
  gonghui-qa remove ID         remove a document from CORPUS_DIR (audited; built-in ones stay)
  gonghui-qa eval -questions FILE [-k 5] [-json] [-mode fused|lexical|dense] [-sweep]
                 [-require recall_at_1>=0.95,...]
                               score a question set (format: rag/eval/testdata/README.md);
                               -require exits 1 when a figure is below its bound
  gonghui-qa serve             run the Telegram bot (TELEGRAM_BOT_TOKEN required)
  gonghui-qa healthcheck [-url URL]
                               probe a running serve's /healthz (at METRICS_ADDR): exit 0 healthy, 1 not
  gonghui-qa version           version, commit, build date and Go version
  gonghui-qa help              this text (works whatever the settings)

Environment: CORPUS_DIR, BUILTIN_LAWS, LEXICON_FILE, DATA_DIR, TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL,
WEBHOOK_URL, LISTEN_ADDR, WEBHOOK_SECRET, METRICS_ADDR, SEND_PER_SECOND, OPENAI_BASE_URL, OPENAI_API_KEY,
LLM_MODEL, EMBEDDING_MODEL, LLM_TIMEOUT, ADMIN_IDS, STAFF_CHAT_ID, HANDOFFS_PER_DAY, RETENTION_DAYS,
RATE_BURST, RATE_EVERY, LOG_LEVEL, LOG_FORMAT (see README.md).
Secrets may come from files instead: TELEGRAM_BOT_TOKEN_FILE, OPENAI_API_KEY_FILE, WEBHOOK_SECRET_FILE.`

// run is the whole program, startable from a test: it loads the configuration
// and dispatches to the command, whose body lives in cmd_<command>.go (the
// engine and corpus set-up they share: engine.go, corpus.go).
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == extract.ChildCommand { // this process parses one PDF for its parent (extract.ChildRunner)
		return extract.RunChild(stdin, stdout)
	}
	if len(args) == 0 {
		return usageError{usage}
	}
	switch args[0] { // these work whatever the settings
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	case "version", "-version", "--version":
		return printVersion(stdout)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return usageError{"configuration: " + err.Error()}
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat, args[0])
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	switch args[0] {
	case "ask":
		return ask(ctx, cfg, log, args[1:], stdout)
	case "chat":
		return chat(ctx, cfg, log, stdin, stdout)
	case "ingest":
		return ingest(ctx, cfg, log, args[1:], getenv, stdout, stderr)
	case "docs":
		return listDocs(cfg, stdout)
	case "remove":
		return removeDoc(cfg, args[1:], getenv, stdout)
	case "eval":
		return evaluate(ctx, cfg, log, args[1:], stdout)
	case "serve":
		return serve(ctx, cfg, log)
	case "healthcheck":
		return healthcheck(ctx, cfg, args[1:], stdout)
	default:
		return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}
	}
}
