package extract

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// skippedHTML are elements whose content is not the document's text.
var skippedHTML = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Nav: true, atom.Footer: true,
	atom.Noscript: true, atom.Template: true, atom.Svg: true, atom.Iframe: true,
	atom.Head: true, atom.Button: true, atom.Select: true, atom.Object: true,
	atom.Aside: true, atom.Form: true, atom.Canvas: true, atom.Math: true,
}

// blockHTML are elements that start and end a line.
var blockHTML = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Tr: true,
	atom.Section: true, atom.Article: true, atom.Table: true, atom.Ul: true,
	atom.Ol: true, atom.Blockquote: true, atom.Pre: true, atom.Dd: true,
	atom.Dt: true, atom.Dl: true, atom.Header: true, atom.Main: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Hr: true, atom.Figure: true,
	atom.Figcaption: true, atom.Address: true, atom.Center: true, atom.Tbody: true,
	atom.Thead: true, atom.Caption: true, atom.Body: true,
}

// extractHTML returns the visible text of the body: headings h1-h3 as "## "
// lines, block elements as paragraphs, table cells separated by " | ".
func extractHTML(data []byte) (Result, error) {
	text, err := decodeHTML(data)
	if err != nil {
		return Result{}, err
	}
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	w := &htmlWriter{}
	var title, h1 string
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > 512 {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.H1, atom.H2, atom.H3:
				t := nodeText(n)
				if n.DataAtom == atom.H1 && h1 == "" {
					h1 = t
				}
				w.heading(t)
				return
			case atom.Td, atom.Th:
				w.cell()
			}
			if skippedHTML[n.DataAtom] || hiddenHTML(n) {
				return
			}
			if blockHTML[n.DataAtom] {
				w.block()
				defer w.block()
			}
			if n.DataAtom == atom.Img {
				return
			}
		}
		if n.Type == html.TextNode {
			w.text(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(doc, 0)
	if t := findElement(doc, atom.Title, 0); t != nil {
		title = nodeText(t)
	}
	if h1 != "" {
		title = h1
	}
	return Result{Text: w.String(), Title: title}, nil
}

// decodeHTML converts the page to UTF-8: a BOM or a declared charset wins,
// else the same detection as plain text (UTF-8 or GB18030).
func decodeHTML(data []byte) (string, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 && !bytes.HasPrefix(data, bomUTF16LE) && !bytes.HasPrefix(data, bomUTF16BE) {
		return "", fmt.Errorf("%w: NUL byte at offset %d", ErrBinary, i)
	}
	enc, name, certain := charset.DetermineEncoding(data, "text/html")
	if certain || (name != "windows-1252" && name != "utf-8") {
		out, err := enc.NewDecoder().Bytes(data)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrBinary, err)
		}
		if name == "gbk" || name == "gb2312" {
			// GB2312/GBK labels are often wrong about GB18030 characters.
			out, _ = decodeGB(data)
		}
		return strings.ToValidUTF8(string(out), "\uFFFD"), nil
	}
	text, _, err := decodeText(data)
	return text, err
}

func decodeGB(data []byte) ([]byte, error) {
	s, err := decodeWith(gb18030(), data)
	return []byte(s), err
}

// findElement returns the first element a in n's subtree.
func findElement(n *html.Node, a atom.Atom, depth int) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	if depth > 512 {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, a, depth+1); f != nil {
			return f
		}
	}
	return nil
}

// hiddenHTML reports elements hidden from readers.
func hiddenHTML(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden", "aria-hidden":
			if a.Key == "hidden" || a.Val == "true" {
				return true
			}
		case "style":
			v := strings.ToLower(strings.ReplaceAll(a.Val, " ", ""))
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		case "role":
			if a.Val == "navigation" || a.Val == "banner" || a.Val == "contentinfo" {
				return true
			}
		}
	}
	return false
}

// nodeText is the visible text inside n, white space folded.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > 512 {
			return
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return foldSpace(b.String())
}

// foldSpace collapses runs of white space into one space, dropping spaces
// between two CJK characters (they come from source line breaks).
func foldSpace(s string) string {
	fields := strings.FieldsFunc(s, unicode.IsSpace)
	var b strings.Builder
	for i, f := range fields {
		if i > 0 && needsSpace(fields[i-1], f) {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

// htmlWriter accumulates paragraphs.
type htmlWriter struct {
	out  strings.Builder
	para strings.Builder
	// sep: a table cell started, separate it from the previous text.
	sep bool
	// hasText: para holds more than white space.
	hasText bool
}

func (w *htmlWriter) text(s string) {
	if strings.TrimSpace(s) == "" {
		w.para.WriteByte(' ')
		return
	}
	if w.sep && w.hasText {
		w.para.WriteString(" | ")
	}
	w.sep, w.hasText = false, true
	w.para.WriteString(s)
	w.para.WriteByte(' ')
}

func (w *htmlWriter) cell() { w.sep = true }

func (w *htmlWriter) block() {
	t := foldSpace(w.para.String())
	w.para.Reset()
	w.sep, w.hasText = false, false
	if t == "" || t == "|" {
		return
	}
	w.out.WriteString(t)
	w.out.WriteString("\n\n")
}

func (w *htmlWriter) heading(t string) {
	w.block()
	if t != "" {
		w.out.WriteString("## ")
		w.out.WriteString(t)
		w.out.WriteString("\n\n")
	}
}

// String names the value for logs and messages.
func (w *htmlWriter) String() string {
	w.block()
	return w.out.String()
}
