package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gonghui/qa/rag"
)

// WriteSamples retrieves each case and prints, for each candidate passage
// the decision weighs, its evidence as one JSON Sample a line (ID "case#k"),
// for WriteFit: the decision learns which passages answer.
func WriteSamples(ctx context.Context, w io.Writer, e Answerer, set string, cases []Case) error {
	enc := json.NewEncoder(w)
	for _, c := range cases {
		r, err := e.Retrieve(ctx, c.Question)
		if err != nil {
			return fmt.Errorf("case %s: %w", c.ID, err)
		}
		for i, h := range r.Hits {
			if h.Evidence.Rank == 0 {
				break // past the candidates the decision weighs
			}
			found := c.Answerable && Contains(h.Passage.Text, c.Expect)
			s := Sample{Set: set, ID: fmt.Sprintf("%s#%d", c.ID, i), Answerable: c.Answerable, Found: found, Gated: !h.States, X: h.Evidence.Vector()}
			if err := enc.Encode(s); err != nil {
				return err
			}
		}
		if len(r.Hits) == 0 {
			// Nothing retrieved: one sample that answers nothing.
			s := Sample{Set: set, ID: c.ID + "#0", Answerable: c.Answerable, X: r.Evidence.Vector()}
			if err := enc.Encode(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// LoadSamples reads a file written by WriteSamples.
func LoadSamples(path string) ([]Sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open samples: %w", err)
	}
	defer f.Close()
	out, err := readJSONLines[Sample](f)
	if err != nil {
		return nil, fmt.Errorf("samples %s: %w", path, err)
	}
	return out, nil
}

// Fit parameters: five folds, and an L2 penalty that keeps weights modest
// on a few hundred cases.
const (
	fitFolds  = 5
	fitLambda = 1.0
)

// WriteFit reports the decision fitted on samples: refused / wrongly
// refused per set at each threshold, from held-out folds (no case is scored
// by a model that saw it), then the model fitted on all samples as Go.
func WriteFit(w io.Writer, samples []Sample) error {
	if len(samples) == 0 {
		return fmt.Errorf("fit: no samples")
	}
	held := CrossValidate(samples, fitFolds, fitLambda)
	fmt.Fprintf(w, "Held-out (%d folds, L2 %.1f): unanswerable refused / answerable wrongly refused\n\n", fitFolds, fitLambda)
	WriteCalibration(w, held, []float64{0.3, 0.4, 0.5, 0.6, 0.7})
	m := FitLogistic(samples, fitLambda)
	fmt.Fprintf(w, "\nFitted on all %d cases:\n\n", len(samples))
	for i, name := range rag.EvidenceNames() {
		fmt.Fprintf(w, "  %-14s %8.3f\n", name, m.W[i])
	}
	fmt.Fprintf(w, "  %-14s %8.3f\n", "bias", m.B)
	parts := make([]string, len(m.W))
	for i, x := range m.W {
		parts[i] = fmt.Sprintf("%.3f", x)
	}
	fmt.Fprintf(w, "\nWeights: []float64{%s}, Bias: %.3f\n", strings.Join(parts, ", "), m.B)
	return nil
}
