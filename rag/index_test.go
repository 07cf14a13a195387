package rag

import (
	"context"
	"slices"
	"testing"

	"github.com/gonghui/qa/corpus"
)

// TestDenseShardsMatchOneCollection checks that splitting the passages over
// several chromem-go collections ranks them as one collection does.
func TestDenseShardsMatchOneCollection(t *testing.T) {
	ctx := context.Background()
	env := newBenchEnv(t)
	docs, _, err := corpus.Load(corpus.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	one, _, err := BuildIndex(ctx, docs, env.emb, env.an, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := one.Len()
	if len(one.cols) != 1 {
		t.Fatalf("%d passages in %d collections, want 1", n, len(one.cols))
	}
	for _, size := range []int{1, 7, n - 1, n, n + 5} {
		sharded := &Index{docs: one.docs, docByID: one.docByID, passages: one.passages, byID: one.byID, vectors: one.vectors, embedder: one.embedder}
		if err := sharded.finishSharded(ctx, env.an, size); err != nil {
			t.Fatal(err)
		}
		if want := (n + size - 1) / size; len(sharded.cols) != want {
			t.Errorf("shard size %d: %d collections, want %d", size, len(sharded.cols), want)
		}
		for _, q := range []string{"孩子考上大学，工会有助学金吗？", "户外职工服务站点", "今天天气怎么样"} {
			vs, _ := env.emb.Embed(ctx, []string{q})
			for _, k := range []int{1, 5, 50, n + 10} {
				want, err := one.dense(ctx, vs[0], k)
				if err != nil {
					t.Fatal(err)
				}
				got, err := sharded.dense(ctx, vs[0], k)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != min(k, n) || !slices.Equal(got, want) {
					t.Errorf("shard size %d, %q, k=%d:\n got %v\nwant %v", size, q, k, got, want)
				}
			}
		}
	}
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
