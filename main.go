// Command gonghui-qa answers trade-union members' questions from the union's
// own documents, with citations: on the command line (ask, chat), as a
// Telegram bot (serve), and with the tools to build and measure its index
// (ingest, eval). See README.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/extract"
	"github.com/gonghui/qa/corpus/library"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/eval"
	"github.com/gonghui/qa/rag/llm"
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
  gonghui-qa docs              list the documents in CORPUS_DIR
  gonghui-qa remove ID         remove a document from CORPUS_DIR (audited)
  gonghui-qa eval -questions FILE [-k 5] [-json] [-mode fused|lexical|dense] [-sweep]
                 [-require recall_at_1>=0.95,...]
                               score a question set (format: rag/eval/testdata/README.md);
                               -require exits 1 when a figure is below its bound
  gonghui-qa serve             run the Telegram bot (TELEGRAM_BOT_TOKEN required)
  gonghui-qa help              this text

Environment: CORPUS_DIR, DATA_DIR, TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, WEBHOOK_URL, LISTEN_ADDR,
WEBHOOK_SECRET, METRICS_ADDR, OPENAI_BASE_URL, OPENAI_API_KEY, LLM_MODEL, EMBEDDING_MODEL, LLM_TIMEOUT,
ADMIN_IDS, RETENTION_DAYS, RATE_BURST, RATE_EVERY, LOG_LEVEL (see README.md).`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == extract.ChildCommand { // this process parses one PDF for its parent (extract.ChildRunner)
		return extract.RunChild(stdin, stdout)
	}
	if len(args) == 0 {
		return usageError{usage}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return usageError{"configuration: " + err.Error()}
	}
	log := newLogger(stderr, cfg.LogLevel, args[0])
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
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
	default:
		return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}
	}
}

// newLogger logs to stderr; the one-shot commands only warn, so that their
// output stays the answer.
func newLogger(w io.Writer, level, cmd string) *slog.Logger {
	lv := slog.LevelInfo
	if cmd == "ask" || cmd == "chat" || cmd == "eval" {
		lv = slog.LevelWarn
	}
	switch level {
	case "debug":
		lv = slog.LevelDebug
	case "info":
		lv = slog.LevelInfo
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv}))
}

// corpusFS is the configured corpus: CORPUS_DIR, or the built-in report.
func corpusFS(cfg config.Config) (fs.FS, string, error) {
	if cfg.CorpusDir == "" {
		return corpus.Default(), "built-in report", nil
	}
	st, err := os.Stat(cfg.CorpusDir)
	if err != nil {
		return nil, "", fmt.Errorf("CORPUS_DIR %s: %w", cfg.CorpusDir, err)
	}
	if !st.IsDir() {
		return nil, "", fmt.Errorf("CORPUS_DIR %s is not a folder", cfg.CorpusDir)
	}
	return os.DirFS(cfg.CorpusDir), cfg.CorpusDir, nil
}

// loadDocs reads the configured corpus: CORPUS_DIR through the library (so a
// change being made by staff or an operator is never read half-way), or the
// built-in report. Unusable files are logged and skipped.
func loadDocs(cfg config.Config, log *slog.Logger) ([]corpus.Document, string, error) {
	fsys, name, err := corpusFS(cfg)
	if err != nil {
		return nil, "", err
	}
	var docs []corpus.Document
	var skipped []error
	if cfg.CorpusDir == "" {
		docs, skipped, err = corpus.Load(fsys, extract.DecodeText)
	} else if lib, lerr := library.Open(cfg.CorpusDir, cfg.DataDir, extract.DecodeText); lerr == nil {
		docs, skipped, err = lib.Docs()
	} else {
		log.Warn("corpus folder cannot be locked; reading it directly", "err", lerr)
		docs, skipped, err = corpus.Load(fsys, extract.DecodeText)
	}
	if err != nil {
		return nil, "", err
	}
	for _, s := range skipped {
		log.Warn("document skipped", "corpus", name, "err", s)
	}
	return docs, name, nil
}

// openLibrary opens CORPUS_DIR for changes; the built-in corpus is read-only.
func openLibrary(cfg config.Config) (*library.Library, error) {
	if cfg.CorpusDir == "" {
		return nil, usageError{"set CORPUS_DIR to the folder of documents to manage: the built-in report cannot be changed"}
	}
	lim := extract.DefaultLimits()
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program to parse PDFs in a child process: %w", err)
	}
	lim.PDF = extract.ChildRunner(exe) // a hostile PDF can crash only the child
	return library.OpenWith(cfg.CorpusDir, cfg.DataDir, library.Options{Decode: extract.DecodeText, Limits: lim})
}

// operator names who made a change from the command line, for the audit log.
func operator(getenv func(string) string) string {
	if u := getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// openEngine loads the corpus and builds the engine, reusing the index
// persisted in DATA_DIR when it is current.
func openEngine(ctx context.Context, cfg config.Config, log *slog.Logger) (*rag.Engine, rag.Stats, error) {
	folder, err := corpus.NewFolder()
	if err != nil {
		return nil, rag.Stats{}, err
	}
	an, err := rag.NewAnalyzer(folder, "")
	if err != nil {
		return nil, rag.Stats{}, err
	}
	models, err := newModels(cfg, folder, log)
	if err != nil {
		return nil, rag.Stats{}, err
	}
	docs, name, err := loadDocs(cfg, log)
	if err != nil {
		return nil, rag.Stats{}, err
	}
	open := func(emb rag.Embedder) (*rag.Engine, rag.Stats, error) {
		weight := 0.0 // the default, measured for the offline embedding
		if _, offline := emb.(*rag.HashEmbedder); !offline {
			weight = 1 // a model's embedding understands wording; weigh it as BM25
		}
		e := rag.NewEngine(rag.Options{
			Analyzer:    an,
			Embedder:    emb,
			Generator:   models.generator,
			Rewriter:    models.rewriter,
			IndexPath:   indexPath(cfg.DataDir, emb.Name()),
			DenseWeight: weight,
			Logger:      log,
		})
		st, err := e.Update(ctx, docs)
		return e, st, err
	}
	e, st, err := open(models.embedder)
	if err != nil {
		if _, offline := models.embedder.(*rag.HashEmbedder); offline {
			return nil, st, err
		}
		log.Warn("embedding server unavailable and no current index cached; using the offline embedding", "err", err)
		if e, st, err = open(rag.NewHashEmbedder(folder, rag.DefaultHashDim)); err != nil {
			return nil, st, err
		}
	}
	log.Info("corpus loaded", "corpus", name, "documents", len(docs), "passages", e.PassageCount(),
		"embedded", st.Embedded, "reused", st.Reused)
	return e, st, nil
}

// models are the embedding and, optionally, the language model in use.
type models struct {
	embedder  rag.Embedder
	generator rag.Generator
	rewriter  rag.Rewriter
}

// newModels picks the offline hashing embedding and extractive answers unless
// an OpenAI-compatible server is configured.
func newModels(cfg config.Config, folder *corpus.Folder, log *slog.Logger) (models, error) {
	m := models{embedder: rag.NewHashEmbedder(folder, rag.DefaultHashDim)}
	lc := llm.Config{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey, ChatModel: cfg.LLMModel,
		EmbeddingModel: cfg.EmbeddingModel, Timeout: cfg.LLMTimeout}
	if !lc.Generation() && !lc.Embeddings() {
		return m, nil
	}
	client := llm.New(lc, log)
	log.Info("language model server configured", "llm", lc) // LogValue hides the key
	if lc.Generation() {
		m.generator, m.rewriter = client, client
	}
	if lc.Embeddings() {
		m.embedder = client
	}
	return m, nil
}

// indexPath is where the index for an embedding is kept: one file per
// embedding, so switching to a server and back reuses both.
func indexPath(dataDir, embedder string) string {
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '-'
	}, embedder)
	return filepath.Join(dataDir, "index-"+slug+".gob")
}

func ask(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	q := strings.TrimSpace(corpus.Normalize(strings.Join(args, " ")))
	if q == "" {
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
	fmt.Fprintln(stdout, a.String())
	return nil
}

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
		if strings.TrimSpace(corpus.Normalize(line)) == "" {
			continue
		}
		a, err := e.Answer(ctx, "chat", line)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n\n", a.String())
		if ctx.Err() != nil {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read standard input: %w", err)
	}
	return nil
}

func ingest(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if cfg.CorpusDir != "" {
		lib, err := openLibrary(cfg)
		if err != nil {
			return err
		}
		who := operator(getenv)
		for _, f := range args {
			data, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("ingest: %w", err)
			}
			doc, p, err := lib.Add(filepath.Base(f), data, library.Meta{}, who)
			if err != nil {
				fmt.Fprintf(stderr, "refused   %s: %s\n", f, library.UserMessage(err))
				continue
			}
			verb := "stored   "
			if p.Replaces != "" {
				verb = "replaced "
			}
			fmt.Fprintf(stdout, "%s %s as %s (%s)\n", verb, f, doc.ID, doc.Title)
		}
		imported, err := lib.Import(who)
		if err != nil {
			return err
		}
		for _, im := range imported {
			if im.Err != nil {
				fmt.Fprintf(stderr, "refused   %s: %s\n", im.File, library.UserMessage(im.Err))
				continue
			}
			fmt.Fprintf(stdout, "converted %s to %s.md\n", im.File, im.Doc.ID)
		}
	} else if len(args) > 0 {
		return usageError{"ingest FILE needs CORPUS_DIR: the folder the documents are stored in"}
	}
	e, st, err := openEngine(ctx, cfg, log)
	if err != nil {
		return err
	}
	for _, p := range st.Added {
		fmt.Fprintf(stdout, "added     %s\n", p)
	}
	for _, p := range st.Changed {
		fmt.Fprintf(stdout, "changed   %s\n", p)
	}
	for _, p := range st.Removed {
		fmt.Fprintf(stdout, "removed   %s\n", p)
	}
	fmt.Fprintf(stdout, "%d documents, %d passages (%d embedded, %d reused) in %s\n",
		len(e.Documents()), e.PassageCount(), st.Embedded, st.Reused, cfg.DataDir)
	return nil
}

// listDocs prints the documents of CORPUS_DIR.
func listDocs(cfg config.Config, stdout io.Writer) error {
	lib, err := openLibrary(cfg)
	if err != nil {
		return err
	}
	entries, err := lib.List()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tPASSAGES\tADDED BY\tADDED AT\tTITLE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", e.ID, e.Date, e.Passages, e.AddedBy, e.AddedAt, e.Title)
	}
	return tw.Flush()
}

// removeDoc removes a document from CORPUS_DIR; a running bot picks the
// change up on its own.
func removeDoc(cfg config.Config, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return usageError{"usage: gonghui-qa remove ID   (IDs: gonghui-qa docs)"}
	}
	lib, err := openLibrary(cfg)
	if err != nil {
		return err
	}
	if err := lib.Remove(args[0], operator(getenv)); err != nil {
		return fmt.Errorf("remove %s: %w", args[0], err)
	}
	fmt.Fprintf(stdout, "removed %s\n", args[0])
	return nil
}

func evaluate(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("eval", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	questions := fl.String("questions", "", "question set (JSONL)")
	k := fl.Int("k", 5, "passages retrieved for recall@k")
	asJSON := fl.Bool("json", false, "print one JSON object as the last line")
	mode := fl.String("mode", string(rag.ModeFused), "retrieval: fused, lexical or dense")
	sweep := fl.Bool("sweep", false, "print how abstention varies with the coverage threshold")
	denseWeight := fl.Float64("dense-weight", 0, "weight of the dense ranking in the fusion (0: the default)")
	minCoverage := fl.Float64("min-coverage", 0, "coverage threshold for answering (0: the default)")
	require := fl.String("require", "", "fail unless the figures meet these, e.g. recall_at_1>=0.95,false_abstain<=0.05")
	if err := fl.Parse(args); err != nil || *questions == "" || *k <= 0 {
		return usageError{"usage: gonghui-qa eval -questions FILE [-k 5] [-json] [-mode fused|lexical|dense] [-sweep] [-require field>=x,...]"}
	}
	switch rag.Mode(*mode) {
	case rag.ModeFused, rag.ModeLexical, rag.ModeDense:
	default:
		return usageError{fmt.Sprintf("eval: unknown -mode %q (want fused, lexical or dense)", *mode)}
	}
	cases, err := eval.Load(*questions)
	if err != nil {
		return err
	}
	e, _, err := openEngine(ctx, cfg, log)
	if err != nil {
		return err
	}
	e = e.WithOptions(func(o *rag.Options) {
		o.Mode = rag.Mode(*mode)
		o.TopK = max(*k, 5)
		if *denseWeight > 0 {
			o.DenseWeight = *denseWeight
		}
		if *minCoverage > 0 {
			o.MinCoverage = *minCoverage
		}
	})
	if *sweep {
		confs, err := eval.Confidences(ctx, e.WithOptions(func(o *rag.Options) { o.MinCoverage = 1e-9 }), cases)
		if err != nil {
			return err
		}
		eval.WriteSweep(stdout, confs)
		return nil
	}
	rep, err := eval.Run(ctx, e, cases, *k)
	if err != nil {
		return err
	}
	failed, err := eval.Check(rep, *require)
	if err != nil {
		return usageError{"eval -require: " + err.Error()}
	}
	if *asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
	} else {
		rep.WriteTable(stdout)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s: below the required figures: %s", *questions, strings.Join(failed, "; "))
	}
	return nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.TelegramToken == "" {
		return usageError{"serve: TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and set its token (see README.md)"}
	}
	if !bot.ValidToken(cfg.TelegramToken) {
		return usageError{"serve: TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then 30 or more letters, digits, - or _)"}
	}
	if cfg.WebhookURL != "" && cfg.WebhookSecret == "" {
		return usageError{"serve: WEBHOOK_URL is set but WEBHOOK_SECRET is not: choose a random secret so that only Telegram can post updates"}
	}
	var lib bot.Library // a nil interface without CORPUS_DIR: the built-in report is read-only
	if cfg.CorpusDir != "" {
		// Creates the folder (a new, empty one is a valid start: staff fill
		// it) and, under its lock, cleans up after a change a crash cut short.
		l, err := openLibrary(cfg)
		if err != nil {
			return err
		}
		lib = l
	}
	e, _, err := openEngine(ctx, cfg, log)
	if err != nil {
		return err
	}
	_, name, _ := corpusFS(cfg)
	return bot.Run(ctx, bot.Options{
		Token: cfg.TelegramToken, APIURL: cfg.TelegramAPIURL,
		WebhookURL: cfg.WebhookURL, ListenAddr: cfg.ListenAddr, WebhookSecret: cfg.WebhookSecret,
		MetricsAddr: cfg.MetricsAddr, DataDir: cfg.DataDir, Corpus: name,
		RateBurst: cfg.RateBurst, RateEvery: cfg.RateEvery,
		Retention: time.Duration(cfg.RetentionDays) * 24 * time.Hour,
		AdminIDs:  cfg.AdminIDs,
		Library:   lib,
		Updater:   e,
		Logger:    log,
	}, e)
}
