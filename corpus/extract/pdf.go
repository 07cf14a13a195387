package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// PDF walking budgets: they bound the work a hostile file can cause.
const (
	maxPDFNodes     = 20000 // page-tree nodes visited
	maxPDFPages     = 5000
	maxXObjectDepth = 4
	maxParentDepth  = 32
)

// errPDFBudget aborts content interpretation when too much text was shown.
var errPDFBudget = errors.New("pdf text budget exceeded")

// extractPDF reads the text layer of a PDF with github.com/ledongthuc/pdf,
// rebuilding lines from glyph positions and paragraphs from line geometry.
func extractPDF(data []byte, lim Limits) (Result, error) {
	data, err := repairPDFFrame(data)
	if err != nil {
		return Result{}, err
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return Result{}, fmt.Errorf("%w: %v", ErrEncrypted, err)
		}
		return Result{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	pages := collectPages(r.Trailer().Key("Root").Key("Pages"))
	if len(pages) == 0 {
		return Result{}, fmt.Errorf("%w: no pages", ErrCorrupt)
	}
	ex := &pdfExtractor{budget: lim.MaxTextBytes, inflate: lim.MaxUnzippedBytes}
	if ex.inflate <= 0 || ex.inflate > maxPDFInflate {
		ex.inflate = maxPDFInflate
	}
	var all [][]pdfLine
	for _, p := range pages {
		lines, err := ex.pageLines(p)
		if err != nil {
			return Result{}, err
		}
		all = append(all, lines)
	}
	if ex.shown == 0 {
		return Result{}, fmt.Errorf("%w: no text shown on %d pages", ErrNoTextLayer, len(pages))
	}
	text, title := layoutPDF(all)
	if !readable(text) {
		return Result{}, fmt.Errorf("%w: text layer has no Unicode mapping", ErrNoTextLayer)
	}
	if title == "" {
		title = pdfInfoTitle(r)
	}
	return Result{Text: text, Title: title}, nil
}

var eofMarker = []byte("%%EOF")

// repairPDFFrame checks that the file is complete (it ends with %%EOF, so a
// cut-off download is refused) and smooths over header details the library
// rejects: PDF 2.0 headers and bytes after the final %%EOF.
func repairPDFFrame(data []byte) ([]byte, error) {
	end := bytes.LastIndex(data, eofMarker)
	if end < 0 {
		return nil, fmt.Errorf("%w: no %%%%EOF, the file is truncated", ErrCorrupt)
	}
	if len(data) < 16 {
		return nil, fmt.Errorf("%w: too short", ErrCorrupt)
	}
	out := make([]byte, end+len(eofMarker)+1)
	copy(out, data[:end+len(eofMarker)])
	out[len(out)-1] = '\n'
	if out[5] < '1' || out[5] > '2' || out[6] != '.' {
		return nil, fmt.Errorf("%w: bad header %q", ErrCorrupt, out[:8])
	}
	if out[5] == '2' || out[7] < '0' || out[7] > '7' {
		copy(out[5:8], "1.7") // the library reads 1.0-1.7 only; 2.0 is compatible enough
	}
	if out[8] != '\r' && out[8] != '\n' {
		out[8] = '\n' // "%PDF-1.4 %âãÏÓ" style headers: the rest is a comment
	}
	return out, nil
}

// collectPages walks the page tree with a node budget, so cycles and huge
// fan-outs cannot hang the walk.
func collectPages(root pdf.Value) []pdf.Value {
	var pages []pdf.Value
	seen := map[string]bool{} // identical page dictionaries render identically
	addPage := func(v pdf.Value) {
		if k := v.String(); !seen[k] {
			seen[k] = true
			pages = append(pages, v)
		}
	}
	nodes := 0
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		nodes++
		if nodes > maxPDFNodes || depth > maxParentDepth || len(pages) >= maxPDFPages {
			return
		}
		typ := v.Key("Type").Name()
		if typ != "Page" {
			// A Pages node seen before is a cycle (or a shared subtree).
			k := "node:" + v.String()
			if seen[k] {
				return
			}
			seen[k] = true
		}
		switch typ {
		case "Pages":
			kids := v.Key("Kids")
			for i := 0; i < kids.Len(); i++ {
				walk(kids.Index(i), depth+1)
			}
		case "Page":
			addPage(v)
		default:
			if v.Key("Kids").Kind() == pdf.Array {
				kids := v.Key("Kids")
				for i := 0; i < kids.Len(); i++ {
					walk(kids.Index(i), depth+1)
				}
			} else if v.Key("Contents").Kind() != pdf.Null {
				addPage(v)
			}
		}
	}
	walk(root, 0)
	return pages
}

