package rag

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

// HashEmbedder is the offline embedding: character unigrams, bigrams and
// trigrams of the folded text, hashed with a sign into a fixed number of
// dimensions, weighted by log term frequency and scaled to unit length. It
// needs no model and no network, and is deterministic across machines.
type HashEmbedder struct {
	folder *zh.Folder
	dim    int
	bufs   sync.Pool // of *ngramTable
}

// NewHashEmbedder returns a hashing embedder of dim dimensions.
func NewHashEmbedder(folder *zh.Folder, dim int) *HashEmbedder {
	return &HashEmbedder{folder: folder, dim: dim}
}

// Name identifies the embedding and its size, for the persisted index.
func (h *HashEmbedder) Name() string { return fmt.Sprintf("hash-ngram-v1-%d", h.dim) }

// Embed embeds each text; it never fails. Many texts are embedded on all
// cores.
func (h *HashEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	workers := 1
	if len(texts) >= 64 {
		workers = runtime.NumCPU()
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(texts); i += workers {
				out[i] = h.vector(h.folder.Fold(texts[i]))
			}
		})
	}
	wg.Wait()
	return out, nil
}

// vector counts the text's n-grams by their 64-bit FNV-1a hashes: each letter
// or digit as a unigram (half weight), and each two and three in a row as
// bigrams and trigrams. (Two distinct n-grams of one text would have to share
// all 64 bits to be counted as one.) Each distinct n-gram adds 1 + ln(count)
// to the dimension its hash picks, with the sign of its top bit.
func (h *HashEmbedder) vector(folded string) []float32 {
	t, _ := h.bufs.Get().(*ngramTable)
	if t == nil {
		t = new(ngramTable)
	}
	defer h.bufs.Put(t)
	t.reset(3 * utf8.RuneCountInString(folded))
	p1, p2 := -1, -1 // byte offsets of the previous two letters of the run
	for i, r := range folded {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			p1, p2 = -1, -1
			continue
		}
		end := i + utf8.RuneLen(r)
		t.add(fnv64a(folded[i:end]), 1)
		if p1 >= 0 {
			t.add(fnv64a(folded[p1:end]), 2)
		}
		if p2 >= 0 {
			t.add(fnv64a(folded[p2:end]), 2)
		}
		p1, p2 = i, p1
	}
	v := make([]float32, h.dim)
	for _, slot := range t.used {
		x := t.keys[slot]
		w := logWeight(float64(t.halves[slot]) / 2)
		if x>>63 == 1 {
			w = -w
		}
		v[x%uint64(h.dim)] += w
	}
	normalize(v)
	return v
}

// ngramTable counts one text's n-grams by hash, in half counts, reused from
// text to text (HashEmbedder.bufs): a slot is empty unless its gen is the
// table's.
type ngramTable struct {
	keys   []uint64
	halves []uint32
	gen    []uint32
	cur    uint32
	used   []int // filled slots, in order of first count
}

// reset empties the table for up to n distinct n-grams.
func (t *ngramTable) reset(n int) {
	size := 64
	for size < 2*n {
		size *= 2
	}
	if len(t.keys) < size || t.cur == math.MaxUint32 {
		t.keys, t.halves, t.gen, t.cur = make([]uint64, size), make([]uint32, size), make([]uint32, size), 0
	}
	t.cur++
	t.used = t.used[:0]
}

func (t *ngramTable) add(x uint64, halves uint32) {
	mask := len(t.keys) - 1
	for i := int(x) & mask; ; i = (i + 1) & mask {
		if t.gen[i] != t.cur {
			t.gen[i], t.keys[i], t.halves[i] = t.cur, x, halves
			t.used = append(t.used, i)
			return
		}
		if t.keys[i] == x {
			t.halves[i] += halves
			return
		}
	}
}

// logWeights[k] is 1 + ln(k/2): the weight of an n-gram counted k/2 times
// (unigrams count a half), computed once.
var logWeights = func() (w [64]float32) {
	for k := 1; k < len(w); k++ {
		w[k] = float32(1 + math.Log(float64(k)/2))
	}
	return w
}()

// logWeight is 1 + ln(c) as float32.
func logWeight(c float64) float32 {
	if k := int(2 * c); k < len(logWeights) && float64(k) == 2*c {
		return logWeights[k]
	}
	return float32(1 + math.Log(c))
}

// fnv64a is FNV-1a, 64 bits (hash/fnv's New64a), over s.
func fnv64a(s string) uint64 {
	x := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	return x
}

// normalize scales v to unit length in place (a zero vector stays zero).
func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}

// DefaultHashDim is the offline embedding's size: measured with `eval` and
// the retrieval benchmarks (see BENCHMARKS.md).
const DefaultHashDim = 256
