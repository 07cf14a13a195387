package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/gonghui/qa/config"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/eval"
)

// evaluate scores a question set and, with -require, fails below the bounds.
func evaluate(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("eval", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	questions := fl.String("questions", "", "question set (JSONL)")
	k := fl.Int("k", 5, "passages retrieved for recall@k")
	asJSON := fl.Bool("json", false, "print one JSON object as the last line")
	mode := fl.String("mode", string(rag.ModeFused), "retrieval: fused, lexical or dense")
	sweep := fl.Bool("sweep", false, "print how abstention varies with the coverage threshold")
	denseWeight := fl.Float64("dense-weight", 0, "weight of the dense ranking in the fusion (0: the default)")
	rankWeight := fl.Float64("rank-weight", -1, "weight of BM25 in reordering the best passages (experiment)")
	covWeight := fl.Float64("coverage-weight", -1, "weight of coverage in reordering the best passages (experiment)")
	threshold := fl.Float64("threshold", 0, "the decision's probability threshold for answering (0: the default)")
	features := fl.Bool("features", false, "print each case's evidence as a JSON line, for -fit")
	fit := fl.String("fit", "", "fit the decision on these comma-separated -features files (held-out folds) and print it")
	require := fl.String("require", "", "fail unless the figures meet these, e.g. recall_at_1>=0.95,false_abstain<=0.05")
	if err := fl.Parse(args); err == nil && *fit != "" {
		return fitDecision(strings.Split(*fit, ","), stdout)
	}
	if err := fl.Parse(args); err != nil || *questions == "" || *k <= 0 {
		return usageError{"usage: gonghui-qa eval -questions FILE [-k 5] [-json] [-mode fused|lexical|dense] [-sweep] [-require field>=x,...]"}
	}
	switch rag.Mode(*mode) {
	case rag.ModeFused, rag.ModeLexical, rag.ModeDense:
	default:
		return usageError{fmt.Sprintf("eval: unknown -mode %q (want fused, lexical or dense)", *mode)}
	}
	cases, err := eval.Load(*questions)
	if err != nil {
		return err
	}
	e, _, err := openEngine(ctx, cfg, log)
	if err != nil {
		return err
	}
	e = e.WithOptions(func(o *rag.Options) {
		o.Mode = rag.Mode(*mode)
		o.TopK = max(*k, 5)
		if *denseWeight > 0 {
			o.DenseWeight = *denseWeight
		}
		if *threshold > 0 {
			o.Decision.Threshold = *threshold
		}
		if *rankWeight >= 0 {
			o.RankWeight = *rankWeight
		}
		if *covWeight >= 0 {
			o.CoverageWeight = *covWeight
		}
	})
	if *sweep {
		confs, err := eval.Confidences(ctx, e, cases)
		if err != nil {
			return err
		}
		eval.WriteSweep(stdout, confs)
		return nil
	}
	if *features {
		return eval.WriteSamples(ctx, stdout, e, filepath.Base(*questions), cases)
	}
	// As serve does at start: checking the example questions once per index
	// is not part of any question's latency.
	e.WarmExamples(ctx)
	rep, err := eval.Run(ctx, e, cases, *k)
	if err != nil {
		return err
	}
	failed, err := eval.Check(rep, *require)
	if err != nil {
		return usageError{"eval -require: " + err.Error()}
	}
	if *asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
	} else {
		rep.WriteTable(stdout)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s: below the required figures: %s", *questions, strings.Join(failed, "; "))
	}
	return nil
}

// fitDecision fits the answer decision on samples written by eval -features,
// reports it on held-out folds, and prints the model fitted on all of them.
func fitDecision(files []string, stdout io.Writer) error {
	var samples []eval.Sample
	for _, f := range files {
		s, err := eval.LoadSamples(f)
		if err != nil {
			return err
		}
		samples = append(samples, s...)
	}
	return eval.WriteFit(stdout, samples)
}
