package library

import (
	"errors"
	"sort"

	"github.com/gonghui/qa/corpus"
)

// ErrBuiltin: the document is one the program carries (a built-in law); it
// is not a file of CORPUS_DIR and cannot be removed, only hidden by a setting.
var ErrBuiltin = errors.New("library: built-in document")

// textBuiltin tells staff why a built-in document stays.
const textBuiltin = "这是程序内置的国家法律法规，不能删除。如果不想用内置的法律法规，请管理员设置 BUILTIN_LAWS=false 后重启。"

// builtin returns the built-in document with the given ID.
func (l *Library) builtin(id string) (corpus.Document, bool) {
	return find(l.opt.Builtin, id)
}

// withBuiltin adds the built-in documents to the corpus folder's own; one of
// the folder's own with the same ID hides the built-in one (said in skipped).
func (l *Library) withBuiltin(own []corpus.Document, skipped []error) ([]corpus.Document, []error) {
	if len(l.opt.Builtin) == 0 {
		return own, skipped
	}
	docs, hidden := corpus.Merge(own, l.opt.Builtin)
	return docs, append(skipped, hidden...)
}

// builtinEntries lists the built-in documents not hidden by own ones among
// entries, and returns all of them ordered by ID.
func (l *Library) builtinEntries(entries []Entry) []Entry {
	taken := map[string]bool{}
	for _, e := range entries {
		taken[e.ID] = true
	}
	for _, d := range l.opt.Builtin {
		if !taken[d.ID] {
			e := Entry{Document: d, Passages: len(corpus.Split(d))}
			e.Body = ""
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	return entries
}
