package extract

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// testChildEnv selects how the test binary misbehaves when started as a PDF
// parser child (see TestMain); empty means it parses for real.
const testChildEnv = "EXTRACT_TEST_CHILD"

// TestMain turns the test binary into the PDF parser child when it is
// started with ChildCommand, as main does for the real program.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == ChildCommand {
		if err := runChild(os.Stdin, os.Stdout, testChildParser(os.Getenv(testChildEnv))); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testChildParser is the parser run in a test child: the real one, or one
// that fails the way a hostile file could make the real one fail.
func testChildParser(mode string) func([]byte, Limits) (Result, error) {
	switch mode {
	case "panic-in-goroutine": // a panic no recover can catch
		return func([]byte, Limits) (Result, error) {
			go func() { panic("parser goroutine exploded") }()
			time.Sleep(time.Minute)
			return Result{}, nil
		}
	case "recurse": // unbounded recursion: a fatal stack overflow
		return func([]byte, Limits) (Result, error) {
			return Result{Text: fmt.Sprint(recurse(0))}, nil
		}
	case "hang":
		return func([]byte, Limits) (Result, error) {
			time.Sleep(time.Hour)
			return Result{}, nil
		}
	case "hog": // allocates without end
		return func([]byte, Limits) (Result, error) {
			var keep [][]byte
			for {
				b := make([]byte, 8<<20)
				for i := range b {
					b[i] = byte(i)
				}
				//lint:ignore SA4010 the hog keeps every block alive on purpose, to run the child out of memory
				keep = append(keep, b)
			}
		}
	case "garbage": // exits cleanly without an answer
		return func([]byte, Limits) (Result, error) {
			fmt.Fprint(os.Stderr, "about to lie")
			os.Exit(0)
			return Result{}, nil
		}
	case "environ":
		return func([]byte, Limits) (Result, error) {
			return Result{Text: "env: " + strings.Join(os.Environ(), "\n")}, nil
		}
	}
	return extractPDF
}

// recurse never returns.
func recurse(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	//lint:ignore SA5007 the recursion without end is the point: it overflows the child's stack
	return recurse(n+1) + int(pad[n%64])
}

// childLimits are DefaultLimits parsing PDFs in a child of the test
// binary, which misbehaves as mode says.
func childLimits(t *testing.T, mode string) Limits {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := ChildRunner(exe)
	// A -race child would otherwise sleep a second before exiting.
	p.Env = []string{"GORACE=atexit_sleep_ms=0", testChildEnv + "=" + mode}
	lim := DefaultLimits()
	lim.PDF = p
	return lim
}

func TestChildExtractsLikeInProcess(t *testing.T) {
	t.Parallel()
	child := childLimits(t, "")
	tests := []struct {
		name string
		data []byte
	}{
		{"sample", samplePDF()},
		{"chinese ucs2", chineseUCS2PDF()},
		{"chinese tounicode", identityToUnicodePDF()},
		{"page tree cycle", cyclicPagesPDF()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, err := Extract("a.pdf", tt.data, DefaultLimits())
			if err != nil {
				t.Fatalf("in-process: %v", err)
			}
			got, err := Extract("a.pdf", tt.data, child)
			if err != nil {
				t.Fatalf("child: %v", err)
			}
			if got != want {
				t.Errorf("child result differs:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestChildRefusesLikeInProcess(t *testing.T) {
	t.Parallel()
	pdf := samplePDF()
	textLimit := childLimits(t, "")
	textLimit.MaxTextBytes = 20
	inflateLimit := childLimits(t, "")
	inflateLimit.MaxUnzippedBytes = 1 << 20
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"truncated", pdf[:len(pdf)/2], childLimits(t, ""), ErrCorrupt},
		{"encrypted", encryptedPDF(), childLimits(t, ""), ErrEncrypted},
		{"scanned", imageOnlyPDF(), childLimits(t, ""), ErrNoTextLayer},
		{"text over limit", pdf, textLimit, ErrTooLarge},
		{"flate bomb", flateBombPDF(4 << 20), inflateLimit, ErrZipBomb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Extract("x.pdf", tt.data, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Extract() = %+v, %v; want %v", res, err, tt.want)
			}
			if res != (Result{}) {
				t.Errorf("result with error: %+v", res)
			}
		})
	}
}

// TestChildFailureIsCorrupt: whatever kills or stalls the child, the
// caller gets ErrCorrupt with a reason, and lives on.
func TestChildFailureIsCorrupt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode   string
		why    []string // one of them is in the error text
		adjust func(*Limits)
	}{
		{mode: "panic-in-goroutine", why: []string{"parser goroutine exploded"}},
		{mode: "recurse", why: []string{"stack overflow"}},
		{mode: "hang", why: []string{"took longer than"}, adjust: func(l *Limits) { l.Timeout = 300 * time.Millisecond }},
		{mode: "garbage", why: []string{"answered badly"}},
		// Under -race the runtime words it "too many address space
		// collisions", or the race detector itself fails to map its shadow
		// memory ("unable to mmap") before the parser starts.
		{mode: "hog", why: []string{"out of memory", "address space", "unable to mmap"}, adjust: func(l *Limits) { l.PDF.(*ChildParser).MaxMemory = 64 << 20 }},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			if tt.mode == "hog" && runtime.GOOS != "linux" {
				t.Skip("the hard memory limit is Linux only")
			}
			t.Parallel()
			lim := childLimits(t, tt.mode)
			if tt.adjust != nil {
				tt.adjust(&lim)
			}
			start := time.Now()
			res, err := Extract("a.pdf", samplePDF(), lim)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Extract() = %+v, %v; want ErrCorrupt", res, err)
			}
			if !slices.ContainsFunc(tt.why, func(w string) bool { return strings.Contains(err.Error(), w) }) {
				t.Errorf("error %q does not say any of %q", err, tt.why)
			}
			if UserMessage(err) != UserMessage(ErrCorrupt) {
				t.Errorf("UserMessage = %q", UserMessage(err))
			}
			if tt.mode == "hang" && time.Since(start) > 20*time.Second {
				t.Errorf("hung child not killed in time")
			}
		})
	}
}

