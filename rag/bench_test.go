// Speed and memory benchmarks for retrieval (issues 2 and 13, "Figures to
// reach").
//
// All figures, one command (the 100k- and 300k-passage corpora are opt-in):
//
//	BENCH_LARGE=1 go test ./rag -run '^$' -bench . -benchmem -benchtime 3x -timeout 60m
//
// Without BENCH_LARGE=1 the large sub-benchmarks are skipped; BENCH_DIM=128
// measures the hashed embedding at another size. One op of
// BenchmarkRetrieve and BenchmarkAnswer is a pass over benchQuestions; their
// p50_ms/p95_ms metrics are per question. One op of BenchmarkBuildIndex is
// a full build (every passage embedded). BenchmarkWarmStart's op is what
// `ask` does with an index already saved in DATA_DIR.
//
// The machine these run on is shared: wall-clock figures rise with other
// load, so the benchmarks also report cpu_ms, the processor time the op took
// on all cores (getrusage), which other load changes far less.
//
// The synthetic corpora are made deterministically (fixed seed) from the
// sentences of corpus/default (corpustest.Synthetic): numbers redrawn,
// clauses shuffled, sentences recombined into paragraphs of one passage
// each, so that term statistics stay those of the union's own writing.
package rag

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/corpustest"
	"github.com/gonghui/qa/corpus/zh"
	"github.com/gonghui/qa/rag/lexicon"
)

// benchQuestions are asked in every latency benchmark: answerable ones in
// members' and the report's wording, 繁体, digits, and questions the report
// does not answer.
var benchQuestions = []string{
	"孩子考上大学，工会有助学金吗？",
	"金秋助学每人资助多少钱?",
	"孩子考上大學，工會有助學金嗎？",
	"送外卖累了哪里能歇脚？",
	"全市共创建户外职工服务站点多少家？",
	"工资被拖欠了工会能帮忙要回来吗",
	"职工书屋每年配送多少钱的图书？",
	"技能大赛一共有多少个工种？",
	"困难职工每人能拿多少生活补助金？",
	"女职工专项集体合同签了多少份？",
	"白内障复明行动给多少患者做了免费手术？",
	"全市工会会员有多少人？农民工会员呢？",
	"劳模宣讲都进了哪些地方？",
	"推荐了多少“兰州好人”候选人？",
	"职工来信来访工会怎么处理？",
	"夏送清凉筹了多少资金？",
	"创新工作室建了几个？",
	"集体协商指导员有几名？",
	"过年工会下乡送春联吗",
	"12351热线是干什么的？",
	"公司不给交社保怎么办？",
	"工会会员生日有蛋糕券吗？",
	"今天兰州天气怎么样？",
	"我想问一下我们厂里的工会主席是怎么选出来的，需要开会员代表大会吗，有没有什么具体的程序和要求？",
}

// benchLarge reports whether the large benchmarks were asked for.
func benchLarge() bool { return os.Getenv("BENCH_LARGE") == "1" }

// benchSizes are the synthetic corpus sizes, in passages.
var benchSizes = []int{10_000, 100_000, 300_000}

type benchEnv struct {
	folder *zh.Folder
	an     *Analyzer
	emb    *HashEmbedder
}

func newBenchEnv(tb testing.TB) benchEnv {
	tb.Helper()
	folder, an := testAnalyzer(tb)
	var err error
	dim := DefaultHashDim
	if v := os.Getenv("BENCH_DIM"); v != "" {
		if dim, err = strconv.Atoi(v); err != nil || dim <= 0 {
			tb.Fatalf("BENCH_DIM=%q: want a positive number of dimensions", v)
		}
	}
	return benchEnv{folder: folder, an: an, emb: NewHashEmbedder(folder, dim)}
}

func benchDefaultDocs(tb testing.TB) []corpus.Document {
	tb.Helper()
	docs, skipped, err := corpus.Load(corpus.Default(), nil)
	if err != nil || len(skipped) > 0 || len(docs) == 0 {
		tb.Fatalf("load default corpus: %v %v", err, skipped)
	}
	return docs
}

