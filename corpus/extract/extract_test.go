package extract

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	textunicode "golang.org/x/text/encoding/unicode"
)

func TestExtract(t *testing.T) {
	gbText := encode(t, simplifiedchinese.GB18030, "# 疗休养报名通知\r\n\r\n2024年05月06日\r\n\r\n今年疗休养名额为50人。\r\n")
	u16 := encode(t, textunicode.UTF16(textunicode.LittleEndian, textunicode.UseBOM), "帮扶热线变更\n\n新热线：12351。\n")
	gbkHTML := encode(t, simplifiedchinese.GBK, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>旧网页</title></head><body><p>困难职工帮扶</p></body></html>`)

	tests := []struct {
		name, file string
		data       []byte
		format     string
		title      string
		date       string
		contains   []string
		absent     []string
	}{
		{name: "gb18030 markdown", file: "通知.md", data: gbText, format: "md", title: "疗休养报名通知", date: "2024-05-06",
			contains: []string{"# 疗休养报名通知\n\n2024年05月06日\n\n今年疗休养名额为50人。"}},
		{name: "gbk txt", file: "热线.txt", data: encode(t, simplifiedchinese.GBK, "职工服务热线调整\r\n自2024年3月1日起，热线改为12351。\r\n"), format: "txt",
			title: "职工服务热线调整", date: "2024-03-01", contains: []string{"职工服务热线调整\n自2024年3月1日起，热线改为12351。"}},
		{name: "truncated html", file: "cut.html", data: []byte(noisyHTML[:strings.Index(noisyHTML, "申请方式")+4]), format: "html", contains: []string{"每人资助2000至5000元"}},
		{name: "utf16 txt", file: "hotline.TXT", data: u16, format: "txt", title: "帮扶热线变更",
			contains: []string{"新热线：12351。"}},
		{name: "docx", file: "助学.docx", data: sampleDOCX(t), format: "docx", title: "关于开展2024年金秋助学活动的通知", date: "2024-06-20",
			contains: []string{
				"## 关于开展2024年金秋助学活动的通知\n\n各基层工会：\n\n为帮助困难职工子女顺利入学，现将有关事项通知如下。\n\n## 一、资助标准\n\n",
				"类别 | 金额\n\n本科 | 5000元",
				"## 二、申请时间",
			}},
		{name: "html", file: "page.html", data: []byte(noisyHTML), format: "html", title: "金秋助学活动通知", date: "2020-07-02",
			contains: []string{"## 金秋助学活动通知\n\n职工子女考上大学，每人资助2000至5000元。\n\n## 申请方式\n\n向所在基层工会提出申请。\n\n本科 | 5000元"},
			absent:   []string{"脚本", "首页", "其他报纸", "版权所有", "隐藏文字", "color", "enpproperty"}},
		{name: "gbk html", file: "old.htm", data: gbkHTML, format: "html", title: "旧网页", contains: []string{"困难职工帮扶"}},
		{name: "pdf", file: "aid.pdf", data: samplePDF(), format: "pdf", title: "Union Tuition Aid 2024", date: "2024-08-31",
			contains: []string{"## Union Tuition Aid 2024\n\nChildren of members who enter university receive between 2000 and 5000 yuan.\n\n## How to apply\n\nApply before"},
			absent:   []string{"\n1\n", "\n\n1"}},
		{name: "chinese pdf ucs2", file: "zh.pdf", data: chineseUCS2PDF(), format: "pdf", title: "助学金通知",
			contains: []string{"## 助学金通知\n\n考上大学的职工子女，每人资助2000至5000元。"}},
		{name: "chinese pdf tounicode", file: "zh2.pdf", data: identityToUnicodePDF(), format: "pdf",
			contains: []string{"工会热线123"}},
		{name: "pdf page tree cycle", file: "loop.pdf", data: cyclicPagesPDF(), format: "pdf", contains: []string{"Loop notice"}},
		{name: "pdf renamed txt", file: "aid.txt", data: samplePDF(), format: "pdf"},
		{name: "no extension sniffed", file: "upload", data: sampleDOCX(t), format: "docx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.file, tt.data, DefaultLimits())
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if res.Format != tt.format {
				t.Errorf("Format = %q, want %q", res.Format, tt.format)
			}
			if tt.title != "" && res.Title != tt.title {
				t.Errorf("Title = %q, want %q", res.Title, tt.title)
			}
			if tt.date != "" && res.Date != tt.date {
				t.Errorf("Date = %q, want %q", res.Date, tt.date)
			}
			for _, s := range tt.contains {
				if !strings.Contains(res.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, res.Text)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(res.Text, s) {
					t.Errorf("text has %q:\n%s", s, res.Text)
				}
			}
		})
	}
}

func TestExtractRefuses(t *testing.T) {
	small := DefaultLimits()
	small.MaxUnzippedBytes = 4 << 20
	pdf := samplePDF()
	docx := sampleDOCX(t)
	tests := []struct {
		name, file string
		data       []byte
		lim        Limits
		want       error
	}{
		{"over size limit", "big.txt", []byte(strings.Repeat("工会", 100)), Limits{MaxFileBytes: 100}, ErrTooLarge},
		{"text over limit", "big.txt", []byte(strings.Repeat("工会", 100)), Limits{MaxTextBytes: 100}, ErrTooLarge},
		{"empty", "a.txt", nil, DefaultLimits(), ErrEmpty},
		{"whitespace", "a.md", []byte("\n\n  \t\n"), DefaultLimits(), ErrEmpty},
		{"png renamed", "photo.txt", pngHeader, DefaultLimits(), ErrBinary},
		{"unknown extension", "data.xyz", []byte("hello"), DefaultLimits(), ErrUnknownFormat},
		{"old doc", "old.doc", []byte(magicOLE), DefaultLimits(), ErrUnknownFormat},
		{"binary no extension", "blob", pngHeader, DefaultLimits(), ErrUnknownFormat},
		{"zip bomb by ratio", "bomb.docx", zipBombDOCX(t, 8<<20), DefaultLimits(), ErrZipBomb},
		{"zip bomb by declared size", "bomb.docx", zipBombDOCX(t, 5<<20), Limits{MaxUnzippedBytes: 1 << 20}, ErrZipBomb},
		// archive/zip itself stops at the declared size (ErrFormat).
		{"zip bomb with lying header", "bomb.docx", lyingZipBombDOCX(t, 1<<20), small, ErrCorrupt},
		{"too many entries", "many.docx", makeZip(t, "a", "1", "b", "2", "word/document.xml", wordDocument(wordPara("", "x"))), Limits{MaxZipEntries: 2}, ErrZipBomb},
		{"docx without document", "x.docx", makeZip(t, "word/other.xml", "<x/>"), DefaultLimits(), ErrCorrupt},
		{"docx bad xml", "x.docx", makeZip(t, "word/document.xml", "<w:document><w:body><w:p>"), DefaultLimits(), ErrCorrupt},
		{"docx not zip", "x.docx", []byte("just text"), DefaultLimits(), ErrCorrupt},
		{"docx encrypted", "x.docx", append(append([]byte{}, magicOLE...), make([]byte, 512)...), DefaultLimits(), ErrEncrypted},
		{"docx truncated", "x.docx", docx[:len(docx)/2], DefaultLimits(), ErrCorrupt},
		{"docx empty body", "x.docx", makeZip(t, "word/document.xml", wordDocument("")), DefaultLimits(), ErrEmpty},
		{"pdf truncated", "x.pdf", pdf[:len(pdf)/2], DefaultLimits(), ErrCorrupt},
		{"pdf not pdf", "x.pdf", []byte("hello world"), DefaultLimits(), ErrCorrupt},
		{"pdf encrypted rc4", "x.pdf", encryptedPDF(), DefaultLimits(), ErrEncrypted},
		{"pdf encrypted aes256", "x.pdf", aes256PDF(), DefaultLimits(), ErrEncrypted},
		{"pdf scanned", "scan.pdf", imageOnlyPDF(), DefaultLimits(), ErrNoTextLayer},
		{"pdf text over limit", "x.pdf", pdf, Limits{MaxTextBytes: 20}, ErrTooLarge},
		{"pdf open hex string", "x.pdf", openHexPDF(), DefaultLimits(), ErrNoTextLayer},
		{"pdf flate bomb", "x.pdf", flateBombPDF(4 << 20), Limits{MaxUnzippedBytes: 1 << 20}, ErrZipBomb},
		{"html empty body", "x.html", []byte("<html><body><script>x()</script></body></html>"), DefaultLimits(), ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.file, tt.data, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Extract() = %+v, %v; want %v", res, err, tt.want)
			}
			if res != (Result{}) {
				t.Errorf("non-empty result with error: %+v", res)
			}
			if msg := UserMessage(err); msg == "" || msg == UserMessage(errors.New("other")) {
				t.Errorf("UserMessage(%v) = %q: not specific", err, msg)
			}
		})
	}
}

func TestUserMessage(t *testing.T) {
	if got := UserMessage(nil); got != "" {
		t.Errorf("UserMessage(nil) = %q", got)
	}
	seen := map[string]error{}
	for _, e := range []error{ErrTooLarge, ErrEmpty, ErrBinary, ErrUnknownFormat, ErrEncrypted, ErrNoTextLayer, ErrCorrupt, ErrZipBomb, ErrParserBusy} {
		msg := UserMessage(e)
		if prev, dup := seen[msg]; dup {
			t.Errorf("%v and %v share message %q", e, prev, msg)
		}
		seen[msg] = e
	}
	if !strings.Contains(UserMessage(ErrNoTextLayer), "扫描件") {
		t.Errorf("scanned PDF message does not mention 扫描件")
	}
}

func TestRunGuardedRecoversPanic(t *testing.T) {
	_, err := runGuarded(0, func() (Result, error) { panic("boom") })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}

func TestDetectDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2020年07月02日", "2020-07-02"},
		{"发布于 2020 年 7 月 2 日 星期四", "2020-07-02"},
		{"2020-07-02", "2020-07-02"},
		{"日期：2020.7.2", "2020-07-02"},
		{"2020/7/2", "2020-07-02"},
		{"２０２０年７月２日", "2020-07-02"},
		{"二〇二〇年七月二日", "2020-07-02"},
		{"二〇二四年十二月三十一日", "2024-12-31"},
		{"2021-02-30", ""},
		{"2020-07/02", ""},
		{"版本 1.2020.7.2", ""},
		{"电话 12351", ""},
	}
	for _, tt := range tests {
		if got := detectDate(tt.in); got != tt.want {
			t.Errorf("detectDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzExtract(f *testing.F) {
	f.Add("a.txt", []byte(sampleZH))
	f.Add("a.md", encode(f, simplifiedchinese.GB18030, sampleZH))
	f.Add("a.docx", sampleDOCX(f))
	f.Add("a.docx", zipBombDOCX(f, 1<<20))
	f.Add("a.pdf", samplePDF())
	f.Add("a.pdf", chineseUCS2PDF())
	f.Add("a.pdf", identityToUnicodePDF())
	f.Add("a.pdf", imageOnlyPDF())
	f.Add("a.pdf", encryptedPDF())
	f.Add("a.html", []byte(noisyHTML))
	f.Add("a.txt", pngHeader)
	f.Add("a.pdf", openHexPDF())
	f.Add("a.pdf", cyclicPagesPDF())
	f.Add("", []byte{})
	lim := DefaultLimits()
	lim.MaxUnzippedBytes = 8 << 20
	lim.Timeout = 10 * time.Second
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		res, err := Extract(name, data, lim)
		if err != nil && strings.Contains(err.Error(), "parsing took longer") {
			t.Fatalf("hang: %v", err)
		}
		if err != nil {
			if !errorsIsAny(err, ErrTooLarge, ErrEmpty, ErrBinary, ErrUnknownFormat, ErrEncrypted, ErrNoTextLayer, ErrCorrupt, ErrZipBomb) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if strings.TrimSpace(res.Text) == "" || strings.ContainsRune(res.Text, '\r') {
			t.Fatalf("bad text %q", res.Text)
		}
	})
}

// errorsIsAny reports whether err matches one of targets.
func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
