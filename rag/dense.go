package rag

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	chromem "github.com/philippgille/chromem-go"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// vectorSet holds the passages' vectors as one contiguous matrix, row i for
// passage i, each row scaled to unit length as chromem-go stores it. A set
// read from a persisted index is loaded on first use: the offline engine
// never queries it, and a corpus change only reads it to reuse vectors.
type vectorSet struct {
	n, dim int
	once   sync.Once
	load   func() ([]float32, error) // nil once loaded
	data   []float32
	err    error

	colsOnce sync.Once
	cols     []*chromem.Collection
	colsErr  error
}

// newVectorSet packs vectors (all of one length) into a set.
func newVectorSet(vecs [][]float32) (*vectorSet, error) {
	vs := &vectorSet{n: len(vecs)}
	if len(vecs) > 0 {
		vs.dim = len(vecs[0])
	}
	vs.data = make([]float32, vs.n*vs.dim)
	for i, v := range vecs {
		if len(v) != vs.dim {
			return nil, fmt.Errorf("vector %d has %d dimensions, the first %d", i, len(v), vs.dim)
		}
		row := vs.data[i*vs.dim : (i+1)*vs.dim]
		copy(row, v)
		unitRow(row)
	}
	vs.once.Do(func() {})
	return vs, nil
}

// lazyVectorSet is a set of n vectors of dim dimensions that load reads
// when they are first needed.
func lazyVectorSet(n, dim int, load func() ([]float32, error)) *vectorSet {
	return &vectorSet{n: n, dim: dim, load: load}
}

// matrix returns the rows, loading them if need be.
func (vs *vectorSet) matrix() ([]float32, error) {
	vs.once.Do(func() {
		if vs.load == nil {
			return
		}
		vs.data, vs.err = vs.load()
		vs.load = nil
		if vs.err == nil && len(vs.data) != vs.n*vs.dim {
			vs.err = fmt.Errorf("read vectors: %d values for %d×%d", len(vs.data), vs.n, vs.dim)
		}
	})
	return vs.data, vs.err
}

// row returns vector i (loaded).
func (vs *vectorSet) row(data []float32, i int) []float32 {
	return data[i*vs.dim : (i+1)*vs.dim : (i+1)*vs.dim]
}

// The unit-length test and scaling are chromem-go's own (vector.go), so that
// rows and queries are scaled bit for bit as its collection scales them; a
// zero vector stays zero (chromem-go would make it NaN).
const unitTolerance = 1e-6

func isUnit(v []float32) bool {
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	return math.Abs(math.Sqrt(sq)-1) < unitTolerance
}

func unitRow(v []float32) {
	if isUnit(v) {
		return
	}
	var norm float32
	for _, x := range v {
		norm += x * x
	}
	if norm == 0 {
		return
	}
	norm = float32(math.Sqrt(float64(norm)))
	for i, x := range v {
		v[i] = x / norm
	}
}

