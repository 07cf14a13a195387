package llm

import (
	"context"
	"math"
	"slices"

	openai "github.com/sashabaranov/go-openai"
)

// Name identifies the server embedding for the index cache: "openai:" and the
// model. One model always gives one dimension, so a cached index built with
// another model (or the offline embedding) is rebuilt, never mixed. Dimensions
// reports the dimension once known.
func (c *Client) Name() string { return "openai:" + c.cfg.EmbeddingModel }

// Dimensions is the length of the vectors the server returned first, 0 before
// the first successful Embed.
func (c *Client) Dimensions() int { return int(c.dims.Load()) }

// Embed returns one unit-length vector per text, in the order of texts. Texts
// go to the server BatchSize at a time, each batch under its own deadline and
// retried once on 429 or 5xx. A response is rejected (ErrMalformed) when it
// has the wrong number of vectors, an index out of range or repeated, an
// empty, zero or non-finite vector, or a dimension other than the first seen.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	const op = "embeddings"
	if c.cfg.EmbeddingModel == "" {
		return nil, newKind(op, ErrMalformed, "no embedding model configured")
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += c.cfg.BatchSize {
		batch := texts[start:min(start+c.cfg.BatchSize, len(texts))]
		vecs, err := c.embedBatch(ctx, op, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (c *Client) embedBatch(ctx context.Context, op string, batch []string) ([][]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	input := make([]string, len(batch))
	for i, t := range batch {
		if t == "" {
			t = " " // servers reject an empty input
		}
		input[i] = t
	}
	var resp openai.EmbeddingResponse
	err := c.call(ctx, op, func(ctx context.Context) (err error) {
		resp, err = c.api.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
			Input: input,
			Model: openai.EmbeddingModel(c.cfg.EmbeddingModel),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(resp.Data) != len(batch) {
		return nil, newKind(op, ErrMalformed, "%d vectors for %d texts", len(resp.Data), len(batch))
	}
	data := slices.Clone(resp.Data)
	slices.SortFunc(data, func(a, b openai.Embedding) int { return a.Index - b.Index })
	vecs := make([][]float32, len(data))
	for i, d := range data {
		if d.Index != i {
			return nil, newKind(op, ErrMalformed, "indexes are not 0..%d (found %d at position %d)", len(batch)-1, d.Index, i)
		}
		v, err := c.unit(op, d.Embedding)
		if err != nil {
			return nil, err
		}
		vecs[i] = v
	}
	return vecs, nil
}

// unit checks one vector and scales it to length 1.
func (c *Client) unit(op string, v []float32) ([]float32, error) {
	if len(v) == 0 {
		return nil, newKind(op, ErrMalformed, "empty vector")
	}
	if c.dims.CompareAndSwap(0, int64(len(v))); c.dims.Load() != int64(len(v)) {
		return nil, newKind(op, ErrMalformed, "vector of %d dimensions, earlier ones had %d", len(v), c.dims.Load())
	}
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	norm := math.Sqrt(sum)
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return nil, newKind(op, ErrMalformed, "vector of length %v", norm)
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / norm)
	}
	return out, nil
}
