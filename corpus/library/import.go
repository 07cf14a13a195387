package library

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gonghui/qa/corpus"
)

// importable are the extensions of files an operator may copy into
// CORPUS_DIR by hand that corpus.Load cannot read as they are.
var importable = map[string]bool{".docx": true, ".pdf": true, ".html": true, ".htm": true}

// Imported is the outcome of importing one hand-copied file.
type Imported struct {
	// File is the path relative to the corpus folder, as copied.
	File string
	// Doc is the stored document when Err is nil.
	Doc corpus.Document
	// Replaced is set when the file replaced a document of the same title.
	Replaced bool
	// Err says why the file was left where it is (an extract error; see
	// UserMessage).
	Err error
}

// Import converts the .docx, .pdf and .html files an operator copied into
// the corpus folder by hand (.txt and .md need no conversion) into stored
// documents, as Add does: text as <docid>.md, the file moved to originals/,
// audited as done by by. Each file is its own change; one that cannot be
// read is reported in its Imported.Err and left in place (corpus.Load
// ignores it). err is set only when the folder cannot be read.
func (l *Library) Import(by string) ([]Imported, error) {
	var files []string
	err := filepath.WalkDir(l.corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == l.corpusDir {
				return err
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != l.corpusDir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "originals") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(name, ".") && d.Type().IsRegular() && importable[strings.ToLower(filepath.Ext(name))] {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	sort.Strings(files)
	var out []Imported
	for _, p := range files {
		rel, _ := filepath.Rel(l.corpusDir, p)
		res := Imported{File: filepath.ToSlash(rel)}
		res.Doc, res.Replaced, res.Err = l.importFile(p, by)
		out = append(out, res)
	}
	return out, nil
}

func (l *Library) importFile(path, by string) (corpus.Document, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return corpus.Document{}, false, fmt.Errorf("import: %w", err)
	}
	p, err := l.Prepare(filepath.Base(path), data, Meta{}, by)
	if err != nil {
		return corpus.Document{}, false, err
	}
	doc, err := l.commit(p.ID, by, path)
	if err != nil {
		l.Cancel(p.ID)
		return corpus.Document{}, false, err
	}
	return doc, p.Replaces == doc.ID, nil
}