// dotExact is the dot product as chromem-go computes it: one float32 sum in
// order, so that similarities equal its own.
func dotExact(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// scoreRows sets out[i] to the dot product of q with row lo+i, for as many
// rows as out holds, through gonum's matrix-vector product (SIMD
// instructions where the processor has them: four times quicker here than
// a loop of Go). Its sums run in another order than dotExact's, so the two
// differ by up to dotSlack.
func (vs *vectorSet) scoreRows(data, q []float32, lo int, out []float32) {
	blas32.Gemv(blas.NoTrans, 1,
		blas32.General{Rows: len(out), Cols: vs.dim, Stride: vs.dim, Data: data[lo*vs.dim : (lo+len(out))*vs.dim]},
		blas32.Vector{N: vs.dim, Inc: 1, Data: q}, 0, blas32.Vector{N: len(out), Inc: 1, Data: out})
}

// dotSlack bounds how far scoreRows and dotExact can differ for unit vectors of
// dim dimensions: each float32 sum of n products errs by at most about
// n·2⁻²⁴ times the sum of the products' magnitudes, itself at most 1; twice
// that, with room to spare.
func dotSlack(dim int) float32 { return float32(dim+8) * 2.5e-7 }

// scanRows is how many rows one goroutine scans at least: below this a query
// is not worth splitting.
const scanRows = 4096

// nearest ranks the rows by dot product with q (scaled to unit length as
// chromem-go scales a query) and returns the best k, best first, ties by
// passage order, with chromem-go's own similarities. The matrix is scanned on
// all cores (scoreRows), keeping a few more than k; the kept rows are scored
// again with dotExact; if a row left out could still have made the best k by
// scoreRows' error, the whole matrix is scored exactly instead.
func (vs *vectorSet) nearest(ctx context.Context, q []float32, k int) ([]scored, error) {
	data, err := vs.matrix()
	if err != nil {
		return nil, err
	}
	if vs.n == 0 || k <= 0 {
		return nil, nil
	}
	if len(q) != vs.dim {
		return nil, fmt.Errorf("query has %d dimensions, the passages %d", len(q), vs.dim)
	}
	if !isUnit(q) {
		q = append([]float32(nil), q...)
		unitRow(q)
	}
	k = min(k, vs.n)
	keep := min(vs.n, k+16)
	workers := max(1, min(runtime.GOMAXPROCS(0), vs.n/scanRows))
	tops := make([]topK, workers)
	var wg sync.WaitGroup
	scan := func(w int) {
		lo, hi := vs.n*w/workers, vs.n*(w+1)/workers
		top := make(topK, 0, keep)
		scores := make([]float32, min(hi-lo, 2048))
		for i := lo; i < hi; i += len(scores) {
			if ctx.Err() != nil {
				return
			}
			out := scores[:min(len(scores), hi-i)]
			vs.scoreRows(data, q, i, out)
			for j, s := range out {
				top.offer(scored{int32(i + j), s}, keep)
			}
		}
		tops[w] = top
	}
	for w := 1; w < workers; w++ {
		wg.Go(func() { scan(w) })
	}
	scan(0)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Rows left out scored at most the lowest kept score of their scan.
	var cands []scored
	floor := float32(math.Inf(-1))
	for _, top := range tops {
		if len(top) == keep {
			floor = max(floor, top[0].score) // the root is the lowest kept
		}
		cands = append(cands, top...)
	}
	for i := range cands {
		cands[i].score = dotExact(q, vs.row(data, int(cands[i].doc)))
	}
	sort.Slice(cands, func(i, j int) bool { return better(cands[i], cands[j]) })
	if len(cands) >= k && cands[k-1].score-2*dotSlack(vs.dim) <= floor {
		cands = vs.exactAll(data, q)
	}
	return cands[:k], nil
}

// exactAll scores every row with dotExact, best first.
func (vs *vectorSet) exactAll(data, q []float32) []scored {
	out := make([]scored, vs.n)
	for i := range out {
		out[i] = scored{int32(i), dotExact(q, vs.row(data, i))}
	}
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out
}

// errNoQueryEmbedding guards chromem-go's default: a nil embedding function
// would silently mean OpenAI. Queries always pass their own vector.
var errNoQueryEmbedding = errors.New("the index embeds queries itself")

// collections returns the passages as chromem-go collections of at most
// shardSize documents each, the vector store the rows belong to: each
// document's embedding is its row of the matrix, shared, not copied. They
// are made on first use.
func (vs *vectorSet) collections(ctx context.Context, ids []string, shardSize int) ([]*chromem.Collection, error) {
	vs.colsOnce.Do(func() {
		data, err := vs.matrix()
		if err != nil {
			vs.colsErr = err
			return
		}
		db := chromem.NewDB()
		shards := max(1, (vs.n+shardSize-1)/shardSize)
		for s := range shards {
			col, err := db.CreateCollection(fmt.Sprintf("passages-%d", s), nil, func(context.Context, string) ([]float32, error) {
				return nil, errNoQueryEmbedding
			})
			if err != nil {
				vs.colsErr = fmt.Errorf("create collection: %w", err)
				return
			}
			lo, hi := s*shardSize, min(vs.n, (s+1)*shardSize)
			docs := make([]chromem.Document, 0, hi-lo)
			for i := lo; i < hi; i++ {
				docs = append(docs, chromem.Document{ID: ids[i], Embedding: vs.row(data, i)})
			}
			if len(docs) > 0 {
				if err := col.AddDocuments(ctx, docs, runtime.NumCPU()); err != nil {
					vs.colsErr = fmt.Errorf("add passages to collection: %w", err)
					return
				}
			}
			vs.cols = append(vs.cols, col)
		}
	})
	return vs.cols, vs.colsErr
}