// benchCorpus returns documents holding exactly n passages, the same for
// the same n and seed on every machine (corpustest.Synthetic).
func benchCorpus(tb testing.TB, n int, seed uint64) []corpus.Document {
	tb.Helper()
	docs, err := corpustest.Synthetic(n, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

func TestSyntheticCorpus(t *testing.T) {
	const n = 1234
	a, b := benchCorpus(t, n, 1), benchCorpus(t, n, 1)
	got := 0
	for i, d := range a {
		if d.Body != b[i].Body || d.Title != b[i].Title {
			t.Fatalf("document %d differs between two runs with one seed", i)
		}
		got += len(corpus.Split(d))
	}
	if got != n {
		t.Errorf("synthetic corpus has %d passages, want %d", got, n)
	}
}

func benchSizeName(n int) string {
	if n%1000 == 0 {
		return fmt.Sprintf("passages=%dk", n/1000)
	}
	return fmt.Sprintf("passages=%d", n)
}

func benchSkipLarge(b *testing.B, n int) {
	if n > 10_000 && !benchLarge() {
		b.Skip("set BENCH_LARGE=1 to run the 100k- and 300k-passage benchmarks")
	}
}

// benchCPU returns a function that reports the processor time since the
// call, per op, as cpu_ms (per question when perOp is the questions an op
// asks).
func benchCPU(b *testing.B, perOp int) func() {
	t0 := cpuTime()
	return func() {
		b.ReportMetric(float64(cpuTime()-t0)/1e6/float64(b.N*perOp), "cpu_ms")
	}
}

// benchLatencies runs ask once per question per op and reports per-question
// percentiles and processor time.
func benchLatencies(b *testing.B, ask func(q string)) {
	b.Helper()
	var ds []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	done := benchCPU(b, len(benchQuestions))
	for range b.N {
		for _, q := range benchQuestions {
			t0 := time.Now()
			ask(q)
			ds = append(ds, time.Since(t0))
		}
	}
	b.StopTimer()
	done()
	slices.Sort(ds)
	pct := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))]) / 1e6
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.95), "p95_ms")
	b.ReportMetric(float64(ds[len(ds)-1])/1e6, "max_ms")
}

// benchEngine builds an in-memory engine over n synthetic passages (or the
// default corpus for n == 0), reporting what the index retains on the heap.
func benchEngine(b *testing.B, env benchEnv, n int) *Engine {
	b.Helper()
	docs := benchDefaultDocs(b)
	if n > 0 {
		docs = benchCorpus(b, n, 1)
	}
	before := benchHeap()
	e := NewEngine(Options{Analyzer: env.an, Embedder: env.emb})
	if _, err := e.Update(context.Background(), docs); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: the built index retains %.0f bytes/passage beside the documents' text", benchSizeName(e.PassageCount()), float64(benchHeap()-before)/float64(e.PassageCount()))
	return e
}

func benchHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// BenchmarkRetrieve is Engine.Retrieve as the offline engine runs it
// ("fused": BM25, then coverage on the best passages; the hashed vectors are
// not queried), with dense retrieval fused in at weight 1 as for a server's
// embeddings ("fused+dense", the hashed vectors standing in), and each search
// alone ("lexical", "dense"). "vectors" is the dense search alone (the matrix
// scan, vectorSet.nearest) and "chromem" the same search through
// chromem-go's own QueryEmbedding over the same vectors (collections of 25k
// passages queried concurrently), for the ratio.
func BenchmarkRetrieve(b *testing.B) {
	env := newBenchEnv(b)
	ctx := context.Background()
	vecs, err := env.emb.Embed(ctx, benchQuestions)
	if err != nil {
		b.Fatal(err)
	}
	qvec := map[string][]float32{}
	for i, q := range benchQuestions {
		qvec[q] = vecs[i]
	}
	for _, n := range benchSizes {
		var e *Engine // built once, shared by the sub-benchmarks of this size
		get := func(b *testing.B) *Engine {
			benchSkipLarge(b, n)
			if e == nil {
				b.StopTimer()
				e = benchEngine(b, env, n)
				b.StartTimer()
			}
			return e
		}
		modes := []struct {
			name string
			opt  func(*Options)
		}{
			{"fused", func(*Options) {}},
			{"fused+dense", func(o *Options) { o.DenseWeight = 1 }},
			{"lexical", func(o *Options) { o.Mode = ModeLexical }},
			{"dense", func(o *Options) { o.Mode = ModeDense }},
		}
		for _, m := range modes {
			b.Run(benchSizeName(n)+"/"+m.name, func(b *testing.B) {
				e := get(b).WithOptions(m.opt)
				benchLatencies(b, func(q string) {
					if _, err := e.Retrieve(ctx, q); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
		b.Run(benchSizeName(n)+"/vectors", func(b *testing.B) {
			ix := get(b).Index()
			benchLatencies(b, func(q string) {
				if _, err := ix.dense(ctx, qvec[q], 50); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(benchSizeName(n)+"/chromem", func(b *testing.B) {
			ix := get(b).Index()
			if _, err := ix.denseChromem(ctx, qvec[benchQuestions[0]], 50, denseShardSize); err != nil {
				b.Fatal(err) // makes the collections outside the timing
			}
			benchLatencies(b, func(q string) {
				if _, err := ix.denseChromem(ctx, qvec[q], 50, denseShardSize); err != nil {
					b.Fatal(err)
				}
			})
		})
		e = nil
	}
}

// BenchmarkAnswer is Engine.Answer (retrieval and the extractive answer) on
// the default corpus and on 10k synthetic passages.
func BenchmarkAnswer(b *testing.B) {
	env := newBenchEnv(b)
	ctx := context.Background()
	for _, n := range []int{0, 10_000} {
		name := "default"
		if n > 0 {
			name = benchSizeName(n)
		}
		var e *Engine
		b.Run(name, func(b *testing.B) {
			if e == nil {
				e = benchEngine(b, env, n)
			}
			benchLatencies(b, func(q string) {
				if _, err := e.Answer(ctx, "", q); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkBuildIndex is a full build from documents: splitting, embedding
// every passage, the vectors and the BM25 index. It reports throughput and
// the heap the finished index retains per passage (the vectors included).
func BenchmarkBuildIndex(b *testing.B) {
	env := newBenchEnv(b)
	ctx := context.Background()
	for _, n := range benchSizes {
		var docs []corpus.Document
		b.Run(benchSizeName(n), func(b *testing.B) {
			benchSkipLarge(b, n)
			if docs == nil {
				docs = benchCorpus(b, n, 1)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var retained int64
			var cpu time.Duration
			for range b.N {
				b.StopTimer()
				before := benchHeap()
				b.StartTimer()
				c0 := cpuTime()
				ix, _, err := BuildIndex(ctx, docs, env.emb, env.an, nil)
				if err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c0
				b.StopTimer()
				retained = benchHeap() - before
				runtime.KeepAlive(ix)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "passages/s")
			b.ReportMetric(float64(retained)/float64(n), "B/passage")
			b.ReportMetric(float64(cpu)/1e6/float64(b.N), "cpu_ms")
		})
		docs = nil
	}
}

// BenchmarkWarmStart is start-up with the index saved: "engine" is NewEngine
// and Update (LoadIndex, unchanged corpus, nothing embedded), reporting the
// heap the loaded index retains per passage beside the documents' text;
// "process" adds what `ask` does before it (the folding tables, the
// analyzer, reading the corpus). The goal is a second at 100k passages.
func BenchmarkWarmStart(b *testing.B) {
	env := newBenchEnv(b)
	ctx := context.Background()
	dir := b.TempDir() // outlives the sub-benchmarks' runs, unlike theirs
	warm := func(b *testing.B, path string, an *Analyzer, emb Embedder, docs []corpus.Document) *Engine {
		e := NewEngine(Options{Analyzer: an, Embedder: emb, IndexPath: path})
		st, err := e.Update(ctx, docs)
		if err != nil {
			b.Fatal(err)
		}
		if st.Embedded != 0 || st.Reused == 0 {
			b.Fatalf("warm start embedded %d passages, reused %d", st.Embedded, st.Reused)
		}
		return e
	}
	for _, n := range append([]int{0}, benchSizes...) {
		name := "default"
		if n > 0 {
			name = benchSizeName(n)
		}
		var path string
		var docs []corpus.Document
		saved := func(b *testing.B) {
			if path != "" {
				return
			}
			docs = benchDefaultDocs(b)
			if n > 0 {
				docs = benchCorpus(b, n, 1)
			}
			path = filepath.Join(dir, name+".gob")
			e := NewEngine(Options{Analyzer: env.an, Embedder: env.emb, IndexPath: path})
			if _, err := e.Update(ctx, docs); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(name+"/engine", func(b *testing.B) {
			benchSkipLarge(b, n)
			b.StopTimer()
			saved(b)
			b.ReportAllocs()
			b.StartTimer()
			done := benchCPU(b, 1)
			for range b.N {
				warm(b, path, env.an, env.emb, docs)
			}
			b.StopTimer()
			done()
			b.ReportMetric(float64(b.Elapsed())/1e6/float64(b.N), "ms")
			// What the loaded index holds, beyond its own copy of the text.
			before := benchHeap()
			e := warm(b, path, env.an, env.emb, docs)
			text := 0
			for _, d := range e.Documents() {
				text += len(d.Body)
			}
			b.ReportMetric(float64(benchHeap()-before-int64(text))/float64(e.PassageCount()), "B/passage")
			// The postings read in place from the mapped file are not heap:
			// resident only as far as questions read them.
			mapped := 0
			if lx := e.Index().lex; lx.mapped {
				mapped = 4*len(lx.docs) + len(lx.tf)
			}
			b.ReportMetric(float64(mapped)/float64(e.PassageCount()), "mapped_B/passage")
			runtime.KeepAlive(e)
		})
		if n > 0 {
			continue // reading a synthetic corpus from files is not measured
		}
		b.Run(name+"/process", func(b *testing.B) {
			b.StopTimer()
			saved(b)
			b.ReportAllocs()
			b.StartTimer()
			for range b.N {
				env := newBenchEnv(b)
				warm(b, path, env.an, env.emb, benchDefaultDocs(b))
			}
			b.ReportMetric(float64(b.Elapsed())/1e6/float64(b.N), "ms")
		})
		path, docs = "", nil
	}
}

// prepareQuestions are what members send, short to rambling: Prepare runs
// on each before anything is searched.
var prepareQuestions = append(slices.Clone(benchQuestions),
	"我是在兰州干环卫的，每天早上四五点就出门扫马路，冬天冷夏天热，有时候想找个地方坐一下喝口热水都找不到，听说工会弄了些给我们这种户外干活的人休息的地方，到底有没有啊，一共有几个？",
	"俺家男人在工地上出事走了，留下俺和两个娃，老人也指望他。厂里说会按规定办，可俺啥也不懂，也不知道该问谁。那个一次性工亡补助金到底是按啥标准给的？",
	// A long rambling message, cut at MaxQuestionRunes as Retrieve cuts it.
	"你好，我想咨询一下，我在一家小饭馆干了快三年了，老板一直没跟我签合同，社保也没交，每个月工资三千五，有时候还拖个半个月才发。前两天老板说生意不好让我明天别来了，一分钱补偿都不给，还扣了我上个月的工资说是押金。我家里还有两个孩子上学，老大今年刚考上大学，学费都还没凑齐。我想问问像我这种情况能不能要双倍工资和经济补偿，要是去仲裁的话需要准备什么材料，工会能不能帮我出面跟老板谈，还有孩子上大学工会是不是有助学金可以申请？谢谢你们了，真是急死人了。",
)

// BenchmarkPrepare is Analyzer.Prepare on members' questions against the
// default corpus's vocabulary, with the built-in lexicon and with one ten
// times its size (synthetic concepts added): its cost must not grow with
// the lexicon. One op prepares every question once; us_per_question is the
// mean.
func BenchmarkPrepare(b *testing.B) {
	env := newBenchEnv(b)
	e := benchEngine(b, env, 0)
	ix := e.Index()
	big, err := lexicon.Default()
	if err != nil {
		b.Fatal(err)
	}
	if err := big.Extend(syntheticLexicon(9 * big.Len())); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		an   *Analyzer
	}{{"lexicon=default", env.an}, {"lexicon=10x", NewAnalyzer(env.folder, big)}} {
		b.Run(c.name, func(b *testing.B) {
			qs := make([]string, len(prepareQuestions))
			for i, q := range prepareQuestions {
				qs[i] = truncateRunes(q, MaxQuestionRunes)
			}
			// Once before timing: the homophone table is made at the first
			// question that needs it (about 30 ms, once per process), which
			// is start-up, not preparation.
			for _, q := range qs {
				c.an.Prepare(q, ix.lex)
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, q := range qs {
					c.an.Prepare(q, ix.lex)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(qs)), "us_per_question")
		})
	}
}

// syntheticLexicon is n concepts in the lexicon format, made of Han
// characters drawn with a fixed seed: a union's large extra file.
func syntheticLexicon(n int) string {
	rng := rand.New(rand.NewPCG(7, 11))
	word := func(k int) string {
		rs := make([]rune, k)
		for i := range rs {
			rs[i] = rune(0x4E00 + rng.IntN(0x9FA5-0x4E00))
		}
		return string(rs)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "合成概念%d%s %s | %s %s %s\n", i, word(2), word(4), word(2), word(3), word(3))
	}
	return b.String()
}
