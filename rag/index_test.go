package rag

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gonghui/qa/corpus"
)

// TestDenseMatchesChromem checks that the matrix scan ranks passages as
// chromem-go's QueryEmbedding does over the same vectors, in one collection
// or in several queried concurrently: the same passages, in the same order,
// with the same similarities.
func TestDenseMatchesChromem(t *testing.T) {
	ctx := context.Background()
	env := newBenchEnv(t)
	docs, _, err := corpus.Load(corpus.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, docs := range [][]corpus.Document{docs, benchCorpus(t, 9000, 2)} {
		ix, _, err := BuildIndex(ctx, docs, env.emb, env.an, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := ix.Len()
		sizes := []int{1, 7, n - 1, n, n + 5}
		if n > 1000 {
			sizes = []int{n, 5000}
		}
		for _, size := range sizes {
			// A fresh set of the same rows, so that its collections are cut
			// at this size.
			vs := &vectorSet{n: ix.vectors.n, dim: ix.vectors.dim, data: ix.vectors.data}
			vs.once.Do(func() {})
			sharded := *ix
			sharded.vectors = vs
			for _, q := range []string{"孩子考上大学，工会有助学金吗？", "户外职工服务站点", "今天天气怎么样"} {
				vecs, _ := env.emb.Embed(ctx, []string{q})
				for _, k := range []int{1, 5, 50, n + 10} {
					want, err := sharded.denseChromem(ctx, vecs[0], k, size)
					if err != nil {
						t.Fatal(err)
					}
					got, err := ix.dense(ctx, vecs[0], k)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != min(k, n) || !sameRanking(got, want) {
						t.Fatalf("n=%d shard size %d, %q, k=%d:\n got %v\nwant %v", n, size, q, k, got[:min(len(got), 8)], want[:min(len(want), 8)])
					}
				}
			}
		}
	}
}

// sameRanking compares rankings; passages with equal scores may come in
// any order (chromem-go keeps any of them at the cut).
func sameRanking(got, want []scored) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].score != want[i].score {
			return false
		}
	}
	// Beyond ties, the same passages.
	g, w := slices.Clone(got), slices.Clone(want)
	last := g[len(g)-1].score
	keep := func(s []scored) []int32 {
		var out []int32
		for _, x := range s {
			if x.score != last {
				out = append(out, x.doc)
			}
		}
		slices.Sort(out)
		return out
	}
	return len(g) == 0 || slices.Equal(keep(g), keep(w))
}

func TestDenseEmptyIndex(t *testing.T) {
	env := newBenchEnv(t)
	ix, _, err := BuildIndex(context.Background(), nil, env.emb, env.an, nil)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := env.emb.Embed(context.Background(), []string{"助学金"})
	if got, err := ix.dense(context.Background(), vs[0], 5); err != nil || len(got) != 0 {
		t.Errorf("empty index: got %v, %v", got, err)
	}
}

// TestNearestTiesAtTheCut has many equal rows, so that rows left out of the
// kept few tie with the cut: the scan must then score every row exactly and
// keep the earliest passages, as the exact ranking does.
func TestNearestTiesAtTheCut(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const n, dim = 9000, 32
	rows := make([][]float32, n)
	same := make([]float32, dim)
	for j := range same {
		same[j] = float32(rng.NormFloat64())
	}
	for i := range rows {
		rows[i] = make([]float32, dim)
		if i%3 == 0 {
			copy(rows[i], same)
			continue
		}
		for j := range rows[i] {
			rows[i][j] = float32(rng.NormFloat64())
		}
	}
	vs, err := newVectorSet(rows)
	if err != nil {
		t.Fatal(err)
	}
	q := slices.Clone(same)
	unitRow(q)
	for _, k := range []int{1, 5, 40} {
		got, err := vs.nearest(context.Background(), q, k)
		if err != nil {
			t.Fatal(err)
		}
		want := vs.exactAll(vs.data, q)[:k]
		if !slices.Equal(got, want) {
			t.Fatalf("k=%d:\n got %v\nwant %v", k, got, want)
		}
	}
}
