package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus/corpustest"
)

// TestMain runs the program itself when asked to (asProgram), so that a
// benchmark can measure `ask` as its own process: its peak memory is then
// the program's, not the test binary's.
func TestMain(m *testing.M) {
	if os.Getenv(asProgram) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const asProgram = "GONGHUI_QA_BENCH_AS_PROGRAM"

// BenchmarkAsk is `gonghui-qa ask` as an operator runs it, in a process of
// its own, over a CORPUS_DIR of synthetic documents (corpustest.Synthetic,
// written as Markdown files) beside the built-in laws: "cold" with an empty
// DATA_DIR (the index built and saved), then "warm" (the saved index
// reused). It reports the process's peak resident memory and wall time, the
// median of the warm runs. Opt-in (BENCH_LARGE=1): it writes 100k and 300k
// passages of files.
//
//	BENCH_LARGE=1 go test . -run '^$' -bench Ask -benchtime 3x -timeout 30m
func BenchmarkAsk(b *testing.B) {
	if os.Getenv("BENCH_LARGE") != "1" {
		b.Skip("set BENCH_LARGE=1 to run `ask` over 100k and 300k passages")
	}
	for _, n := range []int{100_000, 300_000} {
		b.Run(fmt.Sprintf("passages=%dk", n/1000), func(b *testing.B) {
			b.StopTimer()
			dir := b.TempDir()
			corpusDir, dataDir := filepath.Join(dir, "corpus"), filepath.Join(dir, "data")
			docs, err := corpustest.Synthetic(n, 1)
			if err != nil {
				b.Fatal(err)
			}
			if err := corpustest.WriteFiles(corpusDir, docs); err != nil {
				b.Fatal(err)
			}
			docs = nil
			ask := func() (rssMB, ms float64) {
				cmd := exec.Command(os.Args[0], "ask", "孩子考上大学，工会有助学金吗？")
				cmd.Env = append(os.Environ(), asProgram+"=1", "CORPUS_DIR="+corpusDir, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
				t0 := time.Now()
				out, err := cmd.CombinedOutput()
				ms = float64(time.Since(t0).Microseconds()) / 1000
				if err != nil {
					b.Fatalf("ask: %v\n%s", err, out)
				}
				ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				if ru != nil {
					rssMB = float64(ru.Maxrss) / 1024 // KiB on Linux
				}
				return rssMB, ms
			}
			coldRSS, coldMS := ask()
			var rss, ms []float64
			b.StartTimer()
			for range b.N {
				r, m := ask()
				rss, ms = append(rss, r), append(ms, m)
			}
			b.StopTimer()
			slices.Sort(rss)
			slices.Sort(ms)
			b.ReportMetric(coldRSS, "cold_peak_MB")
			b.ReportMetric(coldMS, "cold_ms")
			b.ReportMetric(rss[len(rss)/2], "warm_peak_MB")
			b.ReportMetric(ms[len(ms)/2], "warm_ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
