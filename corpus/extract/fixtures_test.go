package extract

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"crypto/md5"
	"crypto/rc4"
	"fmt"
	"strings"
	"testing"

	"github.com/gonghui/qa/corpus/extract/extracttest"
)

// makeZip builds a ZIP archive from name/content pairs (in order).
func makeZip(t testing.TB, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wordPara is a w:p with an optional style and runs.
func wordPara(style string, runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	if style != "" {
		fmt.Fprintf(&b, `<w:pPr><w:pStyle w:val="%s"/></w:pPr>`, style)
	}
	for _, r := range runs {
		fmt.Fprintf(&b, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, r)
	}
	b.WriteString("</w:p>")
	return b.String()
}

func wordDocument(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		body + `</w:body></w:document>`
}

// wordStyles declares style "1" as 标题 1 the way Chinese Word does, and
// "a3" as Title.
const wordStyles = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="a4"><w:name w:val="Normal Indent"/></w:style>` +
	`</w:styles>`

// sampleDOCX is a small union notice with a title, a heading and a table.
func sampleDOCX(t testing.TB) []byte {
	body := wordPara("a3", "关于开展2024年金秋助学活动的通知") +
		wordPara("", "各基层工会：") +
		wordPara("", "为帮助困难职工子女顺利入学，", "现将有关事项通知如下。") +
		wordPara("1", "一、资助标准") +
		wordPara("", "考入本科的每人资助5000元，考入专科的每人资助2000元。") +
		`<w:tbl><w:tr><w:tc>` + wordPara("", "类别") + `</w:tc><w:tc>` + wordPara("", "金额") + `</w:tc></w:tr>` +
		`<w:tr><w:tc>` + wordPara("", "本科") + `</w:tc><w:tc>` + wordPara("", "5000元") + `</w:tc></w:tr></w:tbl>` +
		wordPara("Heading2", "二、申请时间") +
		wordPara("", "2024年7月1日至8月31日。") +
		wordPara("", "兰州市总工会") +
		wordPara("", "2024年6月20日")
	return makeZip(t,
		"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/styles.xml", wordStyles,
		"word/document.xml", wordDocument(body),
	)
}

// zipBombDOCX has a document.xml of n bytes of repeated XML that deflates
// to almost nothing.
func zipBombDOCX(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("<w:p><w:r><w:t>工会工会工会</w:t></w:r></w:p>"), 1024)
	for written := 0; written < n; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZipBombDOCX declares a tiny uncompressed size for a document.xml
// that inflates to n bytes, so only a limited reader can catch it.
func lyingZipBombDOCX(t testing.TB, n int) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	payload := wordDocument(strings.Repeat(wordPara("", "工会"), n/64))
	fw.Write([]byte(payload))
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "word/document.xml",
		Method:             zip.Deflate,
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: 1000,
		CRC32:              0,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return buf.Bytes()
}

func pdfStream(dict, data string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// pdfWithContent is a one-page PDF: catalog, pages, page, content, fonts.
// fonts are the font objects, named F1, F2… and numbered from 5.
func pdfWithContent(content string, fonts ...string) []byte {
	var fontRefs strings.Builder
	for i := range fonts {
		fmt.Fprintf(&fontRefs, "/F%d %d 0 R ", i+1, 5+i)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << " + fontRefs.String() + ">> >> /Contents 4 0 R >>",
		pdfStream("", content),
	}
	objs = append(objs, fonts...)
	return extracttest.PDF(objs, "")
}

const helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

// samplePDF has a title in a large font, a heading and two paragraphs, one
// wrapped over two lines, on two pages' worth of content in one page.
func samplePDF() []byte {
	content := "BT /F1 20 Tf 72 760 Td (Union Tuition Aid 2024) Tj ET\n" +
		"BT /F1 11 Tf 72 720 Td 14 TL (Children of members who enter university receive) Tj T* (between 2000 and 5000 yuan.) Tj ET\n" +
		"BT /F1 14 Tf 72 660 Td (How to apply) Tj ET\n" +
		"BT /F1 11 Tf 72 630 Td (Apply before 2024-08-31 at your union office.) Tj ET\n" +
		"BT /F1 11 Tf 300 40 Td (1) Tj ET\n"
	return pdfWithContent(content, helvetica)
}

// chineseUCS2PDF uses a non-embedded Chinese font with the predefined
// UniGB-UCS2-H CMap: the strings are UCS-2 code units.
func chineseUCS2PDF() []byte {
	font := "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H " +
		"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light " +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 /FontBBox [0 -200 1000 900] >> >>] >>"
	content := "BT /F1 22 Tf 72 760 Td <" + ucs2Hex("助学金通知") + "> Tj ET\n" +
		"BT /F1 12 Tf 72 720 Td <" + ucs2Hex("考上大学的职工子女，每人资助2000至5000元。") + "> Tj ET\n"
	return pdfWithContent(content, font)
}

// identityToUnicodePDF uses Identity-H with a ToUnicode CMap, as most
// producers embedding a subset of a Chinese font do.
func identityToUnicodePDF() []byte {
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n" +
		"1 begincodespacerange <0000> <FFFF> endcodespacerange\n" +
		"4 beginbfchar <0001> <5DE5> <0002> <4F1A> <0003> <70ED> <0004> <7EBF> endbfchar\n" +
		"1 beginbfrange <0010> <0012> <0031> endbfrange\n" +
		"endcmap CMapName currentdict /CMap defineresource pop end end"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		pdfStream("", "BT /F1 12 Tf 72 720 Td <0001000200030004001000110012> Tj ET"),
		"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
		pdfStream("", cmap),
	}
	return extracttest.PDF(objs, "")
}

func ucs2Hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

// imageOnlyPDF is a "scan": one page showing an image and no text.
func imageOnlyPDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
		pdfStream("", "q 595 0 0 842 0 0 cm /Im1 Do Q"),
		pdfStream("/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8", "\x00\xff\xff\x00"),
	}
	return extracttest.PDF(objs, "")
}

// encryptedPDF is protected with RC4 (R2) and a user password, computed as
// PDF 32000-1 §7.6.3 describes, so it cannot be opened without it.
func encryptedPDF() []byte {
	pad := []byte("\x28\xBF\x4E\x5E\x4E\x75\x8A\x41\x64\x00\x4E\x56\xFF\xFA\x01\x08\x2E\x2E\x00\xB6\xD0\x68\x3E\x80\x2F\x0C\xA9\xFE\x64\x53\x69\x7A")
	padded := func(pw string) []byte { return append([]byte(pw), pad[:32-len(pw)]...) }
	id := []byte("0123456789abcdef")
	// Algorithm 3: O from the owner password.
	ok := md5.Sum(padded("owner"))
	c, _ := rc4.NewCipher(ok[:5])
	o := make([]byte, 32)
	c.XORKeyStream(o, padded("secret"))
	// Algorithm 2: the file key from the user password.
	p := int32(-4)
	h := md5.New()
	h.Write(padded("secret"))
	h.Write(o)
	h.Write([]byte{byte(p), byte(p >> 8), byte(p >> 16), byte(p >> 24)})
	h.Write(id)
	key := h.Sum(nil)[:5]
	// Algorithm 4: U.
	c, _ = rc4.NewCipher(key)
	u := make([]byte, 32)
	c.XORKeyStream(u, pad)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		pdfStream("", "garbled"),
		fmt.Sprintf("<< /Filter /Standard /V 1 /R 2 /O <%X> /U <%X> /P %d >>", o, u, p),
	}
	return extracttest.PDF(objs, fmt.Sprintf("/Encrypt 5 0 R /ID [<%X> <%X>]", id, id))
}

// aes256PDF declares AES-256 (V5) encryption, which the library does not
// support at all.
func aes256PDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
		"<< /Filter /Standard /V 5 /R 6 /Length 256 >>",
	}
	return extracttest.PDF(objs, "/Encrypt 4 0 R /ID [<00> <00>]")
}

const noisyHTML = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>助学金通知 - 甘肃工人报</title>
<style>body{color:red}</style><script>var x = "不应出现的脚本";</script></head>
<body><nav><a href="/">首页</a> <a href="/c198388.html">其他报纸</a></nav>
<header><h1>金秋助学   活动通知</h1></header>
<div class="content"><p>职工子女考上大学，
每人资助2000至5000元。</p>
<h2>申请方式</h2><p>向所在<b>基层工会</b>提出申请。</p>
<table><tr><td>本科</td> <td>5000元</td></tr></table>
<p style="display:none">隐藏文字</p>
<p>发布日期：2020.7.2</p></div>
<footer>版权所有 © 甘肃工人报 <!--enpproperty--></footer></body></html>`

// openHexPDF has a content stream that ends inside a hex string, which
// sends the library's lexer into an endless loop unless it is caught.
func openHexPDF() []byte {
	return pdfWithContent("BT /F1 12 Tf 72 720 Td (Union) Tj <4142", helvetica)
}

// flateBombPDF has a content stream that inflates to n bytes.
func flateBombPDF(n int) []byte {
	var comp bytes.Buffer
	zw := zlib.NewWriter(&comp)
	line := []byte("BT /F1 12 Tf 72 720 Td (x) Tj ET\n")
	for w := 0; w < n; w += len(line) {
		zw.Write(line)
	}
	zw.Close()
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", comp.Len(), comp.Bytes()),
		helvetica,
	}
	return extracttest.PDF(objs, "")
}

// cyclicPagesPDF has a page tree whose Pages node lists itself as a kid.
func cyclicPagesPDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 3 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		pdfStream("", "BT /F1 12 Tf 72 720 Td (Loop notice) Tj ET"),
		helvetica,
	}
	return extracttest.PDF(objs, "")
}
