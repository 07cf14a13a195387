package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxCompressionRatio is the highest uncompressed/compressed ratio accepted
// for a large DOCX entry; real documents stay far below it.
const maxCompressionRatio = 200

// extractDOCX reads the paragraphs of word/document.xml. The archive's
// declared sizes are checked before anything is inflated, and every entry is
// read through a limited reader, so a zip bomb is refused cheaply.
func extractDOCX(data []byte, lim Limits) (Result, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if lim.MaxZipEntries > 0 && int64(len(zr.File)) > lim.MaxZipEntries {
		return Result{}, fmt.Errorf("%w: %d entries, limit %d", ErrZipBomb, len(zr.File), lim.MaxZipEntries)
	}
	var total uint64
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if lim.MaxUnzippedBytes > 0 && (total > uint64(lim.MaxUnzippedBytes) || f.UncompressedSize64 > uint64(lim.MaxUnzippedBytes)) {
			return Result{}, fmt.Errorf("%w: declared unpacked size over %d bytes", ErrZipBomb, lim.MaxUnzippedBytes)
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > maxCompressionRatio*max(f.CompressedSize64, 1) {
			return Result{}, fmt.Errorf("%w: %s compressed %d→%d", ErrZipBomb, f.Name, f.CompressedSize64, f.UncompressedSize64)
		}
		files[f.Name] = f
	}
	if files["EncryptionInfo"] != nil || files["EncryptedPackage"] != nil {
		return Result{}, fmt.Errorf("%w: encrypted package", ErrEncrypted)
	}
	doc := files["word/document.xml"]
	if doc == nil {
		return Result{}, fmt.Errorf("%w: no word/document.xml in archive", ErrCorrupt)
	}
	budget := &byteBudget{left: lim.MaxUnzippedBytes}
	styles := map[string]styleInfo{}
	if f := files["word/styles.xml"]; f != nil {
		raw, err := readZipFile(f, budget)
		if err != nil {
			return Result{}, err
		}
		// Styles only help find headings: a broken styles.xml is not fatal.
		styles, _ = parseStyles(raw)
	}
	raw, err := readZipFile(doc, budget)
	if err != nil {
		return Result{}, err
	}
	return parseDocument(raw, styles)
}

// byteBudget is what may still be inflated from an archive (left <= 0 at
// the start means unlimited).
type byteBudget struct {
	left      int64
	unlimited bool
	started   bool
}

// readZipFile inflates f through a limited reader, failing with ErrZipBomb
// when it yields more than the budget or its declared size.
func readZipFile(f *zip.File, b *byteBudget) ([]byte, error) {
	if !b.started {
		b.started, b.unlimited = true, b.left <= 0
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	limit := int64(f.UncompressedSize64)
	if !b.unlimited && b.left < limit {
		limit = b.left
	}
	raw, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w: %s unpacks beyond %d bytes", ErrZipBomb, f.Name, limit)
	}
	if !b.unlimited {
		b.left -= int64(len(raw))
	}
	return raw, nil
}

// styleInfo is what matters of a paragraph style: whether it is a heading.
type styleInfo struct {
	heading bool
	title   bool
}

// parseStyles maps style IDs to heading information, from style names
// ("heading 1", "Title", "标题 1") and outline levels.
func parseStyles(raw []byte) (map[string]styleInfo, error) {
	out := map[string]styleInfo{}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var id string
	var cur styleInfo
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "style":
				id, cur = attr(t, "styleId"), styleInfo{}
			case "name":
				name := strings.ToLower(attr(t, "val"))
				cur.title = name == "title" || name == "标题"
				cur.heading = cur.title || isHeadingName(name)
			case "outlineLvl":
				if v := attr(t, "val"); v >= "0" && v <= "2" && len(v) == 1 {
					cur.heading = true
				}
			}
		case xml.EndElement:
			if t.Name.Local == "style" && id != "" {
				out[id] = cur
				id = ""
			}
		}
	}
}

// isHeadingName reports whether a style name or ID is a heading of level
// 1-3 ("heading 1", "Heading2", "标题 3", "标题1").
func isHeadingName(name string) bool {
	name = strings.ToLower(strings.ReplaceAll(name, " ", ""))
	for _, p := range []string{"heading", "标题"} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			return rest == "1" || rest == "2" || rest == "3"
		}
	}
	return false
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// parseDocument walks word/document.xml: each w:p becomes a paragraph
// (headings prefixed "## "), table rows become one line with cells
// separated by " | ".
func parseDocument(raw []byte, styles map[string]styleInfo) (Result, error) {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var (
		out        strings.Builder
		para       strings.Builder
		row        []string
		inText     bool
		style      string
		tableDepth int
		title      string
	)
	flushPara := func() {
		text := strings.TrimSpace(para.String())
		para.Reset()
		info, known := styles[style]
		heading := info.heading || (!known && isHeadingName(style)) || strings.EqualFold(style, "Title")
		if text == "" {
			style = ""
			return
		}
		if tableDepth > 0 {
			row = append(row, text)
			style = ""
			return
		}
		if heading {
			if title == "" && (info.title || strings.EqualFold(style, "Title") || out.Len() == 0) {
				title = text
			}
			out.WriteString("## ")
		}
		out.WriteString(text)
		out.WriteString("\n\n")
		style = ""
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Result{}, fmt.Errorf("%w: word/document.xml: %v", ErrCorrupt, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				para.Reset()
				style = ""
			case "pStyle":
				style = attr(t, "val")
			case "t":
				inText = true
			case "tab":
				para.WriteByte(' ')
			case "br", "cr":
				para.WriteByte(' ')
			case "tbl":
				tableDepth++
			case "tr":
				row = row[:0]
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				flushPara()
			case "tc":
				// Cell paragraphs were appended to row; join those of one cell.
			case "tr":
				if len(row) > 0 {
					out.WriteString(strings.Join(row, " | "))
					out.WriteString("\n\n")
				}
				row = row[:0]
			case "tbl":
				tableDepth--
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		}
	}
	return Result{Text: out.String(), Title: title}, nil
}
