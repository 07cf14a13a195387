package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/lexicon"
	"github.com/gonghui/qa/rag/llm"
)

// openEngine builds the engine over the configured corpus, reusing the
// index persisted in DATA_DIR when it is current.
func openEngine(ctx context.Context, cfg config.Config, log *slog.Logger) (*rag.Engine, rag.Reload, error) {
	src, name, err := openSource(cfg, log, nil)
	if err != nil {
		return nil, rag.Reload{}, err
	}
	e, _, re, err := openIndex(ctx, cfg, log, src, name)
	return e, re, err
}

// openIndex builds the engine over src and brings its index up to date
// through the watcher that keeps it so: serve goes on using the watcher,
// ingest only this first reload. The index persisted in DATA_DIR is reused
// when it is current.
func openIndex(ctx context.Context, cfg config.Config, log *slog.Logger, src rag.Source, name string) (*rag.Engine, *rag.Watcher, rag.Reload, error) {
	folder := zh.NewFolder()
	lex, err := lexicon.Default()
	if err != nil {
		return nil, nil, rag.Reload{}, err
	}
	if cfg.LexiconFile != "" {
		if err := lex.ExtendFile(cfg.LexiconFile); err != nil {
			return nil, nil, rag.Reload{}, fmt.Errorf("LEXICON_FILE: %w", err)
		}
	}
	an := rag.NewAnalyzer(folder, lex)
	models, err := newModels(cfg, folder, log)
	if err != nil {
		return nil, nil, rag.Reload{}, err
	}
	open := func(emb rag.Embedder) (*rag.Engine, *rag.Watcher, rag.Reload, error) {
		weight := 0.0 // the offline embedding adds nothing to BM25 (BENCHMARKS.md): not queried
		if _, offline := emb.(*rag.HashEmbedder); !offline {
			weight = 1 // a model's embedding understands wording; weigh it as BM25
		}
		e := rag.NewEngine(rag.Options{
			Analyzer:     an,
			Embedder:     emb,
			Generator:    models.generator,
			Rewriter:     models.rewriter,
			Reformulator: models.reformulator,
			IndexPath:    indexPath(cfg.DataDir, emb.Name()),
			DenseWeight:  weight,
			Logger:       log,
		})
		w := rag.NewWatcher(src, e)
		re, _, err := w.Sync(ctx)
		return e, w, re, err
	}
	e, w, re, err := open(models.embedder)
	if err != nil {
		if _, offline := models.embedder.(*rag.HashEmbedder); offline {
			return nil, nil, re, err
		}
		log.Warn("embedding server unavailable and no current index cached; using the offline embedding", "err", err)
		if e, w, re, err = open(rag.NewHashEmbedder(folder, rag.DefaultHashDim)); err != nil {
			return nil, nil, re, err
		}
	}
	for _, s := range re.Skipped {
		log.Warn("document skipped", "corpus", name, "err", s)
	}
	log.Info("corpus loaded", "corpus", name, "documents", re.Documents, "passages", e.PassageCount(),
		"embedded", re.Embedded, "reused", re.Reused)
	return e, w, re, nil
}

// models are the embedding and, optionally, the language model in use.
type models struct {
	embedder  rag.Embedder
	generator rag.Generator
	rewriter  rag.Rewriter
	// reformulator searches each question in the documents' words too.
	reformulator rag.Reformulator
}

// newModels picks the offline hashing embedding and extractive answers unless
// an OpenAI-compatible server is configured.
func newModels(cfg config.Config, folder *zh.Folder, log *slog.Logger) (models, error) {
	m := models{embedder: rag.NewHashEmbedder(folder, rag.DefaultHashDim)}
	lc := llm.Config{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey, ChatModel: cfg.LLMModel,
		EmbeddingModel: cfg.EmbeddingModel, Timeout: cfg.LLMTimeout}
	if !lc.Generation() && !lc.Embeddings() {
		return m, nil
	}
	client := llm.New(lc, log)
	log.Info("language model server configured", "llm", lc) // LogValue hides the key
	if lc.Generation() {
		m.generator, m.rewriter, m.reformulator = client, client, client
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
