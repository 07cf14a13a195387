package eval_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/zh"
)

// baseCorpora are the folders every question set is scored against: the
// newspaper report and the national labour laws, read from disk so that the
// check does not depend on what the binary happens to embed.
var baseCorpora = []string{"../../corpus/default", "../../corpus/laws"}

// extraCorpora lists the sets scored with CORPUS_DIR set to a folder of their
// own, on top of the base corpora.
var extraCorpora = map[string][]string{
	"other.jsonl": {"testdata/other-corpus"},
}

// setCase is one line of a question set, with the optional kind field the
// small-talk set carries.
type setCase struct {
	ID         string   `json:"id"`
	Question   string   `json:"question"`
	Answerable *bool    `json:"answerable"`
	Expect     []string `json:"expect"`
	Kind       string   `json:"kind"`
}

// TestExpectStringsOccurInCorpus checks every question set in testdata: each
// answerable case names at least one expect string and every expect string
// occurs, after the corpus's own normalisation, in a document of the corpus
// the set is scored against. A case whose expect string is in no document
// could never count as found, so it would measure nothing.
func TestExpectStringsOccurInCorpus(t *testing.T) {
	sets, err := filepath.Glob("testdata/*.jsonl")
	if err != nil || len(sets) == 0 {
		t.Fatalf("no question sets in testdata (err %v)", err)
	}
	base := loadBodies(t, baseCorpora...)
	seen := map[string]string{} // case ID -> set it first appeared in
	for _, set := range sets {
		name := filepath.Base(set)
		bodies := base
		if extra, ok := extraCorpora[name]; ok {
			bodies = append(append([]string(nil), base...), loadBodies(t, extra...)...)
		}
		t.Run(name, func(t *testing.T) {
			for _, c := range readSet(t, set) {
				if prev, dup := seen[c.ID]; dup {
					t.Errorf("%s: id also used in %s", c.ID, prev)
				}
				seen[c.ID] = name
				checkCase(t, c, bodies)
			}
		})
	}
}

func checkCase(t *testing.T, c setCase, bodies []string) {
	t.Helper()
	switch {
	case c.ID == "" || strings.TrimSpace(c.Question) == "":
		t.Errorf("case %q: id and question must both be set", c.ID)
		return
	case c.Answerable == nil:
		t.Errorf("%s: answerable is missing", c.ID)
		return
	}
	switch c.Kind {
	case "":
	case "smalltalk":
		if *c.Answerable {
			t.Errorf("%s: small talk must be answerable:false", c.ID)
		}
	case "mixed":
		if !*c.Answerable {
			t.Errorf("%s: a mixed message carries a real question and must be answerable:true", c.ID)
		}
	default:
		t.Errorf("%s: unknown kind %q", c.ID, c.Kind)
	}
	if !*c.Answerable {
		if len(c.Expect) > 0 {
			t.Errorf("%s: an unanswerable case must not list expect strings", c.ID)
		}
		return
	}
	if len(c.Expect) == 0 {
		t.Errorf("%s: an answerable case needs at least one expect string", c.ID)
	}
	for _, e := range c.Expect {
		ne := zh.Normalize(e)
		if ne == "" {
			t.Errorf("%s: empty expect string", c.ID)
			continue
		}
		if !inAny(bodies, ne) {
			t.Errorf("%s: expect %q occurs in no document of its corpus", c.ID, e)
		}
	}
}

func inAny(bodies []string, s string) bool {
	for _, b := range bodies {
		if strings.Contains(b, s) {
			return true
		}
	}
	return false
}

// loadBodies reads the .md and .txt documents of each folder the way the
// product parses one (corpus.Parse: header removed, title taken off the body)
// and returns their normalised bodies. Files are parsed one by one rather than
// through corpus.Load, so that this check does not also depend on document IDs
// being unique. A folder's README.md describes the folder and is not a
// document members ask about, so it is left out.
func loadBodies(t *testing.T, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, dir := range dirs {
		n := 0
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			ext := strings.ToLower(filepath.Ext(p))
			if d.IsDir() || (ext != ".md" && ext != ".txt") || strings.EqualFold(d.Name(), "README.md") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			doc, err := corpus.Parse(d.Name(), data, nil)
			if err != nil {
				return fmt.Errorf("parse %s: %w", p, err)
			}
			out = append(out, zh.Normalize(doc.Body))
			n++
			return nil
		})
		if err != nil {
			t.Fatalf("read %s: %v", dir, err)
		}
		if n == 0 {
			t.Fatalf("%s holds no documents", dir)
		}
	}
	return out
}

func readSet(t *testing.T, file string) []setCase {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	var cases []setCase
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c setCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s:%d: %v", file, line, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	return cases
}