// inherited looks key up on the page and its ancestors (depth-bounded).
func inherited(page pdf.Value, key string) pdf.Value {
	v := page
	for i := 0; i < maxParentDepth && !v.IsNull(); i++ {
		if r := v.Key(key); !r.IsNull() {
			return r
		}
		v = v.Key("Parent")
	}
	return pdf.Value{}
}

// pdfItem is a run of text shown by one Tj/TJ string.
type pdfItem struct {
	x, y, size, end float64
	text            string
}

// pdfLine is text on one baseline.
type pdfLine struct {
	x, y, end, size float64
	text            string
}

type pdfExtractor struct {
	budget int64 // max bytes of shown text; <= 0: unlimited
	shown  int64
	// inflate is what may still be decompressed from content streams and
	// CMaps (checked before the library reads them).
	inflate int64
	err     error // a limit error that ends extraction
}

// maxPDFInflate caps decompressed stream bytes when no limit is given.
const maxPDFInflate = 256 << 20

// errSkipStream marks a stream that is unreadable or would hang the
// library's lexer; it is skipped.
var errSkipStream = errors.New("pdf stream skipped")

// checkStream decompresses strm (a stream or an array of streams) within the
// inflate budget and scans it for what hangs the library's lexer: a hex
// string left open at the end of the data. It returns errSkipStream for a
// stream that must not be interpreted and an ErrZipBomb error when the
// budget is exhausted.
func (ex *pdfExtractor) checkStream(strm pdf.Value) error {
	var parts []pdf.Value
	switch strm.Kind() {
	case pdf.Stream:
		parts = []pdf.Value{strm}
	case pdf.Array:
		for i := 0; i < strm.Len() && i < 10000; i++ {
			parts = append(parts, strm.Index(i))
		}
	default:
		return errSkipStream
	}
	var sc hexScanner
	for _, p := range parts {
		if p.Kind() != pdf.Stream {
			return errSkipStream
		}
		data, err := ex.readStream(p)
		if err != nil {
			return err
		}
		sc.scan(data)
	}
	if sc.inHex {
		return errSkipStream
	}
	return nil
}

func (ex *pdfExtractor) readStream(p pdf.Value) (data []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errSkipStream
		}
	}()
	rc := p.Reader()
	defer rc.Close()
	data, err = io.ReadAll(io.LimitReader(rc, ex.inflate+1))
	if int64(len(data)) > ex.inflate {
		return nil, fmt.Errorf("%w: PDF streams unpack beyond the limit", ErrZipBomb)
	}
	ex.inflate -= int64(len(data))
	if err != nil {
		return nil, errSkipStream
	}
	return data, nil
}

// hexScanner follows just enough PostScript syntax to know whether a hex
// string is open: comments, literal strings with escapes, "<<" and "<…>".
type hexScanner struct {
	inHex, inComment, escape bool
	lit                      int // literal string depth
	lt                       bool
}

func (s *hexScanner) scan(data []byte) {
	for _, c := range data {
		switch {
		case s.inComment:
			s.inComment = c != '\r' && c != '\n'
		case s.lit > 0:
			switch {
			case s.escape:
				s.escape = false
			case c == '\\':
				s.escape = true
			case c == '(':
				s.lit++
			case c == ')':
				s.lit--
			}
		case s.inHex:
			s.inHex = c != '>'
		case s.lt:
			s.lt = false
			if c != '<' {
				s.inHex = c != '>'
			}
		default:
			switch c {
			case '%':
				s.inComment = true
			case '(':
				s.lit = 1
			case '<':
				s.lt = true
			}
		}
	}
}

// mat is an affine matrix [a b c d e f].
type mat [6]float64

var identity = mat{1, 0, 0, 1, 0, 0}

