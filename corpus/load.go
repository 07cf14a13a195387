package corpus

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

//go:embed default/*.md
var defaultFS embed.FS

// Default is the corpus the binary carries: the cleaned report in default/.
// It is read-only, so `ask` works from any directory with no files around.
func Default() fs.FS {
	sub, err := fs.Sub(defaultFS, "default")
	if err != nil {
		panic(err) // the embedded folder is part of the build; it cannot be missing
	}
	return sub
}

// Decoder turns a file's bytes into UTF-8 text, detecting its encoding.
type Decoder func(data []byte) (string, error)

// MaxDocumentBytes bounds one document file; larger files are skipped.
const MaxDocumentBytes = 20 << 20

// Load reads every .txt and .md document below the root of fsys (folders
// whose names start with '.' or '_', and "originals", are passed over). A file
// that cannot be used — empty, binary, undecodable — is skipped and reported
// in skipped, so one bad file never hides the rest of the corpus. err is set
// only when the folder itself cannot be read.
func Load(fsys fs.FS, decode Decoder) (docs []Document, skipped []error, err error) {
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, werr error) error {
		if werr != nil {
			if p == "." {
				return werr
			}
			skipped = append(skipped, fmt.Errorf("%s: %w", p, werr))
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "originals") {
				return fs.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(path.Ext(name))
		if strings.HasPrefix(name, ".") || (ext != ".txt" && ext != ".md") {
			return nil
		}
		info, ierr := d.Info()
		if ierr == nil && info.Size() > MaxDocumentBytes {
			skipped = append(skipped, fmt.Errorf("%s: %d bytes is over the %d-byte limit", p, info.Size(), MaxDocumentBytes))
			return nil
		}
		data, rerr := fs.ReadFile(fsys, p)
		if rerr != nil {
			skipped = append(skipped, fmt.Errorf("read %s: %w", p, rerr))
			return nil
		}
		doc, perr := Parse(p, data, decode)
		if perr != nil {
			skipped = append(skipped, fmt.Errorf("%s: %w", p, perr))
			return nil
		}
		docs = append(docs, doc)
		return nil
	})
	if err != nil {
		return nil, skipped, fmt.Errorf("read corpus: %w", err)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	for i := 1; i < len(docs); i++ {
		if docs[i].ID == docs[i-1].ID {
			return nil, skipped, fmt.Errorf("read corpus: %s and %s have the same document ID %q; rename one", docs[i-1].Path, docs[i].Path, docs[i].ID)
		}
	}
	return docs, skipped, nil
}

// ErrNoText means a document has no text once its header is removed.
var ErrNoText = errors.New("the document has no text")

// Parse reads one document file: an optional header of "key: value" lines
// between "---" lines (title, subtitle, source, date, page, author, added_by,
// added_at, and to override what the text says: kind, short_title, version,
// version_label, doc_number, issuer; a Q&A entry's question), then the body. Without a header, the
// title is the first heading or short first line. The body's shape and
// metadata are then read from the text (see Kind).
func Parse(name string, data []byte, decode Decoder) (Document, error) {
	sum := sha256.Sum256(data)
	text, err := decodeWith(decode, data)
	if err != nil {
		return Document{}, err
	}
	doc := Document{ID: DocumentID(name), Path: name, Hash: hex.EncodeToString(sum[:])}
	body := text
	if rest, ok := strings.CutPrefix(strings.TrimLeft(text, "\ufeff \n"), "---\n"); ok {
		if header, after, found := strings.Cut(rest, "\n---"); found {
			for _, line := range strings.Split(header, "\n") {
				k, v, ok := strings.Cut(line, ":")
				if !ok {
					continue
				}
				setField(&doc, strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v))
			}
			body = strings.TrimPrefix(after, "\n")
		}
	}
	if strings.TrimSpace(body) == "" {
		return Document{}, ErrNoText
	}
	if doc.Title == "" {
		doc.Title, body = titleFromBody(body)
		if doc.Title == "" {
			doc.Title = strings.TrimSuffix(path.Base(name), path.Ext(name))
		}
	}
	doc.Body = body
	describe(&doc)
	return doc, nil
}

