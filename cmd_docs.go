package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gonghui/qa/config"
)

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

// operator names who made a change from the command line, for the audit log.
func operator(getenv func(string) string) string {
	if u := getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}