// mul returns m × n (apply m, then n).
func (m mat) mul(n mat) mat {
	return mat{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func matFrom(args []pdf.Value) mat {
	var m mat
	for i := range m {
		m[i] = args[i].Float64()
	}
	return m
}

// textState is the part of the graphics state that positions text.
type textState struct {
	ctm             mat
	font            *pdfFont
	size, tc, tw    float64
	th, leading, rs float64
}

// pageLines interprets a page's content streams and groups the text into
// lines.
func (ex *pdfExtractor) pageLines(page pdf.Value) (lines []pdfLine, err error) {
	var items []pdfItem
	defer func() {
		if r := recover(); r != nil {
			if ex.err != nil {
				lines, err = nil, ex.err
				return
			}
			if r == errPDFBudget {
				err = fmt.Errorf("%w: more than %d bytes of text", ErrTooLarge, ex.budget)
				return
			}
			// A broken content stream: keep what was read before it.
			lines, err = groupLines(items), nil
		}
	}()
	ex.run(page.Key("Contents"), inherited(page, "Resources"), identity, 0, &items)
	return groupLines(items), ex.err
}

// run interprets one content stream (a page's or a form XObject's).
func (ex *pdfExtractor) run(strm, res pdf.Value, ctm mat, depth int, items *[]pdfItem) {
	if strm.IsNull() || ex.err != nil {
		return
	}
	if err := ex.checkStream(strm); err != nil {
		if !errors.Is(err, errSkipStream) {
			ex.err = err
		}
		return
	}
	fonts := map[string]*pdfFont{}
	g := textState{ctm: ctm, th: 1}
	var stack []textState
	var tm, tlm mat
	show := func(raw string) {
		if g.font == nil {
			g.font = &pdfFont{}
		}
		text, advance := g.font.decode(raw)
		trm := mat{g.size * g.th, 0, 0, g.size, 0, g.rs}.mul(tm).mul(g.ctm)
		size := math.Hypot(trm[2], trm[3])
		scale := math.Hypot(trm[0], trm[1]) / math.Max(g.size*g.th, 1e-9)
		if size == 0 {
			size = g.size
		}
		nchars := float64(utf8.RuneCountInString(text))
		tx := (advance*g.size + nchars*g.tc + float64(strings.Count(text, " "))*g.tw) * g.th
		*items = append(*items, pdfItem{x: trm[4], y: trm[5], size: size, end: trm[4] + tx*scale, text: text})
		ex.shown += int64(len(text))
		if ex.budget > 0 && ex.shown > ex.budget {
			panic(errPDFBudget)
		}
		tm = mat{1, 0, 0, 1, tx, 0}.mul(tm)
	}
	nextLine := func(tx, ty float64) {
		tlm = mat{1, 0, 0, 1, tx, ty}.mul(tlm)
		tm = tlm
	}
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		need := func(k int) bool { return len(args) >= k }
		switch op {
		case "q":
			if len(stack) < 1000 {
				stack = append(stack, g)
			}
		case "Q":
			if len(stack) > 0 {
				g = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		case "cm":
			if need(6) {
				g.ctm = matFrom(args[len(args)-6:]).mul(g.ctm)
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tf":
			if need(2) {
				name := args[len(args)-2].Name()
				f, ok := fonts[name]
				if !ok {
					f = ex.newFont(res.Key("Font").Key(name))
					fonts[name] = f
				}
				g.font = f
				g.size = args[len(args)-1].Float64()
			}
		case "Tc":
			if need(1) {
				g.tc = args[len(args)-1].Float64()
			}
		case "Tw":
			if need(1) {
				g.tw = args[len(args)-1].Float64()
			}
		case "Tz":
			if need(1) {
				g.th = args[len(args)-1].Float64() / 100
			}
		case "TL":
			if need(1) {
				g.leading = args[len(args)-1].Float64()
			}
		case "Ts":
			if need(1) {
				g.rs = args[len(args)-1].Float64()
			}
		case "Td", "TD":
			if need(2) {
				ty := args[len(args)-1].Float64()
				if op == "TD" {
					g.leading = -ty
				}
				nextLine(args[len(args)-2].Float64(), ty)
			}
		case "Tm":
			if need(6) {
				tm = matFrom(args[len(args)-6:])
				tlm = tm
			}
		case "T*":
			nextLine(0, -g.leading)
		case "Tj":
			if need(1) {
				show(args[len(args)-1].RawString())
			}
		case "'":
			if need(1) {
				nextLine(0, -g.leading)
				show(args[len(args)-1].RawString())
			}
		case "\"":
			if need(3) {
				g.tw, g.tc = args[len(args)-3].Float64(), args[len(args)-2].Float64()
				nextLine(0, -g.leading)
				show(args[len(args)-1].RawString())
			}
		case "TJ":
			if !need(1) {
				return
			}
			arr := args[len(args)-1]
			for i := 0; i < arr.Len(); i++ {
				v := arr.Index(i)
				if v.Kind() == pdf.String {
					show(v.RawString())
				} else {
					tx := -v.Float64() / 1000 * g.size * g.th
					tm = mat{1, 0, 0, 1, tx, 0}.mul(tm)
				}
			}
		case "Do":
			if !need(1) || depth >= maxXObjectDepth {
				return
			}
			xo := res.Key("XObject").Key(args[len(args)-1].Name())
			if xo.Key("Subtype").Name() != "Form" {
				return
			}
			m := identity
			if mv := xo.Key("Matrix"); mv.Len() == 6 {
				m = mat{mv.Index(0).Float64(), mv.Index(1).Float64(), mv.Index(2).Float64(), mv.Index(3).Float64(), mv.Index(4).Float64(), mv.Index(5).Float64()}
			}
			xres := xo.Key("Resources")
			if xres.IsNull() {
				xres = res
			}
			ex.run(xo, xres, m.mul(g.ctm), depth+1, items)
		}
	})
}

// pdfFont decodes the strings shown with one font.
type pdfFont struct {
	enc     pdf.TextEncoding
	lib     *pdf.Font
	special string // "utf16", "gb" or "" (library decoding)
	cid     bool   // two-byte codes (Type0)
}

func (ex *pdfExtractor) newFont(v pdf.Value) *pdfFont {
	f := &pdfFont{}
	if v.IsNull() {
		return f
	}
	f.cid = v.Key("Subtype").Name() == "Type0"
	lib := pdf.Font{V: v}
	f.lib = &lib
	// Predefined Chinese CMaps, which the library does not decode.
	switch enc := v.Key("Encoding").Name(); {
	case strings.HasPrefix(enc, "Uni") && (strings.Contains(enc, "UCS2") || strings.Contains(enc, "UTF16")):
		f.special = "utf16"
	case strings.HasPrefix(enc, "GB"):
		f.special = "gb"
	}
	if f.special == "" {
		// The library interprets ToUnicode CMaps with the same lexer.
		if tu := v.Key("ToUnicode"); !tu.IsNull() {
			if err := ex.checkStream(tu); err != nil {
				if !errors.Is(err, errSkipStream) {
					ex.err = err
					panic(err)
				}
				return f
			}
		}
		f.enc = lib.Encoder()
	}
	return f
}

// decode returns the text of raw and its advance in text-space units
// (multiples of the font size).
func (f *pdfFont) decode(raw string) (string, float64) {
	var text string
	switch {
	case f.special == "utf16":
		u := make([]uint16, 0, len(raw)/2)
		for i := 0; i+1 < len(raw); i += 2 {
			u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
		}
		text = string(utf16.Decode(u))
	case f.special == "gb":
		b, _ := simplifiedchinese.GB18030.NewDecoder().String(raw)
		text = b
	case f.enc != nil:
		text = f.enc.Decode(raw)
	default:
		text = raw
	}
	text = strings.ToValidUTF8(text, "")
	var adv float64
	if f.lib != nil && !f.cid && f.special == "" {
		for i := 0; i < len(raw); i++ {
			w := f.lib.Width(int(raw[i]))
			if w == 0 {
				w = 500
			}
			adv += w / 1000
		}
		return text, adv
	}
	for _, r := range text {
		if isWide(r) {
			adv++
		} else {
			adv += 0.5
		}
	}
	return text, adv
}

// isWide reports whether r is a full-width (CJK) character.
func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// groupLines joins items on the same baseline (in content order) into lines.
func groupLines(items []pdfItem) []pdfLine {
	var lines []pdfLine
	var cur *pdfLine
	var b strings.Builder
	flush := func() {
		if cur != nil {
			cur.text = strings.TrimSpace(b.String())
			if cur.text != "" {
				lines = append(lines, *cur)
			}
		}
		cur = nil
		b.Reset()
	}
	for _, it := range items {
		if strings.TrimSpace(it.text) == "" && cur == nil {
			continue
		}
		if cur != nil && math.Abs(it.y-cur.y) <= 0.5*math.Max(cur.size, 1) && it.x >= cur.x-1 {
			gap := it.x - cur.end
			if gap > 0.25*cur.size && needsSpace(b.String(), it.text) {
				b.WriteByte(' ')
			}
			b.WriteString(it.text)
			cur.end = math.Max(cur.end, it.end)
			cur.size = math.Max(cur.size, it.size)
			continue
		}
		flush()
		cur = &pdfLine{x: it.x, y: it.y, end: it.end, size: it.size}
		b.WriteString(it.text)
	}
	flush()
	return lines
}

// needsSpace reports whether a gap between a and b is a word space (not
// between two CJK characters).
func needsSpace(a, b string) bool {
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	return a != "" && !unicode.IsSpace(ra) && !unicode.IsSpace(rb) && !(isWide(ra) && isWide(rb))
}

// pageNumber matches lines that are only a page number or a running footer.
var pageNumber = regexp.MustCompile(`^(?:[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|[Pp]age\s*\d+(?:\s*of\s*\d+)?)$`)

// layoutPDF turns per-page lines into paragraphs separated by blank lines,
// lines in a larger font into "## " headings, and returns the first
// heading as the title.
func layoutPDF(pages [][]pdfLine) (string, string) {
	var sizes []float64
	for _, lines := range pages {
		for _, l := range lines {
			for range utf8.RuneCountInString(l.text) {
				sizes = append(sizes, l.size)
			}
		}
	}
	if len(sizes) == 0 {
		return "", ""
	}
	sort.Float64s(sizes)
	body := sizes[len(sizes)/2]
	isHeading := func(l pdfLine) bool {
		return l.size >= 1.15*body && utf8.RuneCountInString(l.text) <= 60
	}
	var out strings.Builder
	title := ""
	var para strings.Builder
	var paraHeading bool
	var lastHeading pdfLine
	paraPage := 0 // the page where the current paragraph starts
	flush := func() {
		if para.Len() == 0 {
			return
		}
		if paraHeading {
			if title == "" && paraPage == 0 {
				title = para.String()
			}
			out.WriteString("## ")
		}
		out.WriteString(para.String())
		out.WriteString("\n\n")
		para.Reset()
	}
	for pi, lines := range pages {
		left, right := math.Inf(1), math.Inf(-1)
		for _, l := range lines {
			if !isHeading(l) {
				left, right = math.Min(left, l.x), math.Max(right, l.end)
			}
		}
		for i, l := range lines {
			if pageNumber.MatchString(l.text) {
				continue
			}
			h := isHeading(l)
			if h {
				// A heading wrapped over two lines of the same size stays one.
				if paraHeading && para.Len() > 0 && math.Abs(l.size-lastHeading.size) < 0.5 && lastHeading.y-l.y < 2*l.size {
					para.WriteString(l.text)
				} else {
					flush()
					paraHeading, paraPage = true, pi
					para.WriteString(l.text)
				}
				lastHeading = l
				continue
			}
			newPara := paraHeading || para.Len() == 0
			if !newPara && i > 0 {
				prev := lines[i-1]
				gap := prev.y - l.y
				switch {
				case gap > 1.9*l.size || gap < -0.5*l.size: // a blank line, or a jump (column, new block)
					newPara = true
				case l.x > left+0.9*l.size: // first-line indent
					newPara = true
				case prev.end < right-2.5*l.size && endsSentence(prev.text): // short last line
					newPara = true
				}
			} else if !newPara && i == 0 && endsSentence(para.String()) {
				newPara = true // a page break after a finished sentence
			}
			if newPara {
				flush()
				paraHeading, paraPage = false, pi
			} else if needsSpace(para.String(), l.text) {
				para.WriteByte(' ')
			}
			para.WriteString(l.text)
		}
	}
	flush()
	return out.String(), title
}

// endsSentence reports whether s ends a sentence or a list item.
func endsSentence(s string) bool {
	s = strings.TrimSpace(s)
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune("。！？；：.!?;:”」』）)…", r)
}

// readable reports whether most of text is letters, digits, punctuation or
// spaces: a text layer without a Unicode mapping decodes to junk.
func readable(text string) bool {
	var good, total int
	for _, r := range text {
		total++
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r)) && !unicode.Is(unicode.Co, r) {
			good++
		}
	}
	return total > 0 && good*10 >= total*8
}

// pdfInfoTitle returns the Info dictionary's title unless it is a producer's
// placeholder.
func pdfInfoTitle(r *pdf.Reader) string {
	t := strings.TrimSpace(r.Trailer().Key("Info").Key("Title").Text())
	t = strings.TrimPrefix(t, "Microsoft Word - ")
	low := strings.ToLower(t)
	if t == "" || low == "untitled" || strings.HasSuffix(low, ".doc") || strings.HasSuffix(low, ".docx") || !utf8.ValidString(t) {
		return ""
	}
	return t
}
