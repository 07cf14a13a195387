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
	"github.com/gonghui/qa/rag"
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

// openSource is the configured corpus as the index watcher reads it:
// CORPUS_DIR through the library (so a change being made by staff or an
// operator is never read half-way, and changes are noticed), or the built-in
// report. lib, when not nil, is CORPUS_DIR already opened for changes.
func openSource(cfg config.Config, log *slog.Logger, lib *library.Library) (rag.Source, string, error) {
	fsys, name, err := corpusFS(cfg)
	if err != nil {
		return nil, "", err
	}
	if cfg.CorpusDir == "" {
		return fixedCorpus{fsys}, name, nil
	}
	if lib != nil {
		return lib, name, nil
	}
	lib, err = library.Open(cfg.CorpusDir, cfg.DataDir, extract.DecodeText)
	if err != nil {
		log.Warn("corpus folder cannot be locked; reading it directly", "err", err)
		return fixedCorpus{fsys}, name, nil
	}
	return lib, name, nil
}

// fixedCorpus is a corpus that does not change while the program runs: the
// built-in report, or a CORPUS_DIR that cannot be locked (read as it is).
type fixedCorpus struct{ fsys fs.FS }

// Docs reads the documents; unusable files are skipped with the reason.
func (c fixedCorpus) Docs() ([]corpus.Document, []error, error) {
	return corpus.Load(c.fsys, extract.DecodeText)
}

// Version never changes: the index is built once.
func (fixedCorpus) Version() (string, error) { return "fixed", nil }

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
