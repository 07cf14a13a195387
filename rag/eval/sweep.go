package eval

import (
	"context"
	"fmt"
	"io"
	"sort"
)

// Confidence is the decision's probability that the documents answer a case.
type Confidence struct {
	Case     Case
	Coverage float64
}

// Confidences retrieves each case and records the decision's probability.
func Confidences(ctx context.Context, e Answerer, cases []Case) ([]Confidence, error) {
	out := make([]Confidence, 0, len(cases))
	for _, c := range cases {
		r, err := e.Retrieve(ctx, c.Question)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		out = append(out, Confidence{c, r.Confidence})
	}
	return out, nil
}

// WriteSweep prints, for probability thresholds from 0.30 to 0.80, the share
// of unanswerable cases that would be refused and of answerable ones that
// would be wrongly refused; then each case's probability, lowest first.
func WriteSweep(w io.Writer, confs []Confidence) {
	fmt.Fprintln(w, "threshold  abstain_correct  false_abstain")
	for t := 0.30; t <= 0.801; t += 0.05 {
		var ok, un, fa, an int
		for _, c := range confs {
			if c.Case.Answerable {
				an++
				if c.Coverage < t {
					fa++
				}
			} else {
				un++
				if c.Coverage < t {
					ok++
				}
			}
		}
		fmt.Fprintf(w, "%.2f       %.3f            %.3f\n", t, frac(ok, un), frac(fa, an))
	}
	sorted := append([]Confidence(nil), confs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Coverage < sorted[j].Coverage })
	fmt.Fprintln(w, "\ncoverage  answerable  case")
	for _, c := range sorted {
		fmt.Fprintf(w, "%.3f     %-5v       %s %s\n", c.Coverage, c.Case.Answerable, c.Case.ID, c.Case.Question)
	}
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
