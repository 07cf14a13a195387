package extract

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// PDFParser parses the text layer of a PDF. Extract uses Limits.PDF, when
// set, instead of parsing in its own process.
//
// ParsePDF must honour lim.Timeout itself and return the package's sentinel
// errors (wrapped). Implementations must be comparable (pointer types), as
// Limits values are compared.
type PDFParser interface {
	ParsePDF(data []byte, lim Limits) (Result, error)
}

// ChildCommand is the first argument with which a ChildParser starts its
// executable; the program's main must then call RunChild and nothing else.
const ChildCommand = "__extract-pdf-child"

// DefaultChildMemory is the memory a PDF parser child may use when
// ChildParser.MaxMemory is zero.
const DefaultChildMemory = 512 << 20

// childMaxStack caps each goroutine stack in the child: the parser's runaway
// recursions then die after a few milliseconds instead of growing a
// gigabyte of stack first. Real PDFs need a tiny fraction of it.
const childMaxStack = 16 << 20

// ChildParser parses PDFs in a child process of the program itself, so that
// what Go cannot recover from in the third-party parser (a stack overflow
// from self-referencing objects, running out of memory) or a hang ends only
// the child: Extract then returns ErrCorrupt and the caller lives on.
//
// The child is killed after Limits.Timeout and capped to MaxMemory. It gets
// no environment from the parent (secrets stay out of the process reading
// hostile input), only Env.
type ChildParser struct {
	// Path is the executable, started as "Path ChildCommand"; its main must
	// call RunChild when the first argument is ChildCommand.
	Path string
	// MaxMemory caps the child's memory in bytes (DefaultChildMemory when
	// zero): a soft limit for the garbage collector, and on Linux a hard
	// limit on new address space, beyond which the child dies.
	MaxMemory int64
	// Env is the child's whole environment ("KEY=value"); usually empty.
	Env []string
	// MaxParallel is how many children may run at once (DefaultChildParallel
	// when zero); more parses wait for a free slot within their Timeout.
	MaxParallel int

	once  sync.Once
	slots chan struct{}
}

// DefaultChildParallel is how many PDF parser children run at once when
// ChildParser.MaxParallel is zero: with DefaultChildMemory each, a burst of
// hostile uploads stays within a gigabyte.
const DefaultChildParallel = 2

// ChildRunner returns a PDFParser that runs exe as a child process (see
// ChildParser); exe is normally the running program, from os.Executable.
func ChildRunner(exe string) *ChildParser {
	return &ChildParser{Path: exe, MaxMemory: DefaultChildMemory, MaxParallel: DefaultChildParallel}
}

// ErrParserBusy: every PDF parser child slot stayed taken for the whole
// timeout. It says nothing about the file; try again later.
var ErrParserBusy = errors.New("extract: PDF parser busy")

// childRequest is the first line of the child's standard input; the PDF
// bytes follow it.
type childRequest struct {
	MaxTextBytes     int64 `json:"max_text_bytes"`
	MaxUnzippedBytes int64 `json:"max_unzipped_bytes"`
	MaxMemory        int64 `json:"max_memory"`
}

// childResponse is what the child writes to its standard output.
type childResponse struct {
	Result Result `json:"result"`
	// Kind is the sentinel error's text ("" on success), Message the whole
	// error text.
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message,omitempty"`
}

// sentinels are the errors a child may report, by their text.
var sentinels = []error{ErrTooLarge, ErrEmpty, ErrBinary, ErrUnknownFormat, ErrEncrypted, ErrNoTextLayer, ErrCorrupt, ErrZipBomb}

// childError is an error reported by the child: its text, matching its
// sentinel with errors.Is.
type childError struct {
	sentinel error
	msg      string
}

func (e *childError) Error() string { return e.msg }
func (e *childError) Unwrap() error { return e.sentinel }

// maxChildStderr bounds what is kept of the child's standard error (the
// PDF library prints debugging output there; a crash prints its cause).
const maxChildStderr = 64 << 10

