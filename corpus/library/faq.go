package library

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus"
)

// Answer is a member's question and union staff's answer to it, to be
// saved as a Q&A entry (a corpus.KindFAQ document).
type Answer struct {
	Question string
	Answer   string
	// Ref says where the answer came from, for the file and the audit log
	// (工单 #12).
	Ref string
}

// MaxAnswerRunes bounds a saved answer: a few Telegram messages.
const MaxAnswerRunes = 4000

// ErrEmptyAnswer: the question or the answer has no text, or the answer is
// longer than MaxAnswerRunes.
var ErrEmptyAnswer = errors.New("library: the question or the answer is empty or too long")

// faqPrefix starts the file name, and so the ID, of every Q&A entry.
const faqPrefix = "qa-"

// SaveAnswer stores a as a Q&A entry in CORPUS_DIR (qa-<date>-<hash>.md,
// header "kind: faq" with the question, the body the answer), as done by
// by, in one journaled, audited step like Commit: it lands whole or not at
// all. An entry with the same question (ignoring width and spacing) is
// replaced, keeping its ID, so a corrected answer supersedes the old one
// (replaced is then true); saving the answer an entry already has is a
// *DoneError. The caller then updates the index.
func (l *Library) SaveAnswer(a Answer, by string) (doc corpus.Document, replaced bool, err error) {
	question := headerValue(a.Question)
	answer := strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(a.Answer, "\r\n", "\n"), ""))
	if question == "" || answer == "" || utf8.RuneCountInString(answer) > MaxAnswerRunes {
		return corpus.Document{}, false, fmt.Errorf("save answer: %w", ErrEmptyAnswer)
	}
	unlock, err := l.lock(true)
	if err != nil {
		return corpus.Document{}, false, fmt.Errorf("save answer: %w", err)
	}
	defer unlock()
	docs, _, err := l.load()
	if err != nil {
		return corpus.Document{}, false, fmt.Errorf("save answer: %w", err)
	}
	old, replacing := sameQuestion(docs, question)
	if replacing && strings.TrimSpace(old.Body) == answer {
		rec, _, _ := l.lastChange(old.ID)
		if rec.DocID == "" {
			rec = AuditRecord{DocID: old.ID, Title: old.Title, Action: ActionAdd, Who: old.AddedBy}
		}
		return old, false, fmt.Errorf("save answer: %w", &DoneError{Record: rec})
	}
	now := l.now()
	var textPath string
	if replacing {
		textPath = filepath.Join(l.corpusDir, filepath.FromSlash(old.Path))
	} else {
		textPath = filepath.Join(l.corpusDir, l.newFAQID(docs, question, now)+".md")
	}
	content := []byte(renderFAQ(question, answer, a.Ref, headerValue(by), now))
	rel, _ := filepath.Rel(l.corpusDir, textPath)
	doc, err = corpus.Parse(filepath.ToSlash(rel), content, l.opt.Decode)
	if err != nil {
		return corpus.Document{}, false, fmt.Errorf("save answer: %w", err)
	}
	if replacing && doc.ID != old.ID {
		return corpus.Document{}, false, fmt.Errorf("save answer: file %s would get ID %q, not %q", rel, doc.ID, old.ID)
	}
	action := ActionAdd
	if replacing {
		action = ActionReplace
	}
	sum := sha256.Sum256(content)
	c := l.newChange(AuditRecord{Time: now, Who: by, Action: action, DocID: doc.ID, Title: question,
		FileSHA256: hex.EncodeToString(sum[:]), Detail: strings.TrimSpace("问答 " + a.Ref)}, "")
	tmp, err := c.stage(filepath.Dir(textPath), content)
	if err != nil {
		for _, t := range c.temps {
			os.Remove(t)
		}
		return corpus.Document{}, false, fmt.Errorf("save answer: %w: %w", ErrIncomplete, err)
	}
	c.put(textPath, tmp)
	if err := c.run(); err != nil {
		return corpus.Document{}, false, fmt.Errorf("save answer: %w", err)
	}
	return doc, replacing, nil
}

// renderFAQ is a Q&A entry's file.
func renderFAQ(question, answer, ref, by string, now time.Time) string {
	var b strings.Builder
	b.WriteString("---\nkind: faq\n")
	for _, kv := range [][2]string{
		{"title", question}, {"question", question}, {"source", "工会答复"}, {"date", now.Format(time.DateOnly)},
		{"added_by", by}, {"added_at", now.Format(time.RFC3339)}, {"ref", headerValue(ref)},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
		}
	}
	b.WriteString("---\n\n")
	b.WriteString(answer)
	b.WriteString("\n")
	return b.String()
}

// sameQuestion finds the Q&A entry whose question is question, ignoring
// width and spacing.
func sameQuestion(docs []corpus.Document, question string) (corpus.Document, bool) {
	want := titleKey(question)
	for _, d := range docs {
		if d.Kind == corpus.KindFAQ && titleKey(d.Question) == want {
			return d, true
		}
	}
	return corpus.Document{}, false
}

// newFAQID is a new entry's ID: qa-, the date and a short hash of the
// question (qa-20240501-3fa9c1), lengthened in the rare case it is taken.
func (l *Library) newFAQID(docs []corpus.Document, question string, now time.Time) string {
	sum := sha256.Sum256([]byte(titleKey(question)))
	h := hex.EncodeToString(sum[:])
	for n := 6; ; n += 2 {
		id := faqPrefix + now.Format("20060102") + "-" + h[:min(n, len(h))]
		if n > len(h) {
			id = faqPrefix + now.Format("20060102") + "-" + randomID(6)
		}
		if _, taken := find(docs, id); taken {
			continue
		}
		if _, err := os.Lstat(filepath.Join(l.corpusDir, id+".md")); err == nil {
			continue
		}
		return id
	}
}
