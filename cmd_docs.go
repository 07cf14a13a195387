package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/library"
)

// listDocs prints the documents of CORPUS_DIR and the built-in ones (marked
// "built-in" in the ADDED BY column); without CORPUS_DIR, the built-in ones.
func listDocs(cfg config.Config, stdout io.Writer) error {
	var entries []library.Entry
	if cfg.CorpusDir == "" {
		docs, err := builtinDocs(cfg)
		if err != nil {
			return err
		}
		for _, d := range docs {
			entries = append(entries, library.Entry{Document: d, Passages: len(corpus.Split(d))})
		}
	} else {
		lib, err := openLibrary(cfg)
		if err != nil {
			return err
		}
		if entries, err = lib.List(); err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tPASSAGES\tADDED BY\tADDED AT\tTITLE")
	for _, e := range entries {
		date, by := e.Date, e.AddedBy
		if date == "" {
			date = e.Version // a law is dated by its version
		}
		if e.Builtin {
			by = "built-in"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", e.ID, date, e.Passages, by, e.AddedAt, e.Title)
	}
	return tw.Flush()
}

// removeDoc removes a document from CORPUS_DIR; a running bot picks the
// change up on its own. Built-in documents cannot be removed.
func removeDoc(cfg config.Config, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return usageError{"usage: gonghui-qa remove ID   (IDs: gonghui-qa docs)"}
	}
	lib, err := openLibrary(cfg)
	if err != nil {
		return err
	}
	err = lib.Remove(args[0], operator(getenv))
	if errors.Is(err, library.ErrBuiltin) {
		return fmt.Errorf("%s is a built-in law and cannot be removed; set BUILTIN_LAWS=false to leave the built-in laws out", args[0])
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", args[0], err)
	}
	fmt.Fprintf(stdout, "removed %s\n", args[0])
	return nil
}

// operator names who made a change from the command line, for the audit log.
func operator(getenv func(string) string) string {
	if u := getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}
