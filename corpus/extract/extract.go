package extract

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// Limits bounds the work Extract does on one file. A zero field means "no
// limit" for that field; use DefaultLimits for sane values.
type Limits struct {
	// MaxFileBytes is the largest accepted input file.
	MaxFileBytes int64
	// MaxTextBytes is the largest accepted extracted text (UTF-8 bytes).
	MaxTextBytes int64
	// MaxZipEntries is the most entries a DOCX archive may have.
	MaxZipEntries int64
	// MaxUnzippedBytes bounds both the declared total uncompressed size of a
	// DOCX archive and the bytes actually inflated from it.
	MaxUnzippedBytes int64
	// Timeout bounds the time spent parsing one file. A parser that does not
	// finish in time is abandoned (its goroutine may still run to its end)
	// and Extract returns ErrCorrupt.
	Timeout time.Duration
	// PDF, when set, parses PDFs instead of this process: use
	// ChildRunner(exe) to parse them in a child process, so that a hostile
	// PDF that crashes or exhausts the parser ends only the child. Nil
	// parses in-process, where a crash the Go runtime cannot recover from
	// (a stack overflow) ends the whole program.
	PDF PDFParser
}

// DefaultLimits returns the limits used for staff uploads: 20 MB files,
// 8 MB of text, 1000 archive entries, 100 MB unpacked, 30 s of parsing.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:     20 << 20,
		MaxTextBytes:     8 << 20,
		MaxZipEntries:    1000,
		MaxUnzippedBytes: 100 << 20,
		Timeout:          30 * time.Second,
	}
}

// Result is the text extracted from one document.
type Result struct {
	// Text is valid UTF-8 with "\n" line ends; paragraphs are separated by a
	// blank line and section headings are lines starting with "## ".
	Text string
	// Title is the document's title when it shows one (first heading or
	// first short line), else "".
	Title string
	// Date is a date shown near the top (or failing that the end) of the
	// document, as YYYY-MM-DD, else "".
	Date string
	// Format is the detected format: "txt", "md", "docx", "pdf" or "html".
	Format string
}

// Supported formats.
const (
	FormatText     = "txt"
	FormatMarkdown = "md"
	FormatDOCX     = "docx"
	FormatPDF      = "pdf"
	FormatHTML     = "html"
)