// selfReferencingObjStmPDF declares, in a cross-reference stream, that the
// page tree (object 2) lives inside object stream 2, i.e. inside itself:
// the PDF library resolves the stream by resolving itself, without end.
func selfReferencingObjStmPDF() []byte {
	var b strings.Builder
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	catalog := b.Len()
	b.WriteString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	xref := b.Len()
	entry := func(typ byte, field2 uint32, field3 uint16) string {
		return string([]byte{typ, byte(field2 >> 24), byte(field2 >> 16), byte(field2 >> 8), byte(field2), byte(field3 >> 8), byte(field3)})
	}
	data := entry(0, 0, 65535) + entry(1, uint32(catalog), 0) + entry(2, 2, 0) + entry(1, uint32(xref), 0)
	fmt.Fprintf(&b, "3 0 obj\n<< /Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(data), data)
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xref)
	return []byte(b.String())
}

// TestChildContainsStackOverflow parses a PDF that overflows the PDF
// library's stack (fatal in any process: never parse it in-process here)
// and shows that only the child dies.
func TestChildContainsStackOverflow(t *testing.T) {
	t.Parallel()
	lim := childLimits(t, "")
	_, err := Extract("loop.pdf", selfReferencingObjStmPDF(), lim)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if !strings.Contains(err.Error(), "stack overflow") {
		t.Errorf("err = %v, want the child's stack overflow", err)
	}
	// The same parser goes on serving.
	if _, err := Extract("ok.pdf", samplePDF(), lim); err != nil {
		t.Fatalf("after the crash: %v", err)
	}
}

func TestChildGetsNoParentEnvironment(t *testing.T) {
	t.Setenv("EXTRACT_TEST_SECRET", "token-123")
	res, err := Extract("a.pdf", samplePDF(), childLimits(t, "environ"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Text, "token-123") || !strings.Contains(res.Text, testChildEnv) {
		t.Errorf("child environment: %q", res.Text)
	}
}

func TestChildCannotStart(t *testing.T) {
	t.Parallel()
	lim := DefaultLimits()
	lim.PDF = ChildRunner("/nonexistent/parser")
	_, err := Extract("a.pdf", samplePDF(), lim)
	if err == nil || errorsIsAny(err, ErrTooLarge, ErrEmpty, ErrBinary, ErrUnknownFormat, ErrEncrypted, ErrNoTextLayer, ErrCorrupt, ErrZipBomb) {
		t.Fatalf("err = %v, want an operational error, not a verdict on the file", err)
	}
	if UserMessage(err) == "" {
		t.Error("no message for staff")
	}
}

func TestHeadTailSummary(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"fatal error wins", []string{"DEBUG: junk\nruntime: goroutine stack exceeds 67108864-byte limit\n", "fatal error: stack overflow\n\ngoroutine 1"}, "fatal error: stack overflow"},
		{"panic", []string{"panic: boom\n\ngoroutine 5 [running]:\nmain.f()\n"}, "panic: boom"},
		{"after much debugging output", []string{strings.Repeat("DEBUG: x\n", 20000), "fatal error: out of memory\n", strings.Repeat("frame\n", 100)}, "fatal error: out of memory"},
		{"last line", []string{"one\ntwo\n\n"}, "two"},
		{"nothing", nil, "no output"},
	}
	for _, tt := range tests {
		var h headTail
		for _, w := range tt.writes {
			h.Write([]byte(w))
		}
		if got := h.summary(); got != tt.want {
			t.Errorf("%s: summary() = %q, want %q", tt.name, got, tt.want)
		}
		if len(h.head)+len(h.tail) > maxChildStderr {
			t.Errorf("%s: kept %d bytes", tt.name, len(h.head)+len(h.tail))
		}
	}
}

func TestChildParallelLimit(t *testing.T) {
	t.Parallel()
	lim := childLimits(t, "")
	p := lim.PDF.(*ChildParser)
	p.MaxParallel = 1
	if _, err := Extract("a.pdf", samplePDF(), lim); err != nil { // creates the slots
		t.Fatal(err)
	}
	p.slots <- struct{}{} // a parse in flight
	short := lim
	short.Timeout = 100 * time.Millisecond
	_, err := Extract("a.pdf", samplePDF(), short)
	if !errors.Is(err, ErrParserBusy) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrParserBusy", err)
	}
	if msg := UserMessage(err); !strings.Contains(msg, "稍") {
		t.Errorf("UserMessage = %q, want a 'try again later'", msg)
	}
	<-p.slots
	if _, err := Extract("a.pdf", samplePDF(), lim); err != nil {
		t.Fatalf("after the slot freed: %v", err)
	}
}
