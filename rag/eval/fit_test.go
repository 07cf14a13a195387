package eval

import (
	"math"
	"strings"
	"testing"
)

// samplesOf makes samples whose label is x0 > 0.5, with a noise feature.
func samplesOf(n int) []Sample {
	var out []Sample
	for i := 0; i < n; i++ {
		x0 := float64(i%20) / 19
		noise := float64((i*7)%11) / 10
		pos := x0 > 0.5
		out = append(out, Sample{Set: []string{"a", "b"}[i%2], ID: string(rune('a' + i%26)), Answerable: pos, Found: pos, X: []float64{x0, noise}})
	}
	return out
}

func TestFitLogisticSeparates(t *testing.T) {
	m := FitLogistic(samplesOf(200), 0.1)
	if m.W[0] <= 0 || math.Abs(m.W[1]) > m.W[0]/4 {
		t.Fatalf("weights %v: want a large positive weight on the signal and a small one on the noise", m.W)
	}
	if p := m.Prob([]float64{0.9, 0.5}); p < 0.9 {
		t.Errorf("P(0.9) = %.3f, want high", p)
	}
	if p := m.Prob([]float64{0.1, 0.5}); p > 0.1 {
		t.Errorf("P(0.1) = %.3f, want low", p)
	}
}

func TestCrossValidateHoldsOut(t *testing.T) {
	s := samplesOf(100)
	held := CrossValidate(s, 5, 0.1)
	if len(held) != len(s) {
		t.Fatalf("%d held-out scores for %d samples", len(held), len(s))
	}
	wrong := 0
	for _, h := range held {
		if (h.P >= 0.5) != h.label() {
			wrong++
		}
	}
	if wrong > 10 {
		t.Errorf("%d of %d held-out cases wrong on separable data", wrong, len(held))
	}
	var b strings.Builder
	WriteCalibration(&b, held, []float64{0.5})
	if !strings.Contains(b.String(), "| 0.50 |") || !strings.Contains(b.String(), "all") {
		t.Errorf("calibration table:\n%s", b.String())
	}
}

func TestLabelNeedsTheAnswerFound(t *testing.T) {
	if (Sample{Answerable: true}).label() {
		t.Error("an answerable case whose answer was not retrieved must be learnt as one to refuse")
	}
	if !(Sample{Answerable: true, Found: true}).label() {
		t.Error("an answerable case with its answer retrieved is one to answer")
	}
}
