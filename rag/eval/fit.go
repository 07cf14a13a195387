package eval

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// Sample is one labelled case for fitting the "does the corpus answer it"
// decision: the evidence retrieval found, whether the case is answerable,
// whether answering would be right (answerable, and a passage that holds the
// answer is among those the answer may quote), and the set it came from.
type Sample struct {
	Set        string `json:"set"`
	ID         string `json:"id"`
	Answerable bool   `json:"answerable"`
	Found      bool   `json:"found"`
	// Gated is true when the passage cannot answer whatever the model says:
	// it does not state the kind of fact asked for.
	Gated bool      `json:"gated,omitempty"`
	X     []float64 `json:"x"`
}

// label is what the decision learns: answer exactly when answering would be
// right. An answerable case whose answer retrieval did not find is a case to
// refuse — quoting the wrong passage is worse than sending a member to a
// person.
func (s Sample) label() bool { return s.Answerable && s.Found }

// caseID is the case a sample belongs to: a case has one sample per
// candidate passage ("lp01#0", "lp01#1"…).
func (s Sample) caseID() string {
	if i := strings.LastIndex(s.ID, "#"); i >= 0 {
		return s.ID[:i]
	}
	return s.ID
}

// Logistic is a fitted logistic model: P(answerable) = σ(W·x + B).
type Logistic struct {
	W []float64
	B float64
}

// Prob is the model's probability for x.
func (m Logistic) Prob(x []float64) float64 {
	z := m.B
	for i, w := range m.W {
		z += w * x[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// FitLogistic fits a logistic regression with an L2 penalty lambda on the
// weights (not the bias) by Newton's method, which converges in a few dozen
// steps on the few hundred cases and handful of features used here. Classes
// are weighted so that answerable and unanswerable cases count equally: the
// sets hold far more of the first, and a refusal matters as much as an answer.
func FitLogistic(samples []Sample, lambda float64) Logistic {
	if len(samples) == 0 {
		return Logistic{}
	}
	d := len(samples[0].X)
	var pos, neg float64
	for _, s := range samples {
		if s.label() {
			pos++
		} else {
			neg++
		}
	}
	wPos, wNeg := 1.0, 1.0
	if pos > 0 && neg > 0 {
		wPos, wNeg = (pos+neg)/(2*pos), (pos+neg)/(2*neg)
	}
	// Parameters: d weights then the bias.
	theta := make([]float64, d+1)
	for iter := 0; iter < 100; iter++ {
		grad := make([]float64, d+1)
		hess := make([][]float64, d+1)
		for i := range hess {
			hess[i] = make([]float64, d+1)
		}
		for _, s := range samples {
			x := append(append([]float64(nil), s.X...), 1)
			z := 0.0
			for i := range x {
				z += theta[i] * x[i]
			}
			p := 1 / (1 + math.Exp(-z))
			y, cw := 0.0, wNeg
			if s.label() {
				y, cw = 1, wPos
			}
			for i := range x {
				grad[i] += cw * (p - y) * x[i]
				for j := range x {
					hess[i][j] += cw * p * (1 - p) * x[i] * x[j]
				}
			}
		}
		for i := 0; i < d; i++ {
			grad[i] += lambda * theta[i]
			hess[i][i] += lambda
		}
		hess[d][d] += 1e-9
		step, ok := solve(hess, grad)
		if !ok {
			break
		}
		var norm float64
		for i := range theta {
			theta[i] -= step[i]
			norm += step[i] * step[i]
		}
		if norm < 1e-16 {
			break
		}
	}
	return Logistic{W: theta[:d], B: theta[d]}
}

// solve solves A x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, bool) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, false
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}

// Held is a sample's probability from a model that never saw it.
type Held struct {
	Sample
	P float64
}

// CrossValidate scores every sample with a model fitted on the other folds:
// samples are dealt into k folds round-robin within each set and class (so
// each fold holds every set's kinds of case), and fold i is scored by the
// model fitted on the rest.
func CrossValidate(samples []Sample, k int, lambda float64) []Held {
	fold := make([]int, len(samples))
	next := map[string]int{}
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	// A stable, content-free order: by set, class and ID.
	sort.SliceStable(order, func(a, b int) bool {
		sa, sb := samples[order[a]], samples[order[b]]
		if sa.Set != sb.Set {
			return sa.Set < sb.Set
		}
		if sa.Answerable != sb.Answerable {
			return sa.Answerable
		}
		return sa.caseID() < sb.caseID()
	})
	// All the candidates of one case fall in the same fold.
	caseFold := map[string]int{}
	for _, i := range order {
		c := samples[i].Set + "/" + samples[i].caseID()
		f, ok := caseFold[c]
		if !ok {
			key := fmt.Sprintf("%s/%v", samples[i].Set, samples[i].Answerable)
			f = next[key] % k
			next[key]++
			caseFold[c] = f
		}
		fold[i] = f
	}
	out := make([]Held, len(samples))
	for f := 0; f < k; f++ {
		var train []Sample
		for i, s := range samples {
			if fold[i] != f {
				train = append(train, s)
			}
		}
		m := FitLogistic(train, lambda)
		for i, s := range samples {
			if fold[i] == f {
				out[i] = Held{s, m.Prob(s.X)}
			}
		}
	}
	return out
}

// WriteCalibration prints, per set and over all, the share of unanswerable
// cases refused and of answerable ones wrongly refused at each probability
// threshold, from held-out probabilities (a case is answered when one of its
// candidates reaches the threshold) — and in brackets the share wrongly
// refused of the answerable cases whose answer retrieval found, which is
// what the decision alone is answerable for.
func WriteCalibration(w io.Writer, held []Held, thresholds []float64) {
	type verdict struct {
		set               string
		answerable, found bool
		p                 float64
	}
	cases := map[string]*verdict{}
	var keys []string
	for _, h := range held {
		k := h.Set + "/" + h.caseID()
		v, ok := cases[k]
		if !ok {
			v = &verdict{set: h.Set, answerable: h.Answerable}
			cases[k] = v
			keys = append(keys, k)
		}
		v.found = v.found || h.Found
		if !h.Gated {
			v.p = max(v.p, h.P)
		}
	}
	sets := map[string]bool{}
	for _, v := range cases {
		sets[v.set] = true
	}
	names := make([]string, 0, len(sets))
	for s := range sets {
		names = append(names, s)
	}
	sort.Strings(names)
	names = append(names, "all")
	fmt.Fprintf(w, "| threshold | %s |\n", strings.Join(names, " | "))
	fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---|", len(names)))
	for _, t := range thresholds {
		row := []string{fmt.Sprintf("%.2f", t)}
		for _, name := range names {
			var un, ok, an, fa, fo, faFound int
			for _, k := range keys {
				v := cases[k]
				if name != "all" && v.set != name {
					continue
				}
				if v.answerable {
					an++
					if v.p < t {
						fa++
					}
					if v.found {
						fo++
						if v.p < t {
							faFound++
						}
					}
				} else {
					un++
					if v.p < t {
						ok++
					}
				}
			}
			row = append(row, fmt.Sprintf("%.3f / %.3f (%.3f)", frac(ok, un), frac(fa, an), frac(faFound, fo)))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
}
