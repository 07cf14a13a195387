package eval

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Check tests a report against requirements such as
// "recall_at_1>=0.95,false_abstain<=0.05", naming the report's JSON fields.
// It returns one line per requirement that is not met.
func Check(r Report, requirements string) ([]string, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var fields map[string]float64
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	var failed []string
	for _, req := range strings.Split(requirements, ",") {
		req = strings.TrimSpace(req)
		if req == "" {
			continue
		}
		op := ">="
		name, limit, ok := strings.Cut(req, op)
		if !ok {
			op = "<="
			if name, limit, ok = strings.Cut(req, op); !ok {
				return nil, fmt.Errorf("requirement %q: want field>=value or field<=value", req)
			}
		}
		name = strings.TrimSpace(name)
		want, err := strconv.ParseFloat(strings.TrimSpace(limit), 64)
		if err != nil {
			return nil, fmt.Errorf("requirement %q: %w", req, err)
		}
		got, ok := fields[name]
		if !ok {
			return nil, fmt.Errorf("requirement %q: no field %q in the report", req, name)
		}
		if (op == ">=" && got < want) || (op == "<=" && got > want) {
			failed = append(failed, fmt.Sprintf("%s = %.3f, required %s %.3f", name, got, op, want))
		}
	}
	return failed, nil
}
