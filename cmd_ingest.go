package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus/library"
)

// ingest stores FILEs in CORPUS_DIR, converts files copied there by hand,
// then builds or updates the index in DATA_DIR and prints what changed.
func ingest(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var lib *library.Library
	if cfg.CorpusDir != "" {
		var err error
		if lib, err = openLibrary(cfg); err != nil {
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
	src, name, err := openSource(cfg, log, lib)
	if err != nil {
		return err
	}
	e, _, st, err := openIndex(ctx, cfg, log, src, name)
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
