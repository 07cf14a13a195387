package corpus

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed laws/*.md laws/manifest.tsv
var lawsFS embed.FS

// BuiltinPrefix starts the Path of every built-in document, so that it can
// never be taken for a file of CORPUS_DIR.
const BuiltinPrefix = "builtin/"

// BuiltinLaws returns the national labour laws and regulations the program
// carries (laws/), each with the stable ID laws/manifest.tsv gives it and
// marked Builtin. They are read-only: only a setting hides them.
func BuiltinLaws(decode Decoder) ([]Document, error) {
	manifest, err := fs.ReadFile(lawsFS, "laws/manifest.tsv")
	if err != nil {
		return nil, fmt.Errorf("read built-in laws: %w", err)
	}
	var docs []Document
	for i, line := range strings.Split(string(manifest), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, file, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("read built-in laws: laws/manifest.tsv line %d: want an ID, a tab and a file name", i+1)
		}
		name := path.Join("laws", strings.TrimSpace(file))
		data, err := fs.ReadFile(lawsFS, name)
		if err != nil {
			return nil, fmt.Errorf("read built-in laws: %w", err)
		}
		d, err := Parse(BuiltinPrefix+name, data, decode)
		if err != nil {
			return nil, fmt.Errorf("read built-in law %s: %w", name, err)
		}
		d.ID, d.Builtin = strings.TrimSpace(id), true
		docs = append(docs, d)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return docs, nil
}

// BuiltinReport returns the report the program carries (default/), marked
// Builtin: the corpus when CORPUS_DIR is not set.
func BuiltinReport(decode Decoder) ([]Document, error) {
	docs, skipped, err := Load(Default(), decode)
	if err == nil && len(skipped) > 0 {
		err = skipped[0]
	}
	if err != nil {
		return nil, fmt.Errorf("read the built-in report: %w", err)
	}
	for i := range docs {
		docs[i].Builtin = true
		docs[i].Path = BuiltinPrefix + path.Join("default", docs[i].Path)
	}
	return docs, nil
}

// Merge puts a union's own documents and built-in ones into one corpus,
// sorted by ID. A built-in document whose ID one of the union's own already
// has is left out, and said so in skipped: the union's document wins.
func Merge(own, builtin []Document) (docs []Document, skipped []error) {
	taken := map[string]bool{}
	for _, d := range own {
		taken[d.ID] = true
	}
	docs = append(docs, own...)
	for _, d := range builtin {
		if taken[d.ID] {
			skipped = append(skipped, fmt.Errorf("built-in %s (%s) is hidden by the corpus's own document with that ID", d.ID, d.Title))
			continue
		}
		docs = append(docs, d)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return docs, skipped
}