// describe fills in what a document's text says of it: its kind, short
// title, version, history, 文号, issuer and date. Values from the header win.
func describe(doc *Document) {
	sh := readShape(doc.Title, doc.Body, doc.Kind)
	doc.Kind = sh.kind
	if sh.title != "" {
		doc.Title = sh.title // the title under a red header (兰州市总工会文件)
	}
	if len(doc.History) == 0 {
		doc.History = sh.history
	}
	doc.DocNumber = firstNonEmptyString(doc.DocNumber, sh.docNumber)
	doc.Issuer = firstNonEmptyString(doc.Issuer, sh.issuer)
	if doc.Kind == KindFAQ && doc.Question == "" {
		doc.Question = doc.Title
	}
	if doc.Kind == KindNotice && doc.Date == "" {
		doc.Date = sh.date
	}
	if doc.ShortTitle == "" {
		doc.ShortTitle = doc.Title
		if doc.Kind == KindLaw {
			doc.ShortTitle = shortTitle(doc.Title)
		}
	}
	if doc.Kind == KindLaw && doc.Version == "" {
		doc.Version, doc.VersionLabel = versionOf(doc.Path, doc.History)
	}
	if doc.Version != "" && doc.VersionLabel == "" {
		doc.VersionLabel = versionLabel(doc.Version, "")
	}
}

func setField(doc *Document, key, value string) {
	switch key {
	case "title":
		doc.Title = value
	case "subtitle":
		doc.Subtitle = value
	case "source":
		doc.Source = value
	case "date":
		doc.Date = value
	case "page":
		doc.Page = value
	case "author":
		doc.Author = value
	case "added_by":
		doc.AddedBy = value
	case "added_at":
		doc.AddedAt = value
	case "kind":
		switch k := Kind(strings.ToLower(value)); k {
		case KindLaw, KindNotice, KindReport, KindFAQ:
			doc.Kind = k
		}
	case "question":
		doc.Question = value
	case "short_title":
		doc.ShortTitle = strings.Trim(value, "《》")
	case "version":
		doc.Version = value
	case "version_label":
		doc.VersionLabel = value
	case "doc_number", "文号":
		doc.DocNumber = value
	case "issuer", "发文机关":
		doc.Issuer = value
	}
}

// titleFromBody takes a heading or a short first line as the title, and
// returns the body without it.
func titleFromBody(body string) (title, rest string) {
	trimmed := strings.TrimLeft(body, "\n \t")
	line, after, _ := strings.Cut(trimmed, "\n")
	line = strings.TrimSpace(line)
	if h, ok := strings.CutPrefix(line, "#"); ok {
		return strings.TrimSpace(strings.TrimLeft(h, "#")), after
	}
	if n := utf8.RuneCountInString(line); n > 0 && n <= 40 && !strings.ContainsAny(line, "。！？") && strings.TrimSpace(after) != "" {
		return line, after
	}
	return "", body
}

func decodeWith(decode Decoder, data []byte) (string, error) {
	if decode != nil {
		return decode(data)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return "", errors.New("not UTF-8 text")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "", ErrNoText
	}
	return string(data), nil
}

// DocumentID derives a short stable ID from a file's path: its base name in
// lower-case ASCII letters, digits and '-', or a hash of the name when little
// of it is ASCII or its ASCII has no letter (a Chinese file name, dated or not).
func DocumentID(name string) string {
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == '_' || r == ' ' || r == '.':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	id := strings.Trim(b.String(), "-")
	// A Chinese name keeps its hash even when it has a date in it:
	// 社会保险法(2018-12-29) and 职业病防治法(2018-12-29) are two documents.
	letterless := !strings.ContainsFunc(id, func(r rune) bool { return r >= 'a' && r <= 'z' })
	if len(id) < 3 || utf8.RuneCountInString(base) > 2*len(id) || letterless && len(base) != utf8.RuneCountInString(base) {
		sum := sha256.Sum256([]byte(path.Clean(name)))
		id = "d" + hex.EncodeToString(sum[:4])
	}
	if len(id) > 40 {
		id = id[:40]
	}
	return id
}
