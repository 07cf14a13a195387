package main

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/extract"
	"github.com/gonghui/qa/corpus/library"
)

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