// ParsePDF runs the child, sends it data and reads back the result. A
// child that crashes, runs out of memory or is killed at lim.Timeout gives
// ErrCorrupt; a child that cannot be started, or no free slot within the
// timeout (ErrParserBusy), gives an error that is none of the verdicts on
// files (UserMessage then asks to try again later).
func (c *ChildParser) ParsePDF(data []byte, lim Limits) (Result, error) {
	mem := c.MaxMemory
	if mem <= 0 {
		mem = DefaultChildMemory
	}
	req, err := json.Marshal(childRequest{MaxTextBytes: lim.MaxTextBytes, MaxUnzippedBytes: lim.MaxUnzippedBytes, MaxMemory: mem})
	if err != nil {
		return Result{}, fmt.Errorf("PDF parser request: %w", err)
	}
	ctx := context.Background()
	if lim.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Timeout)
		defer cancel()
	}
	c.once.Do(func() {
		n := c.MaxParallel
		if n <= 0 {
			n = DefaultChildParallel
		}
		c.slots = make(chan struct{}, n)
	})
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		return Result{}, fmt.Errorf("%w: no free slot within %v", ErrParserBusy, lim.Timeout)
	}
	cmd := exec.CommandContext(ctx, c.Path, ChildCommand)
	cmd.Env = append([]string{}, c.Env...) // non-nil: the parent's environment is not inherited
	cmd.Stdin = io.MultiReader(bytes.NewReader(append(req, '\n')), bytes.NewReader(data))
	stdout := &cappedBuffer{max: mem + 1<<20}
	stderr := &headTail{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second // the pipes close even if something keeps them open
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("start PDF parser process: %w", err)
	}
	err = cmd.Wait()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return Result{}, fmt.Errorf("%w: parsing took longer than %v (parser process killed)", ErrCorrupt, lim.Timeout)
	case err != nil:
		return Result{}, fmt.Errorf("%w: PDF parser process failed (%v): %s", ErrCorrupt, err, stderr.summary())
	case stdout.over:
		return Result{}, fmt.Errorf("%w: PDF parser output beyond %d bytes", ErrTooLarge, stdout.max)
	}
	var resp childResponse
	if err := json.Unmarshal(stdout.buf.Bytes(), &resp); err != nil {
		return Result{}, fmt.Errorf("%w: PDF parser process answered badly: %v", ErrCorrupt, err)
	}
	if resp.Kind != "" {
		sentinel := ErrCorrupt
		for _, s := range sentinels {
			if s.Error() == resp.Kind {
				sentinel = s
			}
		}
		return Result{}, &childError{sentinel: sentinel, msg: resp.Message}
	}
	return resp.Result, nil
}

// RunChild is the child side of ChildParser: it reads the request and PDF
// from stdin, parses it in this process and writes the result to stdout.
// Call it from main when the first argument is ChildCommand, and exit with
// status 1 when it returns an error; the parse outcome itself (including
// refusals of the file) is reported on stdout.
//
// RunChild takes over the process: it caps memory and stack size and sends
// whatever else writes to os.Stdout (the PDF library's debugging output) to
// os.Stderr.
func RunChild(stdin io.Reader, stdout io.Writer) error {
	return runChild(stdin, stdout, extractPDF)
}

// runChild is RunChild with the parser as a parameter (tests swap in
// misbehaving ones).
func runChild(stdin io.Reader, stdout io.Writer, parse func([]byte, Limits) (Result, error)) error {
	os.Stdout = os.Stderr
	in := bufio.NewReader(stdin)
	line, err := in.ReadSlice('\n')
	if err != nil {
		return fmt.Errorf("read PDF parser request: %w", err)
	}
	var req childRequest
	if err := json.Unmarshal(line, &req); err != nil {
		return fmt.Errorf("decode PDF parser request: %w", err)
	}
	debug.SetMaxStack(childMaxStack)
	if req.MaxMemory > 0 {
		debug.SetMemoryLimit(req.MaxMemory * 3 / 4)
		if err := limitAddressSpace(req.MaxMemory); err != nil {
			return fmt.Errorf("limit PDF parser memory: %w", err)
		}
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("read PDF: %w", err)
	}
	lim := Limits{MaxTextBytes: req.MaxTextBytes, MaxUnzippedBytes: req.MaxUnzippedBytes}
	res, perr := runGuarded(0, func() (Result, error) { return parse(data, lim) })
	var resp childResponse
	if perr != nil {
		resp.Kind, resp.Message = ErrCorrupt.Error(), perr.Error()
		for _, s := range sentinels {
			if errors.Is(perr, s) {
				resp.Kind = s.Error()
				break
			}
		}
	} else {
		resp.Result = res
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resp); err != nil {
		return fmt.Errorf("write PDF parser result: %w", err)
	}
	return nil
}

// cappedBuffer keeps at most max bytes and notes whether more came.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int64
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - int64(b.buf.Len()); int64(len(p)) > room {
		b.over = true
		p = p[:max(room, 0)]
	}
	b.buf.Write(p)
	return len(p), nil
}

// headTail keeps the first and the last part of what is written to it:
// a crash report starts with its cause, debugging output may precede it.
type headTail struct {
	head, tail []byte
}

const headTailPart = maxChildStderr / 2

func (h *headTail) Write(p []byte) (int, error) {
	n := len(p)
	if room := headTailPart - len(h.head); room > 0 {
		k := min(room, len(p))
		h.head = append(h.head, p[:k]...)
		p = p[k:]
	}
	h.tail = append(h.tail, p...)
	if len(h.tail) > headTailPart {
		h.tail = append(h.tail[:0], h.tail[len(h.tail)-headTailPart:]...)
	}
	return n, nil
}

// summary is the line that says why the child died: a fatal error or
// panic, else the last line it wrote.
func (h *headTail) summary() string {
	lines := strings.Split(string(h.head)+"\n"+string(h.tail), "\n")
	for _, prefix := range []string{"fatal error:", "panic:", "runtime:"} {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return clip(strings.TrimSpace(l), 300)
			}
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return clip(l, 300)
		}
	}
	return "no output"
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