// Extract detects the format of the file called name (by extension, checked
// against the content) and returns its text, title and date.
//
// Hostile input is refused with one of the package's sentinel errors
// (wrapped with detail): a file over the limits, a zip bomb, an encrypted or
// scanned PDF, binary data, an empty or truncated file, an unknown format.
// Panics inside third-party parsers are recovered and returned as ErrCorrupt;
// what cannot be recovered (a stack overflow in the PDF library) is contained
// only when lim.PDF parses PDFs in a child process (see ChildRunner).
func Extract(name string, data []byte, lim Limits) (Result, error) {
	if lim.MaxFileBytes > 0 && int64(len(data)) > lim.MaxFileBytes {
		return Result{}, fmt.Errorf("%s: %w: %d bytes, limit %d", name, ErrTooLarge, len(data), lim.MaxFileBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Result{}, fmt.Errorf("%s: %w: empty file", name, ErrEmpty)
	}
	format, err := detectFormat(name, data)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	parse := func() (Result, error) { return extractFormat(format, data, lim) }
	timeout := lim.Timeout
	if format == FormatPDF && lim.PDF != nil {
		parse = func() (Result, error) { return lim.PDF.ParsePDF(data, lim) }
		timeout = 0 // the parser enforces lim.Timeout itself (a child is killed)
	}
	res, err := runGuarded(timeout, parse)
	if err != nil {
		return Result{}, fmt.Errorf("%s (%s): %w", name, format, err)
	}
	res.Format = format
	res.Text = tidy(res.Text)
	if isBlank(res.Text) {
		if format == FormatPDF {
			return Result{}, fmt.Errorf("%s: %w", name, ErrNoTextLayer)
		}
		return Result{}, fmt.Errorf("%s (%s): %w: no text found", name, format, ErrEmpty)
	}
	if lim.MaxTextBytes > 0 && int64(len(res.Text)) > lim.MaxTextBytes {
		return Result{}, fmt.Errorf("%s: %w: %d bytes of text, limit %d", name, ErrTooLarge, len(res.Text), lim.MaxTextBytes)
	}
	res.Title = cleanTitle(res.Title)
	if res.Title == "" {
		res.Title = detectTitle(res.Text)
	}
	if res.Date == "" {
		res.Date = detectDate(res.Text)
	}
	return res, nil
}

func extractFormat(format string, data []byte, lim Limits) (Result, error) {
	switch format {
	case FormatText, FormatMarkdown:
		return extractPlain(format, data)
	case FormatDOCX:
		return extractDOCX(data, lim)
	case FormatPDF:
		return extractPDF(data, lim)
	case FormatHTML:
		return extractHTML(data)
	}
	return Result{}, ErrUnknownFormat
}

// runGuarded runs f, turning a panic into ErrCorrupt and giving up after
// timeout (when positive).
func runGuarded(timeout time.Duration, f func() (Result, error)) (Result, error) {
	type outcome struct {
		res Result
		err error
	}
	call := func() (o outcome) {
		defer func() {
			if r := recover(); r != nil {
				o = outcome{err: fmt.Errorf("%w: parser panic: %v\n%s", ErrCorrupt, r, firstLines(debug.Stack(), 12))}
			}
		}()
		res, err := f()
		return outcome{res, err}
	}
	if timeout <= 0 {
		o := call()
		return o.res, o.err
	}
	done := make(chan outcome, 1)
	go func() { done <- call() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case o := <-done:
		return o.res, o.err
	case <-timer.C:
		return Result{}, fmt.Errorf("%w: parsing took longer than %v", ErrCorrupt, timeout)
	}
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// Magic numbers used to sniff content.
var (
	magicPDF = []byte("%PDF-")
	magicZIP = []byte("PK\x03\x04")
	magicOLE = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // .doc, .xls, encrypted .docx
)

// detectFormat picks the format from the extension and checks it against the
// content; files whose extension is missing or unknown are sniffed.
func detectFormat(name string, data []byte) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	sniffed := sniff(data)
	switch ext {
	case "txt", "text", "md", "markdown":
		format := FormatText
		if ext == "md" || ext == "markdown" {
			format = FormatMarkdown
		}
		// A PDF or DOCX renamed .txt is better read as what it is.
		if sniffed == FormatPDF || sniffed == FormatDOCX {
			return sniffed, nil
		}
		return format, nil
	case "docx":
		if bytes.HasPrefix(data, magicOLE) {
			// Password-protected Office files are OLE containers.
			return "", fmt.Errorf("%w: DOCX in an OLE container (password-protected)", ErrEncrypted)
		}
		if sniffed != FormatDOCX && sniffed != "zip" {
			return "", fmt.Errorf("%w: .docx is not a ZIP archive", ErrCorrupt)
		}
		return FormatDOCX, nil
	case "pdf":
		if sniffed != FormatPDF {
			return "", fmt.Errorf("%w: .pdf does not start with %%PDF-", ErrCorrupt)
		}
		return FormatPDF, nil
	case "html", "htm", "xhtml":
		return FormatHTML, nil
	case "":
		if sniffed != "" && sniffed != "zip" {
			return sniffed, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownFormat, ext)
}

// sniff guesses a format from the first bytes: "pdf", "docx", "zip"
// (another archive), "html", "txt" or "".
func sniff(data []byte) string {
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	switch {
	case bytes.HasPrefix(head, magicPDF):
		return FormatPDF
	case bytes.HasPrefix(head, magicZIP):
		if bytes.Contains(data[:min(len(data), 64<<10)], []byte("word/")) {
			return FormatDOCX
		}
		return "zip"
	}
	lower := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(head, bomUTF8), " \t\r\n"))
	if bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) {
		return FormatHTML
	}
	if bytes.IndexByte(head, 0) < 0 && looksUTF8(head) {
		return FormatText
	}
	return ""
}
