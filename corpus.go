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

// corpusName says what the configured corpus is, for logs and the bot.
func corpusName(cfg config.Config) string {
	switch {
	case cfg.CorpusDir == "" && cfg.BuiltinLaws:
		return "built-in report and laws"
	case cfg.CorpusDir == "":
		return "built-in report"
	case cfg.BuiltinLaws:
		return cfg.CorpusDir + " and the built-in laws"
	}
	return cfg.CorpusDir
}

// builtinLaws are the national laws the program carries, unless
// BUILTIN_LAWS=false leaves them out.
func builtinLaws(cfg config.Config) ([]corpus.Document, error) {
	if !cfg.BuiltinLaws {
		return nil, nil
	}
	return corpus.BuiltinLaws(extract.DecodeText)
}

// builtinDocs are the built-in documents of the configured corpus: the
// report when CORPUS_DIR is not set, and the laws unless turned off.
func builtinDocs(cfg config.Config) ([]corpus.Document, error) {
	laws, err := builtinLaws(cfg)
	if err != nil || cfg.CorpusDir != "" {
		return laws, err
	}
	report, err := corpus.BuiltinReport(extract.DecodeText)
	if err != nil {
		return nil, err
	}
	return append(report, laws...), nil
}

// corpusDirFS is CORPUS_DIR, checked to be a folder.
func corpusDirFS(cfg config.Config) (fs.FS, error) {
	st, err := os.Stat(cfg.CorpusDir)
	if err != nil {
		return nil, fmt.Errorf("CORPUS_DIR %s: %w", cfg.CorpusDir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("CORPUS_DIR %s is not a folder", cfg.CorpusDir)
	}
	return os.DirFS(cfg.CorpusDir), nil
}

// openSource is the configured corpus as the index watcher reads it:
// CORPUS_DIR through the library (so a change being made by staff or an
// operator is never read half-way, and changes are noticed) with the
// built-in laws, or the built-in report and laws. lib, when not nil, is
// CORPUS_DIR already opened for changes.
func openSource(cfg config.Config, log *slog.Logger, lib *library.Library) (rag.Source, string, error) {
	name := corpusName(cfg)
	builtin, err := builtinDocs(cfg)
	if err != nil {
		return nil, "", err
	}
	if cfg.CorpusDir == "" {
		return fixedCorpus{builtin: builtin}, name, nil
	}
	fsys, err := corpusDirFS(cfg)
	if err != nil {
		return nil, "", err
	}
	if lib != nil {
		return lib, name, nil
	}
	lib, err = library.OpenWith(cfg.CorpusDir, cfg.DataDir, library.Options{Decode: extract.DecodeText, Builtin: builtin})
	if err != nil {
		log.Warn("corpus folder cannot be locked; reading it directly", "err", err)
		return fixedCorpus{fsys: fsys, builtin: builtin}, name, nil
	}
	return lib, name, nil
}

// fixedCorpus is a corpus that does not change while the program runs: the
// built-in documents, with a CORPUS_DIR that cannot be locked (read as it
// is) when fsys is set.
type fixedCorpus struct {
	fsys    fs.FS
	builtin []corpus.Document
}

// Docs reads the documents; unusable files are skipped with the reason.
func (c fixedCorpus) Docs() ([]corpus.Document, []error, error) {
	if c.fsys == nil {
		return c.builtin, nil, nil
	}
	own, skipped, err := corpus.Load(c.fsys, extract.DecodeText)
	if err != nil {
		return nil, skipped, err
	}
	docs, hidden := corpus.Merge(own, c.builtin)
	return docs, append(skipped, hidden...), nil
}

// Version never changes: the index is built once.
func (fixedCorpus) Version() (string, error) { return "fixed", nil }

// openLibrary opens CORPUS_DIR for changes, with the built-in laws listed
// beside its documents (and refused for removal); the built-in corpus is
// read-only.
func openLibrary(cfg config.Config) (*library.Library, error) {
	if cfg.CorpusDir == "" {
		return nil, usageError{"set CORPUS_DIR to the folder of documents to manage: the built-in documents cannot be changed"}
	}
	laws, err := builtinLaws(cfg)
	if err != nil {
		return nil, err
	}
	lim := extract.DefaultLimits()
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program to parse PDFs in a child process: %w", err)
	}
	lim.PDF = extract.ChildRunner(exe) // a hostile PDF can crash only the child
	return library.OpenWith(cfg.CorpusDir, cfg.DataDir, library.Options{Decode: extract.DecodeText, Limits: lim, Builtin: laws})
}
